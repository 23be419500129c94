/**
 * reordered: a correct server (Core and Full: per-tool keys, a second principal) that says everything in another
 * valid way: JSON members in reverse order, header names in upper case, `Connection: close` on every response,
 * time-ordered ids, an absolute Location URL, `application/json;charset=UTF-8`, Allow, capabilities and scopes in
 * another order, extra context members in error `details` (an object with code-specific data), and
 * pretty-printed JSON with every non-ASCII character escaped, as Python's json.dumps writes it.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'reordered',
    full: true,
    variations: {
      reverseMembers: true,
      upperCaseHeaders: true,
      absoluteLocation: true,
      connectionClose: true,
      timeOrderedIds: true,
      headerSpelling: true,
      otherOrders: true,
      asciiPrettyJson: true,
    },
  });
}
