/**
 * The publishable build: tsc emits JavaScript and .d.ts without Node types, the package.json it writes has
 * no dependencies and points at them, and the built JavaScript runs in a Node with TypeScript stripping off.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { buildPackage } from '../scripts/build.ts';

const out = join(mkdtempSync(join(tmpdir(), 'omp-sdk-build-')), 'dist');
afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

it('builds a dependency-free ESM package with types', () => {
  buildPackage(out);
  const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({
    name: 'omp-sdk',
    type: 'module',
    sideEffects: false,
    exports: { '.': { types: './index.d.ts', default: './index.js' } },
  });
  expect(pkg.dependencies).toBeUndefined();
  for (const f of [
    'index.js',
    'index.d.ts',
    'generated/client.js',
    'generated/types.d.ts',
    'core/request.js',
    'README.md',
  ]) {
    expect(existsSync(join(out, f)), f).toBe(true);
  }
  const script = `const m = await import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)});
const c = new m.OmpClient({ baseUrl: 'http://omp.invalid', fetch: async (url) => new Response(JSON.stringify({ url }), { status: 200 }) });
console.log(JSON.stringify(await c.health()));`;
  const stdout = execFileSync(
    process.execPath,
    ['--no-experimental-strip-types', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(stdout)).toEqual({ url: 'http://omp.invalid/v1/health' });
});
