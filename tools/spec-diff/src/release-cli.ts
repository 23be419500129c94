/**
 * `npm run spec:release [-- --force] [--releases-dir DIR]`: copies the live spec into
 * spec/releases/<info.version>/. Exit 0 on success, 1 when the release cannot be cut, 2 on a usage error.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { schemaDir } from '@omp-kit/schemas';
import { ReleaseError, releaseSpec } from './release/release.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const usage = `usage: npm run spec:release -- [--force] [--releases-dir DIR] [--spec-dir DIR] [--schemas-dir DIR]

Copies spec/openapi.yaml, schemas/*.schema.json, spec/requirements.json, spec/retired-requirements.json and
spec/SPEC.md into spec/releases/<info.version>/. An existing release is replaced only with --force.
`;

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      force: { type: 'boolean' },
      'releases-dir': { type: 'string' },
      'spec-dir': { type: 'string' },
      'schemas-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(`spec:release: ${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}

const specDir = resolve(String(values['spec-dir'] ?? join(repoRoot, 'spec')));
try {
  const result = await releaseSpec({
    specDir,
    schemasDir: resolve(String(values['schemas-dir'] ?? schemaDir)),
    releasesDir: resolve(String(values['releases-dir'] ?? join(specDir, 'releases'))),
    force: values.force === true,
  });
  process.stdout.write(`released OMP ${result.version} into ${result.dir} (${result.files.length} files)\n`);
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  process.stderr.write(`spec:release: ${error.message}\n`);
  process.exit(1);
}
