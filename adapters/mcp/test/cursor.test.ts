/**
 * `list_memories` with `cursor` (0.4) against live reference servers: the next page by a real `next_cursor`
 * equals the HTTP list's, and a server that implements only 0.3 is never sent a cursor (OMP-CLIENT-004): the
 * adapter pages it by offset behind cursors of its own, so the tool's 0.4 output stays valid.
 */
import type { RunningServer } from 'omp-reference-server';
import { startServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSdkBackend } from '../src/backend/sdk-backend.ts';
import { ToolFailure } from '../src/errors.ts';
import { listMemories } from '../src/tools/handlers.ts';
import { renderList } from '../src/tools/render.ts';
import { loadToolSchemas } from '../src/tools/schemas.ts';
import { KEYS, rest } from './support/live.ts';

const servers: RunningServer[] = [];
let v04: RunningServer;
let v03: RunningServer;
const seen03: string[] = [];

beforeAll(async () => {
  const keys = [{ key: KEYS.owner, principal: 'owner' }];
  v04 = await startServer({ keys });
  v03 = await startServer({ keys, specVersions: ['0.3'] });
  servers.push(v04, v03);
  for (const s of [v04, v03]) {
    const r = rest(s.url, KEYS.owner);
    for (const c of ['one', 'two', 'three']) await r.create(`cursor ${c}`, { namespace: 'cur' });
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('list_memories cursor', () => {
  it('continues a list by the next_cursor it returned, as the HTTP list does', async () => {
    const backend = createSdkBackend({ baseUrl: v04.url, apiKey: KEYS.owner });
    const first = await listMemories({ namespace: 'cur', limit: 1, sort: 'created_at_asc' }, { backend });
    expect(typeof first.next_cursor).toBe('string');
    expect(renderList(first)).toContain(`cursor ${first.next_cursor}`);
    const args = {
      namespace: 'cur',
      limit: 1,
      sort: 'created_at_asc' as const,
      cursor: first.next_cursor as string,
    };
    const second = await listMemories(args, { backend });
    const http = await rest(v04.url, KEYS.owner).call(
      'GET',
      `/v1/memories?namespace=cur&limit=1&sort=created_at_asc&cursor=${first.next_cursor}`,
    );
    expect(http.status).toBe(200);
    expect(second).toEqual(http.body);
    expect(second.memories[0]?.content).toBe('cursor two');
  });

  it('refuses a cursor for a 0.3 server with a validation_error, without sending it', async () => {
    const backend = createSdkBackend({
      baseUrl: v03.url,
      apiKey: KEYS.owner,
      fetch: (url, init) => {
        seen03.push(url);
        return fetch(url, init);
      },
    });
    const e = await listMemories({ namespace: 'cur', cursor: 'eyJrIjoxfQ' }, { backend }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ToolFailure);
    expect((e as ToolFailure).envelope.error).toBe('validation_error');
    expect(seen03.some((u) => u.includes('cursor='))).toBe(false);
    // Without a cursor the 0.3 server answers as before.
    expect((await listMemories({ namespace: 'cur' }, { backend })).total).toBe(3);
  });

  it('walks a 0.3 server by cursors the adapter issues, each page valid against the 0.4 tool output', async () => {
    const backend = createSdkBackend({ baseUrl: v03.url, apiKey: KEYS.owner });
    const validate = (await loadToolSchemas()).get('list_memories')?.validateOutput;
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const args = {
        namespace: 'cur',
        limit: 1,
        sort: 'created_at_asc' as const,
        ...(cursor ? { cursor } : {}),
      };
      const page = await listMemories(args, { backend });
      expect(validate?.(page), JSON.stringify(validate?.errors)).toBe(true);
      seen.push(...page.memories.map((m) => m.content));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(['cursor one', 'cursor two', 'cursor three']);
    expect(seen03.some((u) => u.includes('cursor='))).toBe(false);
  });
});
