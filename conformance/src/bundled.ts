/**
 * The bundled target: the reference server on a temporary database, configured with a second principal and
 * per-tool keys of every scope shape, so that every level it declares can be certified without any setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, startServer } from 'omp-reference-server';

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
export async function startBundled(options: { dbPath?: string } = {}): Promise<Bundled> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-conformance-'));
  const token = generateKey();
  const tokenB = generateKey();
  const toolTokens: Record<string, string> = {};
  for (const k of TOOL_KEYS) toolTokens[k.tool] = generateKey();
  const server = await startServer({
    dbPath: options.dbPath ?? join(dir, 'omp.db'),
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
