/**
 * Self-test (MCP): the stdio adapter omp-mcp passes MCP certification against the bundled reference server
 * (whose own /mcp is certified by reference.test.ts); deliberately broken adapters fail on the requirement they
 * break; the CLI flags reach the runner; and a real client, the MCP Inspector CLI, uses the reference server's
 * /mcp with the Authorization header and shows tool errors as they are.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import type { Report } from '../src/core/report.ts';
import { validateReport } from '../src/core/report-schema.ts';
import { runConformance } from '../src/core/runner.ts';
import { renderJson } from '../src/reporters/index.ts';

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The adapter's bin, as an MCP client's configuration starts it. */
const ADAPTER = fileURLToPath(new URL('bin/omp-mcp.js', new URL('..', import.meta.resolve('omp-mcp'))));
const BROKEN = fileURLToPath(new URL('./support/broken-adapter.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../bin/omp-conformance.js', import.meta.url));
const node = JSON.stringify(process.execPath);

let srv: Bundled;
const scratch = mkdtempSync(join(tmpdir(), 'omp-conformance-mcp-'));
const reports = new Map<string, Report>();

/** [name, fault, checks to run, requirement IDs whose checks must fail] */
const BROKEN_ADAPTERS: [string, string, string[], string[]][] = [
  [
    'list_memories and search_memory ignore namespace',
    'ignore-namespace',
    ['OMP-MCP-012', 'OMP-MCP-013'],
    ['OMP-MCP-012', 'OMP-MCP-013'],
  ],
  [
    "delete_all_memories uses another principal's key",
    'delete-all-as-other',
    ['OMP-MCP-015', 'OMP-MCP-016'],
    ['OMP-MCP-015', 'OMP-MCP-016'],
  ],
];

function keys() {
  return { token: srv.token, tokenB: srv.tokenB, toolTokens: srv.toolTokens };
}

beforeAll(async () => {
  srv = await startBundled();
  // The certification of the real adapter and the broken ones, side by side on one server (each check works in
  // its own namespace, so they do not see each other's data).
  await Promise.all([
    runConformance({
      baseUrl: srv.url,
      ...keys(),
      only: ['OMP-MCP', 'OMP-CLIENT-010'],
      mcpCommand: `${node} ${JSON.stringify(ADAPTER)}`,
    }).then((r) => reports.set('omp-mcp', r)),
    ...BROKEN_ADAPTERS.map(([name, fault, only]) =>
      runConformance({
        baseUrl: srv.url,
        ...keys(),
        only,
        // The second principal's key on the command line: the report must not show it.
        mcpCommand: `OMP_FAULT=${fault} OMP_OTHER_API_KEY=${srv.tokenB} ${node} ${JSON.stringify(BROKEN)}`,
      }).then((r) => reports.set(name, r)),
    ),
  ]);
}, 90_000);

afterAll(async () => {
  await srv?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the stdio adapter omp-mcp', () => {
  it('passes every MCP check, the adapter-only OMP-CLIENT-010 included', () => {
    const r = reports.get('omp-mcp')!;
    // The checks of 0.3's MCP IDs (OMP-MCP-021, before OMP-CLIENT-010) do not apply to a 0.4 run.
    const notOf04 = (c: (typeof r.checks)[number]) => /not a requirement of spec/.test(c.reason ?? '');
    const mcp = r.checks.filter((c) => c.level === 'mcp' && !notOf04(c));
    const bad = mcp
      .filter((c) => c.status !== 'pass')
      .map((c) => `${c.id} ${c.status}: ${c.reason ?? c.failures[0]?.message}`);
    expect(bad).toEqual([]);
    expect(mcp.length).toBeGreaterThanOrEqual(27);
    expect(mcp.find((c) => c.id === 'OMP-CLIENT-010')?.status).toBe('pass');
    expect(r.levels.find((l) => l.level === 'mcp')?.verdict).toBe('conformant');
    expect(r.target.mcp).toMatchObject({ transport: 'stdio', adapter: true });
    expect(validateReport(r)).toEqual([]);
    expect(r.cleanup?.residue).toBe(0);
  });
});

