/**
 * One self-contained OpenAPI document for fuzzers: the given document (default spec/openapi.yaml) with every
 * `$ref` resolved offline by swagger-parser and the schemas' own resolver (their `$id` URLs are served from
 * schemas/), then `$id`/`$schema` dropped so no tool re-bases a reference. Usage:
 *   node reference-server/fuzz/bundle.ts [document] > bundled.json
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ompSchemaResolver } from '@omp-kit/schemas';

const root = fileURLToPath(new URL('../../', import.meta.url));
const input = resolve(process.argv[2] ?? `${root}spec/openapi.yaml`);

const api = await SwaggerParser.dereference(input, {
  resolve: { omp: ompSchemaResolver, http: false },
  dereference: { circular: false },
} as unknown as SwaggerParser.Options);

const text = JSON.stringify(api, (key, value) => (key === '$id' || key === '$schema' ? undefined : value));
const out = process.argv[3];
if (out) writeFileSync(out, text);
else process.stdout.write(text);
