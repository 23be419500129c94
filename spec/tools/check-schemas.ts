/**
 * Checks of the JSON Schemas: each compiles under ajv strict mode, carries $id/title/description and a
 * $comment linking an existing SPEC.md section, and every `examples` entry and `default` validates against the
 * (sub)schema it sits in.
 */
import { createAjv, pointerOf, type SchemaDocument, schemaBaseUri } from '@omp-kit/schemas';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { type Heading, type SpecIssue, slugify } from './requirements.ts';

/** Keywords whose value is one subschema. */
const singleSchema = [
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
] as const;
/** Keywords whose value is a list of subschemas. */
const schemaList = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
/** Keywords whose value maps names to subschemas. */
const schemaMap = ['properties', 'patternProperties', '$defs', 'dependentSchemas'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One escaped JSON Pointer token in URI-fragment form (ajv looks schemas up by `$id#pointer`). */
function pointerToken(key: string): string {
  return pointerOf([key]).slice(1);
}

/** Every object subschema of `schema` with its JSON Pointer, the root included. */
export function subschemas(
  schema: unknown,
  pointer = '',
): Array<{ pointer: string; schema: Record<string, unknown> }> {
  if (!isObject(schema)) return [];
  const out = [{ pointer, schema }];
  for (const k of singleSchema) if (k in schema) out.push(...subschemas(schema[k], `${pointer}/${k}`));
  for (const k of schemaList) {
    const list = schema[k];
    if (Array.isArray(list)) {
      list.forEach((s, i) => {
        out.push(...subschemas(s, `${pointer}/${k}/${i}`));
      });
    }
  }
  for (const k of schemaMap) {
    const map = schema[k];
    if (isObject(map)) {
      for (const [name, s] of Object.entries(map))
        out.push(...subschemas(s, `${pointer}/${k}/${pointerToken(name)}`));
    }
  }
  return out;
}

/**
 * An ajv (strict, via `createAjv`) holding exactly `docs`: when the tree is a scratch copy, its schemas replace
 * the installed ones under the same `$id`s, with the same options.
 */
export function ajvFor(docs: ReadonlyMap<string, SchemaDocument>): Ajv2020 {
  const ajv = createAjv({ allErrors: true });
  for (const doc of docs.values()) {
    ajv.removeSchema(doc.$id);
    ajv.addSchema(doc);
  }
  return ajv;
}

/** Counts of what the schema checks covered. */
export interface SchemaCheckStats {
  schemas: number;
  examples: number;
  defaults: number;
}

const commentPattern = /^SPEC\.md §(\d+(?:\.\d+)*) ([^(]+?) \((https:\/\/[^\s#)]+)#([^\s)]+)\)/;

/** Run every schema check; `headings` are SPEC.md's, to resolve the `$comment` links. */
export function checkSchemas(
  docs: ReadonlyMap<string, SchemaDocument>,
  headings: readonly Heading[],
): { issues: SpecIssue[]; stats: SchemaCheckStats; ajv: Ajv2020 } {
  const issues: SpecIssue[] = [];
  const stats: SchemaCheckStats = { schemas: 0, examples: 0, defaults: 0 };
  const anchors = new Set(headings.map((h) => h.anchor));
  const ajv = ajvFor(docs);

  for (const [name, doc] of docs) {
    const file = `schemas/${name}.schema.json`;
    const issue = (rule: string, message: string) => issues.push({ file, line: 0, rule, message });
    stats.schemas++;

    if (doc.$schema !== 'https://json-schema.org/draft/2020-12/schema') {
      issue('schema-meta', '$schema must be https://json-schema.org/draft/2020-12/schema');
    }
    const wantId = `${schemaBaseUri}${name}.schema.json`;
    if (doc.$id !== wantId) issue('schema-meta', `$id must be ${wantId}, found ${JSON.stringify(doc.$id)}`);
    for (const k of ['title', 'description'] as const) {
      if (typeof doc[k] !== 'string' || (doc[k] as string).trim() === '')
        issue('schema-meta', `${k} is missing`);
    }
    const comment = typeof doc.$comment === 'string' ? commentPattern.exec(doc.$comment) : null;
    if (!comment) {
      issue('schema-comment', '$comment must start "SPEC.md §<n> <title> (https://…#<anchor>)"');
    } else {
      const [, number, title, , anchor] = comment as unknown as [string, string, string, string, string];
      if (!anchors.has(anchor)) {
        issue('schema-comment', `$comment links #${anchor}, which is not the anchor of any SPEC.md heading`);
      } else if (slugify(`${number} ${title}`) !== anchor) {
        issue('schema-comment', `$comment says §${number} ${title} but links #${anchor}`);
      }
    }
    if (isObject(doc.$defs)) {
      for (const [key, def] of Object.entries(doc.$defs)) {
        if (!isObject(def) || typeof def.title !== 'string' || typeof def.description !== 'string') {
          issue('schema-meta', `$defs/${key} needs a title (its type name) and a description`);
        }
      }
    }
    const isContainer = Object.keys(doc).every((k) =>
      ['$schema', '$id', '$comment', 'title', 'description', '$defs'].includes(k),
    );
    if (!isContainer && (!Array.isArray(doc.examples) || doc.examples.length === 0)) {
      issue('schema-example', 'has no examples (every schema that is a type shows at least one)');
    }

    try {
      if (!ajv.getSchema(doc.$id)) issue('schema-compile', 'did not compile');
    } catch (e) {
      issue('schema-compile', `does not compile under ajv strict mode: ${(e as Error).message}`);
      continue;
    }

    for (const { pointer, schema } of subschemas(doc)) {
      const where = pointer || '/';
      const samples: Array<[string, unknown]> = [];
      if ('examples' in schema) {
        if (!Array.isArray(schema.examples)) issue('schema-example', `${where}: examples must be an array`);
        else {
          schema.examples.forEach((ex, i) => {
            samples.push([`examples/${i}`, ex]);
          });
        }
      }
      if ('default' in schema) samples.push(['default', schema.default]);
      if (samples.length === 0) continue;
      let validate: ReturnType<Ajv2020['getSchema']>;
      try {
        validate = ajv.getSchema(`${doc.$id}#${pointer}`);
      } catch (e) {
        issue('schema-compile', `${where} does not compile: ${(e as Error).message}`);
        continue;
      }
      if (!validate) {
        issue('schema-compile', `${where} cannot be resolved`);
        continue;
      }
      for (const [label, value] of samples) {
        if (label === 'default') stats.defaults++;
        else stats.examples++;
        if (!validate(value)) {
          const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
          issue('schema-example', `${where}/${label} is invalid against its schema: ${why}`);
        }
      }
    }
  }
  return { issues, stats, ajv };
}
