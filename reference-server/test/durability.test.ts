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
