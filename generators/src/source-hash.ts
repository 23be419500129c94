/**
 * The source hash stamped into every generated file's header: sha256 (16 hex digits) over spec/openapi.yaml and
 * schemas/*.schema.json only, the inputs the generated code actually derives from. SPEC.md is left out on
 * purpose: rewording prose must not rewrite ten SDK files (the catalogue, derived from SPEC.md, keeps the full
 * spec hash of spec/tools/spec-hash.ts).
 */
import { relPaths } from '../../spec/tools/paths.ts';
import { hashFiles, specSourceFiles } from '../../spec/tools/spec-hash.ts';

/** Repository-relative paths of the generators' sources: openapi.yaml and every schema, sorted. */
export function apiSourceFiles(root: string): string[] {
  return specSourceFiles(root).filter((f) => f !== relPaths.spec);
}

/** sha256 over `apiSourceFiles` as `<path>\n<content>\n`, first 16 hex digits (same scheme as the spec hash). */
export function computeSourceHash(root: string): string {
  return hashFiles(root, apiSourceFiles(root));
}
