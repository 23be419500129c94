/**
 * Version negotiation and the 0.4 headers (versions.ts, request.ts): what the client learns, and what it sends
 * to which server, over real sockets with scripted servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseClient, type ClientOptions } from '../src/core/client.ts';
import { OmpError } from '../src/core/errors.ts';
import type { Operation } from '../src/core/request.ts';
import { compareVersions, Negotiation, newestCommon, versionsOfHealth } from '../src/core/versions.ts';
import { type MisbehavingServer, startMisbehavingServer } from './support/misbehaving-server.ts';

let srv: MisbehavingServer;
beforeAll(async () => {
  srv = await startMisbehavingServer();
});
afterAll(() => srv.close());

const create: Operation = {
  id: 'createMemory',
  method: 'POST',
  path: '/v1/memories',
  body: { content: 'x' },
  safe: false,
  idempotencyKey: true,
};
const del: Operation = {
  id: 'deleteMemory',
  method: 'DELETE',
  path: '/v1/memories/{id}',
  params: { id: 'mem_a' },
  safe: true,
  conditional: true,
};
const client = (o: Partial<ClientOptions> = {}) => new BaseClient({ baseUrl: srv.url, apiKey: 'k1', ...o });
const health04 = { status: 'ok', version: '0.4', versions: ['0.3', '0.4'] };

describe('Negotiation', () => {
  it('picks the newest version both sides list, and reads 0.3 health bodies', () => {
    expect(compareVersions('0.10', '0.4')).toBeGreaterThan(0);
    expect(newestCommon(['0.3', '0.4', '0.5'])).toBe('0.4');
    expect(newestCommon(['1.0'])).toBeUndefined();
    expect(versionsOfHealth({ version: '0.3' })).toEqual(['0.3']);
    const n = new Negotiation();
    n.fromHealth({ version: '0.9', versions: ['0.9'] }); // nothing in common: 0.3 behaviour
    expect(n.version).toBe('0.3');
  });

  it('learns from a response header only what it knows, and a pinned version never changes', () => {
    const n = new Negotiation();
    n.fromHeader('0.7');
    expect(n.version).toBeUndefined();
    n.fromHeader('0.4');
    expect(n.atLeast('0.4')).toBe(true);
    const pinned = new Negotiation('0.3');
    pinned.fromHealth(health04);
    expect(pinned.version).toBe('0.3');
    expect(() => new Negotiation('0.2')).toThrow(/specVersion/);
  });
});

describe('the 0.4 headers', () => {
  it('reads health once, then retries a keyed create with the same key and body', async () => {
    srv.hits.length = 0;
    srv.script(
      { status: 200, body: health04 },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 201, body: { id: 'mem_a' } },
    );
    const c = client();
    expect(await c.request(create)).toEqual({ id: 'mem_a' });
    const [health, first, retry] = srv.hits;
    expect(srv.hits).toHaveLength(3);
    expect(health?.url).toBe('/v1/health');
    expect(health?.headers['omp-version']).toBeUndefined();
    expect(first?.headers['omp-version']).toBe('0.4');
    expect(first?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(retry?.body).toBe(first?.body);
    expect(c.specVersion).toBe('0.4');
  });

  it('sends a 0.3 server no 0.4 header, does not retry its create, and refuses ifMatch', async () => {
    srv.hits.length = 0;
    srv.script({ status: 200, body: { status: 'ok', version: '0.3' } }, { status: 503 });
    const c = client();
    const e = await c.request(create).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ status: 503 });
    expect(srv.hits.map((h) => h.url)).toEqual(['/v1/health', '/v1/memories']);
    expect(Object.keys(srv.hits[1]?.headers ?? {})).not.toContain('idempotency-key');
    expect(Object.keys(srv.hits[1]?.headers ?? {})).not.toContain('omp-version');
    const refused = await c.request(del, { ifMatch: '"e"' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(OmpError);
    expect((refused as OmpError).code).toBe('if_match_unsupported');
    expect(srv.hits).toHaveLength(2); // refused before sending
  });

  it('a failed health read is not remembered: that call speaks 0.3, the next one asks again', async () => {
    srv.hits.length = 0;
    srv.script(
      { status: 500 },
      { status: 201, body: { id: 'mem_a' } },
      { status: 200, body: health04 },
      { status: 201, body: { id: 'mem_b' } },
    );
    const c = client({ maxRetries: 0 });
    await c.request(create);
    expect(c.specVersion).toBeUndefined();
    await c.request(create, { idempotencyKey: 'mine' });
    expect(srv.hits.map((h) => h.url)).toEqual(['/v1/health', '/v1/memories', '/v1/health', '/v1/memories']);
    expect(srv.hits[1]?.headers['idempotency-key']).toBeUndefined();
    expect(srv.hits[3]?.headers['idempotency-key']).toBe('mine');
  });
});
