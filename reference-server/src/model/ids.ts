import { randomBytesPooled } from './random.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_PATTERN = /^mem_[a-z0-9]{16}$/;

/** A new memory id: `mem_` and 16 characters of [a-z0-9] from a CSPRNG, without modulo bias (OMP-ID-001, OMP-ID-003). */
export function newMemoryId(): string {
  let out = 'mem_';
  while (out.length < 20) {
    for (const byte of randomBytesPooled(24)) {
      if (byte >= 252) continue; // 252 = 7 * 36: rejecting the tail keeps every character equally likely
      out += ALPHABET[byte % 36];
      if (out.length === 20) break;
    }
  }
  return out;
}

/** Whether a path segment can be a memory id at all; anything else is answered 404 memory_not_found (OMP-ID-004). */
export function isMemoryId(value: string): boolean {
  return ID_PATTERN.test(value);
}