describe('broken adapters', () => {
  it.each(BROKEN_ADAPTERS)('%s: fails on the requirement it breaks', (name, _fault, _only, want) => {
    const r = reports.get(name)!;
    const failing = r.checks.filter((c) => c.status === 'fail').map((c) => c.requirements[0]);
    for (const id of want) expect(failing, `${name}: ${id} must fail`).toContain(id);
    expect(r.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(r.verdict).toBe('not_conformant');
    expect(r.exitCode).toBe(1);
    expect(r.levels.find((l) => l.level === 'mcp')?.verdict).toBe('not_conformant');
    // The command line carried a key: nothing in the report shows it.
    expect(renderJson(r)).not.toContain(srv.tokenB);
    expect(r.cleanup?.residue).toBe(0);
  });
});

/** The CLI as a process; resolves with its exit code. */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('omp-conformance CLI with an MCP endpoint', () => {
  const cases: [string, string[], Report['target']['mcp']][] = [
    [
      '--mcp-command',
      ['--mcp-command', `${node} ${JSON.stringify(ADAPTER)}`, '--only', 'OMP-CLIENT-010,OMP-MCP-019'],
      { transport: 'stdio', endpoint: `${node} ${JSON.stringify(ADAPTER)}`, adapter: true },
    ],
    [
      '--mcp-url',
      ['--only', 'OMP-MCP-003,OMP-MCP-005'],
      { transport: 'streamable-http', endpoint: '', adapter: true },
    ],
  ];
  it.concurrent.each(cases)(
    '%s: certifies the endpoint given, exit 0 for a passing selection',
    async (flag, args, want) => {
      const out = join(scratch, flag.replace(/-/g, ''));
      const url = `${srv.url}/mcp`;
      const extra = flag === '--mcp-url' ? ['--mcp-url', url] : [];
      const r = await cli([
        srv.url,
        '--token',
        srv.token,
        ...args,
        ...extra,
        '--reporter',
        'json',
        '--out',
        out,
      ]);
      expect(r.code, r.out).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      expect(report.target.mcp).toEqual(flag === '--mcp-url' ? { ...want, endpoint: url } : want);
      const selected = report.checks.filter((c) => c.status !== 'skip');
      expect(selected.map((c) => `${c.id}:${c.status}`).sort()).toEqual(
        args[args.indexOf('--only') + 1]!.split(',').map((id) => `${id}:pass`),
      );
    },
  );
});

describe('MCP Inspector CLI against the reference server /mcp', () => {
  /** `npx @modelcontextprotocol/inspector --cli <url> --transport http --header "Authorization: Bearer …" …`. */
  async function inspector(args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
    const argv = [
      '--no-install',
      '@modelcontextprotocol/inspector',
      '--cli',
      `${srv.url}/mcp`,
      '--transport',
      'http',
      '--header',
      `Authorization: Bearer ${srv.token}`,
      ...args,
    ];
    const env = { ...process.env, MCP_CATALOG_PATH: join(scratch, 'catalog.json') };
    const done = await exec('npx', argv, { cwd: repoRoot, env, timeout: 60_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '' }),
    );
    return { code: done.code, out: JSON.parse(done.stdout || 'null') as Record<string, unknown> };
  }

  it.concurrent('tools/list --strict: the five tools, no schema portability problem', async () => {
    const { code, out } = await inspector(['--method', 'tools/list', '--strict']);
    expect(code).toBe(0);
    const tools = out.tools as { name: string; outputSchema?: { anyOf?: unknown[] } }[];
    expect(tools.map((t) => t.name)).toEqual([
      'add_memories',
      'search_memory',
      'list_memories',
      'delete_memories',
      'delete_all_memories',
    ]);
    for (const t of tools) expect(t.outputSchema?.anyOf, t.name).toHaveLength(2);
  });

  it.concurrent('tools/call add_memories stores the memory, visible over REST', async () => {
    const { code, out } = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'add_memories',
      '--tool-arg',
      'text=Added by the MCP Inspector over HTTP',
      'namespace=inspector-http',
    ]);
    expect(code).toBe(0);
    const m = (out.structuredContent as { memories: { id: string; source: { tool: string } }[] })
      .memories[0]!;
    const res = await fetch(`${srv.url}/v1/memories/${m.id}`, {
      headers: { authorization: `Bearer ${srv.token}` },
    });
    expect(res.status).toBe(200);
    await fetch(`${srv.url}/v1/memories/${m.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${srv.token}` },
    });
  });

  it.concurrent('tools/call shows a validation_error tool error as it is (exit 5)', async () => {
    const { code, out } = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'list_memories',
      '--tool-arg',
      'limit=1000',
    ]);
    expect(code).toBe(5);
    expect(out.isError).toBe(true);
    expect(out.structuredContent).toMatchObject({
      error: 'validation_error',
      details: { errors: [{ path: '/limit' }] },
    });
  });
});
