/**
 * A consumer of omp-sdk, compiled with `tsc --strict` (and exactOptionalPropertyTypes) by the SDK's tests.
 * The `@ts-expect-error` lines prove the types reject what the spec rejects: if one of them ever compiles,
 * tsc fails with "unused @ts-expect-error".
 */
import {
  type Memory,
  NotFoundError,
  OmpClient,
  OmpError,
  RateLimitError,
  type UpdateMemoryRequest,
  ValidationError,
} from 'omp-sdk';

declare const apiKey: string;

export async function main(): Promise<void> {
  const client = new OmpClient({
    baseUrl: 'http://127.0.0.1:3456',
    apiKey,
    maxRetries: 3,
    timeout: 10_000,
    hooks: { onRetry: (error, delayMs) => console.warn(`retrying after ${error.code} in ${delayMs} ms`) },
  });

  const created: Memory = await client.memories.create({
    content: 'User prefers TypeScript over JavaScript',
    type: 'semantic',
    source: { tool: 'claude' },
    tags: ['preferences'],
  });
  // Required-and-nullable, optional-and-nullable and optional stay distinct types.
  const expires: string | null = created.expires_at;
  const ns: string | null | undefined = created.namespace; // optional: draft 0.2 files may omit it
  const embedding: number[] | undefined = created.embedding;
  const stamp: string = created.source.timestamp; // required in a stored memory, optional in a request
  console.log(expires, ns, embedding?.length, stamp);
  // @ts-expect-error expires_at is never absent from a stored memory
  const absent: undefined = created.expires_at;
  console.log(absent);

  // Partial update: null clears, absent keeps.
  const patch: UpdateMemoryRequest = { namespace: null, tags: ['preferences', 'typescript'] };
  const { data: updated, response } = await client.memories.update(created.id, patch).withResponse();
  console.log(updated.updated_at, response.headers.get('x-request-id'));

  for await (const m of client.memories.list({ type: 'semantic', limit: 50 })) console.log(m.id, m.content);
  const page = await client.memories.search({ q: 'typescript', mode: 'keyword' });
  console.log(page.total, page.mode_used, page.memories.length, page.hasNextPage());
  const next = await page.nextPage();
  if (next) console.log(next.offset);
  for await (const p of client.memories.searchGet({ q: 'typescript' }).pages())
    console.log(p.memories.length);

  const file = await client.export();
  const result = await client.import(file, { conflict: 'overwrite' });
  console.log(result.imported + result.skipped + result.errors.length === file.memories.length);
  const health = await client.health();
  const count: number | null = health.memories_count;
  const me = await client.me();
  console.log(count, me.read_scope, me.tool ?? 'global key');
  await client.memories.delete(created.id);

  const ctrl = new AbortController();
  try {
    await client.memories.get('mem_00000000000000zz', { signal: ctrl.signal, timeout: 2000 });
  } catch (e) {
    if (e instanceof NotFoundError) console.log('gone', e.requestId);
    else if (e instanceof ValidationError) console.log(e.errors.map((v) => v.path));
    else if (e instanceof RateLimitError) console.log(e.retryAfter);
    else if (e instanceof OmpError) console.log(e.status, e.code, e.details);
    else throw e;
  }

  // @ts-expect-error type and source are required on create
  await client.memories.create({ content: 'x' });
  // @ts-expect-error 'fact' is not a memory type
  await client.memories.list({ type: 'fact' });
  // @ts-expect-error id cannot be updated
  await client.memories.update(created.id, { id: 'mem_x' });
  // @ts-expect-error q is required for a search
  await client.memories.searchGet({});
  // @ts-expect-error import conflict strategies are skip, overwrite, duplicate
  await client.import(file, { conflict: 'replace' });
  // @ts-expect-error a deleted memory resolves to nothing
  const nothing: Memory = await client.memories.delete(created.id);
  console.log(nothing);
}
