/**
 * One benchmark row: a workload driven at the servers `reps` times (after a short warm-up), each figure the
 * median of the repetitions with their range, the machine's load average before and after, the servers' CPU
 * time per request and resident memory. A row that fails carries why instead of crashing the run.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { drive, type Operation } from './load-driver.ts';
import type { Server } from './server-process.ts';
import { fmt, fmtSpread, type Spread, spread } from './stats.ts';

/** A measured row of the results. */
export interface Row {
  /** Store size label, e.g. "100k". */
  store: string;
  /** What served it, e.g. "SQLite, no cache" or "Postgres, 3 processes". */
  setup: string;
  operation: string;
  connections: number;
  reqPerSec: Spread;
  p50: Spread;
  p99: Spread;
  requests: number;
  failures: number;
  /** Why requests failed (first failure) or why the row could not be measured. */
  why?: string;
  /** CPU time of the server processes (and the database, when given) per request, µs. */
  cpuUs: number;
  /** Largest server resident set at the end, MiB. */
  rss: number;
  /** 1-minute load average before the first and after the last repetition. */
  load: [number, number];
}

/** How long and how often. */
export interface MeasureOptions {
  seconds: number;
  reps: number;
  headers: Record<string, string>;
  /** Extra CPU time to count (e.g. PostgreSQL's processes), µs so far. */
  extraCpuUs?: () => number;
}

/** CPU time a process has used (user + system), µs, from /proc (clock ticks of 10 ms); 0 when it is gone. */
export function cpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** Resident set size and its peak, MiB, from /proc. */
export function memory(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

const load1 = () => loadavg()[0] as number;

/** Print a row on one line. */
export function printRow(r: Row): void {
  const why = r.why ? `  FAILED ${r.failures}: ${r.why.slice(0, 160)}` : '';
  console.log(
    `${r.store.padEnd(5)} ${r.setup.padEnd(22)} ${r.operation.padEnd(44)} c=${String(r.connections).padStart(2)} ${fmtSpread(r.reqPerSec).padStart(18)} req/s  p50 ${fmtSpread(r.p50)} ms  p99 ${fmtSpread(r.p99)} ms  CPU ${r.cpuUs} µs/req  load ${fmt(r.load[0])}→${fmt(r.load[1])}${why}`,
  );
}

/**
 * Measure a workload: one row per operation (a mix of several operations gives one row each, named
 * "<label>: <operation>", plus a "<label>: all" row). Never throws: a failure becomes the rows' `why`.
 */
export async function measure(
  servers: readonly Server[],
  ops: readonly Operation[],
  meta: { store: string; setup: string; connections: number; label?: string },
  o: MeasureOptions,
): Promise<Row[]> {
  const names =
    ops.length > 1
      ? [...ops.map((op) => `${meta.label}: ${op.name}`), `${meta.label}: all`]
      : [ops[0]?.name ?? '?'];
  const loadBefore = load1();
  const pids = servers.map((s) => s.child.pid as number);
  const cpu = () => pids.reduce((n, p) => n + cpuUs(p), 0) + (o.extraCpuUs?.() ?? 0);
  const perName = names.map(() => ({ rate: [] as number[], p50: [] as number[], p99: [] as number[] }));
  let requests = 0;
  let failures = 0;
  let why: string | undefined;
  let cpuSpent = 0;
  try {
    const urls = servers.map((s) => s.url);
    await drive(urls, ops, { connections: Math.min(4, meta.connections), seconds: 1, headers: o.headers });
    for (let rep = 0; rep < o.reps; rep++) {
      const before = cpu();
      const r = await drive(urls, ops, {
        connections: meta.connections,
        seconds: o.seconds,
        headers: o.headers,
      });
      cpuSpent += cpu() - before;
      requests += r.requests;
      failures += r.failures;
      why ??= r.operations.find((x) => x.firstFailure)?.firstFailure;
      const figures = ops.length > 1 ? [...r.operations, undefined] : r.operations;
      figures.forEach((x, i) => {
        const slot = perName[i] as (typeof perName)[number];
        slot.rate.push(x ? x.reqPerSec : r.reqPerSec);
        if (x) {
          slot.p50.push(x.p50);
          slot.p99.push(x.p99);
        }
      });
    }
  } catch (err) {
    why = err instanceof Error ? err.message : String(err);
  }
  const rss = Math.round(Math.max(0, ...pids.map((p) => memory(p).rss)));
  const load: [number, number] = [loadBefore, load1()];
  const rows = names.map(
    (operation, i): Row => ({
      store: meta.store,
      setup: meta.setup,
      operation,
      connections: meta.connections,
      reqPerSec: spread(perName[i]?.rate ?? []),
      p50: spread(perName[i]?.p50 ?? []),
      p99: spread(perName[i]?.p99 ?? []),
      requests,
      failures,
      ...(why === undefined ? {} : { why }),
      // No request answered: no cost per request to report (not the whole CPU spent on the failures).
      cpuUs: requests > 0 ? Math.round(cpuSpent / requests) : 0,
      rss,
      load,
    }),
  );
  for (const r of rows) printRow(r);
  return rows;
}
