/**
 * slow: a server on slow storage (every request answered 200 ms late) written the Python way: six fractional
 * digits in its timestamps, DELETE answering 200 with the deleted memory, unknown query parameters ignored, and a
 * health memories_count that is never filled in.
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'slowpoke',
    faults: {
      latencyMs: 200,
      microsecondTimestamps: true,
      deleteReturnsMemory: true,
      ignoreUnknownQuery: true,
      healthCountAlwaysNull: true,
    },
  });
}
