/**
 * The control level's own tables (SPEC.md §20): apps, state history, the access log and the stats queries.
 * Knows nothing of HTTP. Writes here are small and run in their own transactions between the group commit's
 * turns (everything is synchronous on one connection, so they never interleave with a batch).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** One app row as stored. */
export interface AppRow {
  principal: string;
  name: string;
  paused: number;
  rules: string;
  first_seen: string;
  last_seen: string;
  reads: number;
  writes: number;
}

/** One access-log entry before it is stored. */
export interface LogEntry {
  principal: string;
  atMs: number;
  operation: string;
  via: 'http' | 'mcp';
  app: string | null;
  memoryIds: readonly string[];
  requestId: string;
}

/** One stored access-log row. */
export interface LogRow {
  seq: number;
  principal: string;
  at: string;
  operation: string;
  via: string;
  app: string | null;
  memory_ids: string;
  request_id: string;
}

/** Filters of an access-log query (SPEC.md §20.4). */
export interface LogQuery {
  principal: string;
  memoryId?: string | undefined;
  app?: string | undefined;
  operation?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Only entries with a smaller seq (the cursor's position). */
  beforeSeq?: number | undefined;
  limit: number;
}

/** Usage of one app to add to its row (counts since the last flush, and when it was last seen). */
export interface AppUsage {
  principal: string;
  name: string;
  seen: string;
  reads: number;
  writes: number;
}

/** A batch of access-log entries as stored: one row, its entries packed in one JSON text. */
export interface PackedLog {
  firstMs: number;
  lastMs: number;
  json: string;
}

/**
 * Pack entries into one batch row, or null for none. Id lists are stored once per batch and referenced by index:
 * the same page read again and again (a cached search) costs a few bytes per entry. Done where the entries are
 * buffered (the server thread), so that one string, not thousands of objects, crosses to the store's worker.
 */
export function packLog(entries: readonly LogEntry[]): PackedLog | null {
  if (entries.length === 0) return null;
  const lists = new Map<string, number>();
  // A cached page's ids are one array object on every hit: join each array once.
  const byArray = new Map<readonly string[], number>();
  const packed = entries.map((e) => {
    let n = byArray.get(e.memoryIds);
    if (n === undefined) {
      const ids = e.memoryIds.join(' ');
      n = lists.get(ids);
      if (n === undefined) {
        n = lists.size;
        lists.set(ids, n);
      }
      byArray.set(e.memoryIds, n);
    }
    return [e.atMs, e.principal, e.operation, e.via, e.app, e.requestId, n];
  });
  return {
    firstMs: (entries[0] as LogEntry).atMs,
    lastMs: (entries[entries.length - 1] as LogEntry).atMs,
    json: JSON.stringify({ lists: [...lists.keys()], entries: packed }),
  };
}

/** Entries a batch may hold at most (entry numbers are batch seq × BATCH + index). */
const BATCH = 65_536;

/** SQL of the control level over the server's SQLite connection. */
export class ControlStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #sql(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /**
   * Run `fn` in a transaction of its own, unless one is open (then inside it). `durable: false` commits without
   * an fsync (the access log's own flushes): in WAL mode the frames reach the disk with the next fsync, which
   * every acknowledged memory write does, so only a crash of the whole machine can lose them.
   */
  transaction<T>(fn: () => T, options: { durable?: boolean } = {}): T {
    if (this.#db.isTransaction) return fn();
    const lazy = options.durable === false;
    const level = lazy ? (this.#sql('PRAGMA synchronous').get() as { synchronous: number }).synchronous : 0;
    if (lazy) this.#db.exec('PRAGMA synchronous = OFF');
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const out = fn();
        this.#db.exec('COMMIT');
        return out;
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      if (lazy) this.#db.exec(`PRAGMA synchronous = ${level}`);
    }
  }

  // ------------------------------------------------------------------------------------------------ apps

  /** One stored app, or undefined. */
  app(principal: string, name: string): AppRow | undefined {
    return this.#sql('SELECT * FROM control_apps WHERE principal = ? AND name = ?').get(principal, name) as
      | AppRow
      | undefined;
  }

  /** Every stored app of a principal, by name. */
  apps(principal: string): AppRow[] {
    return this.#sql('SELECT * FROM control_apps WHERE principal = ? ORDER BY name').all(
      principal,
    ) as unknown as AppRow[];
  }

  /** Every stored app that is paused or has rules, of every principal (what the app registry must know). */
  restrictedApps(): AppRow[] {
    return this.#sql(
      "SELECT * FROM control_apps WHERE paused = 1 OR rules <> '[]'",
    ).all() as unknown as AppRow[];
  }

