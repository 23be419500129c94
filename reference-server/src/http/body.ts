import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ApiError, payloadTooLarge } from './errors.ts';

/** 415 unless the request says `application/json` (any case; parameters allowed, charset only utf-8) (OMP-HTTP-002). */
export function requireJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'];
  const [type = '', ...params] = (header ?? '').split(';');
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (type.trim().toLowerCase() !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      header === undefined
        ? 'Content-Type is missing; send application/json'
        : 'Content-Type must be application/json (charset utf-8)',
    );
  }
}

/**
 * Read a request body of at most `limit` bytes. The limit is enforced on the declared Content-Length and while
 * streaming, so an oversized body is never buffered: the rest is read and discarded so the 413 reaches the client.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: ApiError): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // discarding the remainder of an oversized body
      size += chunk.length;
      if (size > limit) fail(payloadTooLarge(limit));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (!req.complete)
        fail(new ApiError(400, 'malformed_json', 'Request body ended before it was complete'));
    });
  });
}

/** Deepest nesting of arrays and objects a body may have; deeper input would exhaust the stack downstream. */
export const MAX_JSON_DEPTH = 256;

/** Whether JSON text nests arrays/objects deeper than `limit`. Strings are skipped with indexOf (native speed). */
function nestedDeeperThan(body: Buffer, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === 0x22) {
      // Jump to the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        i = body.indexOf(0x22, i + 1);
        if (i === -1) return false; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (body[i - 1 - backslashes] === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parse a UTF-8 JSON body; 400 malformed_json when it is not UTF-8 or not JSON (OMP-HTTP-003). Nesting deeper
 * than MAX_JSON_DEPTH is a 422: it is JSON, but no memory needs it, and recursive code must never see it.
 */
export function parseJson(body: Buffer): unknown {
  if (!isUtf8(body)) throw new ApiError(400, 'malformed_json', 'Request body is not valid UTF-8');
  if (nestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new ApiError(
      422,
      'validation_error',
      `Request body nests arrays or objects more than ${MAX_JSON_DEPTH} deep`,
      {
        errors: [
          { path: '/', message: `must not nest arrays or objects more than ${MAX_JSON_DEPTH} levels deep` },
        ],
      },
    );
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark is allowed (RFC 8259 §8.1)
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the body; report only where parsing stopped.
    const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    return badJson(position === undefined ? undefined : Number(position), text.length);
  }
}

function badJson(position: number | undefined, length: number): never {
  const where =
    position === undefined ? (length === 0 ? ': the body is empty' : '') : ` at position ${position}`;
  throw new ApiError(
    400,
    'malformed_json',
    `Request body is not valid JSON${where}`,
    position === undefined ? {} : { position },
  );
}
