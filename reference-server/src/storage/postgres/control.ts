/**
 * The control level's tables (SPEC.md §20) on Postgres: apps, state history, the access log and the stats
 * queries, the same rows and packing as the SQLite store's control-store.ts, so the control endpoints behave the
 * same on either store. Every process reads and writes them in the database.
 */
import type {
  AppRow,
  AppUsage,
  ControlStats,
  LogQuery,
  LogRow,
  PackedLog,
  StateHistoryRow,
} from '../store.ts';
import type { Queryable } from './database.ts';
import { fromPg, toPg } from './text.ts';

/** Entries a batch may hold at most (entry numbers are batch seq × BATCH + index). */
const BATCH = 65_536;

const APP_COLS =
  'principal, name, paused, rules, first_seen, last_seen, reads::float8 AS reads, writes::float8 AS writes';

/** Every stored app of a principal, by name. */
export async function apps(db: Queryable, principal: string): Promise<AppRow[]> {
  return (
    await db.query<AppRow>(`SELECT ${APP_COLS} FROM control_apps WHERE principal = $1 ORDER BY name`, [
      principal,
    ])
  ).rows.map((r) => ({ ...r, name: fromPg(r.name) }));
}

/** Every stored app that is paused or has rules, of every principal. */
export async function restrictedApps(db: Queryable): Promise<AppRow[]> {
  return (
    await db.query<AppRow>(`SELECT ${APP_COLS} FROM control_apps WHERE paused = 1 OR rules <> '[]'`, [])
  ).rows.map((r) => ({ ...r, name: fromPg(r.name) }));
}

/** Create or change an app's pause flag and rules. */
export async function putApp(
  db: Queryable,
  principal: string,
  name: string,
  paused: boolean,
  rules: string,
  now: string,
): Promise<void> {
  await db.query(
    `INSERT INTO control_apps (principal, name, paused, rules, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (principal, name) DO UPDATE SET paused = excluded.paused, rules = excluded.rules`,
    [principal, toPg(name), paused ? 1 : 0, rules, now],
  );
}

/** Add usage to app rows, creating them when first seen. */
export async function addUsage(db: Queryable, usage: readonly AppUsage[]): Promise<void> {
  for (const u of usage) {
    await db.query(
      `INSERT INTO control_apps AS a (principal, name, first_seen, last_seen, reads, writes)
       VALUES ($1, $2, $3, $3, $4, $5)
       ON CONFLICT (principal, name) DO UPDATE SET last_seen = greatest(a.last_seen, excluded.last_seen),
         reads = a.reads + excluded.reads, writes = a.writes + excluded.writes`,
      [u.principal, toPg(u.name), u.seen, u.reads, u.writes],
    );
  }
}

/** Memories per `source.tool` of a principal, in every state, with their earliest and latest write. */
export async function toolCounts(
  db: Queryable,
  principal: string,
  now: number,
): Promise<{ tool: string; n: number; first: string; last: string }[]> {
  return (
    await db.query<{ tool: string; n: number; first: string; last: string }>(
      `SELECT tool, count(*)::int AS n, min(created_at) AS first, max(updated_at) AS last FROM memories
       WHERE principal = $1 AND (expires_ms IS NULL OR expires_ms > $2) GROUP BY tool ORDER BY tool COLLATE "C"`,
      [principal, now],
    )
  ).rows.map((r) => ({ ...r, tool: fromPg(r.tool) }));
}

/** A memory's state history, oldest first. */
export async function history(
  db: Queryable,
  principal: string,
  memoryId: string,
): Promise<StateHistoryRow[]> {
  return (
    await db.query<StateHistoryRow>(
      `SELECT from_state, to_state, at, app, actor, reason FROM memory_state_history
       WHERE principal = $1 AND memory_id = $2 ORDER BY seq`,
      [principal, memoryId],
    )
  ).rows.map((r) => ({ ...r, app: fromPg(r.app), actor: fromPg(r.actor), reason: fromPg(r.reason) }));
}

