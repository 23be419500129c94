/**
 * Operation-level comparison of two dereferenced OpenAPI documents: operations, security, parameters, request
 * bodies, responses (status codes, headers, media types, schemas) and the error codes each error response
 * documents in its examples or in an `error` enum/const.
 */

import type { OpenApiDocument } from '../load/version.ts';
import type { Change, ChangeKind, Direction } from '../types.ts';
import { compareSchemas, type Schema } from './schema.ts';
import { severityOf } from './severity.ts';

type Obj = Record<string, unknown>;

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): Obj {
  return isObject(value) ? value : {};
}

function change(kind: ChangeKind, location: string, message: string, direction?: Direction): Change {
  return { kind, severity: severityOf(kind, direction), location, message };
}

/** One operation of a document, keyed so that renaming a path parameter is not a removal. */
interface Operation {
  key: string;
  label: string;
  method: string;
  path: string;
  op: Obj;
  pathItem: Obj;
}

/** `/v1/memories/{id}` → `/v1/memories/{}`: path parameter names do not identify an operation. */
function normalisePath(path: string): string {
  return path.replace(/\{[^}]*\}/g, '{}');
}

/** Every operation of a document by normalised `METHOD path`. */
export function operationsOf(api: OpenApiDocument): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(obj(api.paths))) {
    for (const method of methods) {
      const op = obj(item)[method];
      if (!isObject(op)) continue;
      const upper = method.toUpperCase();
      out.set(`${upper} ${normalisePath(path)}`, {
        key: `${upper} ${normalisePath(path)}`,
        label: `${upper} ${path}`,
        method,
        path,
        op,
        pathItem: obj(item),
      });
    }
  }
  return out;
}

/** Whether calling the operation needs credentials: some security requirement, none of them empty. */
function requiresAuth(api: OpenApiDocument, op: Obj): boolean {
  const security = (op.security ?? api.security ?? []) as unknown[];
  if (!Array.isArray(security) || security.length === 0) return false;
  return security.every((req) => isObject(req) && Object.keys(req).length > 0);
}

/** Path-item and operation parameters merged; path parameters keyed by position in the template. */
function parametersOf(operation: Operation): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const slots = [...operation.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const add = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const p of list) {
      if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
      const name = p.in === 'header' ? p.name.toLowerCase() : p.name;
      const key = p.in === 'path' ? `path:#${slots.indexOf(p.name)}` : `${p.in}:${name}`;
      out.set(key, p);
    }
  };
  add(operation.pathItem.parameters);
  add(operation.op.parameters);
  return out;
}

/** Compare two documents operation by operation. */
export function compareOperations(oldApi: OpenApiDocument, newApi: OpenApiDocument): Change[] {
  const changes: Change[] = [];
  const oldOps = operationsOf(oldApi);
  const newOps = operationsOf(newApi);
  for (const [key, o] of oldOps) {
    const n = newOps.get(key);
    if (!n) {
      changes.push(change('operation-removed', o.label, `operation ${o.label} removed`));
      continue;
    }
    changes.push(...compareOperation(oldApi, newApi, o, n));
  }
  for (const [key, n] of newOps) {
    if (!oldOps.has(key)) changes.push(change('operation-added', n.label, `operation ${n.label} added`));
  }
  return changes;
}

function compareOperation(
  oldApi: OpenApiDocument,
  newApi: OpenApiDocument,
  o: Operation,
  n: Operation,
): Change[] {
  const at = n.label;
  const changes: Change[] = [];
  const oldAuth = requiresAuth(oldApi, o.op);
  const newAuth = requiresAuth(newApi, n.op);
  if (!oldAuth && newAuth) changes.push(change('security-added', at, 'operation now requires credentials'));
  if (oldAuth && !newAuth)
    changes.push(change('security-removed', at, 'operation no longer requires credentials'));
  changes.push(...compareParameters(o, n, at));
  changes.push(...compareRequestBody(obj(o.op.requestBody), obj(n.op.requestBody), at));
  changes.push(...compareResponses(obj(o.op.responses), obj(n.op.responses), at));
  return changes;
}

