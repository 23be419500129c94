/**
 * The SDK against the live reference server (SQLite on disk, real HTTP on 127.0.0.1): a real round trip
 * for every method, pagination across pages, and every error class the server can produce.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  type CreateMemoryRequest,
  type Memory,
  NotFoundError,
  OmpClient,
  type OmpError,
  PayloadTooLargeError,
  PermissionError,
  TimeoutError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../src/index.ts';

const ownerKey = 'sdk-test-owner-key-0123456789';
const readerKey = 'sdk-test-cursor-reader-key-0123';
const aliceKey = 'sdk-test-alice-key-0123456789ab';
let dir: string;
let server: RunningServer;
let client: OmpClient;
const as = (apiKey: string, extra: Partial<ConstructorParameters<typeof OmpClient>[0]> = {}) =>
  new OmpClient({ baseUrl: server.url, apiKey, maxRetries: 0, ...extra });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omp-sdk-live-'));
  server = await startServer({
    dbPath: join(dir, 'omp.db'),
    apiKey: ownerKey,
    keys: [
      { key: readerKey, principal: 'owner', tool: 'cursor', scopes: ['read'] },
      { key: aliceKey, principal: 'alice' },
    ],
    maxBodyBytes: 262_144,
  });
  client = as(ownerKey);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const note = (n: number): CreateMemoryRequest => ({
  content: `Deploy note number ${n} about kubernetes`,
  type: n % 2 ? 'procedural' : 'episodic',
  source: { tool: 'claude', session_id: `s${n}` },
  tags: ['deploy', `n${n}`],
});

async function failure(p: PromiseLike<unknown>): Promise<OmpError> {
  try {
    await p;
  } catch (e) {
    return e as OmpError;
  }
  throw new Error('expected the call to fail');
}

describe('round trips for every method', () => {
  let created: Memory;

  it('health answers without a key, and counts with one', async () => {
    const anonymous = await new OmpClient({ baseUrl: server.url }).health();
    expect(anonymous.memories_count).toBeNull();
    expect(anonymous.levels).toContain('core');
    expect((await client.health()).memories_count).toBe(0);
  });

  it('me names the principal of the key', async () => {
    expect(await client.me()).toEqual({
      principal: 'owner',
      tool: null,
      scopes: ['read', 'write'],
      read_scope: 'all',
    });
    expect(await as(readerKey).me()).toMatchObject({ tool: 'cursor', scopes: ['read'] });
  });

  it('create returns the stored memory and a Location', async () => {
    const { data, response } = await client.memories
      .create({
        content: 'User prefers TypeScript',
        type: 'semantic',
        source: { tool: 'claude' },
        tags: ['preferences'],
      })
      .withResponse();
    created = data;
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/v1/memories/${data.id}`);
    expect(data).toMatchObject({
      content: 'User prefers TypeScript',
      namespace: null,
      expires_at: null,
      metadata: {},
      tags: ['preferences'],
    });
    expect(data.id).toMatch(/^mem_[a-z0-9]{16}$/);
  });

  it('get returns it', async () => {
    expect(await client.memories.get(created.id)).toEqual(created);
  });

  it('update changes what it names and moves updated_at forward', async () => {
    const updated = await client.memories.update(created.id, {
      tags: ['preferences', 'typescript'],
      namespace: 'project:sdk',
    });
    expect(updated.tags).toEqual(['preferences', 'typescript']);
    expect(updated.namespace).toBe('project:sdk');
    expect(updated.content).toBe(created.content);
    expect(updated.updated_at > created.updated_at).toBe(true);
    expect((await client.memories.update(created.id, { namespace: null })).namespace).toBeNull();
  });

  it('list walks every page with for await, and page by page', async () => {
    for (let n = 0; n < 24; n++) await client.memories.create(note(n));
    const ids: string[] = [];
    for await (const m of client.memories.list({ limit: 10 })) ids.push(m.id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    const sizes: number[] = [];
    for await (const p of client.memories.list({ limit: 10, type: 'procedural' }).pages())
      sizes.push(p.memories.length);
    expect(sizes).toEqual([10, 2]);
    const first = await client.memories.list({ limit: 20, sort: 'created_at_asc' });
    expect(first.total).toBe(25);
    expect(first.memories[0]?.id).toBe(created.id);
    const second = await first.nextPage();
    expect(second?.offset).toBe(20);
    expect(await second?.nextPage()).toBeNull();
  });

  it('search (POST and GET) finds by keyword and paginates', async () => {
    const hits: string[] = [];
    for await (const m of client.memories.search({ q: 'KUBERNETES deploy', limit: 5 })) hits.push(m.id);
    expect(hits).toHaveLength(24);
    const page = await client.memories.searchGet({ q: 'typescript', tags: ['preferences'] });
    expect(page.mode_used).toBe('keyword');
    expect(page.memories.map((m) => m.id)).toEqual([created.id]);
  });

  it('export and import move memories to another principal; import honours conflict', async () => {
    const file = await client.export();
    expect(file.memories).toHaveLength(25);
    const alice = as(aliceKey);
    expect(await alice.import(file)).toEqual({ imported: 25, skipped: 0, errors: [] });
    expect(await alice.import(file, { conflict: 'skip' })).toEqual({ imported: 0, skipped: 25, errors: [] });
    expect((await alice.import(file, { conflict: 'duplicate' })).imported).toBe(25);
    expect((await alice.memories.list()).total).toBe(50);
    expect((await client.memories.list()).total).toBe(25);
  });

  it('delete answers nothing; the memory is gone', async () => {
    expect(await client.memories.delete(created.id)).toBeUndefined();
    expect(await failure(client.memories.get(created.id))).toBeInstanceOf(NotFoundError);
  });

  it('extract and compress: the reference server does not offer them (404 not_found)', async () => {
    const e = await failure(client.extract({ text: 'user: hi', source: { tool: 'claude' } }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.code).toBe('not_found');
    const c = await failure(
      client.compress({
        memory_ids: ['mem_aaaaaaaaaaaaaaaa', 'mem_bbbbbbbbbbbbbbbb'],
        source: { tool: 'claude' },
      }),
    );
    expect(c.code).toBe('not_found');
  });
});

describe('every error class the server can produce', () => {
  it('AuthenticationError: unknown key', async () => {
    const e = await failure(as('not-a-key-at-all-000000').me());
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(e.requestId).toBeTruthy();
    expect(e.headers?.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('PermissionError: a read-only key writes', async () => {
    const e = await failure(
      as(readerKey).memories.create({ content: 'x', type: 'semantic', source: { tool: 'cursor' } }),
    );
    expect(e).toBeInstanceOf(PermissionError);
    expect(e).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('NotFoundError: an unknown id (and an id that is no id at all)', async () => {
    expect(await failure(client.memories.get('mem_0000000000000000'))).toMatchObject({
      status: 404,
      code: 'memory_not_found',
    });
    expect(await failure(client.memories.get('../export'))).toBeInstanceOf(NotFoundError);
  });

  it('ValidationError: a body the schema rejects lists every violation', async () => {
    const bad = {
      content: 'x',
      type: 'fact',
      source: { tool: 'claude' },
      tags: ['Not OK'],
    } as unknown as CreateMemoryRequest;
    const e = (await failure(client.memories.create(bad))) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe('validation_error');
    expect(e.errors.map((v) => v.path).sort()).toEqual(['/tags/0', '/type']);
  });

  it('ValidationError: a bad query value', async () => {
    const e = (await failure(client.memories.list({ limit: 500 }))) as ValidationError;
    expect(e.status).toBe(422);
    expect(e.errors[0]?.path).toBe('?limit');
  });

  it('ValidationError: malformed JSON (a hook corrupts the body)', async () => {
    const c = as(ownerKey, { hooks: { onRequest: (r) => void Object.assign(r, { body: '{"content":' }) } });
    expect(await failure(c.memories.create(note(1)))).toMatchObject({ status: 400, code: 'malformed_json' });
  });

  it('UnsupportedMediaTypeError: a hook changes the Content-Type', async () => {
    const c = as(ownerKey, { headers: { 'content-type': 'text/plain' } });
    expect(await failure(c.memories.create(note(1)))).toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it('PayloadTooLargeError: a body over max_body_bytes', async () => {
    const e = await failure(client.memories.create({ ...note(1), metadata: { blob: 'x'.repeat(300_000) } }));
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    expect(e.code).toBe('payload_too_large');
  });

  it('TimeoutError: a deadline too short for any answer', async () => {
    expect(await failure(client.memories.list({}, { timeout: 0 }))).toBeInstanceOf(TimeoutError);
  });

  it('AbortError: an aborted signal', async () => {
    expect(await failure(client.health({ signal: AbortSignal.abort() }))).toBeInstanceOf(AbortError);
  });

  it('ConnectionError: the server is gone', async () => {
    const gone = await startServer({ apiKey: ownerKey });
    const url = gone.url;
    await gone.close();
    const e = await failure(new OmpClient({ baseUrl: url, apiKey: ownerKey, maxRetries: 0 }).me());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).not.toBeInstanceOf(TimeoutError);
  });
});
