/**
 * The control level's own tables (SPEC.md §20): apps, state history, the access log and the stats queries.
 * Knows nothing of HTTP. Writes here are small and run in their own transactions between the group commit's
 * turns (everything is synchronous on one connection, so they never interleave with a batch).
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';

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
  at: string;
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

  /** Run `fn` in a transaction of its own, unless one is open (then inside it). */
  transaction<T>(fn: () => T): T {
    if (this.#db.isTransaction) return fn();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.#db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
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

  /** Store entries (inside the caller's transaction). */
  insertLog(entries: readonly LogEntry[]): void {
    const insert = this.#sql(
      `INSERT INTO access_log (principal, at, at_ms, operation, via, app, memory_ids, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of entries) {
      insert.run(e.principal, e.at, e.atMs, e.operation, e.via, e.app, e.memoryIds.join(' '), e.requestId);
    }
  }

  /** Entries older than `beforeMs` are removed (retention, OMP-CTRL-034). */
  purgeLog(beforeMs: number): void {
    this.#sql('DELETE FROM access_log WHERE at_ms < ?').run(beforeMs);
  }

  /** One page of a principal's entries, newest first (seq descending: entries are numbered in time order). */
  queryLog(q: LogQuery): LogRow[] {
    const where = ['principal = ?'];
    const params: SQLInputValue[] = [q.principal];
    if (q.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(q.beforeSeq);
    }
    if (q.app !== undefined) {
      where.push('app = ?');
      params.push(q.app);
    }
    if (q.operation !== undefined) {
      where.push('operation = ?');
      params.push(q.operation);
    }
    if (q.sinceMs !== undefined) {
      where.push('at_ms >= ?');
      params.push(q.sinceMs);
    }
    if (q.untilMs !== undefined) {
      where.push('at_ms < ?');
      params.push(q.untilMs);
    }
    if (q.memoryId !== undefined) {
      // Ids are [a-z0-9_] between single spaces: padding both sides makes the match exact.
      where.push(`instr(' ' || memory_ids || ' ', ?) > 0`);
      params.push(` ${q.memoryId} `);
    }
    return this.#sql(
      `SELECT seq, principal, at, operation, via, app, memory_ids, request_id FROM access_log
       INDEXED BY access_log_by_principal WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
    ).all(...params, q.limit) as unknown as LogRow[];
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
