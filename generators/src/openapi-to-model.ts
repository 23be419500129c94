/**
 * spec/openapi.yaml (+ schemas/*.schema.json) -> ApiModel. swagger-parser validates the document and every
 * reference (offline); the transform itself is a pure function of the parsed document and the schema
 * documents, so it is tested with small synthetic specs as well as the real one.
 */
import { basename } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { absoluteRef, atPointer, documentOf, type RefResolver, schemaAt } from '@omp-kit/schemas';
import type {
  ApiModel,
  BodyModel,
  Constraints,
  ErrorModel,
  ExampleModel,
  GroupModel,
  OperationModel,
  PaginationModel,
  ParamModel,
  Schema,
  SuccessModel,
  TypeRef,
} from './model.ts';
import { singular, words } from './names.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const httpMethods = ['get', 'put', 'post', 'delete', 'patch'] as const;
const idempotent = new Set(['GET', 'PUT', 'DELETE']);

/** How `x-omp-idempotent` may be written: a boolean, or safe unless a parameter/member has a value. */
type IdempotentExtension = boolean | { unless: { param: string; value: string } };

/** What the transform needs besides the OpenAPI document. */
export interface ModelSources {
  /** Schema documents keyed by file stem (`memory` for memory.schema.json); each has an absolute `$id`. */
  schemas: ReadonlyMap<string, { $id: string }>;
  /** Stamped into the model, and so into every generated file (`computeSourceHash`). */
  sourceHash: string;
}

/**
 * Validate `openapiPath` with swagger-parser (no network: `resolver` serves the schemas' `$id` URLs from the
 * tree's own schemas folder) and build the model from it.
 */
export async function loadApiModel(
  openapiPath: string,
  sources: ModelSources & { resolver: RefResolver },
): Promise<ApiModel> {
  const options = { resolve: { omp: sources.resolver, http: false } } as unknown as SwaggerParser.Options;
  await SwaggerParser.validate(openapiPath, options);
  const api = (await SwaggerParser.parse(openapiPath)) as unknown as Obj;
  return openapiToModel(api, sources);
}

/** A model-building failure, pointing at the part of the spec that caused it. */
export class SpecError extends Error {
  override name = 'SpecError';
}

