/**
 * examples/consumer.ts, a consumer importing `omp-sdk` by name, must compile under tsc --strict with
 * exactOptionalPropertyTypes; its @ts-expect-error lines make wrong calls a compile failure too.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it('examples/consumer.ts compiles with tsc --strict', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(here, '..', 'examples', 'tsconfig.json')], {
      encoding: 'utf8',
    });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(output).toBe('');
});
