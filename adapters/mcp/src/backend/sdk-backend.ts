/**
 * The OMP backend over HTTP, built on omp-sdk's `OmpClient` (typed errors, retries of safe calls, one
 * deadline per call). The stdio adapter binds it to OMP_SERVER and OMP_API_KEY; an HTTP mount binds it to the
 * caller's `Authorization` header, forwarded unchanged so the server judges it exactly as on its own API.
 */
import { type FetchLike, OmpClient } from 'omp-sdk';
import { version } from '../version.ts';
import type { CallOptions, OmpBackend } from './types.ts';

/** Options of {@link createSdkBackend}. */
export interface SdkBackendOptions {
  /** Server root, e.g. `http://127.0.0.1:3456` (`/v1/...` is appended). */
  baseUrl: string;
  /** Key sent as `Authorization: Bearer <key>`. */
  apiKey?: string | undefined;
  /** A whole `Authorization` header value to forward as is (wins over `apiKey`). */
  authorization?: string | undefined;
  /** Retries of retry-safe calls; the SDK's default (2) when absent. */
  maxRetries?: number | undefined;
  /** Deadline of each call in milliseconds; the SDK's default when absent. */
  timeout?: number | undefined;
  /** A fetch implementation; the global one when absent. */
  fetch?: FetchLike | undefined;
}

/** An {@link OmpBackend} that calls an OMP server's HTTP API with one key. */
export function createSdkBackend(options: SdkBackendOptions): OmpBackend {
  const headers: Record<string, string> = { 'user-agent': `omp-mcp/${version}` };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const client = new OmpClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    maxRetries: options.maxRetries,
    timeout: options.timeout,
    fetch: options.fetch,
    headers,
  });
  const req = (o: CallOptions | undefined) => {
    if (!o?.signal && o?.app === undefined) return undefined;
    return {
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.app !== undefined ? { headers: { 'omp-app': encodeURIComponent(o.app) } } : {}),
    };
  };
  return {
    me: async (o) => await client.me(req(o)),
    create: async (body, o) => await client.memories.create(body, req(o)),
    // A page is the response body plus navigation methods; the spread keeps only the body's members.
    // The SDK sends `tags` comma-separated and leaves an empty tag list out (no filter).
    list: async (query, o) => ({ ...(await client.memories.list(query, req(o))) }),
    search: async (body, o) => ({ ...(await client.memories.search(body, req(o))) }),
    delete: async (id, o) => {
      await client.memories.delete(id, req(o));
    },
    health: async (o) => ({ ...(await client.health(req(o))) }),
  };
}
