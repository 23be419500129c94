/** The reference server as a child process for the benches: started on a free port, stopped with SIGTERM. */
import { type ChildProcess, spawn } from 'node:child_process';

/** A running server child. */
export interface Server {
  url: string;
  child: ChildProcess;
  /** The last 4 KiB of its stderr (the request log when it is on). */
  stderrTail: () => string;
  stop(): Promise<void>;
}

/** Start `node <argv>` and resolve once it prints its URL; reject with its stderr if it exits first. */
export async function spawnServer(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail = (tail + d).slice(-4096); // keep only the end: the request log may be on, as in production
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${tail}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    child,
    stderrTail: () => tail,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
