/**
 * Cross-version tests (issue #12, "Done when"), against real reference servers over HTTP:
 * - the released 0.3 SDK (a frozen copy, test/fixtures/sdk-0.3) works against the 0.4 reference server;
 * - this 0.4 SDK works against a server that declares only 0.3 (`specVersions: ['0.3']`), sending it nothing
 *   0.4 introduced (OMP-CLIENT-004), and speaks 0.4 to a 0.4 server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HookRequest,
  NotFoundError,
  OmpClient,
  OmpError,
  PreconditionFailedError,
} from '../src/index.ts';
import * as sdk03 from './fixtures/sdk-0.3/index.ts';

const key = 'cross-version-key-0123456789abcdef';
let dir: string;
let server04: RunningServer;
let server03: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omp-cross-version-'));
  server04 = await startServer({ dbPath: join(dir, '04.db'), apiKey: key });
  server03 = await startServer({ dbPath: join(dir, '03.db'), apiKey: key, specVersions: ['0.3'] });
});
afterAll(async () => {
  await server04?.close();
  await server03?.close();
  rmSync(dir, { recursive: true, force: true });
});

const body = (content: string, namespace: string) => ({
  content,
  type: 'semantic' as const,
  source: { tool: 'cross-version' },
  namespace,
});

describe('the released 0.3 SDK against the 0.4 reference server', () => {
  it('creates, reads, updates, lists every page, searches, exports, imports and deletes', async () => {
    const sent: string[] = [];
    const client = new sdk03.OmpClient({
      baseUrl: server04.url,
      apiKey: key,
      hooks: { onRequest: (r) => void sent.push(...Object.keys(r.headers).map((h) => h.toLowerCase())) },
    });
    const health = await client.health();
    expect(health.version).toBe('0.4'); // the 0.3 client reads a 0.4 health body, new members ignored
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await client.memories.create(body(`old client ${i}`, 'xv-old')));
    const first = made[0] as sdk03.Memory;
    expect(await client.memories.get(first.id)).toEqual(first);
    const updated = await client.memories.update(first.id, { tags: ['kept'] });
    expect(updated.tags).toEqual(['kept']);
    const page = await client.memories.list({ namespace: 'xv-old', limit: 2 });
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(page).toHaveProperty('next_cursor'); // a 0.4 member the 0.3 types do not know (OMP-CLIENT-001)
    const all: string[] = [];
    for await (const m of client.memories.list({ namespace: 'xv-old', limit: 2 })) all.push(m.id);
    expect(all.sort()).toEqual(made.map((m) => m.id).sort());
    const found = await client.memories.search({ q: 'old client', namespace: 'xv-old' });
    expect(found.total).toBe(5);
    const file = await client.export();
    expect(file.memories.length).toBeGreaterThanOrEqual(5);
    const imported = await client.import(
      { ...file, memories: file.memories.slice(0, 1) },
      { conflict: 'skip' },
    );
    expect(imported.skipped).toBe(1);
    await client.memories.delete(first.id);
    await expect(client.memories.get(first.id)).rejects.toBeInstanceOf(sdk03.NotFoundError);
    // The 0.3 client sends no 0.4 header, so the server answers under its newest version (OMP-VER-002).
    expect(sent).not.toContain('omp-version');
    expect(sent).not.toContain('idempotency-key');
  });

  it('maps the 0.4 error codes it does not know by status (OMP-CLIENT-002)', async () => {
    const client = new sdk03.OmpClient({ baseUrl: server04.url, apiKey: key });
    const m = await client.memories.create(body('etag target', 'xv-old-412'));
    // A 412 reaches a 0.3 client only when it sends If-Match itself; it is still a typed OmpError.
    const err = await client.memories
      .update(m.id, { content: 'x' }, { headers: { 'if-match': '"stale"' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk03.OmpError);
    expect(err).toMatchObject({ status: 412, code: 'precondition_failed' });
  });
});

describe('the 0.4 SDK against a server that declares only 0.3', () => {
  it('falls back to 0.3: no OMP-Version, Idempotency-Key, If-Match or cursor; offsets walk every page', async () => {
    const sent: HookRequest[] = [];
    const client = new OmpClient({
      baseUrl: server03.url,
      apiKey: key,
      hooks: { onRequest: (r) => void sent.push({ ...r, headers: { ...r.headers } }) },
    });
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await client.memories.create(body(`new client ${i}`, 'xv-new')));
    expect(client.specVersion).toBe('0.3');
    const first = made[0] as { id: string };
    await client.memories.update(first.id, { tags: ['t'] });
    const all: string[] = [];
    for await (const m of client.memories.list({ namespace: 'xv-new', limit: 2 })) all.push(m.id);
    expect(all.sort()).toEqual(made.map((m) => m.id).sort());
    const err = await client.memories.delete(first.id, { ifMatch: '"x"' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OmpError);
    expect((err as OmpError).code).toBe('if_match_unsupported');
    await client.memories.delete(first.id);
    await expect(client.memories.get(first.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(sent[0]?.url).toMatch(/\/v1\/health$/); // read once, before the first create
    expect(sent.filter((r) => r.url.endsWith('/v1/health'))).toHaveLength(1);
    for (const r of sent) {
      expect(Object.keys(r.headers)).not.toContain('omp-version');
      expect(Object.keys(r.headers)).not.toContain('idempotency-key');
      expect(Object.keys(r.headers)).not.toContain('if-match');
      expect(r.url).not.toContain('cursor=');
    }
  });

  it('speaks 0.4 to a 0.4 server: OMP-Version, ETags and If-Match, cursor pages', async () => {
    const sent: HookRequest[] = [];
    const client = new OmpClient({
      baseUrl: server04.url,
      apiKey: key,
      hooks: { onRequest: (r) => void sent.push({ ...r, headers: { ...r.headers } }) },
    });
    const { data: m, etag } = await client.memories.create(body('v1', 'xv-04')).withResponse();
    expect(client.specVersion).toBe('0.4');
    expect(etag).toMatch(/^"/);
    await client.memories.update(m.id, { content: 'v2' }, { ifMatch: etag as string });
    await expect(
      client.memories.update(m.id, { content: 'v3' }, { ifMatch: etag as string }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    for (let i = 0; i < 4; i++) await client.memories.create(body(`more ${i}`, 'xv-04'));
    const ids: string[] = [];
    for await (const x of client.memories.list({ namespace: 'xv-04', limit: 2 })) ids.push(x.id);
    expect(new Set(ids).size).toBe(5);
    const creates = sent.filter((r) => r.operation === 'createMemory');
    expect(creates.every((r) => r.headers['omp-version'] === '0.4' && r.headers['idempotency-key'])).toBe(
      true,
    );
    expect(new Set(creates.map((r) => r.headers['idempotency-key'])).size).toBe(creates.length);
    expect(sent.filter((r) => r.operation === 'listMemories').map((r) => r.url.includes('cursor='))).toEqual([
      false,
      true,
      true,
    ]);
  });
});
