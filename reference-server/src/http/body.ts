import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Violation } from '@omp-kit/schemas';
import { ApiError, payloadTooLarge, validationError } from './errors.ts';
import { JsonScanner, JsonSyntaxError } from './json-scan.ts';

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

/** Deepest nesting of arrays and objects a body may have; deeper input would exhaust the stack downstream. */
export const MAX_JSON_DEPTH = 256;

/** Checks UTF-8 validity chunk by chunk: a sequence cut by a chunk boundary is completed by the next chunk. */
class Utf8Check {
  #carry: Buffer = Buffer.alloc(0);
  #ok = true;
  write(chunk: Buffer): void {
    if (!this.#ok) return;
    const buf = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    let cut = buf.length;
    for (let k = 1; k <= 3 && k <= buf.length; k++) {
      const b = buf[buf.length - k] as number;
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
      if (b >= 0xc0 && (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > k) cut = buf.length - k;
      break;
    }
    if (!isUtf8(buf.subarray(0, cut))) this.#ok = false;
    this.#carry = Buffer.from(buf.subarray(cut));
  }
  end(): boolean {
    return this.#ok && this.#carry.length === 0;
  }
}

/**
 * The items of an import body, parsed one at a time when iterated (the body is never parsed whole). An item the
 * pre-scanner found a violation in (a number that is not an exact double, an unpaired surrogate, a duplicate
 * name) is never parsed: it is yielded as null and {@link LazyItems.violationsOf} says why.
 */
export class LazyItems implements Iterable<unknown> {
  readonly #body: Buffer;
  readonly #starts: number[];
  readonly #ends: number[];
  readonly #violations: Map<number, Violation[]>;
  constructor(body: Buffer, starts: number[], ends: number[], violations: Map<number, Violation[]>) {
    this.#body = body;
    this.#starts = starts;
    this.#ends = ends;
    this.#violations = violations;
  }
  /** Number of items. */
  get length(): number {
    return this.#starts.length;
  }
  /** The pre-scanner's violations in item `index`, if any. */
  violationsOf(index: number): Violation[] | undefined {
    return this.#violations.get(index);
  }
  /** The item's `id` member when it is a string (for reporting an item that is not parsed otherwise). */
  idOf(index: number): string | null {
    try {
      const id = (JSON.parse(this.#text(index)) as { id?: unknown } | null)?.id;
      return typeof id === 'string' ? id : null;
    } catch {
      return null;
    }
  }
  #text(index: number): string {
    return this.#body.toString('utf8', this.#starts[index], this.#ends[index]);
  }
  *[Symbol.iterator](): Iterator<unknown> {
    for (let i = 0; i < this.#starts.length; i++) {
      yield this.#violations.has(i) ? null : JSON.parse(this.#text(i));
    }
  }
}

/** A parsed request body; for an import, `items` holds the `memories` items and `value.memories` is `[]`. */
export interface JsonBody {
  value: unknown;
  items?: LazyItems | undefined;
}

/** Options of {@link readJsonBody}. */
export interface ReadJsonOptions {
  /** Largest body in bytes (413 above it). */
  limit: number;
  /** Treat the body as an import: its top-level `memories` items are spanned, counted and parsed lazily. */
  items?: { member: string; max: number } | undefined;
}

/**
 * The checks and buffer of one body, fed chunk by chunk: UTF-8, the pre-scanner (json-scan.ts), and the bytes,
 * kept only while the body can still succeed. `finish` parses it.
 */
export class BodyScan {
  readonly #scanner: JsonScanner;
  readonly #utf8 = new Utf8Check();
  #whole: Buffer | null;
  #chunks: Buffer[] | null;
  #size = 0;
  #syntax: JsonSyntaxError | null = null;

  /** `expected`: the declared length, when known (the body then goes into one buffer, never copied twice). */
  constructor(options: { items?: ReadJsonOptions['items']; expected?: number | undefined } = {}) {
    this.#scanner = new JsonScanner({ maxDepth: MAX_JSON_DEPTH, items: options.items });
    const expected = options.expected;
    this.#whole = expected !== undefined && expected > 0 ? Buffer.allocUnsafe(expected) : null;
    this.#chunks = this.#whole ? null : [];
  }

  /** Bytes received so far. */
  get size(): number {
    return this.#size;
  }

  /** Forget the bytes (the body failed, or the request did). */
  drop(): void {
    this.#whole = null;
    this.#chunks = null;
  }

  write(chunk: Buffer): void {
    const at = this.#size;
    this.#size += chunk.length;
    this.#utf8.write(chunk);
    if (this.#syntax === null) {
      try {
        this.#scanner.write(chunk);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        this.#syntax = err;
      }
    }
    if (this.#syntax !== null || this.#scanner.failed) this.drop();
    else if (this.#whole) {
      if (this.#size > this.#whole.length) {
        // node:http never delivers more than Content-Length; keep the bytes anyway if it ever did.
        this.#chunks = [this.#whole.subarray(0, at)];
        this.#whole = null;
        this.#chunks.push(chunk);
      } else chunk.copy(this.#whole, at);
    } else this.#chunks?.push(chunk);
  }

  /** The parsed body; throws 400 malformed_json or 422 validation_error (OMP-HTTP-003, §4.1). */
  finish(): JsonBody {
    if (!this.#utf8.end()) throw new ApiError(400, 'malformed_json', 'Request body is not valid UTF-8');
    if (this.#size === 0) return badJson(undefined, 0);
    let scan: ReturnType<JsonScanner['end']>;
    try {
      if (this.#syntax !== null) throw this.#syntax;
      scan = this.#scanner.end();
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      throw new ApiError(
        400,
        'malformed_json',
        `Request body is not valid JSON at position ${err.position}: ${err.message}`,
        { position: err.position },
      );
    }
    if (scan.violations.length > 0) throw validationError(scan.violations, 'Request body');
    const size = this.#size;
    const body =
      this.#whole && this.#whole.length === size ? this.#whole : Buffer.concat(this.#chunks ?? [], size);
    this.drop();
    const text = (start: number, end: number): string => {
      const s = body.toString('utf8', start, end);
      return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s; // a byte order mark is allowed (RFC 8259 §8.1)
    };
    if (!scan.items) return { value: JSON.parse(text(0, size)) };
    // The envelope without its items: `"memories":[` ... `]` becomes `"memories":[]`.
    const value = JSON.parse(text(0, scan.items.open + 1) + body.toString('utf8', scan.items.close, size));
    return {
      value,
      items: new LazyItems(body, scan.items.starts, scan.items.ends, scan.items.violations),
    };
  }
}

/** Check and parse a whole body held in memory (tests, and callers that already have the bytes). */
export function parseJson(body: Buffer, items?: ReadJsonOptions['items']): JsonBody {
  const scan = new BodyScan({ items, expected: body.length });
  scan.write(body);
  return scan.finish();
}

/**
 * Read and check a JSON request body as it streams in, then parse it. Work is bounded before anything is
 * parsed: the size limit applies to the declared Content-Length and to the bytes received; the pre-scanner
 * rejects malformed JSON (400), and nesting, numbers, surrogates, duplicate names and item counts that break
 * the rules (422), without building any value. Once a body is known to fail its bytes are no longer kept; the
 * rest is read only so the answer reaches the client (a later fault that outranks the first under OMP-ERR-006,
 * a syntax error or the size limit, is still found). Memory per request: the body's bytes, once.
 */
export function readJsonBody(req: IncomingMessage, options: ReadJsonOptions): Promise<JsonBody> {
  const { limit } = options;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const scan = new BodyScan({
      items: options.items,
      expected: Number.isFinite(declared) ? declared : undefined,
    });
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      scan.drop();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // discarding the remainder of an oversized body
      if (scan.size + chunk.length > limit) return fail(payloadTooLarge(limit));
      scan.write(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      try {
        const body = scan.finish();
        settled = true;
        resolve(body);
      } catch (err) {
        fail(err);
      }
    });
    req.on('close', () => {
      if (!req.complete)
        fail(new ApiError(400, 'malformed_json', 'Request body ended before it was complete'));
    });
  });
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
