/**
 * Checks of spec/openapi.yaml: valid OpenAPI 3.1 (swagger-parser, offline), 2020-12 dialect, every example
 * valid against its schema (schemas resolved through their `$id`s), operationIds, bearer security, and at least
 * one example for every response and request body.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import {
  atPointer,
  pointerOf,
  pointerTokens,
  type SchemaDocument,
  schemaDirResolver,
} from '@omp-kit/schemas';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { LineCounter, parseDocument } from 'yaml';
import type { SpecIssue } from './requirements.ts';

const file = 'spec/openapi.yaml';
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const dialect = 'https://json-schema.org/draft/2020-12/schema';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const token = (k: string) => pointerOf([k]).slice(1);

/** Counts of what the OpenAPI checks covered. */
export interface OpenapiCheckStats {
  operations: number;
  examples: number;
}

/**
 * Validate the document with swagger-parser, offline: the schema files resolve their relative `$ref`s against
 * their `$id` (https://openmemoryprotocol.org/schemas/…), so those URLs are served from the local `schemaDir`.
 */
export async function validateOpenapiDocument(path: string, schemaDir: string): Promise<SpecIssue[]> {
  try {
    await SwaggerParser.validate(path, {
      resolve: { http: false, omp: schemaDirResolver(schemaDir) },
    } as unknown as SwaggerParser.Options);
    return [];
  } catch (e) {
    const msg = (e as Error).message.split('\n').slice(0, 20).join('\n  ');
    return [{ file, line: 0, rule: 'openapi-invalid', message: `swagger-parser: ${msg}` }];
  }
}

/**
 * An optional feature's operation (its 404 is `FeatureNotFound`): a server without the feature answers 404 before
 * looking at the key, so besides bearer it may declare anonymous access (`security: [{ bearer: [] }, {}]`).
 */
function optionalFeature(op: Record<string, unknown>): boolean {
  const responses = op.responses as Record<string, { $ref?: unknown }> | undefined;
  const notFound = responses?.['404']?.$ref;
  return typeof notFound === 'string' && notFound.endsWith('/FeatureNotFound');
}

