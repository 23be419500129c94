/**
 * `npm run mock -- --dynamic`: Prism invents bodies from the schemas; the SDK parses them and they validate
 * against the normative schemas (so the mock a developer works against speaks the real shapes).
 */
import { validatorFor } from '@omp-kit/schemas';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OmpClient } from '../src/index.ts';
import { type PrismMock, startPrism } from './support/prism.ts';

let prism: PrismMock;
beforeAll(async () => {
  // A fixed seed keeps the invented bodies, and so this test, deterministic.
  prism = await startPrism({ dynamic: true, seed: '7' });
});
afterAll(() => prism?.close());

it.each([
  ['health', 'health', (c: OmpClient) => c.health()],
  ['me', 'principal', (c: OmpClient) => c.me()],
  ['memories.get', 'memory', (c: OmpClient) => c.memories.get('mem_01j9xk2p3q4r5s6t')],
] as const)('%s returns a body valid against %s.schema.json', async (_name, schema, call) => {
  const client = new OmpClient({ baseUrl: prism.url, apiKey: 'omp_test_key', maxRetries: 0 });
  const data = JSON.parse(JSON.stringify(await call(client)));
  const validate = validatorFor(schema);
  expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
});
