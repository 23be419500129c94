/**
 * The bundled target: the reference server on a temporary database, configured with a second principal and
 * per-tool keys of every scope shape, so that every level it declares can be certified without any setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * omp-reference-server is an optional peer dependency: certifying a URL never needs it, so `npx omp-conformance
 * <url>` does not install it. Imported only when the bundled mode is asked for.
 */
async function loadReferenceServer(): Promise<typeof import('omp-reference-server')> {
  try {
    return await import('omp-reference-server');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_UNKNOWN_BUILTIN_MODULE') {
      throw new Error(
        `the bundled reference server needs Node.js >= 22.19 (node:sqlite); this is Node ${process.versions.node}.\n` +
          '  Certify a server by its URL (this Node is fine for that), or run the bundled one with Node 24.',
      );
    }
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String(e).includes("'omp-reference-server'")) throw e;
    throw new Error(
      'with no <base-url> the runner certifies the bundled reference server, which is not installed.\n' +
        '  Certify your server:          npx omp-conformance http://localhost:3456\n' +
        '  Or install the bundled one:   npx -p omp-conformance -p omp-reference-server omp-conformance',
    );
  }
}

/** A started bundled server and the keys to certify it with. */
export interface Bundled {
  url: string;
  token: string;
  tokenB: string;
  toolTokens: Record<string, string>;
  close: () => Promise<void>;
}

/** Tool keys the bundled server gets: one per scope shape the Full checks need. */
const TOOL_KEYS = [
  { tool: 'cursor', scopes: ['read', 'write'], read_scope: 'own' },
  { tool: 'claude', scopes: ['read', 'write'], read_scope: 'all' },
  { tool: 'reader', scopes: ['read'], read_scope: 'all' },
  { tool: 'writer', scopes: ['write'], read_scope: 'all' },
] as const;

/** Start the reference server on a fresh temporary SQLite file; `close` stops it and removes the folder. */
export async function startBundled(
  options: {
    dbPath?: string;
    /** The spec versions the server declares (the reference server's specVersions option; default 0.4). */
    specVersions?: NonNullable<
      Parameters<typeof import('omp-reference-server').startServer>[0]
    >['specVersions'];
  } = {},
): Promise<Bundled> {
  const { generateKey, startServer } = await loadReferenceServer();
  const dir = mkdtempSync(join(tmpdir(), 'omp-conformance-'));
  const token = generateKey();
  const tokenB = generateKey();
  const toolTokens: Record<string, string> = {};
  for (const k of TOOL_KEYS) toolTokens[k.tool] = generateKey();
  const server = await startServer({
    dbPath: options.dbPath ?? join(dir, 'omp.db'),
    ...(options.specVersions ? { specVersions: options.specVersions } : {}),
    keys: [
      { key: token, principal: 'conformance-a' },
      { key: tokenB, principal: 'conformance-b' },
      ...TOOL_KEYS.map((k) => ({
        key: toolTokens[k.tool] as string,
        principal: 'conformance-a',
        tool: k.tool,
        scopes: [...k.scopes],
        read_scope: k.read_scope,
      })),
    ],
  });
  return {
    url: server.url,
    token,
    tokenB,
    toolTokens,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
