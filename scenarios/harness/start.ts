/**
 * `node scenarios/harness/start.ts`: the live backend of the SDK scenarios (scenarios/README.md).
 *
 * Starts a reference server on a temporary SQLite database with two principals (a global key each) and a
 * fault-injecting proxy in front of it, prints one JSON line to stdout,
 *   {"url", "proxy_url", "token", "token_b"}
 * and runs until stdin closes or SIGTERM/SIGINT arrives; then it stops both and deletes the database.
 * Diagnostics go to stderr only, so stdout stays one parseable line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, startServer } from 'omp-reference-server';
import { startFaultProxy } from './fault-proxy.ts';

/** What the harness prints. */
export interface HarnessInfo {
  url: string;
  proxy_url: string;
  token: string;
  token_b: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-scenarios-'));
  const token = generateKey();
  const tokenB = generateKey();
  const server = await startServer({
    dbPath: join(dir, 'omp.db'),
    keys: [
      { key: token, principal: 'scenario_a' },
      { key: tokenB, principal: 'scenario_b' },
    ],
  });
  const proxy = await startFaultProxy(server.url);

  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      process.stderr.write(`scenario harness: stopping (${why})\n`);
      await proxy.close().catch(() => {});
      await server.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const exitAfter = (why: string) => {
    void stop(why).finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => exitAfter('SIGTERM'));
  process.once('SIGINT', () => exitAfter('SIGINT'));
  // The runner holds our stdin open; its end (the runner exited or closed it) is our signal to stop.
  process.stdin.on('end', () => exitAfter('stdin closed'));
  process.stdin.on('close', () => exitAfter('stdin closed'));
  process.stdin.on('error', () => exitAfter('stdin error'));
  process.stdin.resume();

  const info: HarnessInfo = { url: server.url, proxy_url: proxy.url, token, token_b: tokenB };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`scenario harness: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
