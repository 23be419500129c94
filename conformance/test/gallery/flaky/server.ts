/**
 * flaky: a server behind a hop that resets the connection of every 25th GET, PUT, DELETE or search before the request
 * is read (nothing happens on the server), with four defects: the scheme name must be spelled `Bearer`, an
 * unknown import conflict strategy falls back to skip, export lists newest first, and an empty update is accepted.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'flakey',
    faults: {
      dropEvery: 25,
      bearerCaseSensitive: true,
      importUnknownConflictAsSkip: true,
      exportNewestFirst: true,
      emptyUpdateAccepted: true,
    },
  });
}
