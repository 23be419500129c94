/**
 * A TCP proxy that adds latency: every chunk a client sends reaches the upstream server `delayMs` later, in
 * order, while responses flow back at once. One client connection maps to one upstream connection, so HTTP
 * keep-alive is preserved exactly as the client and server negotiate it. This models a remote server one
 * network delay away (each request pays `delayMs` once) without touching the HTTP bytes.
 */
import * as net from 'node:net';

/** A running latency proxy. */
export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`, to use in place of the upstream URL. */
  url: string;
  /** Client connections accepted so far (keep-alive reuse shows as few connections for many requests). */
  connections: number;
  close(): Promise<void>;
}

/** Start a proxy in front of `upstream` (an `http://host:port` URL) that delays client → server bytes. */
export async function startLatencyProxy(upstream: string, delayMs: number): Promise<LatencyProxy> {
  const target = new URL(upstream);
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((client) => {
    state.connections++;
    const up = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(up);
    client.setNoDelay(true);
    up.setNoDelay(true);
    // Timers of equal duration fire in creation order, so chunks keep their order.
    client.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        if (!up.destroyed) up.write(chunk);
      }, delayMs);
    });
    client.on('end', () => setTimeout(() => up.end(), delayMs));
    up.pipe(client);
    const drop = () => {
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('error', drop);
    up.on('error', drop);
    client.on('close', drop);
    up.on('close', () => setTimeout(drop, delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
