/**
 * `npm run build -w omp-sdk [-- --out DIR]`: the publishable package in sdk-ts/dist/ — ESM JavaScript and
 * .d.ts compiled by tsc (no Node types), a package.json whose exports point at them, and the README.
 * Publish with `npm publish sdk-ts/dist`. In this repository the workspace itself resolves to src/.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Build into `out` (default sdk-ts/dist); returns the folder. Throws with tsc's output on a type error. */
export function buildPackage(out: string = join(pkgDir, 'dist')): string {
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(pkgDir, 'tsconfig.build.json'), '--outDir', out], {
    stdio: 'pipe',
    encoding: 'utf8',
  });
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const published = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: 'module',
    sideEffects: false,
    engines: pkg.engines,
    exports: { '.': { types: './index.d.ts', default: './index.js' } },
    main: './index.js',
    types: './index.d.ts',
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  copyFileSync(join(pkgDir, 'README.md'), join(out, 'README.md'));
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  console.log(`built ${buildPackage(values.out ? resolve(values.out) : undefined)}`);
}
