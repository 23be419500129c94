/**
 * Failures as OMP error envelopes (SPEC.md §9.1): a tool that fails returns the envelope of the HTTP error it
 * met, or of the check it made itself, as `structuredContent` of an `isError` result (OMP-MCP-017).
 */
import { toViolations, type Violation, validatorFor } from '@omp-kit/schemas';
import type { ErrorEnvelope } from '@omp-kit/schemas/types';
import type { ErrorObject } from 'ajv';
import { OmpError } from 'omp-sdk';

/** The error code SPEC.md §9.3 gives each HTTP status, for responses whose body is not an envelope. */
export const codeForStatus: Readonly<Record<number, string>> = {
  400: 'malformed_json',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_error',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'ai_error',
  503: 'unavailable',
};

/** A failure the tool layer raises itself, carrying its envelope (and the HTTP status it stands for). */
export class ToolFailure extends Error {
  override name = 'ToolFailure';
  readonly envelope: ErrorEnvelope;
  readonly status: number | undefined;

  constructor(envelope: ErrorEnvelope, status?: number) {
    super(envelope.message);
    this.envelope = envelope;
    this.status = status;
  }
}

/** A `validation_error` naming every violated argument, paths as JSON Pointers into the arguments. */
export function validationFailure(
  errors: readonly ErrorObject[] | null | undefined,
  what: string,
): ToolFailure {
  const violations: Violation[] = toViolations(errors);
  if (violations.length === 0) violations.push({ path: '/', message: 'is invalid' });
  const summary = violations.map((v) => `${v.path} ${v.message}`).join('; ');
  return new ToolFailure(
    {
      error: 'validation_error',
      message: `${what} are invalid: ${summary}`,
      details: { errors: violations },
    },
    422,
  );
}

/** A `forbidden` failure, as the HTTP API answers 403 (OMP-MCP-018). */
export function forbidden(message: string): ToolFailure {
  return new ToolFailure({ error: 'forbidden', message, details: {} }, 403);
}

/** The HTTP status a failure stands for, when it came from (or mirrors) an HTTP answer. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ToolFailure || error instanceof OmpError) return error.status;
  return undefined;
}

const clientSideCodes: Record<string, string> = {
  connection_error: 'Cannot reach the OMP server',
  timeout: 'The OMP server did not answer in time',
  invalid_response: 'The OMP server sent a response that is not JSON',
};

/** Turn anything thrown while serving a tool into a valid OMP error envelope. */
export function toEnvelope(error: unknown): ErrorEnvelope {
  let env: ErrorEnvelope;
  if (error instanceof ToolFailure) {
    env = error.envelope;
  } else if (error instanceof OmpError) {
    const prefix = clientSideCodes[error.code];
    if (prefix !== undefined) {
      // No usable answer from the server: to the tool's caller the server is unavailable.
      env = { error: 'unavailable', message: `${prefix}: ${error.message}`, details: {} };
    } else {
      // The SDK names a response without an envelope `http_<status>`; give it the code of its status.
      const bare = error.status !== undefined && error.code === `http_${error.status}`;
      const code = bare ? (codeForStatus[error.status!] ?? error.code) : error.code;
      env = { error: code, message: error.message, details: error.details };
    }
    if (error.requestId) env.request_id = error.requestId;
  } else {
    // A bug of this layer, not of the request: say so without a stack trace (OMP-ERR-005).
    env = { error: 'internal_error', message: 'The MCP tool failed unexpectedly', details: {} };
  }
  return conform(env);
}

/** Make an envelope valid against the schema `error`, keeping what is usable. */
function conform(env: ErrorEnvelope): ErrorEnvelope {
  if (isEnvelope(env)) return env;
  const code = /^[a-z][a-z0-9_]*$/.test(env.error) ? env.error : 'internal_error';
  const message = typeof env.message === 'string' && env.message.length > 0 ? env.message : code;
  const details = env.details && typeof env.details === 'object' ? { ...env.details } : {};
  if (code === 'validation_error') {
    const errors = Array.isArray(details.errors) ? details.errors : [];
    details.errors = errors.length > 0 ? errors : [{ path: '/', message }];
  }
  const fixed: ErrorEnvelope = { error: code, message, details };
  if (typeof env.request_id === 'string' && env.request_id.length > 0 && env.request_id.length <= 200)
    fixed.request_id = env.request_id;
  return isEnvelope(fixed) ? fixed : { error: 'internal_error', message, details: {} };
}

// A plain boolean: ajv's validate functions are type guards, which would narrow `env` to never above.
function isEnvelope(value: unknown): boolean {
  return validatorFor('error')(value) === true;
}