/** The pure transform: a parsed (not dereferenced) OpenAPI 3.1 document -> ApiModel. */
export function openapiToModel(api: Obj, sources: ModelSources): ApiModel {
  const byFile = new Map<string, Obj & { $id: string }>();
  const byId = new Map<string, Obj>();
  for (const [stem, doc] of sources.schemas as ReadonlyMap<string, Obj & { $id: string }>) {
    byFile.set(`${stem}.schema.json`, doc);
    byId.set(doc.$id, doc);
  }

  /** Follow internal `$ref`s of OpenAPI objects (parameters, responses, examples, headers). */
  const follow = (value: unknown, where: string): Obj => {
    let v = value;
    for (let hops = 0; isObj(v) && typeof v.$ref === 'string'; hops++) {
      const ref = v.$ref;
      if (hops > 10 || !ref.startsWith('#/')) throw new SpecError(`${where}: unsupported $ref ${ref}`);
      v = atPointer(api, ref);
      if (v === undefined) throw new SpecError(`${where}: dangling $ref ${ref}`);
    }
    if (!isObj(v)) throw new SpecError(`${where}: expected an object`);
    return v;
  };

  /** Absolute URI of a schema reference written in openapi.yaml (component or schema file). */
  const schemaUri = (ref: string, where: string): string => {
    if (ref.startsWith('#/components/schemas/')) {
      const target = atPointer(api, ref);
      if (!isObj(target) || typeof target.$ref !== 'string' || target.$ref.startsWith('#')) {
        throw new SpecError(`${where}: ${ref} must be a $ref to a schemas/*.schema.json file`);
      }
      return schemaUri(target.$ref, ref);
    }
    const [file = '', fragment] = ref.split('#');
    const doc = byFile.get(basename(file));
    if (!doc) throw new SpecError(`${where}: $ref ${ref} names no schema file`);
    return fragment ? `${doc.$id}#${fragment}` : doc.$id;
  };

  /** A schema from openapi.yaml with every `$ref` made absolute. */
  const absolutise = (schema: unknown, where: string): Schema => {
    if (Array.isArray(schema)) return schema.map((s) => absolutise(s, where)) as unknown as Schema;
    if (!isObj(schema)) return schema as Schema;
    const out: Obj = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out[k] = schemaUri(v, where);
      else if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') out[k] = v;
      else out[k] = isObj(v) || Array.isArray(v) ? absolutise(v, where) : v;
    }
    return out;
  };

  /** The schema at an absolute URI, and the document URI its own refs resolve against. */
  const at = (uri: string, where: string): { schema: Obj; base: string } => {
    const found = schemaAt(byId, uri);
    if (!found || !isObj(found.schema)) throw new SpecError(`${where}: cannot resolve ${uri}`);
    return { schema: found.schema, base: found.base };
  };

  /** Follow a schema's `$ref` chain, siblings overriding what they reference (enough for constraints). */
  const flatten = (schema: Schema, base: string, where: string): Obj => {
    if (!isObj(schema)) return {};
    if (typeof schema.$ref !== 'string') return schema;
    const target = at(absoluteRef(schema.$ref, base), where);
    const { $ref: _, ...siblings } = schema;
    return { ...flatten(target.schema, target.base, where), ...siblings };
  };

  /** The named type a schema is (a bare `$ref` to a titled document or `$defs` entry), if it is one. */
  const named = (schema: Schema, base: string): TypeRef | undefined => {
    if (!isObj(schema) || typeof schema.$ref !== 'string') return undefined;
    const uri = absoluteRef(schema.$ref, base);
    const fragment = uri.split('#')[1];
    if (fragment !== undefined && !/^\/\$defs\/[^/]+$/.test(fragment)) return undefined;
    const { schema: target } = at(uri, uri);
    return typeof target.title === 'string' ? { name: target.title, uri } : undefined;
  };

  const examplesOf = (media: Obj | undefined, where: string): ExampleModel[] => {
    if (!media) return [];
    const out: ExampleModel[] = [];
    if (isObj(media.examples)) {
      for (const [name, ex] of Object.entries(media.examples)) {
        const e = follow(ex, `${where}/examples/${name}`);
        out.push({ name, summary: typeof e.summary === 'string' ? e.summary : undefined, value: e.value });
      }
    } else if ('example' in media) {
      out.push({ name: 'default', summary: undefined, value: media.example });
    }
    return out;
  };

  const json = (content: unknown): Obj | undefined => {
    if (!isObj(content)) return undefined;
    const key = Object.keys(content).find((k) => /^application\/(.+\+)?json$/.test(k));
    return key ? (content[key] as Obj) : undefined;
  };

  const paramOf = (raw: unknown, where: string): ParamModel => {
    const p = follow(raw, where);
    const name = String(p.name);
    const loc = p.in;
    if (loc !== 'path' && loc !== 'query')
      throw new SpecError(`${where}: parameters in ${String(loc)} are not supported`);
    const schema = absolutise(p.schema ?? {}, where);
    const flat = flatten(schema, '', `${where}/schema`);
    const constraints: Constraints = {};
    for (const k of [
      'type',
      'enum',
      'pattern',
      'minimum',
      'maximum',
      'minLength',
      'maxLength',
      'default',
    ] as const) {
      if (k in flat) (constraints as Obj)[k] = flat[k];
    }
    const style = typeof p.style === 'string' ? p.style : loc === 'query' ? 'form' : 'simple';
    const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
    if (flat.type === 'array' && (style !== 'form' || explode)) {
      throw new SpecError(
        `${where}: array parameter ${name} must be style form, explode false (comma-separated)`,
      );
    }
    return {
      name,
      in: loc,
      required: p.required === true,
      description: typeof p.description === 'string' ? p.description : '',
      schema,
      type: named(schema, ''),
      constraints,
      style,
      explode,
      example: p.example,
    };
  };

  const operations: OperationModel[] = [];
  const basePath = serverPath(api);
  const paths = isObj(api.paths) ? api.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = follow(rawItem, `#/paths/${path}`);
    // Spec order, so generated files and docs follow the order the spec authors chose.
    for (const m of Object.keys(item).filter((k): k is (typeof httpMethods)[number] =>
      httpMethods.includes(k as never),
    )) {
      const op = item[m];
      if (!isObj(op)) continue;
      const where = `#/paths/${path}/${m}`;
      if (typeof op.operationId !== 'string') throw new SpecError(`${where}: operationId is required`);
      // Header parameters (If-Match, Idempotency-Key: SPEC.md §5.8, §5.9) are per-call transport options of
      // each SDK's core, not operation arguments, so the model leaves them out.
      const allParams = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ];
      const headerNames = allParams
        .map((p) => follow(p, where))
        .filter((p) => p.in === 'header')
        .map((p) => String(p.name).toLowerCase());
      const params = allParams
        .filter((p) => follow(p, where).in !== 'header')
        .map((p, i) => paramOf(p, `${where}/parameters/${i}`));
      const method = m.toUpperCase() as OperationModel['method'];
      const body = bodyOf(op, where);
      const responses = isObj(op.responses) ? op.responses : {};
      const statuses = Object.keys(responses)
        .filter((s) => /^\d{3}$/.test(s))
        .sort();
      const okStatus = statuses.find((s) => s.startsWith('2'));
      if (!okStatus) throw new SpecError(`${where}: no 2xx response`);
      const okRes = follow(responses[okStatus], `${where}/responses/${okStatus}`);
      const okMedia = json(okRes.content);
      const success: SuccessModel = {
        status: Number(okStatus),
        type: okMedia ? typeRefOf(okMedia.schema, `${where}/responses/${okStatus}`) : undefined,
        description: String(okRes.description ?? ''),
        headers: isObj(okRes.headers) ? Object.keys(okRes.headers) : [],
        examples: examplesOf(okMedia, `${where}/responses/${okStatus}`),
      };
      const errors: ErrorModel[] = statuses
        .filter((s) => Number(s) >= 400)
        .map((s) => {
          const r = follow(responses[s], `${where}/responses/${s}`);
          const media = json(r.content);
          const examples = examplesOf(media, `${where}/responses/${s}`);
          const codes = [
            ...new Set(
              examples
                .map((e) => (isObj(e.value) ? e.value.error : undefined))
                .filter((c) => typeof c === 'string'),
            ),
          ].sort() as string[];
          return {
            status: Number(s),
            description: String(r.description ?? ''),
            codes,
            type: media ? typeRefOf(media.schema, `${where}/responses/${s}`) : undefined,
            examples,
          };
        });
      const security = Array.isArray(op.security)
        ? op.security
        : Array.isArray(api.security)
          ? api.security
          : [];
      const ext = op['x-omp-idempotent'] as IdempotentExtension | undefined;
      const model: OperationModel = {
        id: op.operationId,
        name: { group: undefined, method: [] },
        tag: Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : '',
        summary: String(op.summary ?? ''),
        description: String(op.description ?? ''),
        method,
        path: basePath + path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body,
        success,
        errors,
        auth: security.length === 0 ? 'none' : 'bearer',
        retrySafe: ext === undefined ? idempotent.has(method) : ext !== false,
        retryUnsafeWhen: undefined,
        pagination: undefined,
        idempotencyKey: headerNames.includes('idempotency-key'),
        conditional: headerNames.includes('if-match'),
      };
      model.pagination = paginationOf(model, where);
      if (typeof ext === 'object') model.retryUnsafeWhen = retryCondition(model, ext.unless, where);
      operations.push(model);
    }
  }

  function typeRefOf(schema: unknown, where: string): TypeRef {
    const t = named(absolutise(schema, where), '');
    if (!t) throw new SpecError(`${where}: body schemas must be a $ref to a titled schema`);
    return t;
  }

  function bodyOf(op: Obj, where: string): BodyModel | undefined {
    if (op.requestBody === undefined) return undefined;
    const rb = follow(op.requestBody, `${where}/requestBody`);
    const content = isObj(rb.content) ? rb.content : {};
    const mediaType = Object.keys(content).find((k) => /^application\/(.+\+)?json$/.test(k));
    if (!mediaType) throw new SpecError(`${where}/requestBody: only JSON bodies are supported`);
    const media = content[mediaType] as Obj;
    return {
      type: typeRefOf(media.schema, `${where}/requestBody`),
      required: rb.required === true,
      mediaType,
      examples: examplesOf(media, `${where}/requestBody`),
    };
  }

  function retryCondition(op: OperationModel, unless: { param: string; value: string }, where: string) {
    const inQuery = op.queryParams.some((p) => p.name === unless.param);
    const body = op.body ? flatten({ $ref: op.body.type.uri }, '', where) : {};
    const inBody = isObj(body.properties) && unless.param in body.properties;
    if (!inQuery && !inBody)
      throw new SpecError(`${where}: x-omp-idempotent names ${unless.param}, which the operation lacks`);
    return { name: unless.param, inQuery, inBody, value: unless.value };
  }

  /** Offset pagination: limit + offset in the query or the body, and a response with `total` and one array. */
  function paginationOf(op: OperationModel, where: string): PaginationModel | undefined {
    if (!op.success.type) return undefined;
    const res = flatten({ $ref: op.success.type.uri }, '', where);
    const props = isObj(res.properties) ? res.properties : {};
    const arrays = Object.entries(props).filter(([, s]) => isObj(s) && s.type === 'array');
    const base = documentOf(op.success.type.uri);
    if (!('total' in props) || arrays.length !== 1) return undefined;
    const [itemsField, itemsSchema] = arrays[0] as [string, Obj];
    const itemType = named(itemsSchema.items as Schema, base);
    if (!itemType) return undefined;

    let limit: Obj | undefined;
    let offset: Obj | undefined;
    let loc: 'query' | 'body' = 'query';
    const q = (n: string) => op.queryParams.find((p) => p.name === n);
    if (q('limit') && q('offset')) {
      limit = q('limit')?.constraints as Obj;
      offset = q('offset')?.constraints as Obj;
    } else if (op.body) {
      const b = flatten({ $ref: op.body.type.uri }, '', where);
      const bp = isObj(b.properties) ? b.properties : {};
      const bodyBase = documentOf(op.body.type.uri);
      if (bp.limit && bp.offset) {
        limit = flatten(bp.limit as Schema, bodyBase, where);
        offset = flatten(bp.offset as Schema, bodyBase, where);
        loc = 'body';
      }
    }
    if (!limit || !offset) return undefined;
    if (typeof offset.maximum !== 'number' || typeof limit.maximum !== 'number') {
      throw new SpecError(`${where}: paginated limit and offset need a maximum`);
    }
    return {
      style: 'offset',
      in: loc,
      limitParam: 'limit',
      offsetParam: 'offset',
      maxOffset: offset.maximum,
      maxLimit: limit.maximum,
      itemsField,
      totalField: 'total',
      itemType,
      cursor: q('cursor') && 'next_cursor' in props ? { param: 'cursor', field: 'next_cursor' } : undefined,
    };
  }

  const groups = nameOperations(operations, api);
  const reachable = reachableDocuments(operations, byId);
  const types = namedTypes(reachable);
  const tags = (Array.isArray(api.tags) ? api.tags : []).filter(isObj).map((t) => ({
    name: String(t.name),
    description: String(t.description ?? ''),
  }));
  const info = isObj(api.info) ? api.info : {};
  return {
    title: String(info.title ?? ''),
    version: String(info.version ?? ''),
    description: String(info.description ?? ''),
    sourceHash: sources.sourceHash,
    operations,
    groups,
    tags,
    types,
    schemas: reachable,
  };
}

