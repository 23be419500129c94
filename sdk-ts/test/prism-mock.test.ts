/**
 * The SDK against Prism serving spec/openapi.yaml: every documented example of every operation, success
 * and error alike. Prism validates each request against the spec, so a request the SDK shapes wrongly
 * fails here too; each response must come back as the typed data or the typed error the example implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelOf } from '../../generators/src/context.ts';
import type { ApiModel, OperationModel } from '../../generators/src/model.ts';
import { errorClass, groupProperty, methodName } from '../../generators/src/typescript/naming.ts';
import * as sdk from '../src/index.ts';
import { type PrismMock, startPrism } from './support/prism.ts';

const model: ApiModel = await loadModelOf();
let prism: PrismMock;
beforeAll(async () => {
  prism = await startPrism();
});
afterAll(() => prism?.close());

type Method = (...args: unknown[]) => PromiseLike<unknown>;

/** Call the SDK method of `op` with the spec's example arguments and a `Prefer` header. */
function call(op: OperationModel, prefer: string): PromiseLike<unknown> {
  const client = new sdk.OmpClient({ baseUrl: prism.url, apiKey: 'omp_test_key', maxRetries: 0 });
  const target = (
    op.name.group ? (client as unknown as Record<string, object>)[groupProperty(op.name.group)] : client
  ) as Record<string, Method>;
  const args: unknown[] = op.pathParams.map((p) => p.example);
  if (op.body) args.push(op.body.examples[0]?.value);
  if (op.queryParams.length > 0) {
    args.push(Object.fromEntries(op.queryParams.filter((p) => p.required).map((p) => [p.name, p.example])));
  }
  args.push({ headers: { prefer: prefer } });
  const fn = target[methodName(op)];
  if (!fn) throw new Error(`the SDK has no method for ${op.id}`);
  return fn.apply(target, args);
}

const successCases = model.operations.flatMap((op) =>
  (op.success.examples.length > 0
    ? op.success.examples
    : [{ name: '', summary: undefined, value: undefined }]
  ).map((ex) => [`${op.id} ${op.success.status} ${ex.name || '(no body)'}`, { op, ex }] as const),
);

const errorCases = model.operations.flatMap((op) =>
  op.errors.flatMap((e) =>
    e.examples.map((ex) => [`${op.id} ${e.status} ${ex.name}`, { op, status: e.status, ex }] as const),
  ),
);

describe('every documented success example', () => {
  it('covers every operation', () => {
    expect(new Set(successCases.map(([, c]) => c.op.id)).size).toBe(model.operations.length);
  });

  it.each(successCases)('%s', async (_name, { op, ex }) => {
    const prefer = ex.name ? `code=${op.success.status}, example=${ex.name}` : `code=${op.success.status}`;
    const data = await call(op, prefer);
    if (ex.value === undefined) expect(data).toBeUndefined();
    else expect(JSON.parse(JSON.stringify(data))).toEqual(ex.value);
    if (op.pagination)
      expect(typeof (data as sdk.PageMethods<unknown, unknown>).hasNextPage).toBe('function');
  });
});

describe('every documented error example', () => {
  it.each(errorCases)('%s', async (_name, { op, status, ex }) => {
    let error: unknown;
    try {
      await call(op, `code=${status}, example=${ex.name}`);
    } catch (e) {
      error = e;
    }
    const want = (sdk as unknown as Record<string, typeof sdk.OmpError>)[errorClass(status)];
    expect(error).toBeInstanceOf(want);
    const e = error as sdk.OmpError;
    const env = ex.value as { error: string; message: string; details: object };
    expect(e.status).toBe(status);
    expect(e.code).toBe(env.error);
    expect(e.message).toBe(env.message);
    expect(e.details).toEqual(env.details);
    if (status === 429) expect((e as sdk.RateLimitError).retryAfter).toBeTypeOf('number');
  });
});
