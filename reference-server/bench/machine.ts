/** A description of the machine the benchmark ran on, for RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { DatabaseSync } from 'node:sqlite';

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** nproc, CPU model, memory, Node and SQLite versions, the disk holding `dir`. */
export function describeMachine(dir: string): Record<string, string> {
  const df = sh('df', ['-hT', dir]).split('\n')[1]?.split(/\s+/) ?? [];
  const sqlite = (new DatabaseSync(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string })
    .v;
  return {
    nproc: String(availableParallelism()),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    'sqlite (node:sqlite)': sqlite,
    os: sh('uname', ['-sr']),
    disk: df.length >= 3 ? `${df[0]} (${df[1]}, ${df[2]} total) mounted on ${df[6] ?? '?'}` : 'unknown',
  };
}