/** Everything but swagger-parser's validation: examples, operationIds, security, example coverage, references. */
export function checkOpenapiContent(
  source: string,
  docs: ReadonlyMap<string, SchemaDocument>,
  ajv: Ajv2020,
): { issues: SpecIssue[]; stats: OpenapiCheckStats; api: Obj } {
  const issues: SpecIssue[] = [];
  const stats: OpenapiCheckStats = { operations: 0, examples: 0 };
  const lines = new LineCounter();
  const yamlDoc = parseDocument(source, { lineCounter: lines });
  const api = (yamlDoc.toJS() ?? {}) as Obj;

  /** 1-based line of the node at a JSON Pointer (0 when it cannot be located). */
  const lineOf = (pointer: string): number => {
    const path = pointerTokens(pointer);
    const node = yamlDoc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : 0;
  };
  const issue = (pointer: string, rule: string, message: string) =>
    issues.push({ file, line: lineOf(pointer), rule, message: `#${pointer}: ${message}` });

  if (typeof api.openapi !== 'string' || !api.openapi.startsWith('3.1.')) {
    issue('/openapi', 'openapi-version', `openapi must be 3.1.x, found ${JSON.stringify(api.openapi)}`);
  }
  if (api.jsonSchemaDialect !== dialect) {
    issue(
      '',
      'openapi-dialect',
      `top-level jsonSchemaDialect must be ${dialect} (Prism reads 3.1 schemas as draft-07 without it)`,
    );
  }

  /** Resolve an internal `#/...` reference. */
  const resolveInternal = (ref: string): unknown => atPointer(api, ref);
  /** Follow `$ref`s of OpenAPI objects (responses, parameters, examples, ...) to the object itself. */
  const deref = (value: unknown, pointer: string): { value: unknown; pointer: string } => {
    let current = { value, pointer };
    for (
      let hops = 0;
      hops < 10 && isObject(current.value) && typeof current.value.$ref === 'string';
      hops++
    ) {
      const ref = current.value.$ref as string;
      if (!ref.startsWith('#/')) {
        issue(current.pointer, 'openapi-ref', `only internal $refs are allowed here, found ${ref}`);
        return { value: undefined, pointer: current.pointer };
      }
      const target = resolveInternal(ref);
      if (target === undefined) {
        issue(current.pointer, 'openapi-ref', `dangling $ref ${ref}`);
        return { value: undefined, pointer: current.pointer };
      }
      current = { value: target, pointer: ref.slice(1) };
    }
    return current;
  };

  const schemaIdByFile = new Map<string, string>();
  for (const [name, doc] of docs) schemaIdByFile.set(`${name}.schema.json`, doc.$id);

  /**
   * An OpenAPI schema object turned into one ajv understands: `#/components/schemas/X` inlined, file
   * references (`../schemas/memory.schema.json#...`) turned into the schema's `$id`.
   */
  const toAjvSchema = (schema: unknown, pointer: string, depth = 0, nameMap = false): unknown => {
    if (depth > 50) throw new Error(`${pointer}: $ref chain too deep`);
    if (Array.isArray(schema)) return schema.map((s, i) => toAjvSchema(s, `${pointer}/${i}`, depth + 1));
    if (!isObject(schema)) return schema;
    const out: Obj = {};
    for (const [k, v] of Object.entries(schema)) {
      if (nameMap) {
        // Keys of `properties` and the like are member names, not keywords.
        out[k] = toAjvSchema(v, `${pointer}/${token(k)}`, depth + 1);
      } else if (k === 'const' || k === 'enum' || k === 'default' || k === 'examples') {
        out[k] = v; // values, not schemas
      } else if (k === '$ref' && typeof v === 'string') {
        if (v.startsWith('#/')) {
          const target = resolveInternal(v);
          if (target === undefined) throw new Error(`${pointer}: dangling $ref ${v}`);
          const inlined = toAjvSchema(target, v.slice(1), depth + 1);
          if (isObject(inlined)) Object.assign(out, inlined);
          continue;
        }
        const [path, fragment] = v.split('#') as [string, string | undefined];
        const id = schemaIdByFile.get(basename(path));
        if (!id || !path.endsWith('.schema.json'))
          throw new Error(`${pointer}: $ref ${v} names no schema file`);
        out.$ref = fragment === undefined ? id : `${id}#${fragment}`;
      } else if (k === 'example') {
        // OpenAPI's own annotation, unknown to ajv strict mode; checked on its own.
      } else {
        const names = ['properties', 'patternProperties', '$defs', 'dependentSchemas'].includes(k);
        out[k] = toAjvSchema(v, `${pointer}/${token(k)}`, depth + 1, names);
      }
    }
    return out;
  };

  const compiled = new Map<string, ValidateFunction>();
  const validatorOf = (schema: unknown, pointer: string): ValidateFunction | undefined => {
    try {
      const converted = toAjvSchema(schema, pointer);
      const key = JSON.stringify(converted);
      let fn = compiled.get(key);
      if (!fn) {
        const ref = isObject(converted) && Object.keys(converted).length === 1 ? converted.$ref : undefined;
        fn = typeof ref === 'string' ? ajv.getSchema(ref) : ajv.compile(converted as object);
        if (!fn) throw new Error(`cannot resolve ${String(ref)}`);
        compiled.set(key, fn);
      }
      return fn;
    } catch (e) {
      issue(pointer, 'openapi-schema', `schema does not compile: ${(e as Error).message}`);
      return undefined;
    }
  };

  const checkValue = (value: unknown, schema: unknown, schemaPointer: string, examplePointer: string) => {
    stats.examples++;
    const validate = validatorOf(schema, schemaPointer);
    if (validate && !validate(value)) {
      const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      issue(examplePointer, 'openapi-example', `example is invalid against its schema: ${why}`);
    }
  };

  const usedExamples = new Set<string>();
  /** Validate `example`/`examples` of a media type, parameter or header; returns how many there are. */
  const checkExamplesOf = (owner: Obj, pointer: string, schema: unknown): number => {
    let count = 0;
    if ('example' in owner) {
      count++;
      checkValue(owner.example, schema, `${pointer}/schema`, `${pointer}/example`);
    }
    if (isObject(owner.examples)) {
      for (const [name, raw] of Object.entries(owner.examples)) {
        const at = `${pointer}/examples/${token(name)}`;
        if (isObject(raw) && typeof raw.$ref === 'string') usedExamples.add(raw.$ref);
        const { value: ex } = deref(raw, at);
        if (!isObject(ex)) continue;
        count++;
        if ('externalValue' in ex)
          issue(at, 'openapi-example', 'externalValue examples cannot be checked; inline the value');
        else if (!('value' in ex)) issue(at, 'openapi-example', 'example has no value');
        else checkValue(ex.value, schema, `${pointer}/schema`, at);
      }
    }
    if (isObject(schema)) count += checkSchemaExamples(schema, `${pointer}/schema`);
    return count;
  };
  /** Validate the `examples` (and OpenAPI `example`) keywords of a schema object against that schema. */
  const checkSchemaExamples = (schema: Obj, pointer: string): number => {
    let count = 0;
    if (Array.isArray(schema.examples)) {
      schema.examples.forEach((ex, i) => {
        count++;
        checkValue(ex, schema, pointer, `${pointer}/examples/${i}`);
      });
    }
    if ('example' in schema) {
      count++;
      checkValue(schema.example, schema, pointer, `${pointer}/example`);
    }
    return count;
  };

  const seen = new Set<unknown>();
  const checkMediaTypes = (content: unknown, pointer: string, requireExample: string | undefined) => {
    if (!isObject(content)) return;
    for (const [mediaType, media] of Object.entries(content)) {
      const at = `${pointer}/content/${token(mediaType)}`;
      if (!isObject(media) || seen.has(media)) continue;
      seen.add(media);
      if (media.schema === undefined) {
        issue(at, 'openapi-schema', 'media type has no schema');
        continue;
      }
      const n = checkExamplesOf(media, at, media.schema);
      if (n === 0 && requireExample) issue(at, 'openapi-example-missing', `${requireExample} has no example`);
    }
  };
  const checkParameter = (raw: unknown, pointer: string) => {
    const { value: p, pointer: at } = deref(raw, pointer);
    if (!isObject(p) || seen.has(p)) return;
    seen.add(p);
    checkExamplesOf(p, at, p.schema);
  };
  const checkHeaders = (headers: unknown, pointer: string) => {
    if (!isObject(headers)) return;
    for (const [name, raw] of Object.entries(headers)) {
      const { value: h, pointer: at } = deref(raw, `${pointer}/headers/${token(name)}`);
      if (!isObject(h) || seen.has(h)) continue;
      seen.add(h);
      checkExamplesOf(h, at, h.schema);
    }
  };

  const securitySchemes =
    isObject(api.components) && isObject(api.components.securitySchemes)
      ? api.components.securitySchemes
      : {};
  const isBearer = (name: string) => {
    const s = securitySchemes[name];
    return (
      isObject(s) && s.type === 'http' && typeof s.scheme === 'string' && s.scheme.toLowerCase() === 'bearer'
    );
  };

  const operationIds = new Map<string, string>();
  const paths = isObject(api.paths) ? api.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const itemPointer = `/paths/${token(path)}`;
    if (Array.isArray(item.parameters))
      item.parameters.forEach((p, i) => {
        checkParameter(p, `${itemPointer}/parameters/${i}`);
      });
    for (const method of methods) {
      const op = item[method];
      if (!isObject(op)) continue;
      stats.operations++;
      const opPointer = `${itemPointer}/${method}`;
      const label = `${method.toUpperCase()} ${path}`;

      if (typeof op.operationId !== 'string' || op.operationId === '') {
        issue(opPointer, 'openapi-operation-id', `${label} has no operationId`);
      } else if (operationIds.has(op.operationId)) {
        issue(
          opPointer,
          'openapi-operation-id',
          `operationId ${op.operationId} is also used by ${operationIds.get(op.operationId)}`,
        );
      } else {
        operationIds.set(op.operationId, label);
      }

      const security = (op.security ?? api.security ?? []) as unknown[];
      const anonymous =
        security.length === 0 || security.some((r) => isObject(r) && Object.keys(r).length === 0);
      if (path.endsWith('/health')) {
        if (!anonymous)
          issue(opPointer, 'openapi-security', `${label} must be callable without a key (security: [])`);
      } else if (anonymous && !optionalFeature(op)) {
        issue(opPointer, 'openapi-security', `${label} must require bearer authentication`);
      } else {
        for (const requirement of security) {
          for (const name of Object.keys(isObject(requirement) ? requirement : {})) {
            if (!isBearer(name))
              issue(opPointer, 'openapi-security', `${label}: security scheme ${name} is not http bearer`);
          }
        }
      }

      if (Array.isArray(op.parameters))
        op.parameters.forEach((p, i) => {
          checkParameter(p, `${opPointer}/parameters/${i}`);
        });
      if (op.requestBody !== undefined) {
        const { value: body, pointer: at } = deref(op.requestBody, `${opPointer}/requestBody`);
        if (isObject(body)) checkMediaTypes(body.content, at, `${label} request body`);
      }
      const responses = isObject(op.responses) ? op.responses : {};
      if (Object.keys(responses).length === 0)
        issue(opPointer, 'openapi-response', `${label} has no responses`);
      for (const [status, raw] of Object.entries(responses)) {
        const { value: response, pointer: at } = deref(raw, `${opPointer}/responses/${token(status)}`);
        if (!isObject(response)) continue;
        checkHeaders(response.headers, at);
        const content = isObject(response.content) ? response.content : {};
        if (Object.keys(content).length === 0) {
          if (status !== '204' && status !== '304' && method !== 'head') {
            issue(at, 'openapi-example-missing', `${label} ${status} has no content, hence no example`);
          }
          continue;
        }
        // Shared component responses are checked once; coverage is per operation, so count them anew.
        for (const [mediaType, media] of Object.entries(content)) {
          if (!isObject(media)) continue;
          const hasExample =
            'example' in media ||
            (isObject(media.examples) && Object.keys(media.examples).length > 0) ||
            (isObject(media.schema) &&
              Array.isArray(media.schema.examples) &&
              media.schema.examples.length > 0);
          if (!hasExample)
            issue(
              `${at}/content/${token(mediaType)}`,
              'openapi-example-missing',
              `${label} ${status} has no example`,
            );
        }
        checkMediaTypes(content, at, undefined);
      }
    }
  }

  // Components not reached through an operation are still checked; unused examples are dead text.
  const components = isObject(api.components) ? api.components : {};
  for (const section of [
    'parameters',
    'headers',
    'responses',
    'requestBodies',
    'schemas',
    'examples',
  ] as const) {
    const entries = isObject(components[section]) ? components[section] : {};
    for (const [name, raw] of Object.entries(entries)) {
      const at = `/components/${section}/${token(name)}`;
      if (section === 'parameters') checkParameter(raw, at);
      else if (section === 'headers') checkHeaders({ [name]: raw }, '/components');
      else if (section === 'responses' || section === 'requestBodies') {
        if (isObject(raw)) {
          checkMediaTypes(raw.content, at, undefined);
          checkHeaders(raw.headers, at);
        }
      } else if (section === 'schemas') {
        if (isObject(raw) && !seen.has(raw)) {
          seen.add(raw);
          checkSchemaExamples(raw, at);
          validatorOf(raw, at);
        }
      } else if (!usedExamples.has(`#${at}`)) {
        issue(
          at,
          'openapi-example-unused',
          `components/examples/${name} is referenced by no media type, parameter or header`,
        );
      }
    }
  }
  return { issues, stats, api };
}

/** All OpenAPI checks for the file at `path`. */
export async function checkOpenapi(
  path: string,
  schemaDir: string,
  docs: ReadonlyMap<string, SchemaDocument>,
  ajv: Ajv2020,
): Promise<{ issues: SpecIssue[]; stats: OpenapiCheckStats; api: Obj }> {
  const source = readFileSync(path, 'utf8');
  const content = checkOpenapiContent(source, docs, ajv);
  const structural = await validateOpenapiDocument(path, schemaDir);
  return { ...content, issues: [...structural, ...content.issues] };
}
