/**
 * Every example runs, as a user would run it: one command, a child process, exit 0 and the line that says it
 * got to the end. The CI workflows parse, name only npm scripts and bins that exist, and the spec-review steps
 * run for real; certify-local.sh runs the certification workflow's command line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from 'omp-reference-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = process.execPath;

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
/** Process groups of the commands still running: a test that times out leaves none behind. */
const running = new Set<number>();
afterAll(() => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/**
 * The environment of an example: ours without any OMP_* setting (so each example starts its own server) and
 * with this Node first on PATH (the examples need Node >= 22.18).
 */
function exampleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OMP_') && !k.startsWith('GITHUB_') && k !== 'REPORT_DIR') env[k] = v;
  }
  env.PATH = `${dirname(NODE)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to its end. No timer of its own (a busy machine must not fail a test by being slow): the test's
 * timeout bounds it, and afterAll stops the whole process group (the servers it started too) if it is still running.
 */
function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? exampleEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so afterAll can end everything it started
    });
    if (child.pid !== undefined) running.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit 0 and every wanted line, with the output in the failure message. */
function expectSuccess(r: Ran, want: RegExp[]): void {
  const output = `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  expect(r.code, output).toBe(0);
  for (const w of want) expect(r.stdout, output).toMatch(w);
}

/** A bound for hangs, far above a normal run on a busy machine; compiles happen before it starts (beforeAll). */
const TEST_TIMEOUT = 180_000;

/** The server a script said it started no longer answers: the script stopped it (no leaked process). */
async function expectStopped(stdout: string, said: RegExp): Promise<void> {
  const url = said.exec(stdout)?.[1];
  expect(url, 'the script did not say where it started its server').toBeTypeOf('string');
  await expect(fetch(`${url}/v1/health`)).rejects.toThrow();
}

describe('examples run with one command against a reference server they start', () => {
  const cases: [string, { cmd: string; args: string[]; want: RegExp[] }][] = [
    [
      'curl walkthrough',
      {
        cmd: 'bash',
        args: ['examples/curl/walkthrough.sh'],
        want: [
          /^Started the reference server at http:\/\/127\.0\.0\.1:\d+/m,
          /ok: 1 imported \(the deleted one\), 1 skipped/,
          /"error": "validation_error"/,
          /^walkthrough complete: 11 steps against /m,
        ],
      },
    ],
    [
      'TypeScript quickstart',
      {
        cmd: NODE,
        args: ['examples/typescript/quickstart.ts'],
        want: [
          /^listed 25 memories with for await/m,
          // Keyword search 0.4 matches any token: the 24 standup notes and the typescript memory (OMP-SEARCH-030).
          /^searched page by page: pages of 10 \+ 10 \+ 5 memories$/m,
          /^ValidationError 422 validation_error: \/tags\/0 /m,
          /^quickstart complete$/m,
        ],
      },
    ],
    [
      'MCP call-tools',
      {
        cmd: NODE,
        args: ['examples/mcp/call-tools.ts'],
        want: [
          /^stdio: tools\/list -> add_memories, search_memory, list_memories, delete_memories, delete_all_memories$/m,
          /^stdio: add_memories -> mem_[a-z0-9]{16} \(source\.tool claude-desktop\)$/m,
          /^http: search_memory "editor" -> mem_[a-z0-9]{16}$/m,
          /^call-tools complete$/m,
        ],
      },
    ],
  ];
  it.each(cases)(
    '%s',
    async (_name, { cmd, args, want }) => {
      const r = await run(cmd, args);
      expectSuccess(r, want);
      await expectStopped(r.stdout, /^started the reference server at (http:\S+)/im);
    },
    TEST_TIMEOUT,
  );

  const python = join(ROOT, 'sdk-python', '.venv', 'bin', 'python');
  const hasPython = existsSync(python);
  it.skipIf(!hasPython)(
    hasPython
      ? 'Python quickstart'
      : 'Python quickstart: skipped, sdk-python/.venv does not exist (npm run test:python creates it and runs this example too)',
    async () => {
      expectSuccess(await run(python, ['examples/python/quickstart.py']), [/^async: walked \d+ memories$/m]);
    },
    TEST_TIMEOUT,
  );

  const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
  const goEnv = { GOPROXY: 'off', GOTOOLCHAIN: 'local' };
  let goBinary = '';
  // The documented command is `go run .`; built here first, outside any test timeout (a cold Go build cache on a
  // busy machine takes minutes), then the binary runs inside the test.
  beforeAll(async () => {
    if (!hasGo) return;
    goBinary = join(tempDir('omp-examples-go-bin-'), 'omp-example');
    const built = await run('go', ['build', '-o', goBinary, '.'], {
      cwd: join(ROOT, 'examples', 'go'),
      env: exampleEnv(goEnv),
    });
    expect(built.code, `go build failed\n${built.stdout}\n${built.stderr}`).toBe(0);
  }, 900_000);
  it.skipIf(!hasGo)(
    hasGo ? 'Go example' : 'Go example: skipped, go is not on PATH (npm run test:go runs it too)',
    async () => {
      // Its documented command: OMP_SERVER=... OMP_API_KEY=... go run . (in examples/go), here without downloads.
      const dir = tempDir('omp-examples-go-');
      const server = await startServer({ dbPath: join(dir, 'omp.db') });
      try {
        const env = exampleEnv({ ...goEnv, OMP_SERVER: server.url, OMP_API_KEY: server.apiKey ?? '' });
        expectSuccess(await run(goBinary, [], { cwd: join(ROOT, 'examples', 'go'), env }), [
          /^server omp-reference-server /m,
          /^done$/m,
        ]);
      } finally {
        await server.close();
      }
    },
    TEST_TIMEOUT,
  );
});

