/**
 * One `curl` command reproducing a recorded exchange. Credentials become shell variables ($OMP_TOKEN, …) so a
 * report can be shared without leaking a key, and the line still works once the variables are exported.
 */
import { gzipSync } from 'node:zlib';
import type { Exchange } from './client.ts';

/** Shell variable holding each credential label's token (see the CLI's env variables). */
export function credentialVariable(label: string): string {
  if (label === 'token-a') return 'OMP_TOKEN';
  if (label === 'token-b') return 'OMP_TOKEN_B';
  if (label.startsWith('tool:'))
    return `OMP_TOOL_TOKEN_${label
      .slice(5)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '_')}`;
  return `OMP_${label.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SKIP_HEADERS = new Set(['content-length', 'host', 'connection', 'accept']);
const MAX_INLINE_BODY = 4096;
const MAX_PACKED = 64 * 1024;

/**
 * Render the curl line. `body` is the full (already redacted) request body when known: small printable bodies are
 * inlined, larger or binary ones travel gzip+base64 inside the line (bash process substitution), so the line alone
 * reproduces the request; only bodies the runner streamed are described instead.
 */
export function toCurl(e: Exchange, body?: Uint8Array): string {
  const parts = ['curl', '-sS', '-i'];
  if (e.method !== 'GET') parts.push('-X', e.method);
  parts.push(sq(e.url));
  for (const [k, v] of Object.entries(e.requestHeaders)) {
    if (SKIP_HEADERS.has(k)) continue;
    if (k === 'authorization') {
      const m = /^<([^>]+)>$/.exec(v.replace(/^\S+\s+/, ''));
      if (m?.[1]) {
        const scheme = v.split(/\s+/)[0] ?? 'Bearer';
        parts.push('-H', `"Authorization: ${scheme} $${credentialVariable(m[1])}"`);
        continue;
      }
    }
    parts.push('-H', sq(`${k}: ${v}`));
  }
  if (e.requestBodyBytes > 0) {
    // Without this, curl would add a form Content-Type of its own.
    if (!('content-type' in e.requestHeaders)) parts.push('-H', sq('Content-Type:'));
    const text = body ? Buffer.from(body).toString('utf8') : (e.requestBody ?? '');
    const printable =
      body !== undefined &&
      Buffer.from(text, 'utf8').equals(Buffer.from(body)) &&
      !/[\u0000-\u0008\u000e-\u001f]/.test(text);
    if (body && printable && body.byteLength <= MAX_INLINE_BODY) parts.push('--data-binary', sq(text));
    else if (body) {
      const packed = gzipSync(body, { level: 9 }).toString('base64');
      if (packed.length <= MAX_PACKED)
        parts.push('--data-binary', `@<(printf %s ${sq(packed)} | base64 -d | gunzip)`);
      else
        parts.push(
          '--data-binary',
          '@body.json',
          `  # body of ${e.requestBodyBytes} bytes: ${clipDesc(text)}`,
        );
    } else
      parts.push('--data-binary', '@body.json', `  # body of ${e.requestBodyBytes} bytes: ${clipDesc(text)}`);
  }
  return parts.join(' ');
}

function clipDesc(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 120 ? `${one.slice(0, 120)}…` : one;
}

/** POSIX single-quote a word. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