/** Store one packed batch (packLog: the same JSON as the SQLite store's rows). */
export async function insertLog(db: Queryable, batch: PackedLog | null): Promise<void> {
  if (batch === null) return;
  await db.query('INSERT INTO access_log_batches (first_ms, last_ms, entries) VALUES ($1, $2, $3)', [
    batch.firstMs,
    batch.lastMs,
    batch.json,
  ]);
}

/** Batches whose entries all lie before `beforeMs` are removed (retention). */
export async function purgeLog(db: Queryable, beforeMs: number): Promise<void> {
  await db.query('DELETE FROM access_log_batches WHERE last_ms < $1', [beforeMs]);
}

/** One page of a principal's entries, newest first (entry number: batch seq × 65536 + index). */
export async function queryLog(db: Queryable, q: LogQuery): Promise<LogRow[]> {
  const out: LogRow[] = [];
  const before = q.beforeSeq ?? Number.MAX_SAFE_INTEGER;
  let maxBatch = Math.floor(before / BATCH);
  const needle = q.memoryId === undefined ? undefined : ` ${q.memoryId} `;
  for (;;) {
    // A few batches at a time: a query for one recent page reads only the newest batches.
    const { rows: batches } = await db.query<{ seq: number; entries: string }>(
      `SELECT seq::float8 AS seq, entries FROM access_log_batches
       WHERE seq <= $1 AND last_ms >= $2 AND first_ms < $3 ORDER BY seq DESC LIMIT 16`,
      [maxBatch, q.sinceMs ?? 0, q.untilMs ?? Number.MAX_SAFE_INTEGER],
    );
    if (batches.length === 0) return out;
    for (const b of batches) {
      const batch = JSON.parse(b.entries) as {
        lists: string[];
        entries: [number, string, string, string, string | null, string, number][];
      };
      for (let i = batch.entries.length - 1; i >= 0; i--) {
        const [atMs, principal, operation, via, app, requestId, list] = batch.entries[i] as [
          number,
          string,
          string,
          string,
          string | null,
          string,
          number,
        ];
        const ids = batch.lists[list] ?? '';
        const seq = b.seq * BATCH + i;
        if (seq >= before || principal !== q.principal) continue;
        if (q.app !== undefined && app !== q.app) continue;
        if (q.operation !== undefined && operation !== q.operation) continue;
        if ((q.sinceMs !== undefined && atMs < q.sinceMs) || (q.untilMs !== undefined && atMs >= q.untilMs))
          continue;
        if (needle !== undefined && !` ${ids} `.includes(needle)) continue;
        out.push({
          seq,
          principal,
          at: new Date(atMs).toISOString(),
          operation,
          via,
          app,
          memory_ids: ids,
          request_id: requestId,
        });
        if (out.length >= q.limit) return out;
      }
    }
    maxBatch = (batches[batches.length - 1] as { seq: number }).seq - 1;
  }
}

/** Counts of a principal's memories by state, type, tool and category tag (SPEC.md §20.5). */
export async function stats(db: Queryable, principal: string, now: number): Promise<ControlStats> {
  const live = 'principal = $1 AND (expires_ms IS NULL OR expires_ms > $2)';
  const grouped = async (column: string) =>
    new Map(
      (
        await db.query<{ k: string; n: number }>(
          `SELECT ${column} AS k, count(*)::int AS n FROM memories WHERE ${live} GROUP BY ${column}`,
          [principal, now],
        )
      ).rows.map((r) => [fromPg(r.k), r.n]),
    );
  const byTool = (
    await db.query<{ name: string; n: number }>(
      `SELECT tool AS name, count(*)::int AS n FROM memories WHERE ${live} GROUP BY tool ORDER BY tool COLLATE "C"`,
      [principal, now],
    )
  ).rows.map((r) => ({ ...r, name: fromPg(r.name) }));
  const byCategory = (
    await db.query<{ name: string; n: number }>(
      `SELECT substr(t, 10) AS name, count(*)::int AS n FROM memories, unnest(tag_list) AS t
       WHERE ${live} AND t LIKE 'category:%' GROUP BY t ORDER BY substr(t, 10) COLLATE "C"`,
      [principal, now],
    )
  ).rows;
  return { byState: await grouped('state'), byType: await grouped('type'), byTool, byCategory };
}
