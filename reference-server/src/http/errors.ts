import type { Violation } from '@omp-kit/schemas';

/**
 * An error answered with the OMP envelope (SPEC.md §9). Handlers throw these; the server turns them into
 * `{error, message, details, request_id}` with the status and headers given here. Anything else that is thrown
 * becomes a 500 internal_error whose body says nothing about the cause.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** 404 not_found: a path that is not part of the API (OMP-HTTP-021). */
export const routeNotFound = (path: string): ApiError =>
  new ApiError(404, 'not_found', `No route for ${path.slice(0, 200)}`);

/** 405 method_not_allowed with the Allow header (OMP-HTTP-011). */
export const methodNotAllowed = (method: string, allow: readonly string[]): ApiError =>
  new ApiError(
    405,
    'method_not_allowed',
    `Method ${method.slice(0, 20)} is not allowed here; allowed: ${allow.join(', ')}`,
    { allow: [...allow] },
    { Allow: allow.join(', ') },
  );

/**
 * 401 unauthorized with the Bearer challenge (OMP-AUTH-001..003). A presented key that is malformed or unknown
 * gets the RFC 6750 `error` and `error_description`, so OAuth-capable clients report it instead of starting a
 * sign-in flow this server does not offer.
 */
export const unauthorized = (message: string, error?: 'invalid_request' | 'invalid_token'): ApiError =>
  new ApiError(
    401,
    'unauthorized',
    message,
    {},
    {
      'WWW-Authenticate': error
        ? `Bearer realm="omp", error="${error}", error_description="${message.replaceAll('"', "'")}"`
        : 'Bearer realm="omp"',
    },
  );

/** 403 forbidden: the key lacks a scope or is bound to another tool. */
export const forbidden = (message: string, details: Record<string, unknown> = {}): ApiError =>
  new ApiError(403, 'forbidden', message, details);

/** 403 app_paused: the app of the request, or the tool a write names, is paused (SPEC.md §20.2). */
export const appPaused = (app: string): ApiError =>
  new ApiError(403, 'app_paused', `The app ${JSON.stringify(app.slice(0, 100))} is paused`, {
    app: app.slice(0, 100),
  });

/** 404 memory_not_found (OMP-CRUD-007 and friends). */
export const memoryNotFound = (id: string): ApiError =>
  new ApiError(404, 'memory_not_found', `No memory with id ${id.slice(0, 100)}`, { id: id.slice(0, 100) });

/** 422 validation_error listing every violation (OMP-ERR-003, OMP-ERR-004). */
export function validationError(violations: readonly Violation[], what = 'Request'): ApiError {
  const summary = violations
    .slice(0, 5)
    .map((v) => `${v.path} ${v.message}`)
    .join('; ');
  const more = violations.length > 5 ? `; and ${violations.length - 5} more` : '';
  return new ApiError(422, 'validation_error', `${what} is invalid: ${summary}${more}`, {
    errors: violations.map((v) => ({ path: v.path, message: v.message })),
  });
}

/** 413 payload_too_large (OMP-HTTP-008). */
export const payloadTooLarge = (limit: number): ApiError =>
  new ApiError(413, 'payload_too_large', `Request body is larger than the limit of ${limit} bytes`, {
    limit,
  });

/** The envelope body of an error, as JSON text. */
export function envelope(err: ApiError, requestId: string): string {
  return JSON.stringify({
    error: err.code,
    message: err.message,
    details: err.details,
    request_id: requestId,
  });
}
