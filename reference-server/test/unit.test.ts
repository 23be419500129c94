import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, test } from 'vitest';
import { parseJson } from '../src/http/body.ts';
import { newMemoryId } from '../src/model/ids.ts';
import { ceilMs, floorMs, sortKey } from '../src/model/time.ts';
import { anyOf, queryTerms, tokenize } from '../src/search/tokenize.ts';
import { allowedEdits, editDistance, withCorrections } from '../src/search/typos.ts';
import { openDatabase } from '../src/storage/database.ts';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { migrations } from '../src/storage/migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'omp-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokenisation vectors (spec/vectors/tokenize.json, §6.1)', () => {
  const file = JSON.parse(
    readFileSync(new URL('../../spec/vectors/tokenize.json', import.meta.url), 'utf8'),
  ) as { vectors: { text: string; tokens: string[]; note: string }[] };
  test.each(file.vectors.map((v) => [v.note, v] as const))('%s', (_note, v) => {
    expect(tokenize(v.text).map((t) => t.text)).toEqual(v.tokens);
  });
});

describe('query terms (§6.1)', () => {
  const tokensOf = (q: string) => queryTerms(q).map((t) => t.token);
  test('stop words of the detected language go, content words stay', () => {
    expect(tokensOf('What is the name of her son?')).toEqual(['name', 'son']);
    expect(tokensOf('Wie heißt seine Frau?')).toEqual(['heisst', 'frau']);
  });
  test('a fragment without stop-word evidence keeps every token', () => {
    expect(tokensOf('son name')).toEqual(['son', 'name']);
  });
  test('a query of stop words only is searched as it is', () => {
    expect(tokensOf('what is it')).toEqual(['what', 'is', 'it']);
  });
  test('Japanese queries drop hiragana-only bigrams and add Han unigrams', () => {
    expect(tokensOf('弟は何をしていますか')).toEqual(['弟は', 'は何', '何を', '弟', '何']);
  });
  test('words carry their stems; stems conflate inflections across languages', () => {
    const terms = (q: string) => new Set(queryTerms(q).flatMap((t) => t.terms));
    expect(terms('allergies')).toContain('allergi');
    expect(terms('Allergien')).toContain('allergi');
    expect(terms('deploying')).toEqual(new Set(['deploying', 'deploi']));
  });
  test('quotes and operators are plain separators and words (OMP-SEARCH-006)', () => {
    expect(tokensOf('"quoted" AND (grouped) OR NOT')).toEqual(['quoted', 'grouped']);
    expect(tokensOf('🎉🚀 ... ---')).toEqual([]);
  });
  test('anyOf quotes every term, so nothing is FTS5 syntax', () => {
    expect(anyOf([{ token: 'a"b', terms: ['a"b', 'ab'] }])).toBe('"a""b" OR "ab"');
  });
});

describe('typo corrections', () => {
  test('edit distance with transpositions, cut off past the maximum', () => {
    expect(editDistance('resturant', 'restaurant', 2)).toBe(1);
    expect(editDistance('alergies', 'allergies', 1)).toBe(1);
    expect(editDistance('teh', 'the', 1)).toBe(1);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });
  test('edits allowed grow with length', () => {
    expect([4, 5, 8, 9].map(allowedEdits)).toEqual([0, 1, 1, 2]);
  });
  test('only a word none of whose terms is indexed is corrected, to the nearest indexed terms', () => {
    const vocab = [
      { term: 'restaurant', docs: 3 },
      { term: 'restaurants', docs: 1 },
      { term: 'rest', docs: 9 },
    ];
    const known = (t: string) => vocab.some((v) => v.term === t);
    const starting = (c: string) => vocab.filter((v) => v.term.startsWith(c));
    const [fixed] = withCorrections(queryTerms('resturant'), known, starting);
    expect(fixed?.terms).toContain('restaurant');
    const known2 = queryTerms('restaurants');
    expect(withCorrections(known2, known, starting)).toEqual(known2);
  });
});

