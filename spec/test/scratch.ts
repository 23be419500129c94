/** Scratch copies of the spec tree (SPEC.md, openapi.yaml, catalogue, schemas) for tests that break things. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../tools/paths.ts';

/** A temporary copy of the normative files; `edit` rewrites one file, `remove` deletes the copy. */
export interface Scratch {
  root: string;
  read(rel: string): string;
  write(rel: string, content: string): void;
  edit(rel: string, change: (text: string) => string): void;
  remove(): void;
}

/** Copy spec/ (sources and generated catalogue) and schemas/*.schema.json (+ generated/) to a temp dir. */
export function scratchCopy(): Scratch {
  const root = mkdtempSync(join(tmpdir(), 'omp-spec-'));
  mkdirSync(join(root, 'spec'));
  mkdirSync(join(root, 'schemas', 'generated'), { recursive: true });
  for (const f of ['SPEC.md', 'openapi.yaml', 'requirements.json', 'retired-requirements.json']) {
    cpSync(join(repoRoot, 'spec', f), join(root, 'spec', f));
  }
  for (const f of readdirSync(join(repoRoot, 'schemas'))) {
    if (f.endsWith('.schema.json')) cpSync(join(repoRoot, 'schemas', f), join(root, 'schemas', f));
  }
  cpSync(join(repoRoot, 'schemas', 'generated'), join(root, 'schemas', 'generated'), { recursive: true });
  const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
  const write = (rel: string, content: string) => writeFileSync(join(root, rel), content);
  return {
    root,
    read,
    write,
    edit: (rel, change) => {
      const before = read(rel);
      const after = change(before);
      if (after === before) throw new Error(`scratch edit of ${rel} changed nothing`);
      write(rel, after);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
