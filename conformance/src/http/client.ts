/**
 * The runner's HTTP client: raw control over method, headers and body bytes (so checks can send malformed
 * JSON, wrong content types and oversize bodies), a record of every exchange for the report, and transport
 * faults kept apart from server answers so a network problem is reported as `error`, never as `fail`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { toCurl } from './curl.ts';

/** A transport-level fault: the server could not be reached or the connection broke. Never the server's "fail". */
export class TransportError extends Error {
  override name = 'TransportError';
  readonly kind: 'refused' | 'reset' | 'timeout' | 'dns' | 'aborted' | 'other';
  constructor(kind: TransportError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Body to send: JSON-serialised value, raw text/bytes, or a generator for large bodies. */
export type RequestBody =
  | { json: unknown }
  | { raw: string | Uint8Array }
  | { stream: () => Readable; length: number; describe: string };

/** One request as a check expresses it. */
export interface RequestSpec {
  method: string;
  /** Path below the base URL, starting with '/', query string included. */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Content-Type to send; defaults to application/json when a body is given; null sends none. */
  contentType?: string | null;
  /** Label of the credential used, for redaction and curl lines (e.g. 'token-a'), or null for none. */
  credential?: string | null;
  signal?: AbortSignal;
  /**
   * Wait and resend after 429 rate_limited or 503 unavailable (per Retry-After, see busyWait): a server that
   * limits the runner is not failing the check that happened to hit the limit. Off for checks about 429 itself.
   */
  retryBusy?: boolean;
}

/** What the report keeps of one request/response pair (already redacted by the recorder). */
export interface Exchange {
  seq: number;
  method: string;
  url: string;
  credential: string | null;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  requestBodyBytes: number;
  status: number | null;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  responseBodyBytes: number;
  durationMs: number;
  transportError: string | null;
  /** A curl line reproducing the request (credentials as shell variables, full body packed when needed). */
  curl: string;
}

/** A response as the checks see it: status, headers (lower-case names), the raw text and lazily parsed JSON. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  bytes: number;
  exchange: Exchange;
}

/** Options of one client. */
export interface ClientOptions {
  baseUrl: string;
  timeoutMs: number;
  maxConnections: number;
  /** Secrets to redact from anything recorded, by label. */
  secrets: () => ReadonlyMap<string, string>;
  onExchange?: (e: Exchange) => void;
  /** Largest response body kept in the record (bytes); the full body is still returned to the check. */
  recordLimit?: number;
}

const RECORD_LIMIT = 8192;
/** Resends after 429/503 before the answer is handed to the check (which then ends as rate-limited, never failed). */
export const MAX_BUSY_RETRIES = 6;
/** Longest wait for one Retry-After, in ms: a longer one is cut to this (the resend may meet another 429). */
export const MAX_BUSY_WAIT_MS = 20_000;
const MAX_RESET_RETRIES = 2;

/** A client bound to one base URL; thread-safe across concurrent checks. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly agent: http.Agent;
  private readonly opts: ClientOptions;
  private seq = 0;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.baseUrl = normaliseBaseUrl(opts.baseUrl);
    const Agent = this.baseUrl.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxConnections });
  }

  /** Send one request; resolves with any HTTP answer (any status), rejects only with TransportError. */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    const url = new URL(this.baseUrl + spec.path);
    const headers: Record<string, string> = { accept: 'application/json', ...lowerKeys(spec.headers ?? {}) };
    let payload: Uint8Array | null = null;
    let stream: (() => Readable) | null = null;
    let bodyBytes = 0;
    let describe: string | null = null;
    if (spec.body) {
      if ('json' in spec.body) payload = Buffer.from(JSON.stringify(spec.body.json), 'utf8');
      else if ('raw' in spec.body)
        payload = typeof spec.body.raw === 'string' ? Buffer.from(spec.body.raw, 'utf8') : spec.body.raw;
      else {
        stream = spec.body.stream;
        bodyBytes = spec.body.length;
        describe = spec.body.describe;
      }
      if (payload) bodyBytes = payload.byteLength;
      headers['content-length'] = String(bodyBytes);
      const ct = spec.contentType === undefined ? 'application/json' : spec.contentType;
      if (ct !== null) headers['content-type'] = ct;
    } else if (spec.contentType) {
      headers['content-type'] = spec.contentType;
    }
    const started = performance.now();
    const seq = ++this.seq;
    const record = (
      status: number | null,
      resHeaders: Record<string, string>,
      body: Buffer | null,
      err: string | null,
    ) => {
      const e: Exchange = {
        seq,
        method: spec.method,
        url: url.toString(),
        credential: spec.credential ?? null,
        requestHeaders: headers,
        requestBody: describe ?? (payload ? clip(Buffer.from(payload).toString('utf8'), this.limit) : null),
        requestBodyBytes: bodyBytes,
        status,
        responseHeaders: resHeaders,
        responseBody: body ? clip(body.toString('utf8'), this.limit) : null,
        responseBodyBytes: body?.byteLength ?? 0,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        transportError: err,
        curl: '',
      };
      const secrets = this.opts.secrets();
      const red = redactExchange(e, secrets);
      red.curl = toCurl(red, payload ? redactBytes(payload, secrets) : undefined);
      this.opts.onExchange?.(red);
      return red;
    };

    // Idempotent requests are resent after a connection reset, as SPEC §9.3 tells clients to do.
    const method = spec.method.toUpperCase();
    const idempotent =
      ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(method) ||
      (method === 'POST' && url.pathname.endsWith('/v1/memories/search'));
    let resets = idempotent && !stream ? MAX_RESET_RETRIES : 0;
    const attempt = (retry: boolean): Promise<HttpResponse> =>
      new Promise<HttpResponse>((resolve, reject) => {
        const mod = url.protocol === 'https:' ? https : http;
        let settled = false;
        const onAbort = () => req.destroy(new TransportError('aborted', 'run aborted'));
        const done = () => {
          settled = true;
          clearTimeout(timer);
          spec.signal?.removeEventListener('abort', onAbort);
        };
        const fail = (err: TransportError) => {
          if (settled) return;
          done();
          // A keep-alive socket the server closed while idle fails before any byte is answered: Node's documented
          // race, not the server's fault. Such a request never reached the server, so it is sent once more.
          if (retry && err.kind === 'reset' && req.reusedSocket && !stream) {
            attempt(false).then(resolve, reject);
            return;
          }
          record(null, {}, null, `${err.kind}: ${err.message}`);
          if (err.kind === 'reset' && resets > 0 && !spec.signal?.aborted) {
            resets--;
            attempt(true).then(resolve, reject);
            return;
          }
          reject(err);
        };
        const req = mod.request(url, { method: spec.method, headers, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(classify(e)));
          res.on('end', () => {
            if (settled) return;
            done();
            const buf = Buffer.concat(chunks);
            const resHeaders = flattenHeaders(res.headers);
            const exchange = record(res.statusCode ?? 0, resHeaders, buf, null);
            resolve({
              status: res.statusCode ?? 0,
              headers: resHeaders,
              text: buf.toString('utf8'),
              bytes: buf.byteLength,
              exchange,
            });
          });
        });
        const timer = setTimeout(() => {
          req.destroy(new TransportError('timeout', `no complete response within ${this.opts.timeoutMs} ms`));
        }, this.opts.timeoutMs);
        req.on('error', (e) => fail(classify(e)));
        if (spec.signal) {
          if (spec.signal.aborted) onAbort();
          else spec.signal.addEventListener('abort', onAbort, { once: true });
        }
        if (stream) {
          const s = stream();
          s.on('error', (e) => req.destroy(e));
          s.pipe(req);
          // A server may answer (e.g. 413) before reading everything; stop sending then.
          req.on('response', () => s.unpipe(req));
        } else {
          req.end(payload ?? undefined);
        }
      });
    let res = await attempt(true);
    // A server may limit the runner (SPEC §9.4): 429 (and 503) are waited out here, for every request alike, so
    // that no check fails on a limit the spec allows. A body given as a stream is made anew for each attempt.
    for (let tries = 0; tries < MAX_BUSY_RETRIES && (spec.retryBusy ?? true); tries++) {
      // A 503 without Retry-After may be a lasting state (an AI back end that is down): a few tries only.
      const busy = res.status === 429 || (res.status === 503 && (tries < 3 || 'retry-after' in res.headers));
      if (!busy) break;
      await abortableSleep(busyWait(res.headers['retry-after'], tries, Date.now()), spec.signal);
      if (spec.signal?.aborted) break;
      res = await attempt(true);
    }
    return res;
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private get limit(): number {
    return this.opts.recordLimit ?? RECORD_LIMIT;
  }
}

