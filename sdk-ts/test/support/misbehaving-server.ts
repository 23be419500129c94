/**
 * A real HTTP server on 127.0.0.1 that answers from a script, one step per request, so retry, timeout and
 * abort behaviour is tested over real sockets instead of against a mocked fetch.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Step =
  | { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { destroy: true }
  | { stallBody: true };

/** One request as the server received it. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running misbehaving server. */
export interface MisbehavingServer {
  url: string;
  port: number;
  hits: Hit[];
  /** Replace the script; the last step repeats once the others are used up. */
  script(...steps: Step[]): void;
  /** Answer every request with `fn(hit)` instead of a script. */
  respond(fn: (hit: Hit) => Step): void;
  close(): Promise<void>;
}

/** Start a server on a free port. */
export async function startMisbehavingServer(): Promise<MisbehavingServer> {
  let steps: Step[] = [{ status: 200, body: {} }];
  let fn: ((hit: Hit) => Step) | undefined;
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      const step = fn ? fn(hit) : ((steps.length > 1 ? steps.shift() : steps[0]) as Step);
      if ('destroy' in step) {
        req.socket.destroy();
        return;
      }
      if ('stallBody' in step) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":'); // and never finish
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        const text =
          step.body === undefined
            ? ''
            : typeof step.body === 'string'
              ? step.body
              : JSON.stringify(step.body);
        res.writeHead(step.status, {
          ...(text ? { 'content-type': 'application/json' } : {}),
          'x-request-id': `req_${hits.length}`,
          ...step.headers,
        });
        res.end(text);
      };
      if (step.delayMs) setTimeout(send, step.delayMs).unref();
      else send();
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    script(...s) {
      steps = s;
      fn = undefined;
      hits.length = 0;
    },
    respond(f) {
      fn = f;
      hits.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