/**
 * Names: operations under a path segment shared by several operations form a group named after it
 * (`/v1/memories*` -> memories), their method being the operationId minus the group's noun
 * (createMemory -> create, searchMemoriesGet -> search get). A lone path is a method on the client,
 * named after its last segment (`/v1/export` -> export).
 */
function nameOperations(ops: OperationModel[], api: Obj): GroupModel[] {
  const first = (op: OperationModel) => staticSegments(op.path)[0] ?? '';
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(first(op), (counts.get(first(op)) ?? 0) + 1);
  const groups = new Map<string, GroupModel>();
  const tagDescriptions = new Map(
    (Array.isArray(api.tags) ? api.tags : [])
      .filter(isObj)
      .map((t) => [String(t.name), String(t.description ?? '')]),
  );
  const taken = new Set<string>();
  for (const op of ops) {
    const seg = first(op);
    if ((counts.get(seg) ?? 0) > 1) {
      const group = words(seg);
      const noun = new Set(group.flatMap((w) => [w, singular(w)]));
      const method = words(op.id).filter((w) => !noun.has(w));
      op.name = { group, method: method.length > 0 ? method : [op.method.toLowerCase()] };
      const g = groups.get(seg) ?? {
        name: group,
        description: tagDescriptions.get(op.tag) ?? '',
        operations: [],
      };
      g.operations.push(op.id);
      groups.set(seg, g);
    } else {
      op.name = { group: undefined, method: words(staticSegments(op.path).at(-1) ?? op.id) };
    }
    const key = `${op.name.group?.join(' ') ?? ''}.${op.name.method.join(' ')}`;
    if (taken.has(key)) throw new SpecError(`operation ${op.id}: its SDK name ${key} is taken`);
    taken.add(key);
  }
  return [...groups.values()];
}

