/**
 * What every SDK method returns: await it for the typed data, or ask for the HTTP response beside it
 * (`withResponse()`) or instead of it (`asResponse()`, body unread). The request starts at once.
 */
import type { Sent } from './request.ts';

/** Data together with the response it came from (headers such as Location and X-Request-Id). */
export interface WithResponse<T> {
  data: T;
  response: Response;
  /** The response's `ETag` (memories, since 0.4): pass it as `ifMatch` to update or delete safely. */
  etag: string | undefined;
}

/** A promise of `T` that also exposes the raw response. */
export class ApiPromise<T> implements PromiseLike<T> {
  readonly #sent: Promise<Sent>;
  readonly #parse: (body: unknown, response: Response) => T;
  #result: Promise<WithResponse<T>> | undefined;

  constructor(sent: Promise<Sent>, parse: (body: unknown, response: Response) => T) {
    this.#sent = sent;
    this.#parse = parse;
  }

  /** The 2xx response with its body unread; errors still reject as typed errors. */
  asResponse(): Promise<Response> {
    return this.#sent.then((s) => s.response);
  }

  /** The parsed data and the response. */
  withResponse(): Promise<WithResponse<T>> {
    this.#result ??= this.#sent.then(async (s) => ({
      data: this.#parse(await s.json(), s.response),
      response: s.response,
      etag: s.response.headers.get('etag') ?? undefined,
    }));
    return this.#result;
  }

  // biome-ignore lint/suspicious/noThenProperty: this class is a thenable on purpose
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.withResponse()
      .then((r) => r.data)
      .then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'ApiPromise';
  }
}
