/**
 * `npm run docs [-- --out DIR] [--spec-dir DIR]`: writes the static documentation site (default `docs-site/` at
 * the repo root, git-ignored) from spec/SPEC.md and spec/openapi.yaml.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDocs } from './site.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let values: { out?: string; 'spec-dir'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      out: { type: 'string' },
      'spec-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(
    `docs: ${(error as Error).message}\nusage: npm run docs -- [--out DIR] [--spec-dir DIR]\n`,
  );
  process.exit(2);
}
if (values.help) {
  process.stdout.write('usage: npm run docs -- [--out DIR] [--spec-dir DIR]\n');
  process.exit(0);
}

const outDir = resolve(values.out ?? join(repoRoot, 'docs-site'));
const result = await buildDocs({ specDir: resolve(values['spec-dir'] ?? join(repoRoot, 'spec')), outDir });
process.stdout.write(
  `docs: wrote ${result.files.join(', ')} to ${relative(process.cwd(), outDir) || '.'} ` +
    `(${result.requirementIds.length} requirement anchors, ${result.operationIds.length} operations)\n`,
);