  /** Create or change an app's pause flag and rules. */
  putApp(principal: string, name: string, paused: boolean, rules: string, now: string): void {
    this.#sql(
      `INSERT INTO control_apps (principal, name, paused, rules, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (principal, name) DO UPDATE SET paused = excluded.paused, rules = excluded.rules`,
    ).run(principal, name, paused ? 1 : 0, rules, now, now);
  }

  /** Add usage to app rows, creating them when first seen (inside the caller's transaction). */
  addUsage(usage: Iterable<AppUsage>): void {
    const upsert = this.#sql(
      `INSERT INTO control_apps (principal, name, first_seen, last_seen, reads, writes) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (principal, name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
         reads = reads + excluded.reads, writes = writes + excluded.writes`,
    );
    for (const u of usage) upsert.run(u.principal, u.name, u.seen, u.seen, u.reads, u.writes);
  }

  /** Memories per `source.tool` of a principal, in every state, with their earliest and latest write. */
  toolCounts(principal: string): { tool: string; n: number; first: string; last: string }[] {
    return this.#sql(
      `SELECT tool, count(*) AS n, min(created_at) AS first, max(updated_at) AS last
       FROM memories WHERE principal = ? GROUP BY tool ORDER BY tool`,
    ).all(principal) as unknown as { tool: string; n: number; first: string; last: string }[];
  }

  // ---------------------------------------------------------------------------------------------- history

  /** A memory's state history, oldest first. */
  history(
    principal: string,
    memoryId: string,
  ): {
    from_state: string;
    to_state: string;
    at: string;
    app: string | null;
    actor: string;
    reason: string | null;
  }[] {
    return this.#sql(
      `SELECT from_state, to_state, at, app, actor, reason FROM memory_state_history
       WHERE principal = ? AND memory_id = ? ORDER BY seq`,
    ).all(principal, memoryId) as unknown as {
      from_state: string;
      to_state: string;
      at: string;
      app: string | null;
      actor: string;
      reason: string | null;
    }[];
  }

  // ------------------------------------------------------------------------------------------- access log

  /** Store one packed batch (packLog) inside the caller's transaction. */
  insertLog(batch: PackedLog | null): void {
    if (batch === null) return;
    this.#sql('INSERT INTO access_log_batches (first_ms, last_ms, entries) VALUES (?, ?, ?)').run(
      batch.firstMs,
      batch.lastMs,
      batch.json,
    );
  }

  /** Batches whose entries all lie before `beforeMs` are removed (retention, OMP-CTRL-034). */
  purgeLog(beforeMs: number): void {
    this.#sql('DELETE FROM access_log_batches WHERE last_ms < ?').run(beforeMs);
  }

  /**
   * One page of a principal's entries, newest first. An entry's number is its batch's seq × 65536 plus its index
   * in the batch, so numbers follow the order entries were written, which is time order.
   */
  queryLog(q: LogQuery): LogRow[] {
    const out: LogRow[] = [];
    const before = q.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const batches = this.#sql(
      `SELECT seq, entries FROM access_log_batches WHERE seq <= ? AND last_ms >= ? AND first_ms < ?
       ORDER BY seq DESC`,
    ).iterate(Math.floor(before / BATCH), q.sinceMs ?? 0, q.untilMs ?? Number.MAX_SAFE_INTEGER);
    const needle = q.memoryId === undefined ? undefined : ` ${q.memoryId} `;
    for (const b of batches as Iterable<{ seq: number; entries: string }>) {
      const batch = JSON.parse(b.entries) as {
        lists: string[];
        entries: [number, string, string, string, string | null, string, number][];
      };
      const packed = batch.entries;
      for (let i = packed.length - 1; i >= 0; i--) {
        const [atMs, principal, operation, via, app, requestId, list] = packed[i] as (typeof packed)[number];
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
    return out;
  }

  // ------------------------------------------------------------------------------------------------ stats

  /** Counts of a principal's memories by state, type and tool, and by category tag (SPEC.md §20.5). */
  stats(principal: string): {
    byState: Map<string, number>;
    byType: Map<string, number>;
    byTool: { name: string; n: number }[];
    byCategory: { name: string; n: number }[];
  } {
    const grouped = (column: string) =>
      new Map(
        (
          this.#sql(
            `SELECT ${column} AS k, count(*) AS n FROM memories WHERE principal = ? GROUP BY ${column}`,
          ).all(principal) as { k: string; n: number }[]
        ).map((r) => [r.k, r.n]),
      );
    const byTool = this.#sql(
      'SELECT tool AS name, count(*) AS n FROM memories WHERE principal = ? GROUP BY tool ORDER BY tool',
    ).all(principal) as unknown as { name: string; n: number }[];
    // A tag occurs at most once per memory, so counting tags counts memories.
    const byCategory = this.#sql(
      `SELECT substr(j.value, 10) AS name, count(*) AS n FROM memories AS m, json_each(m.tags) AS j
       WHERE m.principal = ? AND j.value LIKE 'category:%' AND instr(m.tags, '"category:') > 0
       GROUP BY j.value ORDER BY name`,
    ).all(principal) as unknown as { name: string; n: number }[];
    return { byState: grouped('state'), byType: grouped('type'), byTool, byCategory };
  }
}
