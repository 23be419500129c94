/**
 * A small keep-alive HTTP load driver for the benchmark: N connections, each sending one request at a time
 * (closed loop, like autocannon), an operation drawn per request from a weighted mix, exact p50/p99 per
 * operation. Connections are spread round-robin over several server URLs (several processes on one database).
 * node:http only: the load generator shares the machine with the server, and a request is answered in full
 * before its connection sends the next, so nothing stays queued in the server when a run ends.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Latencies } from './stats.ts';

/** One HTTP request to send. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
}

/** A named operation of a workload: `next()` builds each request (random ids, pages, bodies). */
export interface Operation {
  name: string;
  /** Share of the requests in a mixed workload (relative to the other weights); 1 by default. */
  weight?: number;
  next: () => RequestSpec;
}

/** What one operation did during a run. */
export interface OperationResult {
  name: string;
  requests: number;
  failures: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  /** The first failure's status and body start, or the network error, so a bad row says why. */
  firstFailure?: string;
}

/** One run: totals and each operation. */
export interface DriveResult {
  seconds: number;
  requests: number;
  failures: number;
  reqPerSec: number;
  operations: OperationResult[];
}

/** Options of a run. */
export interface DriveOptions {
  connections: number;
  seconds: number;
  /** Headers sent with every request (authorization, content type). */
  headers: Record<string, string>;
}

/** After this many failures in a row a connection stops: the server is gone or refuses everything. */
const MAX_FAILURES_IN_A_ROW = 50;

/** Send one request on a keep-alive agent; resolves with the status and the first 200 bytes of the body. */
function send(
  agent: Agent,
  base: URL,
  spec: RequestSpec,
  headers: Record<string, string>,
): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        headers:
          spec.body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(spec.body) },
        timeout: 30_000,
      },
      (res) => {
        let head = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (head.length < 200) head += d.slice(0, 200 - head.length);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, head }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** Pick an operation by weight. */
function picker(ops: readonly Operation[]): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const op of ops) {
    sum += op.weight ?? 1;
    cumulative.push(sum);
  }
  return () => {
    const x = Math.random() * sum;
    const i = cumulative.findIndex((c) => x < c);
    return i < 0 ? ops.length - 1 : i;
  };
}

/** Drive the servers at `urls` with the workload for `seconds`; per-operation latencies and counts. */
export async function drive(
  urls: readonly string[],
  ops: readonly Operation[],
  o: DriveOptions,
): Promise<DriveResult> {
  const bases = urls.map((u) => new URL(u));
  const agents = bases.map(
    (_, i) => new Agent({ keepAlive: true, maxSockets: Math.ceil((o.connections - i) / bases.length) || 1 }),
  );
  const latencies = ops.map(() => new Latencies());
  const failures = ops.map(() => 0);
  const firstFailure: (string | undefined)[] = ops.map(() => undefined);
  const pick = picker(ops);
  const started = performance.now();
  const end = started + o.seconds * 1000;
  const connection = async (c: number): Promise<void> => {
    const base = bases[c % bases.length] as URL;
    const agent = agents[c % agents.length] as Agent;
    let inARow = 0;
    while (performance.now() < end && inARow < MAX_FAILURES_IN_A_ROW) {
      const i = pick();
      const op = ops[i] as Operation;
      const t = performance.now();
      let why: string | undefined;
      try {
        const spec = op.next();
        const r = await send(agent, base, spec, o.headers);
        if (r.status < 200 || r.status >= 300) why = `HTTP ${r.status}: ${r.head}`;
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
      }
      if (why === undefined) {
        (latencies[i] as Latencies).record(performance.now() - t);
        inARow = 0;
      } else {
        failures[i] = (failures[i] as number) + 1;
        firstFailure[i] ??= why;
        inARow++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, (_, c) => connection(c)));
  const seconds = (performance.now() - started) / 1000;
  for (const a of agents) a.destroy();
  const operations = ops.map((op, i): OperationResult => {
    const l = latencies[i] as Latencies;
    return {
      name: op.name,
      requests: l.count,
      failures: failures[i] as number,
      reqPerSec: l.count / seconds,
      p50: l.percentile(50),
      p99: l.percentile(99),
      ...(firstFailure[i] === undefined ? {} : { firstFailure: firstFailure[i] }),
    };
  });
  const requests = operations.reduce((n, r) => n + r.requests, 0);
  return {
    seconds,
    requests,
    failures: operations.reduce((n, r) => n + r.failures, 0),
    reqPerSec: requests / seconds,
    operations,
  };
}
