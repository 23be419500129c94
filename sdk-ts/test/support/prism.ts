/** Start Prism (`npm run mock`'s server) on a free port for a test, and stop it afterwards. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { prismArgs, prismBin } from '../../scripts/mock.ts';

/** A running Prism mock. */
export interface PrismMock {
  url: string;
  close(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Spawn Prism and resolve once it answers; rejects (and kills it) if it is not up within `waitMs`. */
export async function startPrism(
  options: { dynamic?: boolean; seed?: string; waitMs?: number } = {},
): Promise<PrismMock> {
  const port = String(await freePort());
  const child: ChildProcess = spawn(
    process.execPath,
    [prismBin(), ...prismArgs({ port, dynamic: options.dynamic, seed: options.seed })],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + (options.waitMs ?? 45_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prism exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.ok) return { url, close };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await close();
  throw new Error(`prism did not start within the wait:\n${log}`);
}
