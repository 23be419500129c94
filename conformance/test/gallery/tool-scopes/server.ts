/**
 * tool-scopes: a Full-level server (per-tool keys, two principals) whose authorisation has the gaps of code that
 * grew one endpoint at a time: the list `total` forgets read scope `own`, update forgets the tool check that
 * delete has, and get of one memory forgets the `read` scope that list and search check.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port, with per-tool keys cursor (rw, own), claude (rw, all), reader, writer. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'scopy',
    full: true,
    faults: { ownScopeTotalLeak: true, toolCheckOnUpdateMissing: true, getIgnoresReadScope: true },
  });
}
