/**
 * The fault proxy over a real upstream server, and the harness as a real process (scenarios/README.md).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, faultListProblem, startFaultProxy } from '../harness/fault-proxy.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('fault proxy', () => {
  let upstream: Server;
  let proxy: FaultProxy;
  const hits: string[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        hits.push(`${req.method} ${req.url}`);
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(
          JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization ?? null }),
        );
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const put = (faults: unknown) =>
    fetch(`${proxy.url}/__faults`, { method: 'PUT', body: JSON.stringify(faults) });
  const seen = async () =>
    ((await (await fetch(`${proxy.url}/__faults`)).json()) as { requests: unknown[] }).requests;

  it('forwards method, path, query, headers and body when no fault matches', async () => {
    expect((await put([])).status).toBe(200);
    const res = await fetch(`${proxy.url}/v1/memories?limit=2`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: '{"a":1}',
    });
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(await res.json()).toEqual({
      method: 'POST',
      url: '/v1/memories?limit=2',
      body: '{"a":1}',
      auth: 'Bearer k',
    });
    expect(await seen()).toEqual([{ method: 'POST', path: '/v1/memories', fault: null }]);
  });

  it('serves another origin that forwards and logs, and fills ${other_origin} into fault headers', async () => {
    await put([
      {
        method: 'GET',
        path: '/v1/away',
        times: 1,
        respond: { status: 307, headers: { Location: '${other_origin}/v1/there' } },
      },
    ]);
    const moved = await fetch(`${proxy.url}/v1/away`, { redirect: 'manual' });
    expect(moved.status).toBe(307);
    expect(moved.headers.get('location')).toBe(`${proxy.otherUrl}/v1/there`);
    expect(new URL(proxy.otherUrl).port).not.toBe(new URL(proxy.url).port);
    const there = await fetch(`${proxy.otherUrl}/v1/there`, { headers: { authorization: 'Bearer k' } });
    expect(((await there.json()) as { url: string }).url).toBe('/v1/there');
    await fetch(`${proxy.otherUrl}/v1/there`);
    expect(await seen()).toEqual([
      { method: 'GET', path: '/v1/away', fault: 0 },
      { method: 'GET', path: '/v1/there', fault: null, origin: 'other', authorized: true },
      { method: 'GET', path: '/v1/there', fault: null, origin: 'other' },
    ]);
  });

  it('answers a matching request itself, `times` times, then forwards', async () => {
    await put([
      {
        method: 'GET',
        path: '/v1/me',
        times: 2,
        respond: { status: 503, headers: { 'Retry-After': '1' }, body: { error: 'unavailable' } },
      },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${proxy.url}/v1/me?x=1`);
      statuses.push(r.status);
      if (r.status === 503) expect(r.headers.get('retry-after')).toBe('1');
      await r.arrayBuffer();
    }
    expect(statuses).toEqual([503, 503, 200]);
    expect((await seen()).map((s) => (s as { fault: unknown }).fault)).toEqual([0, 0, null]);
  });

  it('drops the connection without a response', async () => {
    await put([{ method: 'GET', path: '/v1/health', drop: true, times: 1 }]);
    await expect(fetch(`${proxy.url}/v1/health`)).rejects.toThrow();
    expect((await fetch(`${proxy.url}/v1/health`)).status).toBe(200);
  });

  it('forwards but loses the response with drop_response, and logs 0.4 request headers', async () => {
    await put([{ method: 'POST', path: '/v1/lost', drop_response: true, times: 1 }]);
    const before = hits.length;
    await expect(
      fetch(`${proxy.url}/v1/lost`, { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: '{}' }),
    ).rejects.toThrow();
    expect(hits.length).toBe(before + 1); // the upstream handled it
    expect(hits.at(-1)).toBe('POST /v1/lost');
    expect(await seen()).toEqual([
      { method: 'POST', path: '/v1/lost', fault: 0, headers: { 'idempotency-key': 'k1' } },
    ]);
    expect(faultListProblem([{ method: 'GET', path: '/x', drop_response: 1 }])).toMatch(/drop_response/);
  });

  it('delays before forwarding', async () => {
    await put([{ method: 'GET', path: '/v1/slow', delay_ms: 150 }]);
    const before = hits.length;
    const pending = fetch(`${proxy.url}/v1/slow`);
    await new Promise((r) => setTimeout(r, 50));
    expect(hits.length).toBe(before); // not forwarded yet
    expect((await pending).status).toBe(200);
    expect(hits.at(-1)).toBe('GET /v1/slow');
  });

  it.each([
    ['not JSON', 'nope', 400],
    ['not an array', JSON.stringify({ method: 'GET' }), 422],
    ['a fault without a path', JSON.stringify([{ method: 'GET' }]), 422],
    ['times 0', JSON.stringify([{ method: 'GET', path: '/', times: 0 }]), 422],
  ])('refuses %s', async (_name, body, status) => {
    const res = await fetch(`${proxy.url}/__faults`, { method: 'PUT', body });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(/^[a-z_]+$/);
  });

  it('validates fault lists', () => {
    expect(faultListProblem([{ method: 'GET', path: '/x', respond: { status: 500 } }])).toBeUndefined();
    expect(faultListProblem([{ method: 'GET', path: '/x', drop: false }])).toMatch(/drop/);
    expect(faultListProblem([{ method: 'GET', path: '/x', respond: {} }])).toMatch(/status/);
  });
});

describe('harness process', () => {
  it('prints one JSON line, serves both principals, and exits when stdin closes', async () => {
    const child = spawn(process.execPath, [join(here, '..', 'harness', 'start.ts')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error('harness exited before printing')));
    });
    try {
      const info = JSON.parse(line) as {
        url: string;
        proxy_url: string;
        token: string;
        token_b: string;
        url_03: string;
        proxy_url_03: string;
      };
      expect(Object.keys(info).sort()).toEqual([
        'proxy_url',
        'proxy_url_03',
        'token',
        'token_b',
        'url',
        'url_03',
      ]);
      const health03 = (await (await fetch(`${info.proxy_url_03}/v1/health`)).json()) as { version: string };
      expect(health03.version).toBe('0.3');
      const me = async (base: string, key: string) =>
        (await (await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          principal: string;
        };
      const a = await me(info.url, info.token);
      const b = await me(info.proxy_url, info.token_b);
      expect(a.principal).not.toBe(b.principal);
      expect((await fetch(`${info.proxy_url}/__faults`)).status).toBe(200);
    } finally {
      child.stdin.end();
    }
    expect(await exited).toBe(0);
  });
});
