/**
 * rate-limited: a correct server behind a per-key rate limiter (200 requests per second, a bucket one second
 * deep), so ordinary checks run into 429s now and then, whose Retry-After is an HTTP-date (as many proxies write
 * it) instead of whole seconds.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'throttled',
    faults: { retryAfterAsDate: true },
    variations: { rateLimitPerSecond: 200 },
  });
}
