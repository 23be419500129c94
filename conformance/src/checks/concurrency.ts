/** Conditional requests and idempotent retries (SPEC.md §5.8, §5.9). */
import { randomBytes } from 'node:crypto';
import { check } from '../core/registry.ts';
import type { Memory } from '../core/wire.ts';
import { expect422, list, memPath } from './helpers.ts';

const STRONG = /^"[\x21\x23-\x7e\x80-\xff]*"$/;

check('OMP-ETAG-001', 'MUST send a strong ETag with every memory of create, get and update', async (t) => {
  const created = await t.api.post('/v1/memories', t.body());
  const m = created.expect<Memory>(201, 'memory');
  const got = await t.api.get(memPath(m.id));
  got.expect(200, 'memory');
  const upd = await t.api.put(memPath(m.id), { tags: t.tags('etag') });
  upd.expect(200, 'memory');
  for (const [what, res] of [
    ['create', created],
    ['get', got],
    ['update', upd],
  ] as const) {
    const tag = res.headers.etag;
    if (!tag || !STRONG.test(tag))
      t.fail(`${what}: ETag is ${JSON.stringify(tag)}, want a strong "…" tag`, res);
  }
});

check(
  'OMP-ETAG-002',
  'MUST change the ETag with the memory, and get MUST return the last write’s ETag',
  async (t) => {
    const created = await t.api.post('/v1/memories', t.body());
    const m = created.expect<Memory>(201, 'memory');
    const first = (await t.api.get(memPath(m.id))).headers.etag;
    if (first !== created.headers.etag)
      t.fail(`get ETag ${first} differs from the create's ${created.headers.etag}`);
    const upd = await t.api.put(memPath(m.id), { content: `${m.content} (changed)` });
    upd.expect(200, 'memory');
    if (upd.headers.etag === created.headers.etag) t.fail('the ETag did not change when the memory did', upd);
    const after = await t.api.get(memPath(m.id));
    if (after.headers.etag !== upd.headers.etag)
      t.fail(`get ETag ${after.headers.etag} differs from the update's ${upd.headers.etag}`, after);
  },
);

check(
  'OMP-ETAG-003',
  'MUST answer an update or delete with a stale If-Match with 412 and change nothing (no lost update)',
  async (t) => {
    const created = await t.api.post('/v1/memories', t.body({ tags: t.tags('a') }));
    const m = created.expect<Memory>(201, 'memory');
    const seen = created.headers.etag as string;
    // Two tools read the same state; the first writes, the second must not overwrite it blindly.
    (
      await t.api.req('PUT', memPath(m.id), {
        json: { tags: t.tags('a', 'b') },
        headers: { 'if-match': seen },
      })
    ).expect(200);
    const lost = await t.api.req('PUT', memPath(m.id), {
      json: { tags: t.tags('a', 'c') },
      headers: { 'if-match': seen },
    });
    lost.expectError(412, 'precondition_failed');
    const now = await t.api.getMemory(m.id);
    t.equal(now.tags, t.tags('a', 'b'), 'tags after a rejected stale update', lost);
    const del = await t.api.req('DELETE', memPath(m.id), { headers: { 'if-match': seen } });
    del.expectError(412, 'precondition_failed');
    (await t.api.get(memPath(m.id))).expect(200, 'memory');
  },
);

check('OMP-ETAG-004', 'MUST process a write whose If-Match lists the current ETag or is *', async (t) => {
  const created = await t.api.post('/v1/memories', t.body());
  const m = created.expect<Memory>(201, 'memory');
  const tag = created.headers.etag as string;
  const a = await t.api.req('PUT', memPath(m.id), {
    json: { tags: t.tags('x') },
    headers: { 'if-match': `"other", ${tag}` },
  });
  a.expect(200, 'memory');
  const b = await t.api.req('PUT', memPath(m.id), {
    json: { tags: t.tags('y') },
    headers: { 'if-match': '*' },
  });
  b.expect(200, 'memory');
  const c = await t.api.req('DELETE', memPath(m.id), { headers: { 'if-match': b.headers.etag as string } });
  c.expectNoContent();
  t.forget(m.id);
});

check('OMP-ETAG-005', 'MUST compare If-Match strongly: a weak tag never matches', async (t) => {
  const created = await t.api.post('/v1/memories', t.body());
  const m = created.expect<Memory>(201, 'memory');
  const res = await t.api.req('PUT', memPath(m.id), {
    json: { tags: t.tags('weak') },
    headers: { 'if-match': `W/${created.headers.etag}` },
  });
  res.expectError(412, 'precondition_failed');
});

