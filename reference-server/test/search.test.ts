import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  assertError,
  assertSchema,
  type Client,
  create,
  type Json,
  startTestServer,
  type TestServer,
} from './helpers.ts';

let srv: TestServer;
let api: Client;

beforeAll(async () => {
  srv = await startTestServer();
  api = srv.as();
});
afterAll(async () => {
  await srv.stop();
});

/** Create memories with a fresh principal-local marker so each test reads only its own data. */
async function seed(contents: (string | Record<string, unknown>)[]): Promise<Json[]> {
  const out = [];
  for (const c of contents) out.push(await create(api, typeof c === 'string' ? { content: c } : c));
  return out;
}
const ids = (res: Json) => res.body.memories.map((m: Json) => m.id);

describe('tokens and matching (§6.1)', () => {
  let cafe: Json[];
  beforeAll(async () => {
    cafe = await seed([
      'Met Zoë at the Café Lumière in São Paulo', // 0
      'cafe au lait every morning', // 1
      'CAFÉ opens at 8', // 2
      'the caféteria is closed', // 3: token "caféteria" is not "café"
      'deploy with make release', // 4
      'deploying is scary', // 5
      'NOT AND OR NEAR are words here', // 6
      'price: $5 (five) + tax * 2 ^ 3 "quoted"', // 7
      'emoji party 🎉🎉 time', // 8
      '東京 is Tokyo; straße is street', // 9
      'x-ray and e-mail and user_id', // 10
    ]);
  });
  const cases: [string, string, number[]][] = [
    ['case- and diacritic-insensitive (OMP-SEARCH-004)', 'cafe', [0, 1, 2]],
    ['diacritics on the query side', 'CAFÉ', [0, 1, 2]],
    ['any token matches (OR, OMP-SEARCH-030)', 'cafe morning', [0, 1, 2]],
    ['whole tokens only, no prefix', 'depl', []],
    ['stems conflate inflections', 'deploy', [4, 5]],
    ['operator words are plain tokens (OMP-SEARCH-006)', 'NOT AND', [6, 10]],
    ['OR does not mean or', 'cafe OR deploy', [0, 1, 2, 4, 5, 6]],
    ['quotes and operators are separators', '"five" + (tax) * ^', [7]],
    ['a stray quote is not an error', 'five"', [7]],
    ['column filter syntax is text', 'content:five', [7]],
    ['NEAR syntax is text', 'NEAR(cafe morning)', [0, 1, 2, 6]],
    ['punctuation splits tokens', 'x ray', [10]],
    ['underscore splits tokens', 'user id', [10]],
    ['CJK letters are tokens', '東京', [9]],
    ['emoji are not tokens', 'party 🎉', [8]],
    ['diacritic letter folding', 'Zoe Sao Paulo', [0]],
    ['query tokens repeated count once', 'cafe cafe CAFE', [0, 1, 2]],
  ];
  test.each(cases)('%s: %s', async (_name, q, want) => {
    const get = await api.get(`/v1/memories/search?q=${encodeURIComponent(q)}&limit=100`);
    const post = await api.post('/v1/memories/search', { q, limit: 100 });
    expect(post.status).toBe(200);
    assertSchema('search-response', post.body);
    expect(post.body.mode_used).toBe('keyword');
    const mine = new Set(cafe.map((m) => m.id));
    const found = ids(post).filter((id: string) => mine.has(id));
    expect(found.sort()).toEqual(want.map((i) => cafe[i].id).sort());
    expect(get.body).toEqual(post.body); // OMP-SEARCH-002
  });

  const noTokens = ['🎉', '"', '***', '( ) : ^ - +', '🎉 "" ~', '\u0000'];
  test.each(noTokens)('a query without tokens (%j) is 200 with nothing (OMP-SEARCH-007)', async (q) => {
    const res = await api.post('/v1/memories/search', { q });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ memories: [], total: 0, mode_used: 'keyword', limit: 20, offset: 0 });
  });

  test('hostile and odd input never causes a 5xx (OMP-SEARCH-008)', async () => {
    const nasty = [
      '"unterminated',
      'a" OR "b',
      "'; DROP TABLE memories; --",
      '*',
      'NEAR(a b, 3)',
      '{content}: a',
      'a AND',
      'OR',
      '^a',
      '\ud83d', // lone surrogate; JSON carries it as \ud83d
      'x'.repeat(1000),
      Array.from({ length: 500 }, () => 'a').join(' '),
      'é'.repeat(500),
      Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '),
      '\u202e\u200b\ufeff',
    ];
    for (const q of nasty) {
      const res = await api.post('/v1/memories/search', { q });
      // A lone surrogate is not Unicode text: 422 like any value that breaks the schema (SPEC.md §4.1).
      expect(res.status, q).toBe(q === '\ud83d' ? 422 : 200);
      let encoded: string;
      try {
        encoded = encodeURIComponent(q);
      } catch {
        encoded = '%ED%A0%BD%FF'; // not UTF-8 at all
      }
      const get = await api.get(`/v1/memories/search?q=${encoded}`);
      expect(get.status, q).toBeLessThan(500);
    }
  });
});

