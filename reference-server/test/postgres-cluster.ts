/**
 * A throw-away PostgreSQL server for tests: initdb on a temporary data directory, pg_ctl start on a free port
 * (loopback only, its socket in the data directory), one database. Run as the `postgres` user when the tests
 * run as root (PostgreSQL refuses to run as root). `findPostgres` says why it cannot run where binaries are
 * missing, so a test can skip with that reason; `findPgvector` does the same for the pgvector extension.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where the PostgreSQL binaries are, or why they cannot be used. */
export function findPostgres(): { bin: string } | { missing: string } {
  const roots = ['/usr/lib/postgresql'];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = join(root, v, 'bin');
      if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) {
        if (process.getuid?.() === 0 && !hasUser('postgres')) {
          return { missing: 'running as root and there is no postgres user to run PostgreSQL as' };
        }
        return { bin };
      }
    }
  }
  return { missing: 'PostgreSQL is not installed (Debian: apt-get install -y postgresql; .ci/run does it)' };
}

/**
 * Why the PostgreSQL server of `bin` cannot run `CREATE EXTENSION vector`, or '' when it can (its control file
 * is installed; Debian packages no pgvector, so the script builds it).
 */
export function findPgvector(bin: string): string {
  const major = /\/(\d+)\/bin\/?$/.exec(bin)?.[1];
  if (major !== undefined && existsSync(`/usr/share/postgresql/${major}/extension/vector.control`)) return '';
  return (
    `pgvector is not installed in the PostgreSQL of ${bin}: run reference-server/scripts/install-pgvector.sh ` +
    'as root (it builds the pinned release; .ci/run does it)'
  );
}

function hasUser(name: string): boolean {
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running PostgreSQL server and the URL of its test database. */
export interface PostgresCluster {
  /** The database `omp`, as the superuser `omp`. */
  url: string;
  /** The URL of another database of this server, as `user` (default the superuser `omp`). */
  urlOf(database: string, user?: string): string;
  /** Run statements as the superuser on the database `postgres` (CREATE DATABASE, CREATE ROLE). */
  admin(sql: string): Promise<void>;
  stop(): Promise<void>;
}

/** Start a PostgreSQL server on a fresh data directory with a database `omp`. */
export async function startPostgres(bin: string): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'omp-pg-'));
  chmodSync(dir, 0o777); // the postgres user creates the data directory inside it
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  const run = (tool: string, args: string[]): void => {
    const cmd = join(bin, tool);
    if (root) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'omp', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c synchronous_commit=on`,
    '-w',
    'start',
  ]);
  const urlOf = (database: string, user = 'omp') => `postgres://${user}@127.0.0.1:${port}/${database}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: urlOf('postgres') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin('CREATE DATABASE omp');
  return {
    url: urlOf('omp'),
    urlOf,
    admin,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
