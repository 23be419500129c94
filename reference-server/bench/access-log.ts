/**
 * The access log's cost (SPEC.md §20.4, issue #16 target <= 10 %): create, search and get with the access log on
 * and off (`--no-access-log`) on one store, in alternating rounds so that load from elsewhere on the machine falls
 * on both alike; each figure is the median of its rounds. On a shared machine throughput swings with other load;
 * the server's own CPU time per request is the steadier measure of what the log costs.
 */
import type { Operation } from './load-driver.ts';
import { measure } from './measure.ts';
import type { Server } from './server-process.ts';
import { median } from './stats.ts';
import { createOp, getOp, searchOps } from './workloads.ts';

/** One operation's cost: req/s and CPU µs per request with the log on and off. */
export interface LogCost {
  operation: string;
  on: number;
  off: number;
  cpuOn: number;
  cpuOff: number;
}

/** Measure the log's cost on the store file `db` of n memories; `only` keeps workloads whose name contains it. */
export async function accessLogCost(
  db: string,
  n: number,
  label: string,
  start: (args: string[]) => Promise<Server>,
  o: { seconds: number; rounds: number; headers: Record<string, string>; only?: string | undefined },
): Promise<LogCost[]> {
  const s = searchOps();
  const workloads: [Operation, string[]][] = [
    [createOp(), []],
    [{ ...s.common, name: `${s.common.name}, cached page` }, []],
    [{ ...s.rare, name: `${s.rare.name}, no cache` }, ['--no-cache']],
    [getOp(n), []],
  ];
  const out: LogCost[] = [];
  for (const [op, args] of workloads) {
    if (o.only !== undefined && !op.name.includes(o.only)) continue;
    const rate = { on: [] as number[], off: [] as number[] };
    const cpu = { on: [] as number[], off: [] as number[] };
    for (let r = 0; r < o.rounds; r++) {
      for (const logged of r % 2 === 0 ? [true, false] : [false, true]) {
        const server = await start(['--db', db, ...args, ...(logged ? [] : ['--no-access-log'])]);
        try {
          const setup = `access log ${logged ? 'on' : 'off'}`;
          const [row] = await measure(
            [server],
            [op],
            { store: label, setup, connections: 32 },
            { ...o, reps: 1 },
          );
          if (row && !row.why) {
            rate[logged ? 'on' : 'off'].push(row.reqPerSec.median);
            cpu[logged ? 'on' : 'off'].push(row.cpuUs);
          }
        } finally {
          await server.stop();
        }
      }
    }
    const c: LogCost = {
      operation: op.name,
      on: median(rate.on),
      off: median(rate.off),
      cpuOn: median(cpu.on),
      cpuOff: median(cpu.off),
    };
    out.push(c);
    console.log(
      `${label} access log cost, ${c.operation}: ${Math.round(c.on)} vs ${Math.round(c.off)} req/s (${((1 - c.on / c.off) * 100).toFixed(1)} % slower); CPU ${c.cpuOn} vs ${c.cpuOff} µs/req`,
    );
  }
  return out;
}
