/**
 * omp-reference-server: the reference Open Memory Protocol server on SQLite, as a library.
 *
 *   import { startServer } from 'omp-reference-server';
 *   const srv = await startServer({ dbPath: '/tmp/omp.db', apiKey: 'k'.repeat(32) });
 *   // srv.url -> http://127.0.0.1:41234 ; srv.apiKey ; await srv.close();
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ensureGeneratedKey, generateKey, type KeyConfig, KeyRing, readKeysFile } from './auth/keys.ts';
import { Control } from './control/control.ts';
import type { ConnectionOptions } from './http/server.ts';
import type { SpecVersions } from './legacy-0-3.ts';
import { type LogSink, silentSink, stderrSink } from './log.ts';
import { createMcpEndpoint, loopbackUrl, type McpOptions } from './mcp.ts';
import { builtinEmbedder } from './search/builtin-embedder.ts';
import type { Embedder } from './search/embedder.ts';
import { openAiEmbedder } from './search/openai-embedder.ts';
import { LocalStore } from './storage/local-store.ts';
import { PostgresStore } from './storage/postgres/postgres-store.ts';
import type { Store } from './storage/store.ts';
import { WorkerStore } from './storage/worker-store.ts';

export type { Credential, KeyConfig } from './auth/keys.ts';
export { generateKey } from './auth/keys.ts';
export { CONNECTION_DEFAULTS, type ConnectionOptions } from './http/server.ts';
export { parseSpecVersions, type SpecVersions } from './legacy-0-3.ts';
export type { LogSink } from './log.ts';
export type { McpOptions } from './mcp.ts';
export { CAPABILITIES, LEVELS } from './routes/system.ts';
export type { Embedder, EmbedRole } from './search/embedder.ts';
export type { Store } from './storage/store.ts';

/** Name and version written in health and export files. */
export const SERVER_INFO: { name: string; version: string } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
})();

/** Spec minimums for the declared limits (OMP-HTTP-017) and this server's defaults. */
export const LIMITS = {
  minBodyBytes: 262_144,
  minImportBytes: 33_554_432,
  defaultBodyBytes: 1_048_576,
  defaultImportBytes: 268_435_456,
} as const;

/** Options of startServer. Every member is optional. */
export interface StartOptions {
  /** Interface to listen on. Default 127.0.0.1 (OMP-SEC-007). */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0 (the CLI defaults to 3456). */
  port?: number;
  /** SQLite file, created with its folder if missing; `:memory:` for a throw-away store. Default `:memory:`. */
  dbPath?: string;
  /**
   * A PostgreSQL connection URL (`postgres://user:password@host:port/database`): the store is PostgreSQL
   * (storage/postgres/) instead of the SQLite file `dbPath`, so several server processes can serve one database.
   * Keyword search and the control level, and the Search level with an `embedder` (pgvector's HNSW index where
   * the extension is installed, exact search otherwise); keys must be configured (apiKey, keys or keysFile),
   * since every process must accept the same ones (and should use the same embedder).
   */
  store?: string;
  /**
   * A PostgreSQL store with pgvector: semantic searches matching fewer memories scan exactly (every vector
   * scored), larger ones go through the HNSW index (approximate). 0: always the index. Default 10,000.
   */
  vectorExactBelow?: number;
  /** A global key for `principal`. */
  apiKey?: string;
  /** Principal of `apiKey` and of a generated key. Default `owner`. */
  principal?: string;
  /** More keys: principals, per-tool keys with scopes. */
  keys?: KeyConfig[];
  /** A JSON file holding an array of KeyConfig. */
  keysFile?: string;
  /** Default 1 MiB; at least 256 KiB. */
  maxBodyBytes?: number;
  /** Default 256 MiB; at least 32 MiB. */
  maxImportBytes?: number;
  /** Request log: true = JSON lines on stderr, a function = your sink. Default false. */
  log?: boolean | LogSink;
  /** Cache rendered list/search pages and their totals per store generation. Default true. */
  cache?: boolean;
  /** Connection cap and socket timeouts; defaults in CONNECTION_DEFAULTS. */
  connections?: Partial<ConnectionOptions>;
  /** MCP session caps, idle expiry and allowed browser origins; defaults in omp-mcp. */
  mcp?: McpOptions;
  /**
   * The Search level's embedder (SPEC.md §6.2): `builtin` (multilingual-e5-small, in-process, installed by
   * npm ci), an OpenAI-compatible service, or any Embedder. Default `off`: Core keyword search only.
   */
  embedder?: EmbedderOption;
  /** Serve the dashboard at /x/dashboard/. Default true. */
  dashboard?: boolean;
  /** Record the access log of the control level (SPEC.md §20.4). Default true; off only to measure its cost. */
  accessLog?: boolean;
  /**
   * Run SQLite in worker threads (a writer, and a reader for a database file) so that no query blocks the HTTP
   * event loop. Default true; false runs every query on the server's thread (tests, benchmarks).
   */
  storeThread?: boolean;
  /**
   * The spec versions the server declares: `['0.4']` (default), or `['0.3']` to act as a server released before
   * 0.4 (no OMP-Version, ETag, Idempotency-Key, If-Match or cursor; 0.3 health), for cross-version tests.
   */
  specVersions?: SpecVersions;
}

/** Which embedder a server uses. */
export type EmbedderOption =
  | 'off'
  | 'builtin'
  | 'builtin-enpt'
  | { url: string; model: string; apiKey?: string | undefined; inputType?: boolean | undefined }
  | Embedder;

