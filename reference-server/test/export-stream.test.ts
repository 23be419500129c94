import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assertSchema, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
  const memories = Array.from({ length: 3000 }, (_, i) => ({
    id: `mem_${String(i).padStart(16, '0')}`,
    content: `streamed memory ${i} ${'padding '.repeat(20)}`,
    type: 'semantic',
    source: { tool: 'claude', timestamp: '2026-01-01T00:00:00Z' },
    tags: [],
    namespace: null,
    created_at: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(4, '0')}Z`,
    updated_at: '2026-01-02T00:00:00Z',
    expires_at: null,
    metadata: {},
  }));
  const file = { omp_version: '0.3', exported_at: '2026-01-01T00:00:00Z', server: 'test', memories };
  const res = await srv.as().post('/v1/import', file);
  expect(res.body).toEqual({ imported: 3000, skipped: 0, errors: [] });
});
afterAll(async () => {
  await srv.stop();
});

test('a slow export reader gets a complete, ordered file while the server keeps serving others', async () => {
  const u = new URL(`${srv.url}/v1/export`);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, headers: { authorization: `Bearer ${srv.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.pause(); // stop reading: the server must wait for drain, not buffer the whole export
        setTimeout(async () => {
          // Meanwhile other requests, writes included, are answered.
          const created = await srv.as().post('/v1/memories', {
            content: 'written during export',
            type: 'semantic',
            source: { tool: 'x' },
          });
          expect(created.status).toBe(201);
          expect((await srv.as().get('/v1/me')).status).toBe(200);
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.resume();
        }, 300);
      },
    );
    req.on('error', reject);
    req.end();
  });
  const file = JSON.parse(body);
  assertSchema('export-file', file);
  expect(file.memories.length).toBeGreaterThanOrEqual(3000);
  const keys = file.memories.map((m: { created_at: string; id: string }) => `${m.created_at}|${m.id}`);
  const byInstant = [...file.memories].sort((a, b) => {
    const t = Date.parse(a.created_at) - Date.parse(b.created_at);
    return t !== 0
      ? t
      : a.created_at < b.created_at
        ? -1
        : a.created_at > b.created_at
          ? 1
          : a.id < b.id
            ? -1
            : 1;
  });
  expect(file.memories.map((m: { id: string }) => m.id)).toEqual(byInstant.map((m) => m.id));
  expect(new Set(keys).size).toBe(keys.length);
});
