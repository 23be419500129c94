import { randomFillSync } from 'node:crypto';

// One getrandom() call per 8 KiB instead of one per id: ids and request ids are drawn thousands of times a
// second under load. The bytes still come from the CSPRNG (OMP-ID-003).
const pool = Buffer.alloc(8192);
let next = pool.length;

/** `n` (at most 256) cryptographically random bytes; the view is only valid until the next call. */
export function randomBytesPooled(n: number): Buffer {
  if (next + n > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const out = pool.subarray(next, next + n);
  next += n;
  return out;
}
