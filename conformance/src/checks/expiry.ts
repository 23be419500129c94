/**
 * Expiry (SPEC §3.8). One shared fixture creates short-lived memories (0.8 s or more by the server's clock, learnt
 * from created_at), so the checks that need them wait concurrently, once.
 */
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { countsAgree } from './health.ts';
import { createTimed, exportAll, list, memPath, search, serverTimeIn } from './helpers.ts';

/**
 * How long the short-lived memories live: long enough for the requests that must land before expiry (a few round
 * trips, measured on the create that learns the server clock), short enough to keep the run fast.
 */
function lifetime(createMs: number): number {
  return Math.min(5000, Math.max(800, Math.round(createMs * 4) + 500));
}

/** Create a memory with token A, learning the server clock and the round-trip time. */
async function timedCreate(
  t: CheckContext,
  overrides: Record<string, unknown> = {},
): Promise<{ m: Memory; ms: number }> {
  const started = performance.now();
  const m = await createTimed(t, overrides);
  return { m, ms: performance.now() - started };
}

/** Memories of the expiry fixture. */
export interface ExpiryFixture {
  token: string;
  tag: string;
  /** Expires; only read. */
  reader: Memory;
  /** Expires; used by the write attempts of OMP-EXP-003. */
  writer: Memory;
  /** Never expires. */
  keeper: Memory;
  /** Server time (ms) after which all three have expired. */
  expiresAt: number;
}

/** Build (once per run) the expiry fixture. */
export function expiryFixture(t: CheckContext): Promise<ExpiryFixture> {
  return t.fixture('expiry', async () => {
    const token = `zq${t.run.runId}exp`;
    const tag = `${t.run.tag}-ef`;
    const tags = [t.run.tag, tag];
    const { m: keeper, ms } = await timedCreate(t, { content: `keeper ${token}`, tags, expires_at: null });
    const at = serverTimeIn(t, lifetime(ms));
    const mk = (what: string) => t.api.create(t.body({ content: `${what} ${token}`, tags, expires_at: at }));
    const [reader, writer] = await Promise.all([mk('reader'), mk('writer')]);
    return { token, tag, reader, writer, keeper, expiresAt: Date.parse(at) };
  });
}

/**
 * Wait until the fixture's memories have certainly expired by the server's clock (plus a margin): judged by the
 * earliest the server clock can be, so a slow request leg never makes the runner ask too soon.
 */
async function waitExpired(t: CheckContext, f: ExpiryFixture): Promise<void> {
  const wait = f.expiresAt - t.serverNowAtLeast() + 100;
  if (wait > 0) await t.sleep(wait);
}

check(
  'OMP-EXP-001',
  'MUST treat a memory as expired from its expires_at on, and never expire one with null',
  async (t) => {
    const f = await expiryFixture(t);
    const before = await t.api.get(memPath(f.reader.id));
    if (t.serverNowAtMost() < f.expiresAt - 100 && before.status !== 200)
      t.fail(`a memory not yet expired answers ${before.describe()}`, before);
    await waitExpired(t, f);
    const after = await t.api.get(memPath(f.reader.id));
    if (after.status === 200)
      t.fail(`a memory past its expires_at (${f.reader.expires_at}) is still returned`, after);
    after.expectError(404, 'memory_not_found');
    (await t.api.get(memPath(f.keeper.id))).expect(200, 'memory');
  },
);

check(
  'OMP-EXP-003',
  'MUST answer get, update and delete of an expired memory with 404 memory_not_found',
  async (t) => {
    const f = await expiryFixture(t);
    await waitExpired(t, f);
    (await t.api.get(memPath(f.writer.id))).expectError(404, 'memory_not_found');
    (await t.api.put(memPath(f.writer.id), { content: 'write after expiry' })).expectError(
      404,
      'memory_not_found',
    );
    (await t.api.del(memPath(f.writer.id))).expectError(404, 'memory_not_found');
  },
);

check(
  'OMP-EXP-004',
  'MUST NOT include expired memories in list or search results or their totals',
  async (t) => {
    const f = await expiryFixture(t);
    await waitExpired(t, f);
    const { body, res } = await list(t.api, { tags: f.tag, limit: 50 });
    const gone = [f.reader.id, f.writer.id];
    if (body.memories.some((m) => gone.includes(m.id))) t.fail('list returns an expired memory', res);
    if (body.total !== 1)
      t.fail(`list total ${body.total} counts expired memories (want 1, the keeper)`, res);
    const { body: s, res: sres } = await search(t.api, { q: f.token });
    if (s.memories.some((m) => gone.includes(m.id))) t.fail('search returns an expired memory', sres);
    if (s.total !== 1) t.fail(`search total ${s.total} counts expired memories (want 1, the keeper)`, sres);
  },
);

check('OMP-EXP-005', 'MUST NOT include expired memories in export', async (t) => {
  const f = await expiryFixture(t);
  await waitExpired(t, f);
  const { body, res } = await exportAll(t.api);
  if (body.memories.some((m) => m.id === f.reader.id || m.id === f.writer.id))
    t.fail('export contains an expired memory', res);
  if (!body.memories.some((m) => m.id === f.keeper.id))
    t.fail('export lacks a memory that never expires', res);
});

check(
  'OMP-EXP-005.count',
  'MUST NOT count expired memories in health memories_count',
  async (t) => {
    const f = await expiryFixture(t);
    await waitExpired(t, f);
    await countsAgree(t, t.api);
  },
  { exclusive: true },
);

check('OMP-EXP-008', 'MUST make a memory whose expires_at is updated to null never expire', async (t) => {
  // Its own memory, so the update is sent in time even when checks run one after another.
  const { ms } = await timedCreate(t); // learns the server clock and the round trip
  // The update must land before the expiry: on a slow server try again with a longer lifetime.
  let at = '';
  let m: Memory | undefined;
  let res: Awaited<ReturnType<typeof t.api.put>> | undefined;
  for (let life = lifetime(ms); life <= 40_000; life *= 3) {
    at = serverTimeIn(t, life);
    m = await t.api.create(t.body({ expires_at: at }));
    res = await t.api.put(memPath(m.id), { expires_at: null });
    if (res.status !== 404) break;
    t.note(`the update arrived after an expiry ${life} ms ahead; trying a longer lifetime`);
  }
  if (!m || !res || res.status === 404)
    return t.skip('not-applicable', 'the server is too slow to update a memory before a 40 s expiry');
  const u = res.expect<Memory>(200, 'memory');
  if (u.expires_at !== null) t.fail(`expires_at is ${u.expires_at} after setting null`, res);
  const wait = Date.parse(at) - t.serverNowAtLeast() + 100;
  if (wait > 0) await t.sleep(wait);
  const g = await t.api.get(memPath(m.id));
  if (g.status !== 200) t.fail(`the memory expired although its expires_at was cleared: ${g.describe()}`, g);
});