/** A workflow as far as these tests read it. */
interface Workflow {
  on: Record<string, { paths?: string[] } | null>;
  jobs: Record<
    string,
    { steps: { name?: string; run?: string; uses?: string; env?: Record<string, string> }[] }
  >;
}

const workflowFiles = ['spec-review.yml', 'certify-server.yml'] as const;
const workflows = Object.fromEntries(
  workflowFiles.map((f) => [f, parse(readFileSync(join(ROOT, 'examples', 'ci', f), 'utf8')) as Workflow]),
) as Record<(typeof workflowFiles)[number], Workflow>;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const runs = (w: Workflow) => steps(w).flatMap((s) => (s.run === undefined ? [] : [s.run]));

describe('CI workflow examples', () => {
  const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    workspaces: string[];
  };
  const bins = new Set(
    rootPackage.workspaces.flatMap((ws) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, ws, 'package.json'), 'utf8')) as {
        bin?: Record<string, string>;
      };
      return Object.keys(pkg.bin ?? {});
    }),
  );

  it.each(workflowFiles)('%s parses and has jobs whose steps run or use something', (file) => {
    const w = workflows[file];
    expect(Object.keys(w.jobs).length).toBeGreaterThan(0);
    for (const s of steps(w)) expect(s.run ?? s.uses, JSON.stringify(s)).toBeTypeOf('string');
  });

  it.each(workflowFiles)(
    '%s names only npm scripts of the root package.json and bins of its workspaces',
    (file) => {
      const text = runs(workflows[file]).join('\n');
      const scripts = [...text.matchAll(/\bnpm run(?:\s+-s)?\s+([\w:.-]+)/g)].map((m) => m[1] as string);
      const npx = [...text.matchAll(/\bnpx\s+([\w@/.-]+)/g)].map((m) => m[1] as string);
      expect(scripts.length + npx.length, 'the workflow runs nothing of this repository').toBeGreaterThan(0);
      for (const s of scripts) expect(Object.keys(rootPackage.scripts), `npm run ${s}`).toContain(s);
      for (const b of npx) expect([...bins], `npx ${b}`).toContain(b);
    },
  );

  it(
    'spec-review runs on pull requests touching spec/ or schemas/, and its steps succeed here',
    async () => {
      const w = workflows['spec-review.yml'];
      expect(w.on.pull_request?.paths).toEqual(expect.arrayContaining(['spec/**', 'schemas/**']));
      expect(runs(w).join('\n')).toMatch(/npm run spec:check/);
      // Each run step as GitHub runs it (bash -eo pipefail), but not npm ci: the dependencies are installed.
      const temp = tempDir('omp-examples-spec-review-');
      const summary = join(temp, 'summary.md');
      writeFileSync(summary, '');
      const env = exampleEnv({ GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp });
      for (const script of runs(w).filter((r) => r.trim() !== 'npm ci')) {
        const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { env });
        expect(r.code, `${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
      }
      const md = readFileSync(summary, 'utf8');
      expect(md).toMatch(/^# OMP spec \S+ \(spec\/releases\/[^)]+\) → \S+ \(spec\)$/m);
      expect(md).toMatch(/\*\*\d+ breaking, \d+ potentially breaking, \d+ non-breaking\*\*/);
    },
    TEST_TIMEOUT,
  );

  it(
    'certify-local.sh certifies a reference server with the workflow command line, summary and reports',
    async () => {
      const conformance = runs(workflows['certify-server.yml']).find((r) => r.includes('omp-conformance'));
      expect(conformance).toMatch(/--reporter pretty,junit,html,markdown --out /);
      const script = readFileSync(join(ROOT, 'examples', 'ci', 'certify-local.sh'), 'utf8');
      expect(script, 'certify-local.sh must run the workflow command verbatim').toContain(
        conformance?.trim(),
      );

      const temp = tempDir('omp-examples-certify-');
      const reports = join(temp, 'conformance-report');
      const summary = join(temp, 'summary.md');
      const r = await run('bash', ['examples/ci/certify-local.sh'], {
        env: exampleEnv({ REPORT_DIR: reports, GITHUB_STEP_SUMMARY: summary }),
      });
      expectSuccess(r, [/^Verdict: conformant/m, /^certify-local: omp-conformance exited 0$/m]);
      await expectStopped(r.stdout, /^started the reference server at (http:\S+)/m);
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/<testsuites?[\s>]/);
      expect(readFileSync(join(reports, 'report.html'), 'utf8')).toMatch(/<html/i);
      expect(readFileSync(summary, 'utf8')).toBe(readFileSync(join(reports, 'report.md'), 'utf8'));
    },
    TEST_TIMEOUT,
  );
});