describe('JSON bodies: nesting limit', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const cases: [string, string, 'ok' | 'validation_error' | 'malformed_json'][] = [
    ['brackets inside strings do not count', `{"a":"${'['.repeat(300)}","b":[1]}`, 'ok'],
    ['escaped quotes do not end a string', `{"a":"\\"${'['.repeat(300)}"}`, 'ok'],
    ['an escaped backslash ends before the quote', `{"a":"x\\\\","b":${deep(10)}}`, 'ok'],
    ['256 levels are fine', deep(256), 'ok'],
    ['257 levels are not', deep(257), 'validation_error'],
    ['unterminated string is malformed', '{"a":"[[[', 'malformed_json'],
  ];
  test.each(cases)('%s', (_n, text, want) => {
    let got = 'ok';
    try {
      parseJson(Buffer.from(text));
    } catch (err) {
      got = (err as { code: string }).code;
    }
    expect(got).toBe(want);
  });
});

describe('timestamps', () => {
  const cases: [string, string, number, number][] = [
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000000000', 1767225600000, 1767225600000],
    ['2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.500000000', 1767225600500, 1767225600500],
    ['2026-01-01T00:00:00.0001Z', '2026-01-01T00:00:00.000100000', 1767225600001, 1767225600000],
    ['2026-01-01T00:00:00.999999999Z', '2026-01-01T00:00:00.999999999', 1767225601000, 1767225600999],
  ];
  test.each(cases)('%s', (ts, key, ceil, floor) => {
    expect(sortKey(ts)).toBe(key);
    expect(ceilMs(ts)).toBe(ceil);
    expect(floorMs(ts)).toBe(floor);
  });
  test('years below 100 are not mapped to 19xx', () => {
    const d = new Date(ceilMs('0042-06-01T00:00:00Z'));
    expect(d.getUTCFullYear()).toBe(42);
  });
  test('sort keys order like instants across precisions', () => {
    const stamps = [
      '2026-01-01T00:00:00.1Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.09Z',
      '2025-12-31T23:59:59.999999999Z',
    ];
    expect([...stamps].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual([
      stamps[3],
      stamps[1],
      stamps[2],
      stamps[0],
    ]);
  });
});

test('ids match the pattern and do not repeat', () => {
  const ids = new Set(Array.from({ length: 20_000 }, newMemoryId));
  expect(ids.size).toBe(20_000);
  for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(/^mem_[a-z0-9]{16}$/);
});

describe('store', () => {
  const body = (content: string) => ({ content, type: 'semantic' as const, source: { tool: 't' } });

  test('group commit: concurrent writes share transactions; a failing write leaves no trace', async () => {
    const store = MemoryStore.open(join(dir, 'gc.db'));
    try {
      const vis = { principal: 'p', ownTool: null };
      const before = store.commitStats.commits;
      const results = await Promise.allSettled([
        ...Array.from({ length: 50 }, (_, i) => store.create('p', body(`batch ${i}`))),
        store.update(vis, null, 'mem_doesnotexist0000', { content: 'x' }),
        store.delete(vis, null, 'mem_doesnotexist0000'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
      expect(store.commitStats.commits - before).toBe(1);
      expect(store.count(vis)).toBe(50);
    } finally {
      store.close();
    }
  });

  test('whatever the content, each of its tokens finds it (index and query tokenise alike)', async () => {
    const store = new MemoryStore(openDatabase(':memory:'));
    try {
      const pieces = [
        'Café',
        'ÉCOLE',
        'straße',
        'Ωμέγα',
        'Жёлтый',
        '東京',
        'ﾃｽﾄ',
        'हिन्दी',
        'עברית',
        'العربية',
        'e\u0301',
        'İstanbul',
        'ǅemal',
        '٣٤',
        'x²',
        '½',
        '🥑',
        '🎉',
        '"',
        "'",
        '*',
        '-',
        '_',
        ':',
        '(',
        ')',
        '^',
        'NEAR',
        'AND',
        'OR',
        'NOT',
        '\u200b',
        '\u00a0',
        '\t',
        '𝔘𝔫𝔦',
        'ﬁne',
        '\ue000',
      ];
      let seed = 7;
      const rnd = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
      };
      const vis = { principal: 'p', ownTool: null };
      for (let n = 0; n < 150; n++) {
        let content = '';
        const len = 1 + Math.floor(rnd() * 8);
        for (let i = 0; i < len; i++)
          content += pieces[Math.floor(rnd() * pieces.length)] + (rnd() < 0.5 ? ' ' : '');
        if (!/\S/.test(content)) content += 'z';
        const m = await store.create('p', body(content));
        for (const term of queryTerms(content)) {
          const token = term.token;
          const page = store.search(vis, [term], {}, 100, 0);
          expect(
            page.rows.map((r) => r.id),
            `${JSON.stringify(token)} in ${JSON.stringify(content)}`,
          ).toContain(m.id);
        }
      }
    } finally {
      store.close();
    }
  });

  test('totals stay exact with one or several principals (counts table, filter-index shortcut)', async () => {
    const store = new MemoryStore(openDatabase(':memory:'), { cacheTotals: false });
    try {
      const p = { principal: 'p', ownTool: null };
      const q = { principal: 'q', ownTool: null };
      for (let i = 0; i < 30; i++) {
        await store.create('p', {
          ...body(`p ${i}`),
          type: i % 2 ? 'episodic' : 'semantic',
          tags: i % 3 ? ['x'] : [],
        });
      }
      const totals = (v: typeof p) => [
        store.count(v),
        store.list(v, {}, 'created_at_desc', 1, 0).total,
        store.list(v, { type: 'semantic' }, 'created_at_desc', 1, 0).total,
        store.list(v, { tags: ['x'] }, 'created_at_desc', 1, 0).total,
      ];
      expect(totals(p)).toEqual([30, 30, 15, 20]);
      const other = await store.create('q', { ...body('q 0'), tags: ['x'] });
      expect(totals(p)).toEqual([30, 30, 15, 20]);
      expect(totals(q)).toEqual([1, 1, 1, 1]);
      await store.delete(q, null, other.id);
      expect(totals(q)).toEqual([0, 0, 0, 0]);
      expect(totals(p)).toEqual([30, 30, 15, 20]);
      const item = {
        ...body('imported'),
        id: 'mem_imported00000001',
        tags: ['x'],
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        expires_at: null,
        source: { tool: 't', timestamp: '2026-01-01T00:00:00Z' },
      };
      await store.import(q, null, [item, item], 'duplicate');
      expect(totals(q)).toEqual([2, 2, 2, 2]);
    } finally {
      store.close();
    }
  });

  test('migrations: version recorded, reopen is a no-op, a newer database is refused', () => {
    const path = join(dir, 'mig.db');
    openDatabase(path).close();
    const db = openDatabase(path);
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(
      migrations.length,
    );
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => openDatabase(path)).toThrow(/newer than this server supports/);
    const raw = new DatabaseSync(path);
    raw.close();
  });

  test('migration 5 drops the FTS5 content index; memories written before stay searchable, typos too', async () => {
    const path = join(dir, 'mig5.db');
    const before = MemoryStore.open(path, { cacheTotals: false });
    await before.create('p', { content: 'allergic to peanuts', type: 'semantic', source: { tool: 't' } });
    before.close();
    const tables = (db: DatabaseSync) =>
      (
        db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'memories_%'").all() as { name: string }[]
      ).map((r) => r.name);
    // Back to version 3 as the 0.4.0 server left it: migration 3 builds the FTS5 content index from the rows.
    const raw = new DatabaseSync(path);
    raw.exec('CREATE VIRTUAL TABLE memories_text USING fts5(content)');
    (migrations[2] as (db: DatabaseSync) => void)(raw);
    raw.exec('DROP TABLE filter_counts; DROP TABLE list_version; PRAGMA user_version = 3');
    expect(tables(raw)).toEqual(expect.arrayContaining(['memories_text', 'memories_vocab']));
    raw.close();
    const store = MemoryStore.open(path, { cacheTotals: false });
    try {
      expect(tables(store.database)).not.toContain('memories_text');
      expect(tables(store.database)).not.toContain('memories_vocab');
      const vis = { principal: 'p', ownTool: null };
      for (const q of ['peanuts', 'penauts', 'allergy']) {
        expect(
          store.search(vis, queryTerms(q), {}, 10, 0).rows.map((r) => r.content),
          q,
        ).toEqual(['allergic to peanuts']);
      }
    } finally {
      store.close();
    }
  });
});

describe('command line: connection and MCP limits', () => {
  test('flags and variables reach the start options', async () => {
    const { parseCli } = await import('../src/config.ts');
    const r = parseCli(
      [
        '--max-connections',
        '64',
        '--headers-timeout',
        '5000',
        '--mcp-allowed-origins',
        'https://a.example, https://b.example',
      ],
      { OMP_MCP_MAX_SESSIONS_PER_KEY: '4', OMP_KEEP_ALIVE_TIMEOUT: '30000' },
    );
    expect(r.kind === 'start' && r.options.connections).toEqual({
      maxConnections: 64,
      headersTimeoutMs: 5000,
      keepAliveTimeoutMs: 30000,
    });
    expect(r.kind === 'start' && r.options.mcp).toEqual({
      maxSessionsPerKey: 4,
      allowedOrigins: ['https://a.example', 'https://b.example'],
    });
  });
});

describe('command line: the HNSW threshold of a PostgreSQL store', () => {
  test('--vector-exact-below and OMP_VECTOR_EXACT_BELOW reach the start options (the flag wins)', async () => {
    const { parseCli } = await import('../src/config.ts');
    const fromEnv = parseCli([], { OMP_VECTOR_EXACT_BELOW: '0' });
    expect(fromEnv.kind === 'start' && fromEnv.options.vectorExactBelow).toBe(0);
    const both = parseCli(['--vector-exact-below', '2500'], { OMP_VECTOR_EXACT_BELOW: '0' });
    expect(both.kind === 'start' && both.options.vectorExactBelow).toBe(2500);
    const none = parseCli([], {});
    expect(none.kind === 'start' && 'vectorExactBelow' in none.options).toBe(false);
  });
});

describe('worker messages: Outbox', () => {
  test('what is sent in one turn arrives as one message, in order, transfers included', async () => {
    const { MessageChannel } = await import('node:worker_threads');
    const { Outbox } = await import('../src/storage/worker-protocol.ts');
    const { port1, port2 } = new MessageChannel();
    const received: unknown[] = [];
    port2.on('message', (m) => received.push(m));
    const inner = new MessageChannel();
    const outbox = new Outbox<{ n: number; port?: unknown }>((m, transfer) =>
      port1.postMessage(m, transfer as never),
    );
    outbox.send({ n: 1 });
    outbox.send({ n: 2, port: inner.port1 }, [inner.port1]);
    outbox.send({ n: 3 });
    await new Promise((r) => setTimeout(r, 20));
    outbox.send({ n: 4 });
    await new Promise((r) => setTimeout(r, 20));
    expect(received.map((m) => (m as { batch: { n: number }[] }).batch.map((x) => x.n))).toEqual([
      [1, 2, 3],
      [4],
    ]);
    const sent = (received[0] as { batch: { port: unknown }[] }).batch[1]?.port;
    expect(sent?.constructor.name).toBe('MessagePort'); // transferred, not cloned (a port cannot be cloned)
    port1.close();
    inner.port2.close();
  });
});