/**
 * How long to wait before resending after a 429/503: what Retry-After says (delta-seconds or an HTTP-date, RFC
 * 9110 §10.2.3), at least a backoff that doubles from 100 ms with each retry (an HTTP-date has one-second
 * resolution and may already be past), at most MAX_BUSY_WAIT_MS.
 */
export function busyWait(retryAfter: string | undefined, tries: number, now: number): number {
  const floor = 100 * 2 ** tries;
  const v = (retryAfter ?? '').trim();
  let wanted = 1000;
  if (/^\d+$/.test(v)) wanted = Number(v) * 1000;
  else if (v) {
    const at = Date.parse(v);
    if (Number.isFinite(at)) wanted = at - now;
  }
  return Math.min(MAX_BUSY_WAIT_MS, Math.max(floor, wanted));
}

function abortableSleep(msDelay: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, msDelay);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Strip a trailing slash and a trailing `/v1` so checks can always write `/v1/...`. */
export function normaliseBaseUrl(raw: string): string {
  let u = raw.trim();
  while (u.endsWith('/')) u = u.slice(0, -1);
  if (u.endsWith('/v1')) u = u.slice(0, -3);
  return u;
}

function classify(e: unknown): TransportError {
  if (e instanceof TransportError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? '';
  const msg = `${code ? `${code} ` : ''}${err?.message ?? String(e)}`.trim();
  if (code === 'ECONNREFUSED') return new TransportError('refused', msg);
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    /socket hang up/.test(msg)
  )
    return new TransportError('reset', msg);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError('dns', msg);
  if (code === 'ETIMEDOUT') return new TransportError('timeout', msg);
  return new TransportError('other', msg);
}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function clip(s: string, limit: number): string {
  return s.length > limit ? `${s.slice(0, limit)}… [${s.length - limit} more characters]` : s;
}

