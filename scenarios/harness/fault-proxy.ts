/**
 * A fault-injecting HTTP proxy for the SDK scenarios. It forwards every request to one upstream, except
 * those matched by the installed faults, which it answers itself, delays or drops. Control endpoints
 * (no auth): `PUT /__faults` installs faults (and resets counters and the request log), `GET /__faults`
 * returns every request seen since the last `PUT`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One fault, as written in a scenario's `faults` (scenarios/README.md). */
export interface Fault {
  method: string;
  /** Exact path, without the query string. */
  path: string;
  /** How many matching requests get the fault; unlimited when absent. */
  times?: number;
  respond?: { status: number; headers?: Record<string, string>; body?: unknown };
  delay_ms?: number;
  drop?: true;
  /** Forward the request, let the server answer, then destroy the client's socket: the response is lost. */
  drop_response?: true;
}

/** One request the proxy saw: `fault` is the index of the fault applied, or null when forwarded as is. */
export interface SeenRequest {
  method: string;
  path: string;
  fault: number | null;
  /**
   * The 0.4 request headers the request carried (`omp-version`, `idempotency-key`, `if-match`), present only
   * when it carried at least one, so that scenarios can assert what a client sent to which server.
   */
  headers?: Record<string, string>;
  /** Only on requests to the proxy's other origin (`otherUrl`): `"other"`. */
  origin?: 'other';
  /**
   * Only on requests to the other origin, and only when the request carried an `Authorization` header (its
   * value is not logged): true.
   */
  authorized?: true;
}

/** Request headers the log records (SPEC.md §19.3, all since 0.4). */
const loggedHeaders = ['omp-version', 'idempotency-key', 'if-match'] as const;

/** A running proxy. */
export interface FaultProxy {
  url: string;
  /**
   * A second origin (another port) that forwards to the same upstream without faults, logging into the same
   * request log with `origin: "other"`: the target of cross-origin redirects. In a fault's `respond.headers`,
   * `${other_origin}` stands for this URL.
   */
  otherUrl: string;
  /** Replace the installed faults, as `PUT /__faults` does. */
  setFaults(faults: Fault[]): void;
  /** Requests seen since the last `setFaults`. */
  requests(): SeenRequest[];
  close(): Promise<void>;
}

const controlPath = '/__faults';

