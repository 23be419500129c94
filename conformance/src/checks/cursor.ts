/** Cursor pagination of lists (SPEC.md §5.2). */
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, memPath } from './helpers.ts';

interface Page {
  memories: Memory[];
  total: number;
  offset: number;
  next_cursor?: string | null;
}

/** Walk the check's memories by cursor, running `between` after every page; the ids in walk order. */
async function walk(
  t: CheckContext,
  query: Record<string, string | number>,
  between: (page: number) => Promise<void> = async () => {},
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await t.api.get('/v1/memories', cursor ? { ...query, cursor } : query);
    const body = res.expect<Page>(200, 'list-response');
    seen.push(...body.memories.map((m) => m.id));
    cursor = body.next_cursor;
    if (cursor === null || cursor === undefined) return seen;
    await between(page);
  }
  return t.fail('the walk did not end after 100 pages');
}

check(
  'OMP-LIST-017',
  'MUST carry next_cursor: a cursor while the result continues, null on its last page',
  async (t) => {
    for (let i = 0; i < 3; i++) await t.create();
    const first = (await t.api.get('/v1/memories', { tags: t.tag, limit: 2 })).expect<Page>(
      200,
      'list-response',
    );
    if (typeof first.next_cursor !== 'string' || !/^[A-Za-z0-9_-]{1,1000}$/.test(first.next_cursor))
      t.fail(`next_cursor of a page with more to come is ${JSON.stringify(first.next_cursor)}`);
    const last = (await t.api.get('/v1/memories', { tags: t.tag, limit: 3 })).expect<Page>(
      200,
      'list-response',
    );
    if (last.next_cursor !== null)
      t.fail(`next_cursor of the last page is ${JSON.stringify(last.next_cursor)}, want null`);
  },
);

check('OMP-LIST-018', 'MUST continue a list after the cursor’s page, in the order of sort', async (t) => {
  for (let i = 0; i < 5; i++) await t.create();
  for (const sort of ['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc']) {
    const all = (await t.api.get('/v1/memories', { tags: t.tag, sort, limit: 100 })).expect<Page>(
      200,
      'list-response',
    );
    const walked = await walk(t, { tags: t.tag, sort, limit: 2 });
    t.equal(
      walked,
      all.memories.map((m) => m.id),
      `the walk by cursors under ${sort}`,
    );
  }
});

check(
  'OMP-LIST-019',
  'MUST neither skip nor repeat, walking by cursors, while memories are created, updated and deleted',
  async (t) => {
    const stable: string[] = [];
    for (let i = 0; i < 9; i++) stable.push((await t.create()).id);
    const victim = await t.create();
    const walked = await walk(t, { tags: t.tag, limit: 3 }, async (page) => {
      // Writes between pages: a newer memory (it sorts before the walk's position) and a deletion.
      await t.create();
      if (page === 0) {
        (await t.api.del(memPath(victim.id))).expectNoContent();
        t.forget(victim.id);
      }
    });
    const twice = walked.filter((id, i) => walked.indexOf(id) !== i);
    if (twice.length) t.fail(`the walk returned ${twice.join(', ')} twice`);
    const missed = stable.filter((id) => !walked.includes(id));
    if (missed.length) t.fail(`the walk skipped ${missed.join(', ')}, which existed throughout`);
  },
  { also: ['OMP-LIST-020'] },
);

check(
  'OMP-LIST-021',
  'MUST reject a cursor with offset, with other filters or sort, or not issued by the server, with 422 ?cursor',
  async (t) => {
    for (let i = 0; i < 3; i++) await t.create();
    const first = (await t.api.get('/v1/memories', { tags: t.tag, limit: 1 })).expect<Page>(
      200,
      'list-response',
    );
    const c = first.next_cursor as string;
    const cases: Array<[string, Record<string, string | number>]> = [
      ['with offset', { tags: t.tag, limit: 1, cursor: c, offset: 1 }],
      ['with another sort', { tags: t.tag, limit: 1, cursor: c, sort: 'updated_at_asc' }],
      ['with another filter', { tags: t.tag, limit: 1, cursor: c, type: 'episodic' }],
      ['forged', { tags: t.tag, limit: 1, cursor: 'bm90LWEtY3Vyc29y' }],
    ];
    for (const [what, q] of cases) {
      const res = await t.api.get('/v1/memories', q);
      expect422(t, res, `a cursor ${what}`);
      const paths = (
        (res.json as { details?: { errors?: Array<{ path?: string }> } }).details?.errors ?? []
      ).map((e) => e.path);
      if (!paths.includes('?cursor'))
        t.fail(`a cursor ${what}: the 422 does not name ?cursor (${paths.join(', ')})`, res);
    }
  },
);

check(
  'OMP-LIST-022',
  'MUST report as offset of a cursor page the matches before it, and the total',
  async (t) => {
    for (let i = 0; i < 5; i++) await t.create();
    const p1 = (await t.api.get('/v1/memories', { tags: t.tag, limit: 2 })).expect<Page>(
      200,
      'list-response',
    );
    const p2 = (
      await t.api.get('/v1/memories', { tags: t.tag, limit: 2, cursor: p1.next_cursor as string })
    ).expect<Page>(200, 'list-response');
    if (p2.offset !== 2) t.fail(`offset of the second page is ${p2.offset}, want 2`);
    if (p2.total !== 5) t.fail(`total of the second page is ${p2.total}, want 5`);
  },
);
