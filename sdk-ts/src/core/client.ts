/**
 * The hand-written base of the generated `OmpClient`: settings, defaults and the two low-level calls
 * every generated method uses. Also public, for endpoints the SDK does not know (vendor extensions).
 */
import { ApiPromise } from './api-promise.ts';
import { PagePromise, type PageSpec } from './pagination.ts';
import {
  type FetchLike,
  type Hooks,
  type Operation,
  type RequestOptions,
  type Settings,
  send,
} from './request.ts';
import { Negotiation } from './versions.ts';

/** Options of `new OmpClient(...)`. */
export interface ClientOptions {
  /** Server root, e.g. `https://memory.example.com` (paths such as `/v1/memories` are appended). */
  baseUrl: string;
  /** API key sent as `Authorization: Bearer <key>`; omit for health checks only. */
  apiKey?: string | undefined;
  /** A fetch implementation; defaults to the global `fetch`. */
  fetch?: FetchLike | undefined;
  /** Retries after a retryable failure; default 2. */
  maxRetries?: number | undefined;
  /** One deadline in milliseconds for each call, retries and waits included; default 60 000. */
  timeout?: number | undefined;
  /** Request, response and retry hooks (logging, metrics, tracing). */
  hooks?: Hooks | undefined;
  /** Extra headers on every request; none by default so browsers need no extra CORS allowance. */
  headers?: Record<string, string> | undefined;
  /**
   * The OMP version to speak (`'0.3'` or `'0.4'`), when you know the server's. By default the client learns it
   * from the server (health `versions`, or the `OMP-Version` response header) and speaks the newest both know.
   */
  specVersion?: string | undefined;
}

/** Settings, defaults and the low-level `request` / `requestPage` calls. */
export class BaseClient {
  readonly #s: Settings;

  constructor(options: ClientOptions) {
    if (typeof options?.baseUrl !== 'string' || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new TypeError('OmpClient: baseUrl must be an http(s) URL');
    }
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('OmpClient: no fetch available; pass options.fetch');
    this.#s = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      apiKey: options.apiKey,
      // Called unbound: browsers throw "Illegal invocation" when window.fetch runs with another `this`.
      fetch: (url, init) => f(url, init),
      maxRetries: count(options.maxRetries, 2, 'maxRetries'),
      timeout: count(options.timeout, 60_000, 'timeout'),
      hooks: options.hooks,
      headers: options.headers,
      negotiation: new Negotiation(options.specVersion),
    };
  }

  /** The OMP version negotiated with the server, or undefined until the client has learnt it. */
  get specVersion(): string | undefined {
    return this.#s.negotiation.version;
  }

  /** Send an operation and resolve with its parsed JSON body (undefined for 204). */
  request<T>(op: Operation, options?: RequestOptions): ApiPromise<T> {
    const parse =
      op.path === '/v1/health'
        ? (body: unknown) => {
            this.#s.negotiation.fromHealth(body);
            return body as T;
          }
        : (body: unknown) => body as T;
    return new ApiPromise<T>(send(this.#s, op, options), parse);
  }

  /** Send an offset-paginated operation: a page that is also an async iterable over every item. */
  requestPage<B extends object, I>(
    op: Operation,
    spec: PageSpec,
    options?: RequestOptions,
  ): PagePromise<B, I> {
    return new PagePromise<B, I>((o) => send(this.#s, o, options), op, spec);
  }
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`OmpClient: ${name} must be an integer >= 0`);
  return value;
}
