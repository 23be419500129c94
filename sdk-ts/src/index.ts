/**
 * omp-sdk: the TypeScript client of the Open Memory Protocol. Zero dependencies; runs wherever `fetch`
 * exists (Node 22+, Deno, Bun, browsers, workers).
 */
export { ApiPromise, type WithResponse } from './core/api-promise.ts';
export { BaseClient, type ClientOptions } from './core/client.ts';
export {
  AbortError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  OmpError,
  type OmpErrorInit,
  PayloadTooLargeError,
  PermissionError,
  PreconditionFailedError,
  RateLimitError,
  RedirectError,
  ServerError,
  TimeoutError,
  UnsupportedMediaTypeError,
  ValidationError,
  type Violation,
} from './core/errors.ts';
export { type Page, type PageMethods, PagePromise, type PageSpec } from './core/pagination.ts';
export { maxRedirects } from './core/redirect.ts';
export type { FetchLike, HookRequest, Hooks, Operation, RequestOptions } from './core/request.ts';
export { pathSegment } from './core/url.ts';
export { SDK_VERSION, SDK_VERSIONS } from './core/versions.ts';
export * from './generated/client.ts';
export type * from './generated/types.ts';