async function resolveEmbedder(option: EmbedderOption | undefined): Promise<Embedder | null> {
  if (option === undefined || option === 'off') return null;
  if (option === 'builtin') return builtinEmbedder();
  if (option === 'builtin-enpt') return builtinEmbedder('enpt');
  if ('embed' in option) return option;
  return openAiEmbedder(option);
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  host: string;
  port: number;
  dbPath: string;
  /**
   * The global key of `principal`: `apiKey` when given, else a generated key when this start created it
   * (an in-memory store always does). Null when the key was generated on an earlier start (only its hash
   * is kept) or when only `keys`/`keysFile` were configured.
   */
  apiKey: string | null;
  /** Every key configured through `apiKey`, `keys` and `keysFile` (plus a freshly generated one). */
  keys: KeyConfig[];
  /** Where the generated key's hash is kept, when a key was generated for a file database. */
  generatedKeyFile: string | null;
  /** The node:http server, for tests that need it. */
  httpServer: Server;
  /** Group-commit counters (transactions, writes). */
  commitStats(): { commits: number; writes: number };
  /** Graceful stop: no new connections, in-flight requests finish, queued writes commit, the database closes. */
  close(): Promise<void>;
}

function checkLimit(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

/** Open the store, configure keys and listen. Rejects on a bad configuration or a port in use. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const postgres = options.store;
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres)) {
    throw new Error(`store must be a postgres:// or postgresql:// URL (got "${redactUrl(postgres)}")`);
  }
  const dbPath = postgres !== undefined ? redactUrl(postgres) : (options.dbPath ?? ':memory:');
  const principal = options.principal ?? 'owner';
  const maxBodyBytes = checkLimit(
    'maxBodyBytes',
    options.maxBodyBytes ?? LIMITS.defaultBodyBytes,
    LIMITS.minBodyBytes,
  );
  const maxImportBytes = checkLimit(
    'maxImportBytes',
    options.maxImportBytes ?? LIMITS.defaultImportBytes,
    LIMITS.minImportBytes,
  );

  const keyConfigs: KeyConfig[] = [];
  if (options.apiKey !== undefined) keyConfigs.push({ key: options.apiKey, principal });
  keyConfigs.push(...(options.keys ?? []));
  if (options.keysFile !== undefined) keyConfigs.push(...readKeysFile(options.keysFile));
  const keys = new KeyRing();
  for (const k of keyConfigs) keys.add(k);

  let apiKey: string | null = options.apiKey ?? null;
  let generatedKeyFile: string | null = null;
  if (keys.size === 0 && postgres !== undefined) {
    throw new Error(
      'a Postgres store needs configured keys (--api-key or --keys-file): every server process on the database must accept the same ones',
    );
  }
  if (keys.size === 0) {
    // Authentication is always on: with no key configured, one is generated (and printed once by the CLI).
    if (dbPath === ':memory:') {
      apiKey = generateKey();
      keyConfigs.push({ key: apiKey, principal });
      keys.add({ key: apiKey, principal });
    } else {
      const generated = ensureGeneratedKey(`${dbPath}.key`, principal);
      keys.addHashed(generated.hash, { principal: generated.principal });
      generatedKeyFile = generated.path;
      apiKey = generated.key;
      if (generated.key !== null) keyConfigs.push({ key: generated.key, principal: generated.principal });
    }
  }

  const log: LogSink =
    options.log === true ? stderrSink : options.log === false || !options.log ? silentSink : options.log;
  const embedder = await resolveEmbedder(options.embedder);
  const storeOptions = { cacheTotals: options.cache ?? true };
  let store: Store;
  try {
    store =
      postgres !== undefined
        ? await PostgresStore.open(postgres, {
            embedder,
            ...(options.vectorExactBelow !== undefined ? { exactBelow: options.vectorExactBelow } : {}),
          })
        : (options.storeThread ?? true)
          ? await WorkerStore.open(dbPath, embedder, storeOptions)
          : LocalStore.open(dbPath, embedder, storeOptions);
  } catch (err) {
    embedder?.close();
    throw err;
  }
  // MCP sessions call this server's own API over loopback; the port is known once it listens.
  let selfUrl = '';
  let control: Control;
  try {
    control = await Control.open(store, { accessLog: options.accessLog ?? true });
  } catch (err) {
    await store.close().catch(() => {});
    embedder?.close();
    throw err;
  }
  const mcp = createMcpEndpoint({ baseUrl: () => selfUrl, log, options: options.mcp, keys, store, control });
  const httpServer = createApp({
    store,
    keys,
    maxBodyBytes,
    maxImportBytes,
    server: SERVER_INFO,
    cache: options.cache ?? true,
    log,
    mcp: mcp.mount,
    dashboard: options.dashboard ?? true,
    connections: options.connections,
    control,
    specVersions: options.specVersions,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port ?? 0, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await mcp.close();
    await control.close().catch(() => {}); // the store's failure is the one to report
    await store.close();
    embedder?.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  selfUrl = loopbackUrl(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    dbPath,
    apiKey,
    keys: keyConfigs,
    generatedKeyFile,
    httpServer,
    commitStats: () => ({ ...store.commitStats }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Stop accepting; idle keep-alive connections go now, busy ones after their response.
        const force = setTimeout(() => httpServer.closeAllConnections(), 10_000);
        force.unref();
        httpServer.close(() => {
          clearTimeout(force);
          void control
            .close()
            .catch(() => {})
            .then(() => store.close())
            .catch(() => {})
            .finally(() => {
              embedder?.close();
              resolve();
            });
        });
        // MCP sessions end first (SSE streams would otherwise hold the server open until the force timer).
        void mcp.close().finally(() => httpServer.closeIdleConnections());
        httpServer.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** A connection URL without its password, for messages and the start banner. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}
