/**
 * `node generators/src/cli.ts [--check] [--root DIR]`: write the SDK files derived from the spec, or with
 * --check exit 1 listing the ones that are out of date. `npm run generate` does the same for every artifact.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSdkFiles } from './sdks.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean' }, root: { type: 'string' } } });
const result = await generateSdkFiles({
  root: values.root ? resolve(values.root) : undefined,
  check: values.check ?? false,
});
for (const p of result.written) console.log(`wrote      ${p}`);
for (const p of result.unchanged) console.log(`up to date ${p}`);
if (result.stale.length > 0) {
  console.error(`out of date (run npm run generate):\n${result.stale.map((p) => `  ${p}`).join('\n')}`);
  process.exitCode = 1;
}
