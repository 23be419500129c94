/**
 * `node scenarios/harness/start.ts`: the live backend of the SDK scenarios (scenarios/README.md).
 *
 * Starts a reference server on a temporary SQLite database with two principals (a global key each) and a
 * fault-injecting proxy in front of it, prints one JSON line to stdout,
 *   {"url", "proxy_url", "token", "token_b", "url_03", "proxy_url_03"}
 * (`url_03` is a second server that declares only OMP 0.3, for version-negotiation scenarios)
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
  /** A second reference server that declares only OMP 0.3 (`specVersions: ['0.3']`), same keys. */
  url_03: string;
  /** A fault proxy in front of `url_03`. */
  proxy_url_03: string;
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
  const server03 = await startServer({
    dbPath: join(dir, 'omp-0.3.db'),
    keys: [
      { key: token, principal: 'scenario_a' },
      { key: tokenB, principal: 'scenario_b' },
    ],
    specVersions: ['0.3'],
  });
  const proxy03 = await startFaultProxy(server03.url);

  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      process.stderr.write(`scenario harness: stopping (${why})\n`);
      await proxy.close().catch(() => {});
      await proxy03.close().catch(() => {});
      await server.close().catch(() => {});
      await server03.close().catch(() => {});
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

  const info: HarnessInfo = {
    url: server.url,
    proxy_url: proxy.url,
    token,
    token_b: tokenB,
    url_03: server03.url,
    proxy_url_03: proxy03.url,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`scenario harness: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