/** Path segments without parameters and without a leading version segment (`v1`). */
function staticSegments(path: string): string[] {
  const segs = path.split('/').filter((s) => s && !s.startsWith('{'));
  return /^v\d+$/.test(segs[0] ?? '') ? segs.slice(1) : segs;
}

/** The path part of the first server URL (`https://x/api` -> `/api`), '' when none. */
function serverPath(api: Obj): string {
  const servers = Array.isArray(api.servers) ? api.servers : [];
  const url = isObj(servers[0]) && typeof servers[0].url === 'string' ? servers[0].url : '';
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  return path.replace(/\/+$/, '');
}

/** The schema documents the operations use, directly or through `$ref`s, in `$id` order. */
function reachableDocuments(ops: OperationModel[], byId: ReadonlyMap<string, Obj>): Map<string, Obj> {
  const todo: string[] = [];
  const visit = (schema: unknown, base: string) => {
    if (Array.isArray(schema)) for (const s of schema) visit(s, base);
    else if (isObj(schema)) {
      for (const [k, v] of Object.entries(schema)) {
        if (k === '$ref' && typeof v === 'string') todo.push(documentOf(absoluteRef(v, base)));
        else if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') visit(v, base);
      }
    }
  };
  for (const op of ops) {
    for (const p of [...op.pathParams, ...op.queryParams]) visit(p.schema, '');
    for (const t of [op.body?.type, op.success.type, ...op.errors.map((e) => e.type)])
      if (t) todo.push(documentOf(t.uri));
  }
  const seen = new Set<string>();
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    visit(byId.get(id), id);
  }
  return new Map([...byId].filter(([id]) => seen.has(id)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every titled document and `$defs` entry, sorted by name (documents holding only `$defs` are containers). */
function namedTypes(byId: ReadonlyMap<string, Obj>): TypeRef[] {
  const out: TypeRef[] = [];
  for (const [id, doc] of byId) {
    const container = !('type' in doc) && !('anyOf' in doc) && !('enum' in doc) && !('$ref' in doc);
    if (!container && typeof doc.title === 'string') out.push({ name: doc.title, uri: id });
    if (isObj(doc.$defs)) {
      for (const [key, def] of Object.entries(doc.$defs)) {
        if (isObj(def) && typeof def.title === 'string')
          out.push({ name: def.title, uri: `${id}#/$defs/${key}` });
      }
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
