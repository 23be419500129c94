/**
 * The spec hash stamped into every generated file: it changes whenever any normative source changes,
 * so a stale artifact is caught by `npm run generate:check`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { relPaths } from './paths.ts';

/** Repository-relative paths of the normative sources: SPEC.md, openapi.yaml and every schema, sorted. */
export function specSourceFiles(root: string): string[] {
  const schemaFiles = readdirSync(join(root, relPaths.schemas))
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => `${relPaths.schemas}/${f}`);
  return [relPaths.spec, relPaths.openapi, ...schemaFiles].sort();
}

/**
 * sha256 over each source file (sorted by relative path) as `<path>\n<content>\n`, first 16 hex digits.
 * A missing source (SPEC.md before it is written) hashes as `<path>\n<missing>\n` so the hash stays defined.
 */
export function computeSpecHash(root: string): string {
  return hashFiles(root, specSourceFiles(root));
}

/** The hash `computeSpecHash` computes, over any list of repository-relative files (sorted by the caller). */
export function hashFiles(root: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const rel of files) {
    const abs = join(root, rel);
    const content = existsSync(abs) ? readFileSync(abs) : Buffer.from('<missing>');
    hash.update(`${rel}\n`);
    hash.update(content);
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}
