/**
 * A fault-injecting HTTP proxy in front of a real server: each request and response passes through hooks that may
 * rewrite it, answer in its place, or cut the connection. Used by the mutation suite and the network-fault test.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A buffered request as the hooks see it. */
export interface ProxyRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A buffered response as the hooks see it. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Hooks of one fault. */
export interface Fault {
  /** Rewrite the request, or answer it without forwarding, or cut the connection ('drop'). */
  request?: (req: ProxyRequest) => ProxyRequest | ProxyResponse | 'drop' | undefined;
  /** Rewrite the response. */
  response?: (req: ProxyRequest, res: ProxyResponse) => ProxyResponse | undefined;
}

/** A running proxy. */
export interface Proxy {
  url: string;
  requests: number;
  close(): Promise<void>;
}

function flat(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** Start a proxy to `upstream` (e.g. http://127.0.0.1:1234) with one fault. */
export async function startProxy(upstream: string, fault: Fault = {}): Promise<Proxy> {
  const target = new URL(upstream);
  // No keep-alive upstream: a socket the server closes while idle would otherwise surface as a fault of its own.
  const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      state.requests++;
      let preq: ProxyRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: flat(req.headers),
        body: Buffer.concat(chunks),
      };
      const hooked = fault.request?.(preq);
      if (hooked === 'drop') {
        req.socket.destroy();
        return;
      }
      const send = (r: ProxyResponse) => {
        const final = fault.response?.(preq, r) ?? r;
        const headers = { ...final.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        delete headers['keep-alive'];
        headers['content-length'] = String(final.body.byteLength);
        res.writeHead(final.status, headers);
        res.end(final.body);
      };
      if (hooked && 'status' in hooked) {
        send(hooked);
        return;
      }
      if (hooked) preq = hooked;
      const headers: Record<string, string> = { ...preq.headers, host: target.host };
      if (preq.body.byteLength || headers['content-length'] !== undefined)
        headers['content-length'] = String(preq.body.byteLength);
      const up = http.request(
        { host: target.hostname, port: target.port, method: preq.method, path: preq.url, headers, agent },
        (ur) => {
          const rc: Buffer[] = [];
          ur.on('data', (c: Buffer) => rc.push(c));
          ur.on('end', () =>
            send({ status: ur.statusCode ?? 502, headers: flat(ur.headers), body: Buffer.concat(rc) }),
          );
          ur.on('error', () => res.destroy());
        },
      );
      up.on('error', () => res.destroy());
      up.end(preq.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** JSON helpers for hooks. */
export function readJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Replace a response body with JSON. */
export function withJson(r: ProxyResponse, value: unknown): ProxyResponse {
  return { ...r, body: Buffer.from(JSON.stringify(value)) };
}

/** Apply `fn` to every memory object inside a JSON response body (single memory, lists, exports). */
export function mapMemories(
  r: ProxyResponse,
  fn: (m: Record<string, unknown>) => Record<string, unknown>,
): ProxyResponse {
  const j = readJson(r.body) as Record<string, unknown> | undefined;
  if (!j || typeof j !== 'object') return r;
  if (typeof j.id === 'string' && 'content' in j) return withJson(r, fn(j));
  if (Array.isArray(j.memories))
    return withJson(r, {
      ...j,
      memories: (j.memories as Record<string, unknown>[]).map((m) =>
        m && typeof m === 'object' ? fn(m) : m,
      ),
    });
  return r;
}
