/**
 * Generated files that the repository's formatter checks (the SDK README) are passed through that same
 * formatter, so `npm run lint` and the drift check never disagree about their layout.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** The repository whose biome.json applies (this package's parent). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `content` as `biome format` writes the file at repository-relative `path`. */
export function formatLikeBiome(path: string, content: string): string {
  const bin = require.resolve('@biomejs/biome/bin/biome');
  return execFileSync(process.execPath, [bin, 'format', `--stdin-file-path=${path}`], {
    cwd: repoRoot,
    input: content,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
