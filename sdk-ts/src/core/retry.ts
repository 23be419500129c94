/**
 * When to retry and how long to wait. The rule, per operation kind:
 * - 408, 429 and 503 mean the server did not process the request: retried for every operation.
 * - Other 5xx and a connection lost after the request may have been sent: retried only for retry-safe
 *   operations (GET, PUT, DELETE, search, export), because repeating a create could store it twice.
 * - A connection that never opened (refused, DNS failure, connect timeout): the request was never sent,
 *   so it is retried for every operation.
 * Waits grow exponentially with jitter; a `Retry-After` header (seconds or HTTP date) is honoured.
 */

/** Statuses that say the request was not processed, so repeating it is safe for any operation. */
const notProcessed = new Set([408, 429, 503]);

/** Error codes (Node/undici) raised before a single request byte left the machine. */
const neverSent = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a response status may be retried; `retrySafe` is the operation's idempotency. */
export function retryableStatus(status: number, retrySafe: boolean): boolean {
  if (notProcessed.has(status)) return true;
  return retrySafe && status >= 500 && status !== 501 && status !== 505;
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
