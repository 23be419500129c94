import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { generateKey } from '../src/index.ts';
import { client, memoryBody, startChild } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'omp-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('every acknowledged create survives kill -9 right after its 201 (OMP-HTTP-015)', async () => {
  const db = join(dir, 'omp.db');
  const key = generateKey();
  const first = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
  const api = client(first.url, key);

  // 400 concurrent creates; the process is killed the moment the 250th 201 arrives, while others are in flight.
  const acknowledged: string[] = [];
  let killed = false;
  const requests = Array.from(
    { length: 400 },
    (_, i) =>
      api
        .post('/v1/memories', memoryBody({ content: `durable ${i}`, tags: [`n${i}`] }))
        .then((res) => {
          if (res.status === 201 && !killed) {
            acknowledged.push(res.body.id);
            if (acknowledged.length === 250) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        })
        .catch(() => {}), // connections cut by the kill
  );
  await Promise.all(requests);
  expect(await first.exited).toBe('SIGKILL');
  expect(acknowledged.length).toBeGreaterThanOrEqual(250);

  const second = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
  try {
    const exported = await client(second.url, key).get('/v1/export');
    const stored = new Set(exported.body.memories.map((m: { id: string }) => m.id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // The full-text index survived too: a sample of acknowledged memories is searchable.
    const sample = exported.body.memories.find((m: { id: string }) => m.id === acknowledged[0]);
    const found = await client(second.url, key).get(
      `/v1/memories/search?q=${encodeURIComponent(sample.content)}`,
    );
    expect(found.body.memories.map((m: { id: string }) => m.id)).toContain(acknowledged[0]);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
});

test('imports survive kill -9 whole or not at all: every acknowledged one complete, none partial (OMP-HTTP-015, §7.3)', async () => {
  const db = join(dir, 'imports.db');
  const key = generateKey();
  const first = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
  const api = client(first.url, key);
  const ITEMS = 200;
  const file = (n: number) => ({
    omp_version: '0.3',
    exported_at: '2026-01-01T00:00:00Z',
    server: { name: 'durability', version: '1' },
    memories: Array.from({ length: ITEMS }, (_, i) => ({
      id: `mem_imp${String(n).padStart(4, '0')}${String(i).padStart(9, '0')}`,
      content: `import ${n} item ${i}`,
      type: 'semantic',
      source: { tool: 'durability', timestamp: '2026-01-01T00:00:00Z' },
      tags: [`imp${n}`],
      namespace: null,
      metadata: {},
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      expires_at: null,
    })),
  });

  // 40 concurrent imports of 200 items each; the process dies the moment the 10th is acknowledged.
  const acknowledged: number[] = [];
  let killed = false;
  await Promise.all(
    Array.from({ length: 40 }, (_, n) =>
      api
        .post('/v1/import', file(n))
        .then((res) => {
          if (res.status === 200 && res.body.imported === ITEMS && !killed) {
            acknowledged.push(n);
            if (acknowledged.length === 10) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        })
        .catch(() => {}),
    ),
  );
  expect(await first.exited).toBe('SIGKILL');
  expect(acknowledged.length).toBeGreaterThanOrEqual(10);

  const second = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
  try {
    const exported = await client(second.url, key).get('/v1/export');
    const perImport = new Map<string, number>();
    for (const m of exported.body.memories as { tags: string[] }[]) {
      const tag = m.tags[0] as string;
      perImport.set(tag, (perImport.get(tag) ?? 0) + 1);
    }
    for (const n of acknowledged) expect(perImport.get(`imp${n}`), `acknowledged import ${n}`).toBe(ITEMS);
    for (const [tag, count] of perImport) expect(count, `import ${tag} is whole or absent`).toBe(ITEMS);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
}, 120_000);
