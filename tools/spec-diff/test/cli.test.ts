/**
 * The omp-spec-diff CLI: exit status, formats and messages through `main()` in-process (fast), and the
 * executable itself as users run it, as a real Node process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'omp-spec-diff.js');
const fixture = (name: string, side: 'old' | 'new') => join(import.meta.dirname, 'fixtures', name, side);

/** Run the CLI in this process, capturing what it writes. */
async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

/** Run the executable as a separate Node process. */
function spawn(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type ExitCase = [name: string, { given: string[]; want: number }];

const exits: ExitCase[] = [
  [
    'breaking change',
    { given: [fixture('operation-removed', 'old'), fixture('operation-removed', 'new')], want: 1 },
  ],
  ['additive changes only', { given: [fixture('additive', 'old'), fixture('additive', 'new')], want: 0 }],
  [
    'potentially breaking only',
    {
      given: [fixture('requirement-text-changed', 'old'), fixture('requirement-text-changed', 'new')],
      want: 0,
    },
  ],
  [
    'an openapi.yaml file instead of a folder',
    { given: [fixture('identical', 'old'), join(fixture('identical', 'new'), 'openapi.yaml')], want: 0 },
  ],
  ['no arguments', { given: [], want: 2 }],
  ['one version only', { given: [fixture('identical', 'old')], want: 2 }],
  [
    'unknown option',
    { given: ['--colour', fixture('identical', 'old'), fixture('identical', 'new')], want: 2 },
  ],
  [
    'unknown format',
    { given: ['--format', 'xml', fixture('identical', 'old'), fixture('identical', 'new')], want: 2 },
  ],
  ['missing folder', { given: [fixture('identical', 'old'), '/nonexistent/omp-spec'], want: 2 }],
  ['folder without openapi.yaml', { given: [fixture('identical', 'old'), import.meta.dirname], want: 2 }],
];

describe('omp-spec-diff CLI', () => {
  it.each(exits)('exit status: %s', async (_name, { given, want }) => {
    expect((await run(...given)).status).toBe(want);
  });

  it('runs as an executable: exit 1 and the text report on a breaking change', () => {
    const { status, stdout } = spawn(
      fixture('operation-removed', 'old'),
      fixture('operation-removed', 'new'),
    );
    expect(status).toBe(1);
    expect(stdout).toContain(
      '[operation-removed] DELETE /v1/notes/{id}: operation DELETE /v1/notes/{id} removed',
    );
  });

  it('runs as an executable: exit 2 and the usage on stderr without arguments', () => {
    const { status, stdout, stderr } = spawn();
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage: omp-spec-diff');
  });

  it('prints findings as text by default, grouped by severity', async () => {
    const { stdout } = await run(fixture('error-code-changed', 'old'), fixture('error-code-changed', 'new'));
    expect(stdout).toContain('1 breaking, 0 potentially breaking, 1 non-breaking');
    expect(stdout).toMatch(
      /BREAKING \(1\)\n {2}\[error-code-removed\] DELETE \/v1\/notes\/\{id\} response 404: /,
    );
  });

  it('prints a JSON report with --format json', async () => {
    const { stdout, status } = await run(
      '--format',
      'json',
      fixture('max-items-lowered', 'old'),
      fixture('max-items-lowered', 'new'),
    );
    expect(status).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.summary).toEqual({ breaking: 1, 'potentially-breaking': 0, 'non-breaking': 0 });
    expect(report.changes).toEqual([
      {
        kind: 'constraint-narrowed',
        severity: 'breaking',
        location: 'POST /v1/notes request body /tags',
        message: 'maxItems lowered: 10 → 5',
        before: 10,
        after: 5,
      },
    ]);
    expect(report.old.version).toBe('1.0');
  });

  it('prints a Markdown table with --format markdown', async () => {
    const { stdout } = await run(
      '--format',
      'markdown',
      fixture('parameter-removed', 'old'),
      fixture('parameter-removed', 'new'),
    );
    expect(stdout).toContain('## Breaking (1)');
    expect(stdout).toContain(
      '| `parameter-removed` | GET /v1/notes query parameter `order` | query parameter `order` removed |',
    );
  });

  it('says why a version cannot be read, on stderr', async () => {
    const { stderr, stdout } = await run(fixture('identical', 'old'), '/nonexistent/omp-spec');
    expect(stdout).toBe('');
    expect(stderr).toContain('/nonexistent/omp-spec: no such file or folder');
  });
});
