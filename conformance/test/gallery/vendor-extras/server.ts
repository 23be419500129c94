/**
 * vendor-extras: "Acme Memory", a commercial server that is mostly right but adds its own members (uptime in
 * health, a relevance score on search hits, a docs link in every error), a liveness probe and a PATCH endpoint,
 * and has two small defects of its own (list accepts limit=101, no Location on create).
 */
import { startOmpServer } from '../lib/app.ts';
import type { GalleryServer } from '../types.ts';

/** Start the server on a free port. */
export async function start(): Promise<GalleryServer> {
  return startOmpServer({
    name: 'acme-memory',
    faults: {
      healthExtra: { uptime_seconds: 8812, build: '2026.11.3-acme' },
      searchScore: true,
      errorExtra: { docs_url: 'https://docs.acme.example/errors' },
      vendorLiveness: true,
      vendorPatch: true,
      listLimitMax: 101,
      noLocation: true,
    },
  });
}
