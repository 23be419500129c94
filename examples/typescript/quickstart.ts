/**
 * Quickstart of the TypeScript SDK (omp-sdk): health, create, search, list with automatic pagination, page by
 * page, typed errors, clean-up.
 *
 *   node examples/typescript/quickstart.ts                                  # starts a throw-away reference server
 *   OMP_SERVER=http://127.0.0.1:3456 OMP_API_KEY=... node examples/typescript/quickstart.ts   # your own server
 *
 * Node >= 22.18 runs this file as it is (type stripping). Against your own server it only touches memories in a
 * namespace of its own (example:ts-<random>) and deletes them at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memory, NotFoundError, OmpClient, OmpError, ValidationError } from 'omp-sdk';

/** Where to connect: OMP_SERVER + OMP_API_KEY, or a reference server started for this run. */
interface Target {
  baseUrl: string;
  apiKey: string;
  stop: () => Promise<void>;
}

async function target(): Promise<Target> {
  const baseUrl = process.env.OMP_SERVER;
  if (baseUrl) {
    const apiKey = process.env.OMP_API_KEY;
    if (!apiKey) throw new Error('OMP_SERVER is set, so OMP_API_KEY must be too');
    return { baseUrl, apiKey, stop: async () => {} };
  }
  // Imported only here: a client of your own server does not need the reference server installed.
  const { generateKey, startServer } = await import('omp-reference-server');
  const dir = mkdtempSync(join(tmpdir(), 'omp-ts-quickstart-'));
  const apiKey = generateKey();
  const server = await startServer({ dbPath: join(dir, 'omp.db'), apiKey, port: 0 });
  console.log(`started the reference server at ${server.url} (stopped at exit)`);
  return {
    baseUrl: server.url,
    apiKey,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function tour(client: OmpClient): Promise<void> {
  const health = await client.health();
  console.log(
    `server ${health.server.name} ${health.server.version}, OMP ${health.version}, levels ${health.levels.join('+')}`,
  );

  // A namespace of our own, so nothing here mixes with memories already on the server.
  const namespace = `example:ts-${randomBytes(4).toString('hex')}`;

  // Create: the draft README's memory, then a batch of notes to page through.
  const memory = await client.memories.create({
    content: 'User prefers TypeScript over JavaScript and dislikes verbose comments',
    type: 'semantic',
    source: { tool: 'claude' },
    tags: ['preferences', 'coding'],
    namespace,
  });
  console.log(`created ${memory.id} at ${memory.created_at}`);
  const notes = 24;
  for (let i = 1; i <= notes; i++) {
    await client.memories.create({
      content: `Standup note ${i}: the TypeScript migration of module ${i} is done`,
      type: 'episodic',
      source: { tool: 'omp-ts-quickstart' },
      tags: ['standup'],
      namespace,
    });
  }
  console.log(`created ${notes} standup notes`);

  // Search: keyword search on every server; any query token matches, memories with more of them first.
  const hits = await client.memories.search({ q: 'typescript comments', namespace, limit: 5 });
  console.log(
    `search "typescript comments": ${hits.total} hit(s), mode ${hits.mode_used}, best ${hits.memories[0]?.id}`,
  );

  // List with automatic pagination: `for await` fetches the following pages (10 items each) as it goes.
  const seen: Memory[] = [];
  for await (const m of client.memories.list({ namespace, limit: 10, sort: 'created_at_asc' })) seen.push(m);
  console.log(`listed ${seen.length} memories with for await (limit 10 per request)`);
  if (seen.length !== notes + 1) throw new Error(`expected ${notes + 1} memories, listed ${seen.length}`);

  // Or page by page: each page is the response body plus hasNextPage()/nextPage().
  const sizes: number[] = [];
  for await (const page of client.memories
    .search({ q: 'standup typescript', namespace, limit: 10 })
    .pages()) {
    sizes.push(page.memories.length);
  }
  console.log(`searched page by page: pages of ${sizes.join(' + ')} memories`);

  // Typed errors: every failure is an OmpError subclass carrying the envelope (status, code, details).
  try {
    await client.memories.create({
      content: 'x',
      type: 'semantic',
      source: { tool: 'claude' },
      tags: ['Not Lower Case'],
      namespace,
    });
    throw new Error('the server accepted an invalid tag');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const where = e.errors.map((v) => `${v.path} ${v.message}`).join('; ');
    console.log(`ValidationError ${e.status} ${e.code}: ${where}`);
  }

  // Clean up: collect the ids first (deleting while paging by offset would skip items), then delete them.
  const ids = seen.map((m) => m.id);
  for (const id of ids) await client.memories.delete(id);
  console.log(`deleted ${ids.length} memories`);
  try {
    await client.memories.get(memory.id);
    throw new Error('a deleted memory is still there');
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    console.log(`NotFoundError ${e.status} ${e.code} (request ${e.requestId ?? 'without id'})`);
  }
}

async function main(): Promise<void> {
  const t = await target();
  try {
    const client = new OmpClient({ baseUrl: t.baseUrl, apiKey: t.apiKey, maxRetries: 2, timeout: 10_000 });
    await tour(client);
    console.log('quickstart complete');
  } finally {
    await t.stop();
  }
}

main().catch((e: unknown) => {
  // An OmpError says what the server answered; anything else is a bug in this example or a setup problem.
  if (e instanceof OmpError) console.error(`OMP error ${e.status} ${e.code}: ${e.message}`);
  else console.error(e);
  process.exitCode = 1;
});
