/**
 * error-bodies: a server whose every fault is in its error bodies: dotted validation paths (`source.tool`), a
 * 401 that quotes the unknown key back, a body `request_id` minted apart from the `X-Request-Id` header, and no
 * `details` member when there is nothing to put in it. Statuses and codes are all right.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'errata',
    faults: { dottedErrorPaths: true, echoKeyIn401: true, mismatchedRequestId: true, omitEmptyDetails: true },
  });
}
