/**
 * Memory per request is bounded (issue #14, item 1): the worst bodies under every limit are sent to a server in
 * its own process, and its peak RSS (VmHWM, Linux) must stay under a stated bound while health keeps answering.
 * Memory, not time, is asserted: the figures are printed for the record.
 *
 * The bounds, as peak RSS growth while one body is handled (the peak is reset before each):
 * - a body refused before its items are parsed (too many items, too deep, malformed, a key without write scope,
 *   any 1 MiB body): at most 2 × max_import_bytes + 64 MiB — the bytes once, the scan's O(depth) state and GC slack;
 * - a body parsed whole (a valid envelope with one 32 MiB string): at most 4 × max_import_bytes + 64 MiB — the
 *   bytes, their text and the parsed value;
 * - the largest allowed import of invalid items, each reported with its violations: at most
 *   4 × max_import_bytes + 8 KiB × MAX_IMPORT_ITEMS + 64 MiB.
 * Before the pre-scanner, one 32 MiB import of `{}` items (ten million JSON objects) went through JSON.parse whole
 * and grew RSS by over half a gigabyte; a 250 MiB one exhausted the heap.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateKey } from '../src/index.ts';
import { MAX_IMPORT_ITEMS } from '../src/routes/transfer.ts';
import { type ChildServer, startChild } from './helpers.ts';

const MIB = 1024 * 1024;
const IMPORT_LIMIT = 32 * MIB; // the spec's minimum max_import_bytes, so the test stays quick
// 64 MiB of slack, not 32: under a busy CI machine the collector runs late (103 MiB measured once, 33–86 alone).
const REFUSED_BOUND = 2 * IMPORT_LIMIT + 64 * MIB;
const PARSED_BOUND = 4 * IMPORT_LIMIT + 64 * MIB;
const IMPORT_BOUND = PARSED_BOUND + 8 * 1024 * MAX_IMPORT_ITEMS;
const linux = process.platform === 'linux';

const dir = mkdtempSync(join(tmpdir(), 'omp-memory-'));
const key = generateKey();
const readKey = generateKey();
let srv: ChildServer;

beforeAll(async () => {
  const keysFile = join(dir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify([
      { key, principal: 'p' },
      { key: readKey, principal: 'p', tool: 'viewer', scopes: ['read'] },
    ]),
  );
  srv = await startChild([
    '--db',
    join(dir, 'omp.db'),
    '--port',
    '0',
    '--quiet',
    '--keys-file',
    keysFile,
    '--max-import-bytes',
    String(IMPORT_LIMIT),
  ]);
});
afterAll(async () => {
  srv?.child.kill('SIGTERM');
  await srv?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts a fresh peak: writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so each case is
 * measured from where the one before left the process, not from the idle server (garbage earlier cases left for
 * the collector is not charged to the next body).
 */
function resetPeak(): void {
  writeFileSync(`/proc/${srv.child.pid}/clear_refs`, '5');
}

/** Peak and current resident set of the server process, in bytes. */
function rss(): { peak: number; now: number } {
  const status = readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

const head =
  '{"omp_version":"0.3","exported_at":"2026-01-01T00:00:00Z","server":{"name":"t","version":"1"},"memories":[';
/** A body of exactly `size` bytes: `head`, then `unit` repeated (comma-separated), then the closers. */
function fill(prefix: string, unit: string, suffix: string, size: number): Buffer {
  const n = Math.floor((size - prefix.length - suffix.length) / (unit.length + 1));
  return Buffer.from(`${prefix}${`${unit},`.repeat(n - 1)}${unit}${suffix}`);
}

async function post(path: string, body: Buffer, as = key): Promise<{ status: number; text: string }> {
  const res = await fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
    body: new Uint8Array(body),
  });
  return { status: res.status, text: await res.text() };
}

test.skipIf(!linux)(
  'the worst bodies under every limit keep peak RSS growth under the bound; health answers throughout',
  async () => {
    const item = (i: number) =>
      `{"id":"x${i % 10}","content":"","type":"semantic","source":{"tool":"t"},"metadata":{"k":[1,2,3]}}`;
    const refused: [string, string, Buffer, string?][] = [
      // Ten million tiny objects: refused while streaming, never built.
      ['import: {} items beyond the item cap', '/v1/import', fill(head, '{}', ']}', IMPORT_LIMIT)],
      ['import: nesting 32 MiB deep', '/v1/import', Buffer.from(`${'['.repeat(IMPORT_LIMIT - 1)}1`)],
      ['import: malformed after 32 MiB', '/v1/import', fill(head, '{"a":1}', ']', IMPORT_LIMIT)],
      [
        'import: a key without write scope',
        '/v1/import',
        fill(head, `{"a":"${'b'.repeat(400)}"}`, ']}', IMPORT_LIMIT),
        readKey,
      ],
      ['create: a 1 MiB number', '/v1/memories', Buffer.from(`{"metadata":{"n":1${'0'.repeat(MIB - 100)}}}`)],
      ['create: 1 MiB of nested arrays', '/v1/memories', Buffer.from('['.repeat(MIB))],
      ['create: 1 MiB of tiny members', '/v1/memories', fill('{"metadata":{', '"a":1', '}}', MIB)],
    ];
    // As many invalid items as the cap allows, each reported with its violations: the largest answer.
    const invalid = Buffer.from(
      `${head}${Array.from({ length: MAX_IMPORT_ITEMS }, (_, i) => item(i)).join(',')}]}`,
    );
    const cases: [string, string, Buffer, string | undefined, number][] = [
      ...refused.map(
        ([n, p, b, k]) => [n, p, b, k, REFUSED_BOUND] as [string, string, Buffer, string | undefined, number],
      ),
      [
        'import: one 32 MiB string',
        '/v1/import',
        Buffer.from(`{"x":"${'a'.repeat(IMPORT_LIMIT - 10)}"}`),
        undefined,
        PARSED_BOUND,
      ],
      ['import: the most invalid items allowed', '/v1/import', invalid, undefined, IMPORT_BOUND],
    ];
    const lines: string[] = [];
    for (const [name, path, body, as, bound] of cases) {
      resetPeak();
      const base = rss();
      // Health is asked while the body is in flight: it must answer (no timing is asserted).
      const [res, health] = await Promise.all([post(path, body, as), fetch(`${srv.url}/v1/health`)]);
      expect(res.status, `${name}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, name).toBeLessThan(500);
      expect(health.status, name).toBe(200);
      await health.text();
      const now = rss();
      expect(now.peak - base.now, `${name}: peak RSS growth`).toBeLessThan(bound);
      lines.push(
        `${name.padEnd(44)} ${String(res.status)}  body ${(body.length / MIB).toFixed(1)} MiB  peak +${((now.peak - base.now) / MIB).toFixed(0)} MiB  rss ${(now.now / MIB).toFixed(0)} MiB`,
      );
    }
    console.log(
      `memory bound (max_import_bytes ${IMPORT_LIMIT / MIB} MiB): refused bodies < ${(REFUSED_BOUND / MIB).toFixed(0)} MiB, largest import < ${(IMPORT_BOUND / MIB).toFixed(0)} MiB peak growth\n  ${lines.join('\n  ')}`,
    );
    expect((await fetch(`${srv.url}/v1/health`)).status).toBe(200);
  },
  300_000,
);
