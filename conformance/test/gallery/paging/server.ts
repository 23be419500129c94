/**
 * paging: a server with the logic slips of a hurried implementer: a list `total` that counts the page instead of
 * the result, update merging `tags` into the stored ones instead of replacing them, and an expiry-in-the-past
 * check on create only.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'pager',
    faults: { totalIsPageLength: true, mergeTagsOnUpdate: true, noExpiryCheckOnUpdate: true },
  });
}
