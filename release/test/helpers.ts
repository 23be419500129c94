/**
 * Helpers of the packaging test: child processes, Node/Bun runtimes from the npm registry (cached in the
 * git-ignored .tools/), reading manifests and walking an installed node_modules tree.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The npm packages of this repository that are published, by workspace folder. */
export const PUBLISHED = {
  '@omp-kit/schemas': 'schemas',
  '@omp-kit/spec': 'spec',
  'omp-sdk': 'sdk-ts',
  'omp-reference-server': 'reference-server',
  'omp-conformance': 'conformance',
  'omp-mcp': 'adapters/mcp',
} as const;
export type PackageName = keyof typeof PUBLISHED;

/** The package.json members the test reads. */
export interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  bin?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: unknown;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Result of a finished child process. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for child processes: ours without npm's per-script variables, `bin` first on PATH. */
export function childEnv(bin?: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && !k.startsWith('OMP_') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  if (bin) env.PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

const children = new Set<ChildProcess>();

/** Stop every child still running (afterAll). */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/** Run a command to its end (no timer of its own: the test's timeout bounds it). */
export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? childEnv(),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (e) => {
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run and require exit 0, with the output in the error. */
export async function runOk(
  cmd: string,
  args: string[],
  options: Parameters<typeof run>[2] = {},
): Promise<Ran> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r;
}

/** A server started from an installed bin, stopped by `stop()`. */
export interface StartedServer {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

/** Start a long-running command and wait for the line that names its URL (`pattern`'s first group). */
export function startUntil(
  cmd: string,
  args: string[],
  pattern: RegExp,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let found = false;
    const stopped = new Promise<void>((r) => child.on('close', () => r()));
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const m = pattern.exec(out);
      if (m && !found) {
        found = true;
        resolve({
          url: m[1] as string,
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            await stopped;
            children.delete(child);
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (!found) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} before it was ready:\n${out}`));
    });
  });
}

/** A runtime from the npm registry, installed once into .tools/<dir> (git-ignored) and reused after. */
async function registryRuntime(pkg: string, version: string, dir: string, bin: string): Promise<string> {
  const prefix = join(ROOT, '.tools', dir);
  const exe = join(prefix, 'node_modules', '.bin', bin);
  const installed = join(prefix, 'node_modules', pkg, 'package.json');
  if (existsSync(exe) && existsSync(installed) && readManifest(dirname(installed)).version === version)
    return exe;
  await runOk(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `${pkg}@${version}`],
    {
      env: childEnv(),
    },
  );
  return exe;
}

/** The `node` binary of one exact Node version (the registry's node@X.Y.Z package). */
export function nodeRuntime(version: string): Promise<string> {
  return registryRuntime('node', version, `node${version.split('.')[0]}`, 'node');
}

/** The `bun` binary (the registry's bun package). */
export function bunRuntime(version: string): Promise<string> {
  return registryRuntime('bun', version, 'bun', 'bun');
}

/** Total size in bytes and number of files under a folder. */
export function folderSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files += 1;
  }
  return { bytes, files };
}

/** Where Node would find package `name` from a package folder `from` (node_modules lookup upwards). */
export function resolvePackageDir(from: string, name: string, stopAt: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === stopAt || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

/** Every installed package a package needs at run time (dependencies and installed optional ones), transitively. */
export function runtimeClosure(
  pkgDir: string,
  root: string,
): Map<string, { dir: string; manifest: Manifest }> {
  const seen = new Map<string, { dir: string; manifest: Manifest }>();
  const walk = (dir: string) => {
    const m = readManifest(dir);
    const names = [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})];
    for (const name of names) {
      const depDir = resolvePackageDir(dir, name, root);
      if (!depDir || seen.has(depDir)) continue; // an optional dependency for another platform
      seen.set(depDir, { dir: depDir, manifest: readManifest(depDir) });
      walk(depDir);
    }
  };
  walk(pkgDir);
  return seen;
}

/** The bare module specifiers a JavaScript or .d.ts file imports (static, dynamic and `import type`). */
export function bareImports(source: string): string[] {
  const out = new Set<string>();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // examples in comments
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;
  for (const m of code.matchAll(re)) out.add(m[1] as string);
  return [...out];
}

/** The package name of a bare specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Every string leaf of an `exports` map. */
export function exportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (exportsField && typeof exportsField === 'object') {
    return Object.values(exportsField as Record<string, unknown>).flatMap(exportTargets);
  }
  return [];
}