describe('ranking (OMP-SEARCH-010, -011, -033, -034)', () => {
  test('more of the query tokens rank above fewer (OMP-SEARCH-033)', async () => {
    const [one, both] = await seed(['ibex grazing on the slope', 'ibex and yak grazing']);
    const order = ids(await api.post('/v1/memories/search', { q: 'ibex yak' }));
    expect(order.indexOf(both.id)).toBeLessThan(order.indexOf(one.id));
  });

  test('a rare token outweighs a common one (OMP-SEARCH-034)', async () => {
    const common = await seed(Array.from({ length: 6 }, (_, i) => `okapi sighting number ${i}`));
    const [rare] = await seed(['tapir sighting report']);
    const order = ids(await api.post('/v1/memories/search', { q: 'okapi tapir' }));
    expect(order[0]).toBe(rare.id);
    expect(order).toEqual(expect.arrayContaining(common.map((m) => m.id)));
  });

  test('a question finds its answer among unrelated memories (stop words, stems, typos)', async () => {
    const [allergy, , restaurant] = await seed([
      'Maya is severely allergic to peanuts',
      'Maya likes the colour green and the smell of rain',
      'Her favourite restaurant is a noodle place',
    ]);
    const first = async (q: string) => ids(await api.post('/v1/memories/search', { q }))[0];
    expect(await first('Does she have any food allergies?')).toBe(allergy.id);
    expect(await first('what is her favourite resturant')).toBe(restaurant.id);
  });

  test('a larger share of a shorter content ranks first', async () => {
    const [long, short, mid] = await seed([
      'narwhal appears once in this rather long sentence about many other unrelated things entirely',
      'narwhal',
      'narwhal narwhal swimming',
    ]);
    const res = await api.post('/v1/memories/search', { q: 'narwhal' });
    const order = ids(res);
    expect(order.indexOf(short.id)).toBeLessThan(order.indexOf(long.id));
    expect(order.indexOf(mid.id)).toBeLessThan(order.indexOf(long.id));
  });

  test('equal relevance is ordered by created_at desc, then id desc; pages agree', async () => {
    const same = await seed(Array.from({ length: 12 }, () => 'identical quokka sentence'));
    const want = [...same]
      .sort((x, y) => (`${x.created_at}|${x.id}` < `${y.created_at}|${y.id}` ? 1 : -1))
      .map((m) => m.id);
    const all = await api.post('/v1/memories/search', { q: 'quokka', limit: 100 });
    expect(ids(all)).toEqual(want);
    const paged: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const page = await api.post('/v1/memories/search', { q: 'quokka', limit: 5, offset });
      expect(page.body.total).toBe(12);
      paged.push(...ids(page));
    }
    expect(paged).toEqual(want);
  });
});

