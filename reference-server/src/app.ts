import type { Server } from 'node:http';
import type { KeyRing } from './auth/keys.ts';
import { pageCache } from './cache.ts';
import type { Control } from './control/control.ts';
import { controlEndpoints } from './control/endpoints.ts';
import { gated } from './control/gate.ts';
import { createDashboardMount } from './dashboard/serve.ts';
import { Router } from './http/router.ts';
import { type ConnectionOptions, createHttpServer } from './http/server.ts';
import type { SpecVersions } from './legacy-0-3.ts';
import type { LogSink } from './log.ts';
import type { McpMount } from './mcp.ts';
import { bulkDeleteEndpoints } from './routes/bulk-delete.ts';
import type { AppContext } from './routes/context.ts';
import { memoryEndpoints } from './routes/memories.ts';
import { searchEndpoints } from './routes/search.ts';
import { systemEndpoints } from './routes/system.ts';
import { MAX_IMPORT_ITEMS, transferEndpoints } from './routes/transfer.ts';
import type { Store } from './storage/store.ts';

/** Everything the HTTP application is made of. */
export interface AppParts {
  store: Store;
  keys: KeyRing;
  maxBodyBytes: number;
  maxImportBytes: number;
  server: { name: string; version: string };
  cache: boolean;
  log: LogSink;
  /** The MCP endpoints, mounted beside the API. */
  mcp?: McpMount | undefined;
  /** Serve the dashboard at /x/dashboard/ (default true). */
  dashboard?: boolean | undefined;
  /** Socket limits and timeouts (defaults in http/server.ts). */
  connections?: Partial<ConnectionOptions> | undefined;
  /** The control level (SPEC.md §20) of the store (Control.open). */
  control: Control;
  /** The spec versions declared (legacy-0-3.ts); default `['0.4']`. */
  specVersions?: SpecVersions | undefined;
}

/** Build the router with every endpoint and the node:http server around it (not yet listening). */
export function createApp(parts: AppParts): Server {
  const app: AppContext = {
    store: parts.store,
    cache: pageCache(parts.cache),
    limits: { maxBodyBytes: parts.maxBodyBytes, maxImportBytes: parts.maxImportBytes },
    server: parts.server,
    legacy03: parts.specVersions?.[0] === '0.3',
  };
  const control = parts.control;
  app.control = control;
  const router = new Router();
  for (const e of [
    ...memoryEndpoints(app),
    ...bulkDeleteEndpoints(app),
    ...searchEndpoints(app),
    ...transferEndpoints(app),
    ...systemEndpoints(app),
    ...controlEndpoints(app, control),
  ]) {
    router.add(gated(control, e));
  }
  return createHttpServer({
    router,
    keys: parts.keys,
    maxBodyBytes: parts.maxBodyBytes,
    maxImportBytes: parts.maxImportBytes,
    log: parts.log,
    mcp: parts.mcp,
    statics: parts.dashboard === false ? undefined : createDashboardMount(),
    maxImportItems: MAX_IMPORT_ITEMS,
    connections: parts.connections,
    specVersions: parts.specVersions,
  });
}
