/**
 * The CLI as a real process: help, usage errors (2), an unreachable server (3), a non-OMP server (1, a clear
 * report, no crash), a rejected key (2), a level that cannot be certified without keys (2), report files, and
 * SIGINT (cleanup still runs, nothing is left behind).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundled, startBundled } from '../src/bundled.ts';
import { validateReport } from '../src/core/report-schema.ts';

const bin = new URL('../bin/omp-conformance.js', import.meta.url).pathname;

function run(
  args: string[],
  env: Record<string, string> = {},
  onStart?: (kill: (s: NodeJS.Signals) => void, out: () => string) => void,
) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    onStart?.(
      (s) => child.kill(s),
      () => out,
    );
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

let srv: Bundled;
let html: http.Server;
let htmlUrl: string;
let closedUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'omp-conformance-cli-'));

beforeAll(async () => {
  srv = await startBundled();
  html = http.createServer((_q, r) => {
    r.writeHead(200, { 'content-type': 'text/html' });
    r.end('<!doctype html><title>My blog</title>');
  });
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
  htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  const tmp = http.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedUrl = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}`;
  await new Promise<void>((r) => tmp.close(() => r()));
}, 60_000);

afterAll(async () => {
  await srv?.close();
  await new Promise<void>((r) => html.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('omp-conformance CLI', () => {
  it('prints help with examples and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage:');
    expect(r.out).toContain('Examples:');
    expect(r.out).toContain('Exit codes:');
  });

  it('exits 2 on a usage error', async () => {
    const r = await run(['--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/omp-conformance: .*no-such-flag/);
  });

  it('exits 3 when the server is unreachable', async () => {
    const r = await run([closedUrl, '--token', 'x']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/unreachable/);
  });

  it('reports a non-OMP server clearly and exits 1, without a stack trace', async () => {
    const r = await run([htmlUrl, '--token', 'x', '--reporter', 'pretty,json', '--out', join(dir, 'html')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('does not look like an OMP server');
    expect(r.err).not.toMatch(/\n\s+at /);
    const report = JSON.parse(readFileSync(join(dir, 'html', 'report.json'), 'utf8'));
    expect(validateReport(report)).toEqual([]);
    expect(report.checks.find((c: { id: string }) => c.id === 'OMP-HEALTH-002').status).toBe('fail');
  });

  it('exits 2 when the server rejects the key', async () => {
    const r = await run([srv.url, '--token', 'not-a-key-of-this-server']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('rejected token-a');
  });

  it('exits 2 when a requested level needs keys that were not given', async () => {
    const r = await run([srv.url, '--level', 'full', '--only', 'OMP-AUTH-020,OMP-HEALTH-001'], {
      OMP_TOKEN: srv.token,
    });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/could not certify [a-z, ]*full: .*second principal/);
  });

  it('certifies a server with keys from the environment and writes every report', async () => {
    const out = join(dir, 'reports');
    const r = await run(
      [
        srv.url,
        '--only',
        'OMP-HEALTH,OMP-CRUD-001',
        '--reporter',
        'pretty,json,junit,html,markdown,badge',
        '--out',
        out,
      ],
      {
        OMP_TOKEN: srv.token,
        OMP_TOKEN_B: srv.tokenB,
        OMP_TOOL_TOKENS: Object.entries(srv.toolTokens)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      },
    );
    expect(r.code, r.out + r.err).toBe(0);
    for (const f of [
      'report.json',
      'junit.xml',
      'report.html',
      'report.md',
      'badge-core.svg',
      'badge-full.svg',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    const all =
      ['report.json', 'junit.xml', 'report.html', 'report.md']
        .map((f) => readFileSync(join(out, f), 'utf8'))
        .join('\n') + r.out;
    for (const s of [srv.token, srv.tokenB, ...Object.values(srv.toolTokens)])
      expect(all.includes(s)).toBe(false);
  });

  it('certifies the bundled reference server when no URL is given', async () => {
    const r = await run(['--only', 'OMP-HEALTH,OMP-AUTH-023', '--reporter', 'pretty']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('Started the bundled reference server');
    expect(r.out).toMatch(/Verdict: incomplete — every selected check passes; partial run/);
  });

  it('cleans up after SIGINT and exits 3', async () => {
    const r = await run(
      [srv.url, '--reporter', 'pretty', '--concurrency', '2'],
      { OMP_TOKEN: srv.token, OMP_TOKEN_B: srv.tokenB },
      (kill, out) => {
        const timer = setInterval(() => {
          if (out().includes('checks to run')) {
            clearInterval(timer);
            setTimeout(() => kill('SIGINT'), 300);
          }
        }, 20);
      },
    );
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/interrupted/);
    for (const token of [srv.token, srv.tokenB]) {
      const res = await fetch(`${srv.url}/v1/memories?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await res.json()) as { total: number }).total).toBe(0);
    }
  });
});