describe('filters, limit, offset (OMP-SEARCH-009, -012, -013)', () => {
  let set: Json[];
  beforeAll(async () => {
    set = await seed([
      { content: 'wombat one', type: 'semantic', tags: ['x'], namespace: 'n1', source: { tool: 'claude' } },
      {
        content: 'wombat two',
        type: 'episodic',
        tags: ['x', 'y'],
        namespace: 'n1',
        source: { tool: 'cursor' },
      },
      { content: 'wombat three', type: 'semantic', tags: ['y'], source: { tool: 'cursor' } },
      { content: 'wombat four', type: 'procedural', tags: [], namespace: 'n2', source: { tool: 'claude' } },
    ]);
  });
  const cases: [string, Record<string, unknown>, string, number[]][] = [
    ['type', { type: 'semantic' }, 'type=semantic', [0, 2]],
    ['tool', { tool: 'cursor' }, 'tool=cursor', [1, 2]],
    ['tags AND', { tags: ['x', 'y'] }, 'tags=x,y', [1]],
    ['namespace', { namespace: 'n1' }, 'namespace=n1', [0, 1]],
    ['combined', { type: 'semantic', tool: 'cursor' }, 'type=semantic&tool=cursor', [2]],
  ];
  test.each(cases)('%s', async (_n, filters, query, want) => {
    const post = await api.post('/v1/memories/search', { q: 'wombat', ...filters });
    expect(ids(post).sort()).toEqual(want.map((i) => set[i].id).sort());
    expect(post.body.total).toBe(want.length);
    const get = await api.get(`/v1/memories/search?q=wombat&${query}`);
    expect(get.body).toEqual(post.body);
  });

  test('total ignores limit and offset; offset past the end is empty', async () => {
    const page = await api.post('/v1/memories/search', { q: 'wombat', limit: 1, offset: 1 });
    expect(page.body).toMatchObject({ total: 4, limit: 1, offset: 1 });
    expect(page.body.memories).toHaveLength(1);
    const past = await api.post('/v1/memories/search', { q: 'wombat', offset: 10 });
    expect(past.body).toMatchObject({ total: 4, memories: [] });
  });

  test('semantic and hybrid fall back to keyword (OMP-SEARCH-015)', async () => {
    for (const mode of ['semantic', 'hybrid', 'keyword']) {
      const res = await api.post('/v1/memories/search', { q: 'wombat', mode });
      expect(res.body.mode_used).toBe('keyword');
      expect(res.body.total).toBe(4);
    }
  });

  test('search results never carry embeddings (OMP-MEM-016)', async () => {
    await create(api, { content: 'embedded dingo', embedding: [0.5] });
    const res = await api.post('/v1/memories/search', { q: 'dingo' });
    expect(res.body.memories[0]).not.toHaveProperty('embedding');
  });
});

describe('invalid searches are 422 (OMP-SEARCH-016)', () => {
  const bodies: [string, unknown, string][] = [
    ['missing q', {}, '/q'],
    ['empty q', { q: '' }, '/q'],
    ['white-space q', { q: '   ' }, '/q'],
    ['q too long', { q: 'a'.repeat(1001) }, '/q'],
    ['bad mode', { q: 'a', mode: 'fuzzy' }, '/mode'],
    ['limit 0', { q: 'a', limit: 0 }, '/limit'],
    ['limit as string', { q: 'a', limit: '5' }, '/limit'],
    ['offset negative', { q: 'a', offset: -1 }, '/offset'],
    ['tags as string', { q: 'a', tags: 'x' }, '/tags'],
    ['unknown member', { q: 'a', fuzzy: true }, '/fuzzy'],
  ];
  test.each(bodies)('POST with %s', async (_n, body, path) => {
    const res = await api.post('/v1/memories/search', body);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors.map((e: Json) => e.path)).toContain(path);
  });

  const queries: [string, string, string][] = [
    ['missing q', 'limit=5', '?q'],
    ['bad limit', 'q=a&limit=x', '?limit'],
    ['unknown parameter', 'q=a&sort=created_at_desc', '?sort'],
    ['repeated q', 'q=a&q=b', '?q'],
    ['bad tags', 'q=a&tags=A', '?tags'],
  ];
  test.each(queries)('GET with %s', async (_n, query, path) => {
    const res = await api.get(`/v1/memories/search?${query}`);
    assertError(res, 422, 'validation_error');
    expect(res.body.details.errors.map((e: Json) => e.path)).toContain(path);
  });
});
