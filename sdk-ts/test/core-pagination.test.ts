/** Offset pagination over a real HTTP server: item iteration, page iteration, nextPage, body offsets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseClient } from '../src/core/client.ts';
import type { Page, PageSpec } from '../src/core/pagination.ts';
import type { Operation } from '../src/core/request.ts';
import { type Hit, type MisbehavingServer, startMisbehavingServer } from './support/misbehaving-server.ts';

interface Body {
  memories: { n: number }[];
  total: number;
  limit: number;
  offset: number;
}

let srv: MisbehavingServer;
beforeAll(async () => {
  srv = await startMisbehavingServer();
});
afterAll(() => srv.close());

const spec = (into: 'query' | 'body', max = 1_000_000): PageSpec => ({
  items: 'memories',
  total: 'total',
  offset: 'offset',
  in: into,
  max,
});
const list: Operation = {
  id: 'listMemories',
  method: 'GET',
  path: '/v1/memories',
  query: { limit: 20 },
  safe: true,
};
const search: Operation = {
  id: 'searchMemories',
  method: 'POST',
  path: '/v1/memories/search',
  body: { q: 'x', limit: 20 },
  safe: true,
};

/** A collection of `total` numbered items served in pages; reads offset/limit from the query or the body. */
function serve(total: number, shrinkTo?: number) {
  srv.respond((hit: Hit) => {
    const params =
      hit.method === 'GET'
        ? Object.fromEntries(new URL(hit.url, 'http://x').searchParams)
        : JSON.parse(hit.body);
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 20);
    const have = shrinkTo !== undefined && srv.hits.length > 1 ? shrinkTo : total;
    const memories = Array.from({ length: Math.max(0, Math.min(limit, have - offset)) }, (_, i) => ({
      n: offset + i,
    }));
    return { status: 200, body: { memories, total, limit, offset } satisfies Body };
  });
}
const c = () => new BaseClient({ baseUrl: srv.url });

describe('pagination', () => {
  it('for await walks every item of every page, one request per page', async () => {
    serve(45);
    const seen: number[] = [];
    for await (const m of c().requestPage<Body, { n: number }>(list, spec('query'))) seen.push(m.n);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(srv.hits.map((h) => h.url)).toEqual([
      '/v1/memories?limit=20',
      '/v1/memories?limit=20&offset=20',
      '/v1/memories?limit=20&offset=40',
    ]);
  });

  it('await gives the first page with the body members; nextPage walks on and ends with null', async () => {
    serve(25);
    const first: Page<Body, { n: number }> = await c().requestPage<Body, { n: number }>(list, spec('query'));
    expect(first.total).toBe(25);
    expect(first.memories).toHaveLength(20);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.nextPage();
    expect(second?.offset).toBe(20);
    expect(second?.memories.map((m) => m.n)).toEqual([20, 21, 22, 23, 24]);
    expect(second?.hasNextPage()).toBe(false);
    expect(await second?.nextPage()).toBeNull();
  });

  it('.pages() yields pages; iterating a page walks from it to the end', async () => {
    serve(41);
    const sizes: number[] = [];
    for await (const p of c().requestPage<Body, { n: number }>(list, spec('query')).pages())
      sizes.push(p.memories.length);
    expect(sizes).toEqual([20, 20, 1]);
    const first = await c().requestPage<Body, { n: number }>(list, spec('query'));
    let count = 0;
    for await (const _ of first) count++;
    expect(count).toBe(41);
  });

  it('POST pagination moves the offset in the body and keeps the other members', async () => {
    serve(30);
    const seen: number[] = [];
    for await (const m of c().requestPage<Body, { n: number }>(search, spec('body'))) seen.push(m.n);
    expect(seen).toHaveLength(30);
    expect(srv.hits.map((h) => JSON.parse(h.body))).toEqual([
      { q: 'x', limit: 20 },
      { q: 'x', limit: 20, offset: 20 },
    ]);
  });

  it('stops at an empty page even when total promised more (items expired meanwhile)', async () => {
    serve(60, 20);
    const seen: number[] = [];
    for await (const m of c().requestPage<Body, { n: number }>(list, spec('query'))) seen.push(m.n);
    expect(seen).toHaveLength(20);
    expect(srv.hits).toHaveLength(2);
  });

  it('never asks for an offset beyond the largest the server accepts', async () => {
    serve(100);
    const sizes: number[] = [];
    for await (const p of c().requestPage<Body, { n: number }>(list, spec('query', 40)).pages())
      sizes.push(p.offset);
    expect(sizes).toEqual([0, 20, 40]);
  });

  it('an empty collection is one page and no items', async () => {
    serve(0);
    const items: unknown[] = [];
    for await (const m of c().requestPage<Body, { n: number }>(list, spec('query'))) items.push(m);
    expect(items).toEqual([]);
    expect(srv.hits).toHaveLength(1);
  });
});