function compareParameters(o: Operation, n: Operation, at: string): Change[] {
  const changes: Change[] = [];
  const op = parametersOf(o);
  const np = parametersOf(n);
  for (const [key, a] of op) {
    const b = np.get(key);
    const where = `${at} ${a.in} parameter \`${a.name}\``;
    if (!b) {
      changes.push(change('parameter-removed', where, `${a.in} parameter \`${a.name}\` removed`));
      continue;
    }
    if (a.required !== true && b.required === true) {
      changes.push(change('parameter-required', where, `${a.in} parameter \`${a.name}\` is now required`));
    }
    if (a.required === true && b.required !== true) {
      changes.push(
        change('parameter-optional', where, `${a.in} parameter \`${a.name}\` is no longer required`),
      );
    }
    const wireA = wireForm(a);
    const wireB = wireForm(b);
    if (wireA !== wireB && wireA !== 'plain' && wireB !== 'plain') {
      changes.push(
        change('parameter-style-changed', where, `serialization changed from ${wireA} to ${wireB}`),
      );
      continue;
    }
    if (
      (wireA === 'plain' && wireB === 'comma-separated') ||
      (wireA === 'comma-separated' && wireB === 'plain')
    ) {
      // OpenAPI describes the parsed value: `tags=a,b` is a string to one schema and an array to the other. The
      // request is the same on the wire; whether the same values are accepted cannot be proved structurally.
      const c = change(
        'parameter-representation-changed',
        where,
        `re-described as ${wireB === 'plain' ? 'a string' : 'a comma-separated array'} (was ${wireA === 'plain' ? 'a string' : 'a comma-separated array'}); same wire form, check the accepted values`,
      );
      c.before = a.schema;
      c.after = b.schema;
      changes.push(c);
      continue;
    }
    if (a.schema !== undefined && b.schema !== undefined) {
      changes.push(...compareSchemas(a.schema as Schema, b.schema as Schema, 'request', where));
    }
  }
  for (const [key, b] of np) {
    if (op.has(key)) continue;
    const where = `${at} ${b.in} parameter \`${b.name}\``;
    changes.push(
      b.required === true
        ? change('parameter-required', where, `required ${b.in} parameter \`${b.name}\` added`)
        : change('parameter-added', where, `optional ${b.in} parameter \`${b.name}\` added`),
    );
  }
  return changes;
}

/**
 * How an array or object parameter travels: `comma-separated` (`tags=a,b`: style form/simple with explode off),
 * `exploded` (`tags=a&tags=b`), another style by name; `plain` for a scalar.
 */
function wireForm(p: Obj): string {
  const schema = obj(p.schema);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('array') && !types.includes('object')) return 'plain';
  const style =
    typeof p.style === 'string' ? p.style : p.in === 'query' || p.in === 'cookie' ? 'form' : 'simple';
  const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
  if ((style === 'form' || style === 'simple') && !explode) return 'comma-separated';
  if (style === 'form' && explode) return 'exploded';
  return `${style}${explode ? ' (exploded)' : ''}`;
}

/** Where a body of a media type is: the media type is named only when it is not plain JSON. */
function bodyLocation(at: string, part: string, mediaType: string): string {
  return mediaType === 'application/json' ? `${at} ${part}` : `${at} ${part} (${mediaType})`;
}

function compareRequestBody(o: Obj, n: Obj, at: string): Change[] {
  const changes: Change[] = [];
  const had = Object.keys(o).length > 0;
  const has = Object.keys(n).length > 0;
  const where = `${at} request body`;
  if (had && !has) return [change('request-body-removed', where, 'request body no longer accepted')];
  if (!had && has) {
    return [
      n.required === true
        ? change('request-body-required', where, 'a required request body was added')
        : change('request-body-added', where, 'an optional request body was added'),
    ];
  }
  if (!had) return changes;
  if (o.required !== true && n.required === true) {
    changes.push(change('request-body-required', where, 'request body is now required'));
  }
  changes.push(...compareContent(obj(o.content), obj(n.content), at, 'request body', 'request'));
  return changes;
}

