/**
 * An offline $ref resolver for a folder of JSON Schemas whose `$id`s are https URLs that are not on the network
 * (a released spec's own `schemas/`, or a test fixture's). It is the equivalent of @omp-kit/schemas'
 * `ompSchemaResolver` for a folder other than the live `schemas/`: every `$id` found in the folder is served
 * from its file, as is any sibling file under the same base URL.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The resolver shape @apidevtools/json-schema-ref-parser accepts under `resolve`. */
export interface RefResolver {
  order: number;
  canRead: (file: { url: string }) => boolean;
  read: (file: { url: string }) => string;
}

/** Build a resolver serving the `$id`s of every `*.json` file in `schemasDir`. */
export function schemaDirResolver(schemasDir: string): RefResolver {
  const byId = new Map<string, string>();
  const bases = new Set<string>();
  for (const file of readdirSync(schemasDir).sort()) {
    if (!file.endsWith('.json')) continue;
    const path = join(schemasDir, file);
    let id: unknown;
    try {
      id = (JSON.parse(readFileSync(path, 'utf8')) as { $id?: unknown }).$id;
    } catch {
      continue; // not JSON: not a schema this resolver can serve
    }
    if (typeof id !== 'string' || !/^https?:\/\//.test(id)) continue;
    byId.set(id.split('#')[0] ?? id, path);
    bases.add(id.slice(0, id.lastIndexOf('/') + 1));
  }
  const pathFor = (url: string): string | undefined => {
    const bare = url.split('#')[0] ?? url;
    const known = byId.get(bare);
    if (known) return known;
    for (const base of bases) {
      if (!bare.startsWith(base)) continue;
      const name = bare.slice(base.length);
      if (/^[A-Za-z0-9._-]+\.json$/.test(name) && existsSync(join(schemasDir, name)))
        return join(schemasDir, name);
    }
    return undefined;
  };
  return {
    order: 1,
    canRead: (file) => pathFor(file.url) !== undefined,
    read: (file) => readFileSync(pathFor(file.url)!, 'utf8'),
  };
}
