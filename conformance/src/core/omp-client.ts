/**
 * The runner's own OMP client: requests bound to one key, and the few typed calls checks use to set up what they
 * need. A call made to set something up (a memory to read back, say) is a precondition: when the server cannot
 * do it, the check is blocked by the check of that very behaviour, instead of failing under its own ID.
 */
import type { HttpResponse, RequestSpec } from '../http/client.ts';
import { short } from './assert.ts';
import { type KeyRef, keyLabel } from './credentials.ts';
import { type Judge, Res } from './response.ts';
import type { Memory } from './wire.ts';

/** source.timestamp of every memory the run creates to set a check up (a valid, past, UTC instant). */
export const SETUP_TIMESTAMP = '2026-01-01T00:00:00.000Z';

/** Query values: repeated keys come from arrays. */
export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

/** Build `?a=1&b=2` from a query object (undefined values dropped). */
export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v])
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** What the client needs of the check it works for. */
export interface ClientHost extends Judge {
  readonly signal: AbortSignal;
  /** The area of the check the client works for (e.g. 'LIST'): a call in its own area is under test. */
  readonly area: string;
  /** Send through the run's HTTP client (counted for the check). */
  send(spec: RequestSpec): Promise<HttpResponse>;
  /** Record what a 2xx response says the server created. */
  noteCreated(method: string, path: string, res: Res, key: KeyRef | null, sent: unknown): void;
  /** Stop the check: a precondition the server does not meet, shown failing by check `by`. */
  block(by: string, reason: string, res?: Res): never;
  /** The OMP-Version header to send with every request (the version certified), if any. */
  readonly versionHeader?: string | undefined;
}

/** Request options of the client. */
export interface ReqOptions {
  json?: unknown;
  raw?: string | Uint8Array;
  body?: RequestSpec['body'];
  query?: Query;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Resend after 429/503 (default true); false for checks about rate limiting itself. */
  retryBusy?: boolean;
  /** Send the run's OMP-Version header (default true); false for checks about requests without one. */
  versionHeader?: boolean;
}

/** An API client bound to one key (or none, or a raw Authorization header). */
export class Api {
  readonly key: KeyRef | null;
  /** The check this client works for. */
  readonly host: ClientHost;
  private readonly authorization: string | null;

  constructor(host: ClientHost, key: KeyRef | null, authorization: string | null) {
    this.host = host;
    this.key = key;
    this.authorization = authorization;
  }

  /** Send any request; resolves with whatever the server answers. */
  async req(method: string, path: string, o: ReqOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
    if (this.authorization !== null && !has('authorization')) headers.authorization = this.authorization;
    if (this.host.versionHeader && o.versionHeader !== false && !has('omp-version'))
      headers['omp-version'] = this.host.versionHeader;
    const body =
      o.body ?? (o.raw !== undefined ? { raw: o.raw } : o.json !== undefined ? { json: o.json } : undefined);
    const spec: RequestSpec = {
      method,
      path: path + queryString(o.query),
      headers,
      credential: this.key ? keyLabel(this.key) : null,
      signal: this.host.signal,
      ...(body ? { body } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
      ...(o.retryBusy === false ? { retryBusy: false } : {}),
    };
    const raw = await this.host.send(spec);
    const res = new Res(this.host, raw);
    this.host.noteCreated(method, path, res, this.key, o.json);
    return res;
  }

  get(path: string, query?: Query): Promise<Res> {
    return this.req('GET', path, query ? { query } : {});
  }
  post(path: string, json: unknown, query?: Query): Promise<Res> {
    return this.req('POST', path, { json, ...(query ? { query } : {}) });
  }
  put(path: string, json: unknown): Promise<Res> {
    return this.req('PUT', path, { json });
  }
  del(path: string): Promise<Res> {
    return this.req('DELETE', path);
  }

  /**
   * Create a memory a check needs (a precondition, not the behaviour under test). Any 2xx with a memory that has
   * an id will do; a server that cannot create blocks the check by OMP-CRUD-001, and one that stores other
   * values than those sent (which later steps rely on) by OMP-CRUD-002.
   */
  async create(input: Record<string, unknown>): Promise<Memory> {
    // The most tolerant valid body: draft 0.2 required source.timestamp, so a set-up memory always carries one.
    const src = input.source;
    const body =
      src && typeof src === 'object' && !Array.isArray(src) && !('timestamp' in src)
        ? { ...input, source: { ...src, timestamp: SETUP_TIMESTAMP } }
        : input;
    const res = await this.post('/v1/memories', body);
    const m = res.json as Memory | undefined;
    if (res.status < 200 || res.status > 299 || !m || typeof m !== 'object' || typeof m.id !== 'string')
      this.host.block('OMP-CRUD-001', `could not create the memory this check needs: ${res.describe()}`, res);
    res.expectBody('memory');
    for (const k of ['content', 'type', 'tags', 'namespace'] as const)
      if (k in body && JSON.stringify(m[k]) !== JSON.stringify(body[k]))
        this.host.block(
          'OMP-CRUD-002',
          `the memory this check needs was stored with ${k} ${short(m[k])}, not the ${short(body[k])} sent`,
          res,
        );
    return m;
  }

  /** GET one memory; asserts 200 and a JSON object. */
  async getMemory(id: string): Promise<Memory> {
    return (await this.get(`/v1/memories/${encodeURIComponent(id)}`)).expectObject<Memory>(200, 'memory');
  }

  /** Every memory of a filtered list, walking pages of 100. */
  async listAll(query: Query): Promise<Memory[]> {
    const out: Memory[] = [];
    // Pages of 50: a most tolerant valid request (a server wrong about the upper bound still answers).
    for (let offset = 0; offset < 10_000; offset += 50) {
      const res = await this.get('/v1/memories', { ...query, limit: 50, offset });
      const page = res.expectObject<{ memories?: unknown }>(200, 'list-response');
      if (!Array.isArray(page.memories)) this.host.fail('the list body has no memories array', res);
      const items = page.memories.filter((m): m is Memory => !!m && typeof m === 'object');
      out.push(...items);
      if (page.memories.length < 50) break;
    }
    return out;
  }
}