function compareContent(o: Obj, n: Obj, at: string, part: string, direction: Direction): Change[] {
  const changes: Change[] = [];
  for (const [mediaType, a] of Object.entries(o)) {
    const b = n[mediaType];
    const where = bodyLocation(at, part, mediaType);
    if (!isObject(b)) {
      changes.push(change('media-type-removed', where, `media type ${mediaType} removed`, direction));
      continue;
    }
    const schemaA = obj(a).schema;
    const schemaB = b.schema;
    if (schemaA !== undefined && schemaB !== undefined) {
      changes.push(...compareSchemas(schemaA as Schema, schemaB as Schema, direction, where));
    }
  }
  for (const mediaType of Object.keys(n)) {
    if (!(mediaType in o)) {
      const where = bodyLocation(at, part, mediaType);
      changes.push(change('media-type-added', where, `media type ${mediaType} added`, direction));
    }
  }
  return changes;
}

/** Whether a response key (`404`, `4XX`, `default`) describes errors, so its codes are compared. */
function isErrorStatus(status: string): boolean {
  return status === 'default' || /^[45]/.test(status);
}

/**
 * The error codes an error response documents: the `error` member of each example, and the values of an
 * `error` enum or const in its schema.
 */
export function errorCodesOf(response: Obj): Set<string> {
  const codes = new Set<string>();
  for (const media of Object.values(obj(response.content))) {
    const m = obj(media);
    const examples = [m.example, ...Object.values(obj(m.examples)).map((e) => obj(e).value)];
    for (const example of examples) {
      const code = obj(example).error;
      if (typeof code === 'string') codes.add(code);
    }
    const errorSchema = obj(obj(obj(m.schema).properties).error);
    if (Array.isArray(errorSchema.enum)) {
      for (const v of errorSchema.enum) if (typeof v === 'string') codes.add(v);
    }
    if (typeof errorSchema.const === 'string') codes.add(errorSchema.const);
  }
  return codes;
}

function compareResponses(o: Obj, n: Obj, at: string): Change[] {
  const changes: Change[] = [];
  for (const [status, a] of Object.entries(o)) {
    const where = `${at} response ${status}`;
    const b = n[status];
    if (!isObject(b)) {
      changes.push(change('response-status-removed', where, `response status ${status} removed`));
      continue;
    }
    changes.push(...compareHeaders(obj(obj(a).headers), obj(b.headers), where));
    changes.push(
      ...compareContent(obj(obj(a).content), obj(b.content), at, `response ${status}`, 'response'),
    );
    if (isErrorStatus(status)) {
      const oldCodes = errorCodesOf(obj(a));
      const newCodes = errorCodesOf(b);
      for (const code of oldCodes) {
        if (!newCodes.has(code)) {
          const c = change('error-code-removed', where, `error code \`${code}\` no longer documented`);
          c.before = code;
          changes.push(c);
        }
      }
      for (const code of newCodes) {
        if (!oldCodes.has(code)) {
          const c = change('error-code-added', where, `error code \`${code}\` added`);
          c.after = code;
          changes.push(c);
        }
      }
    }
  }
  for (const status of Object.keys(n)) {
    if (!(status in o)) {
      changes.push(
        change('response-status-added', `${at} response ${status}`, `response status ${status} added`),
      );
    }
  }
  return changes;
}

function compareHeaders(o: Obj, n: Obj, where: string): Change[] {
  const changes: Change[] = [];
  const lower = (h: Obj) =>
    new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), { name: k, header: obj(v) }]));
  const oh = lower(o);
  const nh = lower(n);
  for (const [key, { name, header }] of oh) {
    const other = nh.get(key);
    if (!other) {
      changes.push(
        change('response-header-removed', `${where} header ${name}`, `response header ${name} removed`),
      );
      continue;
    }
    if (header.schema !== undefined && other.header.schema !== undefined) {
      changes.push(
        ...compareSchemas(
          header.schema as Schema,
          other.header.schema as Schema,
          'response',
          `${where} header ${name}`,
        ),
      );
    }
  }
  for (const [key, { name }] of nh) {
    if (!oh.has(key)) {
      changes.push(
        change('response-header-added', `${where} header ${name}`, `response header ${name} added`),
      );
    }
  }
  return changes;
}
