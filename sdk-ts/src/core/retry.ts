/**
 * When to retry and how long to wait, as SPEC.md §9.3 says: clients retry only 408, 429, 500, 502 and 503
 * responses and connection failures, and only requests that are safe to repeat (every GET, PUT and DELETE,
 * search, import under `skip` or `overwrite`, and create, import and bulk delete carrying an `Idempotency-Key`,
 * which request.ts adds for 0.4 servers). Any other request (a create to a 0.3 server) is retried only when
 * it certainly did not reach the server: the connection never opened.
 * Waits grow exponentially with jitter; a `Retry-After` header (seconds or HTTP date) is honoured.
 */

/** The statuses SPEC.md §9.3 lets clients retry. */
const retryStatuses = new Set([408, 429, 500, 502, 503]);

/** Error codes (Node/undici) raised before a single request byte left the machine. */
const neverSent = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a response status may be retried; `retrySafe` says whether the request is safe to repeat. */
export function retryableStatus(status: number, retrySafe: boolean): boolean {
  return retrySafe && retryStatuses.has(status);
}

/** Whether a fetch rejection may be retried: always when the request was never sent, else only if safe. */
export function retryableNetworkError(error: unknown, retrySafe: boolean): boolean {
  return retrySafe || wasNeverSent(error);
}

/** True when the error (or its `cause` chain) carries a code meaning no connection was ever made. */
export function wasNeverSent(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && neverSent.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Longest wait the client accepts from `Retry-After`; longer requests end the retries. */
export const maxRetryAfterMs = 60_000;

/**
 * Delay before retry number `attempt` (1-based): the server's `Retry-After` when given, else
 * 0.5 s · 2^(attempt-1) capped at 8 s, minus up to 25 % jitter so clients that failed together spread out.
 */
export function backoffMs(
  attempt: number,
  retryAfter: number | undefined,
  random: number = Math.random(),
): number {
  if (retryAfter !== undefined) return retryAfter;
  const base = Math.min(8000, 500 * 2 ** (attempt - 1));
  return Math.round(base * (1 - 0.25 * random));
}
