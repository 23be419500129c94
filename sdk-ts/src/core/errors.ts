/**
 * Typed errors: one class per failure kind, all extending {@link OmpError}, so callers branch with
 * `instanceof` instead of comparing status codes. The wire envelope is `{error, message, details, request_id}`.
 */

/** What an {@link OmpError} is built from. */
export interface OmpErrorInit {
  status?: number | undefined;
  code: string;
  details?: Record<string, unknown> | undefined;
  requestId?: string | undefined;
  headers?: Headers | undefined;
  cause?: unknown;
}

/** Base of every error the SDK throws: an HTTP error response, or a failure to get one. */
export class OmpError extends Error {
  override name = 'OmpError';
  /** HTTP status; undefined when no response arrived (connection, timeout, abort). */
  readonly status: number | undefined;
  /** The envelope's `error` code (e.g. `memory_not_found`), or a client-side code (`connection_error`, `timeout`, `aborted`). */
  readonly code: string;
  /** The envelope's `details` object ({} when absent). */
  readonly details: Record<string, unknown>;
  /** The server's request id (envelope `request_id` or `X-Request-Id` header), for support tickets. */
  readonly requestId: string | undefined;
  /** Response headers, when a response arrived. */
  readonly headers: Headers | undefined;

  constructor(message: string, init: OmpErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

/** One violation listed by a `validation_error`. */
export interface Violation {
  path: string;
  message: string;
}

/** 400 `malformed_json` or 422 (`validation_error`, `unsupported_version`, `no_api_key`): the request was wrong. */
export class ValidationError extends OmpError {
  override name = 'ValidationError';
  /** Every violation the server listed (`details.errors`); empty when it listed none. */
  get errors(): Violation[] {
    const e = this.details.errors;
    return Array.isArray(e) ? (e as Violation[]) : [];
  }
}

/** 401: the API key is missing, malformed or unknown. */
export class AuthenticationError extends OmpError {
  override name = 'AuthenticationError';
}

/** 403: the key lacks a scope, or a per-tool key touched another tool's memory. */
export class PermissionError extends OmpError {
  override name = 'PermissionError';
}

/** 404: the memory does not exist, has expired or is not visible to this key (or the route is unknown). */
export class NotFoundError extends OmpError {
  override name = 'NotFoundError';
}

/** 409: a request with the same `Idempotency-Key` is still being processed (`idempotency_key_in_use`). */
export class ConflictError extends OmpError {
  override name = 'ConflictError';
}

/**
 * 412 `precondition_failed`: the memory changed since the `ETag` given in `ifMatch` (read it again and redo the
 * change), or a bulk delete's `expected_count` differs from the matches (`details.matched`). Nothing changed.
 */
export class PreconditionFailedError extends OmpError {
  override name = 'PreconditionFailedError';
}

/** 413: the body exceeds the server's `limits.max_body_bytes` / `max_import_bytes`. */
export class PayloadTooLargeError extends OmpError {
  override name = 'PayloadTooLargeError';
}

/** 415: the server did not accept the request's media type (a proxy rewrote it, or a raw request). */
export class UnsupportedMediaTypeError extends OmpError {
  override name = 'UnsupportedMediaTypeError';
}

/** 429: too many requests; `retryAfter` says how long the server asked to wait. */
export class RateLimitError extends OmpError {
  override name = 'RateLimitError';
  /** Seconds from the `Retry-After` header, when it had a usable value. */
  get retryAfter(): number | undefined {
    const ms = retryAfterMs(this.headers);
    return ms === undefined ? undefined : ms / 1000;
  }
}

/** 5xx: the server failed (`internal_error`, `ai_error`, `unavailable`, or a gateway error). */
export class ServerError extends OmpError {
  override name = 'ServerError';
}

/** No response: DNS, refused or reset connection, TLS, or a body cut short. */
export class ConnectionError extends OmpError {
  override name = 'ConnectionError';
}

/** The call's single deadline (`timeout`, across every retry) passed. */
export class TimeoutError extends ConnectionError {
  override name = 'TimeoutError';
}

/** The caller's AbortSignal fired. */
export class AbortError extends OmpError {
  override name = 'AbortError';
}

/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unusable; a date in the past gives 0.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const v = headers?.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = /[a-z]/i.test(v) ? Date.parse(v) : Number.NaN; // a date names its day/month; '-1' is no date
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const byStatus: Record<number, typeof OmpError> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: ValidationError,
  429: RateLimitError,
};

/** The typed error for a non-2xx response, from its status, headers and (possibly non-JSON) body text. */
export function errorFromResponse(status: number, headers: Headers, text: string): OmpError {
  let env: { error?: unknown; message?: unknown; details?: unknown; request_id?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') env = parsed as typeof env;
  } catch {
    // not JSON (a proxy's HTML page, an empty body): fall back to the status line below
  }
  const code = typeof env?.error === 'string' ? env.error : `http_${status}`;
  const message =
    typeof env?.message === 'string' ? env.message : `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const Cls = byStatus[status] ?? (status >= 500 ? ServerError : OmpError);
  return new Cls(message, {
    status,
    code,
    details:
      env?.details && typeof env.details === 'object' ? (env.details as Record<string, unknown>) : undefined,
    requestId:
      typeof env?.request_id === 'string' ? env.request_id : (headers.get('x-request-id') ?? undefined),
    headers,
  });
}

/**
 * A redirect the client refused to follow (OMP-CLIENT-008): from `https` to `http` (`insecure_redirect`), more
 * than the client's bound (`too_many_redirects`), or one the runtime hides (`opaque_redirect`, browsers).
 * `status` and `headers` are those of the redirect response.
 */
export class RedirectError extends OmpError {
  override name = 'RedirectError';
  /** The `Location` the client refused, resolved to an absolute URL when there was one. */
  readonly location: string | undefined;

  constructor(message: string, init: OmpErrorInit & { location?: string | undefined }) {
    super(message, init);
    this.location = init.location;
  }
}