/** Replace every secret value in an exchange by `<label>`; header values of Authorization keep only the scheme. */
export function redactExchange(e: Exchange, secrets: ReadonlyMap<string, string>): Exchange {
  const red = (s: string) => redactText(s, secrets);
  const reqHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.requestHeaders)) reqHeaders[k] = red(v);
  const resHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.responseHeaders)) resHeaders[k] = red(v);
  return {
    ...e,
    url: red(e.url),
    requestHeaders: reqHeaders,
    requestBody: e.requestBody === null ? null : red(e.requestBody),
    responseHeaders: resHeaders,
    responseBody: e.responseBody === null ? null : red(e.responseBody),
    transportError: e.transportError === null ? null : red(e.transportError),
    curl: red(e.curl),
  };
}

/** Replace each secret in raw bytes (bodies may not be UTF-8), longest first, by `<label>`. */
export function redactBytes(b: Uint8Array, secrets: ReadonlyMap<string, string>): Uint8Array {
  let buf = Buffer.from(b);
  const pairs = [...secrets].filter(([, v]) => v.length >= 4).sort((x, y) => y[1].length - x[1].length);
  for (const [label, value] of pairs) {
    const needle = Buffer.from(value, 'utf8');
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = buf.indexOf(needle, from); i >= 0; i = buf.indexOf(needle, from)) {
      parts.push(buf.subarray(from, i), Buffer.from(`<${label}>`));
      from = i + needle.length;
    }
    if (parts.length) buf = Buffer.concat([...parts, buf.subarray(from)]);
  }
  return buf;
}

/** Replace each secret (longest first, so a token containing another is handled) by `<label>`. */
export function redactText(s: string, secrets: ReadonlyMap<string, string>): string {
  const pairs = [...secrets].filter(([, v]) => v.length >= 4).sort((a, b) => b[1].length - a[1].length);
  let out = s;
  for (const [label, value] of pairs) out = out.split(value).join(`<${label}>`);
  return out;
}
