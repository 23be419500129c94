/** Reads the `*.schema.json` documents of a tree (the real one or a scratch copy), keyed by name. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaDocument } from '@omp-kit/schemas';

/** Every schema under `dir`, keyed by file name without `.schema.json`, in file-name order. */
export function readSchemaDocs(dir: string): Map<string, SchemaDocument> {
  const docs = new Map<string, SchemaDocument>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.schema.json')) continue;
    docs.set(file.slice(0, -'.schema.json'.length), JSON.parse(readFileSync(join(dir, file), 'utf8')));
  }
  return docs;
}