/** Start a proxy on 127.0.0.1 (a free port) in front of `upstream` (an `http://host:port` URL). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let faults: Fault[] = [];
  let used: number[] = [];
  let seen: SeenRequest[] = [];
  // Timers of delayed faults, cleared on close so no callback outlives the proxy.
  const timers = new Set<NodeJS.Timeout>();

  const install = (list: Fault[]) => {
    faults = list;
    used = list.map(() => 0);
    seen = [];
  };

  /** The index of the first fault that matches and still has uses left, and counts the use. */
  const claim = (method: string, path: string): number | null => {
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i] as Fault;
      if (f.method.toUpperCase() !== method || f.path !== path) continue;
      if (f.times !== undefined && (used[i] as number) >= f.times) continue;
      used[i] = (used[i] as number) + 1;
      return i;
    }
    return null;
  };

  let otherUrl = '';
  const server = createServer((req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const path = rawUrl.split('?')[0] as string;
    if (path === controlPath) {
      control(method, req, res);
      return;
    }
    const index = claim(method, path);
    const entry: SeenRequest = { method, path, fault: index };
    const carried: Record<string, string> = {};
    for (const h of loggedHeaders) {
      const v = req.headers[h];
      if (typeof v === 'string') carried[h] = v;
    }
    if (Object.keys(carried).length > 0) entry.headers = carried;
    seen.push(entry);
    const fault = index === null ? undefined : faults[index];
    const act = () => {
      if (fault?.drop) {
        // No response at all: the client sees a reset or an early end of the connection.
        req.socket.destroy();
      } else if (fault?.respond) {
        answer(
          res,
          fault.respond.status,
          withOtherOrigin(fault.respond.headers ?? {}, otherUrl),
          fault.respond.body,
        );
        req.resume();
      } else {
        forward(req, res, rawUrl, fault?.drop_response === true);
      }
    };
    if (fault?.delay_ms) {
      // Hold the request body until then; a client that gives up meanwhile just closes its socket.
      req.pause();
      const t = setTimeout(() => {
        timers.delete(t);
        if (req.socket.destroyed) return;
        act();
      }, fault.delay_ms);
      timers.add(t);
    } else {
      act();
    }
  });

  function control(method: string, req: IncomingMessage, res: ServerResponse): void {
    if (method === 'GET') {
      answer(res, 200, {}, { requests: seen });
      req.resume();
      return;
    }
    if (method !== 'PUT') {
      answer(res, 405, { Allow: 'GET, PUT' }, envelope('method_not_allowed', 'Use GET or PUT on /__faults'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        answer(res, 400, {}, envelope('malformed_json', 'PUT /__faults takes a JSON array of faults'));
        return;
      }
      const problem = faultListProblem(parsed);
      if (problem) {
        answer(res, 422, {}, envelope('validation_error', problem));
        return;
      }
      install(parsed as Fault[]);
      answer(res, 200, {}, { installed: (parsed as Fault[]).length });
    });
  }

  function forward(req: IncomingMessage, res: ServerResponse, rawUrl: string, dropResponse = false): void {
    const headers = { ...req.headers, host: target.host };
    const up = httpRequest(
      { hostname: target.hostname, port: target.port, method: req.method, path: rawUrl, headers },
      (upRes) => {
        if (dropResponse) {
          // The server has handled the request; the client never learns the outcome.
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    up.on('error', () => {
      if (res.headersSent) res.destroy();
      else answer(res, 502, {}, envelope('bad_gateway', 'The proxy could not reach the server'));
    });
    // A client that disconnects mid-request must not leave the upstream request hanging.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }

  // The other origin: no faults, no control endpoint; it only forwards and records what it was sent.
  const other = createServer((req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const entry: SeenRequest = { method, path: rawUrl.split('?')[0] as string, fault: null, origin: 'other' };
    if (req.headers.authorization !== undefined) entry.authorized = true;
    seen.push(entry);
    forward(req, res, rawUrl);
  });

  const listen = (s: typeof server) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
  const port = await listen(server);
  otherUrl = `http://127.0.0.1:${await listen(other)}`;

  return {
    url: `http://127.0.0.1:${port}`,
    otherUrl,
    setFaults: install,
    requests: () => seen.slice(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        let open = 2;
        const done = () => {
          open -= 1;
          if (open === 0) resolve();
        };
        server.close(done);
        other.close(done);
        server.closeAllConnections();
        other.closeAllConnections();
      }),
  };
}

/** Fault response headers with `${other_origin}` replaced by the other origin's URL. */
function withOtherOrigin(headers: Record<string, string>, otherUrl: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = v.replaceAll('${other_origin}', otherUrl);
  return out;
}

/** A JSON response with an explicit Content-Length (the SDKs must never see a chunked surprise). */
function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  const out: Record<string, string | number> = { ...headers };
  if (text !== '' && !Object.keys(out).some((k) => k.toLowerCase() === 'content-type')) {
    out['Content-Type'] = 'application/json';
  }
  out['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(status, out);
  res.end(text);
}

function envelope(error: string, message: string): { error: string; message: string; details: object } {
  return { error, message, details: {} };
}

/** Why a `PUT /__faults` body is not a list of faults, or undefined when it is one. */
export function faultListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'the body must be a JSON array of faults';
  for (const [i, f] of value.entries()) {
    if (!f || typeof f !== 'object' || Array.isArray(f)) return `fault ${i} must be an object`;
    const o = f as Record<string, unknown>;
    if (typeof o.method !== 'string' || typeof o.path !== 'string') {
      return `fault ${i} needs a string method and path`;
    }
    if (o.times !== undefined && !(Number.isInteger(o.times) && (o.times as number) >= 1)) {
      return `fault ${i}: times must be an integer >= 1`;
    }
    if (o.delay_ms !== undefined && !(Number.isInteger(o.delay_ms) && (o.delay_ms as number) >= 0)) {
      return `fault ${i}: delay_ms must be an integer >= 0`;
    }
    if (o.drop !== undefined && o.drop !== true) return `fault ${i}: drop must be true when present`;
    if (o.drop_response !== undefined && o.drop_response !== true) {
      return `fault ${i}: drop_response must be true when present`;
    }
    if (o.respond !== undefined) {
      const r = o.respond as Record<string, unknown> | null;
      if (!r || typeof r !== 'object' || !Number.isInteger(r.status)) {
        return `fault ${i}: respond needs an integer status`;
      }
    }
  }
  return undefined;
}
