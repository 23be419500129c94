/**
 * The official MCP Inspector, in CLI mode, against the stdio adapter and the live reference server: what a
 * user debugging their set-up would run (`npx @modelcontextprotocol/inspector --cli npx omp-mcp ...`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Memory } from '@omp-kit/schemas/types';
import type { RunningServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, KEYS, rest, startLive } from './support/live.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let srv: RunningServer;
let scratch: string;

beforeAll(async () => {
  srv = await startLive();
  scratch = mkdtempSync(join(tmpdir(), 'omp-mcp-inspector-'));
});

afterAll(async () => {
  await srv?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `npx @modelcontextprotocol/inspector --cli node <bin> -e ... <args>`; resolves with its parsed JSON output. */
async function inspector(key: string, args: string[], env: string[] = []): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'npx',
    [
      '--no-install',
      '@modelcontextprotocol/inspector',
      '--cli',
      process.execPath,
      BIN,
      '-e',
      `OMP_SERVER=${srv.url}`,
      '-e',
      `OMP_API_KEY=${key}`,
      '-e',
      'OMP_TOOL=inspector',
      ...env.flatMap((e) => ['-e', e]),
      ...args,
    ],
    {
      cwd: repoRoot,
      // The inspector keeps a catalogue of servers; keep it out of the home folder.
      env: { ...process.env, MCP_CATALOG_PATH: join(scratch, 'catalog.json') },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

// Each case spawns the Inspector, which spawns the adapter: run them side by side.
describe.concurrent('MCP Inspector CLI against omp-mcp', () => {
  it('tools/list shows the five tools', async () => {
    const out = await inspector(KEYS.owner, ['--method', 'tools/list']);
    const tools = out.tools as { name: string; inputSchema: { required?: string[] } }[];
    expect(tools.map((t) => t.name)).toEqual([
      'add_memories',
      'search_memory',
      'list_memories',
      'delete_memories',
      'delete_all_memories',
    ]);
    expect(tools[0]!.inputSchema.required).toEqual(['text']);
  });

  it('tools/call add_memories stores the memory', async () => {
    const out = await inspector(KEYS.owner, [
      '--method',
      'tools/call',
      '--tool-name',
      'add_memories',
      '--tool-arg',
      'text=Added by the MCP Inspector',
      'tags=["inspector"]',
    ]);
    const added = (out.structuredContent as { memories: Memory[] }).memories[0]!;
    expect(added).toMatchObject({
      content: 'Added by the MCP Inspector',
      tags: ['inspector'],
      source: { tool: 'inspector' },
    });
    expect((await rest(srv.url, KEYS.owner).get(added.id)).status).toBe(200);
  });

  // The Inspector (2.x) checks an error result's structuredContent against the tool's outputSchema too: the
  // declared `…Result` schema admits the error envelope, so it shows the tool error as it is (OMP-MCP-008).
  it('tools/call shows a validation_error as a tool error, output schemas declared', async () => {
    const call = ['--method', 'tools/call', '--tool-name', 'list_memories', '--tool-arg', 'limit=1000'];
    // The CLI exits non-zero for a tool error; its output is still the result.
    const out = await inspector(KEYS.owner, call).catch(
      (e: { stdout?: string }) => JSON.parse(e.stdout ?? 'null') as Record<string, unknown>,
    );
    expect(out.isError).toBe(true);
    expect(out.structuredContent).toMatchObject({
      error: 'validation_error',
      details: { errors: [{ path: '/limit' }] },
    });
  });
});
