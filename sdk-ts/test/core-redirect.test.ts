/**
 * The redirect policy (OMP-CLIENT-008) over an injected fetch: an https server cannot be staged by the
 * scenario harness, so the https -> http refusal, the hop bound and the method rules are checked here with a
 * fake transport that records every request it is given. Same- and cross-origin redirects over real sockets
 * are the scenarios redirect-*.json.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../src/core/client.ts';
import { RedirectError } from '../src/core/errors.ts';
import { maxRedirects } from '../src/core/redirect.ts';
import type { Operation } from '../src/core/request.ts';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  redirect: string | undefined;
}

/** A fetch that answers each URL from `routes` (a redirect or a JSON body) and records what it was sent. */
function fakeFetch(routes: Record<string, { status: number; location?: string }>) {
  const seen: Seen[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    seen.push({
      url,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: (init.body as string | null) ?? null,
      redirect: init.redirect,
    });
    const r = routes[url] ?? { status: 200 };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (r.location) headers.location = r.location;
    return new Response(r.status === 200 ? JSON.stringify({ at: url }) : null, { status: r.status, headers });
  };
  return { fetch, seen };
}

const get: Operation = { id: 'getMe', method: 'GET', path: '/v1/me', safe: true };
const create: Operation = {
  id: 'createMemory',
  method: 'POST',
  path: '/v1/memories',
  body: { content: 'x' },
  safe: false,
};

function client(baseUrl: string, fetch: ReturnType<typeof fakeFetch>['fetch']) {
  return new BaseClient({ baseUrl, apiKey: 'k1', fetch, maxRetries: 2 });
}

describe('redirects (OMP-CLIENT-008)', () => {
  it('refuses https -> http with a RedirectError, never sending the request, and does not retry it', async () => {
    const f = fakeFetch({ 'https://omp.test/v1/me': { status: 301, location: 'http://omp.test/v1/me' } });
    const e = await client('https://omp.test', f.fetch)
      .request(get)
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(RedirectError);
    expect((e as RedirectError).code).toBe('insecure_redirect');
    expect((e as RedirectError).status).toBe(301);
    expect((e as RedirectError).location).toBe('http://omp.test/v1/me');
    expect(f.seen.map((s) => s.url)).toEqual(['https://omp.test/v1/me']);
    expect(f.seen[0]?.redirect).toBe('manual');
  });

  it('follows https -> https on another origin without Authorization, and back to the home origin with it', async () => {
    const f = fakeFetch({
      'https://omp.test/v1/me': { status: 302, location: 'https://elsewhere.test/v1/me' },
      'https://elsewhere.test/v1/me': { status: 307, location: 'https://omp.test/v1/me2' },
    });
    expect(await client('https://omp.test', f.fetch).request(get)).toEqual({ at: 'https://omp.test/v1/me2' });
    expect(f.seen.map((s) => [s.url, s.headers.authorization ?? null])).toEqual([
      ['https://omp.test/v1/me', 'Bearer k1'],
      ['https://elsewhere.test/v1/me', null],
      ['https://omp.test/v1/me2', 'Bearer k1'],
    ]);
  });

  it('treats another port of the same host as another origin', async () => {
    const f = fakeFetch({
      'http://127.0.0.1:1000/v1/me': { status: 308, location: 'http://127.0.0.1:2000/v1/me' },
    });
    await client('http://127.0.0.1:1000', f.fetch).request(get);
    expect(f.seen.map((s) => s.headers.authorization ?? null)).toEqual(['Bearer k1', null]);
  });

  it('resends method and body on 307/308; turns a POST into a body-less GET on 303', async () => {
    const f = fakeFetch({
      'http://omp.test/v1/memories': { status: 307, location: '/v1/memories2' },
      'http://omp.test/v1/memories2': { status: 303, location: '/v1/memories/mem_1' },
    });
    await client('http://omp.test', f.fetch).request(create);
    expect(f.seen.map((s) => [s.method, s.url, s.body, s.headers['content-type'] ?? null])).toEqual([
      ['POST', 'http://omp.test/v1/memories', '{"content":"x"}', 'application/json'],
      ['POST', 'http://omp.test/v1/memories2', '{"content":"x"}', 'application/json'],
      ['GET', 'http://omp.test/v1/memories/mem_1', null, null],
    ]);
  });

  it(`fails after ${maxRedirects} hops with too_many_redirects`, async () => {
    const f = fakeFetch({ 'http://omp.test/v1/me': { status: 302, location: '/v1/me' } });
    const e = await client('http://omp.test', f.fetch)
      .request(get)
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect((e as RedirectError).code).toBe('too_many_redirects');
    expect(f.seen).toHaveLength(maxRedirects + 1);
  });

  it('returns a 3xx without Location as an error response, not a redirect', async () => {
    const f = fakeFetch({ 'http://omp.test/v1/me': { status: 302 } });
    const e = await client('http://omp.test', f.fetch)
      .request(get)
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect(e).not.toBeInstanceOf(RedirectError);
    expect((e as RedirectError).status).toBe(302);
  });
});