check('OMP-ETAG-006', 'MUST answer a write of an invisible memory 404 whatever If-Match says', async (t) => {
  const m = await t.create();
  (await t.api.del(memPath(m.id))).expectNoContent();
  t.forget(m.id);
  const res = await t.api.req('PUT', memPath(m.id), {
    json: { tags: t.tags() },
    headers: { 'if-match': '*' },
  });
  res.expectError(404, 'memory_not_found');
});

const key = () => `omp-conformance-${randomBytes(12).toString('hex')}`;

check(
  'OMP-IDEM-002',
  'MUST answer a retried create with the same Idempotency-Key with the first response, storing one memory',
  async (t) => {
    const h = { 'idempotency-key': key() };
    const body = t.body();
    const first = await t.api.req('POST', '/v1/memories', { json: body, headers: h });
    const m = first.expect<Memory>(201, 'memory');
    const retry = await t.api.req('POST', '/v1/memories', { json: body, headers: h });
    retry.expect(201, 'memory');
    t.equal(retry.json, first.json, 'the replayed body', retry);
    if (retry.headers['idempotent-replayed'] !== 'true')
      t.fail('the replay lacks Idempotent-Replayed: true', retry);
    const { body: page } = await list(t.api, { tags: t.tag });
    if (page.memories.length !== 1)
      t.fail(`the retry stored another memory: ${page.memories.length} memories, want 1 (${m.id})`);
  },
  { also: ['OMP-IDEM-001'] },
);

check(
  'OMP-IDEM-003',
  'MUST answer a reused Idempotency-Key with another body with 422 idempotency_key_reused',
  async (t) => {
    const h = { 'idempotency-key': key() };
    (await t.api.req('POST', '/v1/memories', { json: t.body(), headers: h })).expect(201, 'memory');
    const other = await t.api.req('POST', '/v1/memories', {
      json: t.body({ content: 'another memory' }),
      headers: h,
    });
    other.expectError(422, 'idempotency_key_reused');
    const { body } = await list(t.api, { tags: t.tag });
    if (body.memories.length !== 1) t.fail(`the reused key stored another memory (${body.memories.length})`);
  },
);

check(
  'OMP-IDEM-001',
  'MUST reject an Idempotency-Key that is not 1 to 255 printable ASCII characters',
  async (t) => {
    expect422(
      t,
      await t.api.req('POST', '/v1/memories', {
        json: t.body(),
        headers: { 'idempotency-key': 'k'.repeat(256) },
      }),
      'a 256-character key',
    );
    const { body } = await list(t.api, { tags: t.tag });
    if (body.memories.length !== 0) t.fail('a request with an invalid Idempotency-Key stored a memory');
  },
);

check(
  'OMP-IDEM-005',
  'MUST NOT record a failed request: a corrected retry with the same key runs',
  async (t) => {
    const h = { 'idempotency-key': key() };
    expect422(
      t,
      await t.api.req('POST', '/v1/memories', { json: t.body({ content: '' }), headers: h }),
      'an invalid create',
    );
    const fixed = await t.api.req('POST', '/v1/memories', { json: t.body(), headers: h });
    fixed.expect(201, 'memory');
    if (fixed.headers['idempotent-replayed'] === 'true')
      t.fail('the corrected request was answered as a replay', fixed);
  },
);

check(
  'OMP-IDEM-007',
  'MUST NOT let one key’s Idempotency-Key affect another key’s request',
  async (t) => {
    const b = t.apiB;
    const h = { 'idempotency-key': key() };
    (await t.api.req('POST', '/v1/memories', { json: t.body(), headers: h })).expect(201, 'memory');
    const other = await b.req('POST', '/v1/memories', {
      json: t.body({ content: 'B writes with the same key' }),
      headers: h,
    });
    const m = other.expect<Memory>(201, 'memory');
    if (other.headers['idempotent-replayed'] === 'true')
      t.fail('principal B got principal A’s replay', other);
    if (m.content !== 'B writes with the same key') t.fail('principal B got another memory back', other);
  },
  { needs: [{ kind: 'second-principal' }] },
);

check(
  'OMP-IDEM-008',
  'MUST answer a retry of a create whose memory was erased with 404, not the replay',
  async (t) => {
    const h = { 'idempotency-key': key() };
    const body = t.body();
    const m = (await t.api.req('POST', '/v1/memories', { json: body, headers: h })).expect<Memory>(
      201,
      'memory',
    );
    (await t.api.del(memPath(m.id))).expectNoContent();
    t.forget(m.id);
    const retry = await t.api.req('POST', '/v1/memories', { json: body, headers: h });
    retry.expectError(404, 'memory_not_found');
    if (retry.text.includes(m.content)) t.fail('the answer carries the erased content', retry);
  },
);
