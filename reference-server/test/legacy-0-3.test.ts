/**
 * `specVersions: ['0.3']`: the server as a 0.3-declaring server looks to a client (legacy-0-3.ts), and the
 * CLI flag that selects it. Cross-version SDK tests run against this mode (sdk-ts/test/cross-version.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseCli } from '../src/config.ts';
import { memoryBody, startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ specVersions: ['0.3'] });
});
afterAll(async () => {
  await srv.stop();
});

/** The released 0.3 schemas, to check bodies against what a 0.3 client expects. */
function schemas03() {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const dir = new URL('../../spec/releases/0.3/schemas/', import.meta.url);
  for (const f of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
  return ajv;
}

test('health is a 0.3 health body and declares 0.3 only', async () => {
  const res = await srv.as().get('/v1/health');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ version: '0.3' });
  expect(res.body).not.toHaveProperty('versions');
  const validate = schemas03().getSchema('https://openmemoryprotocol.org/schemas/0.3/health.schema.json');
  expect(validate?.(res.body), JSON.stringify(validate?.errors)).toBe(true);
});

test('0.4 headers are ignored and not sent; cursor is an unknown query parameter', async () => {
  const api = srv.as();
  const made = await api.post('/v1/memories', memoryBody({ namespace: 'legacy' }), {
    'omp-version': '9.9',
    'idempotency-key': 'k1',
  });
  expect(made.status).toBe(201);
  expect(made.headers.get('omp-version')).toBeNull();
  expect(made.headers.get('etag')).toBeNull();
  // The same key again is a new create: a 0.3 server knows no Idempotency-Key.
  const again = await api.post('/v1/memories', memoryBody({ namespace: 'legacy' }), {
    'idempotency-key': 'k1',
  });
  expect(again.status).toBe(201);
  const id = (made.body as { id: string }).id;
  const put = await api.put(`/v1/memories/${id}`, { content: 'changed' }, { 'if-match': '"stale"' });
  expect(put.status).toBe(200);
  const page = await api.get('/v1/memories?namespace=legacy&limit=1');
  expect(page.status).toBe(200);
  expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
  expect(page.body).not.toHaveProperty('next_cursor');
  const cursor = await api.get('/v1/memories?namespace=legacy&cursor=abc');
  expect(cursor.status).toBe(422);
  expect(cursor.text).toContain('?cursor');
});

test('--spec-versions selects the versions; anything but 0.3 or 0.4 is refused', () => {
  const req = parseCli(['--spec-versions', '0.3'], {});
  expect(req.kind === 'start' && req.options.specVersions).toEqual(['0.3']);
  expect(() => parseCli(['--spec-versions', '0.5'], {})).toThrow(/--spec-versions/);
});
