/**
 * ApiModel -> sdk-ts/src/generated/client.ts: one class per resource group, `OmpClient` with the groups
 * and the root methods, and an interface per operation's query parameters. Every method is a thin call
 * into the hand-written runtime (sdk-ts/src/core/), so the generated code stays small and readable.
 */

import type { ApiModel, OperationModel, ParamModel } from '../model.ts';
import type { TypeEmitter } from './json-schema-to-ts.ts';
import {
  argName,
  errorsByClass,
  groupClass,
  groupProperty,
  methodName,
  paramsInterface,
  retryNote,
} from './naming.ts';
import { jsdoc, key, quote } from './ts-syntax.ts';

/** Render the client module. `types` is the JSON Schema -> TypeScript emitter over `model.schemas`. */
export function renderClient(model: ApiModel, types: TypeEmitter, header: string): string {
  const used = new Set<string>();
  const knownTypes = new Set(types.namedTypes.map((t) => t.name));
  const base = [...model.schemas.keys()][0] ?? 'https://invalid/';
  const use = (t: string): string => {
    for (const m of t.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*/g)) if (knownTypes.has(m[0])) used.add(m[0]);
    return t;
  };
  const paramType = (p: ParamModel): string => use(p.type ? p.type.name : types.typeOf(p.schema, base, '  '));

  const pageSpecs: string[] = [];
  const interfaces: string[] = [];
  const method = (op: OperationModel, target: string): string => {
    const args: string[] = [];
    const call: string[] = [`id: ${quote(op.id)}`, `method: ${quote(op.method)}`, `path: ${quote(op.path)}`];
    if (op.pathParams.length > 0) {
      for (const p of op.pathParams) args.push(`${argName(p.name)}: ${paramType(p)}`);
      call.push(
        `params: { ${op.pathParams.map((p) => (key(p.name) === argName(p.name) ? p.name : `${key(p.name)}: ${argName(p.name)}`)).join(', ')} }`,
      );
    }
    if (op.body) {
      args.push(`body${op.body.required ? '' : '?'}: ${use(op.body.type.name)}`);
      call.push('body');
    }
    if (op.queryParams.length > 0) {
      const name = paramsInterface(op);
      interfaces.push(renderParams(op, name, paramType));
      args.push(`params${op.queryParams.some((p) => p.required) ? '' : '?'}: ${name}`);
      call.push('query: params');
    }
    args.push('options?: RequestOptions');
    call.push(`safe: ${safeExpression(op)}`);
    if (op.idempotencyKey) call.push('idempotencyKey: true');
    if (op.conditional) call.push('conditional: true');
    const flat = `{ ${call.join(', ')} }`;
    // Wrapped like a formatter would once the call no longer fits a 110-column line.
    const descriptor = flat.length > 60 ? `{\n${call.map((c) => `        ${c},\n`).join('')}      }` : flat;
    let returns: string;
    let body: string;
    if (op.pagination) {
      const pg = op.pagination;
      const specName = `${methodName(op)}${op.name.group ? groupClass(op.name.group) : ''}Pages`;
      pageSpecs.push(
        `const ${specName}: PageSpec = {\n  items: ${quote(pg.itemsField)},\n  total: ${quote(pg.totalField)},\n  offset: ${quote(pg.offsetParam)},\n  in: ${quote(pg.in)},\n  max: ${pg.maxOffset},\n${pg.cursor ? `  cursor: { param: ${quote(pg.cursor.param)}, field: ${quote(pg.cursor.field)} },\n` : ''}};\n`,
      );
      const resName = use(op.success.type?.name ?? 'never');
      const item = use(pg.itemType.name);
      returns = `PagePromise<${resName}, ${item}>`;
      body = `return ${target}.requestPage<${resName}, ${item}>(\n      ${descriptor},\n      ${specName},\n      options,\n    );`;
    } else {
      const t = op.success.type ? use(op.success.type.name) : 'void';
      returns = `ApiPromise<${t}>`;
      body = `return ${target}.request<${t}>(\n      ${descriptor},\n      options,\n    );`;
    }
    const doc: string[] = [op.summary ? `${op.summary}.` : op.id, ''];
    if (op.description) doc.push(op.description, '');
    doc.push(
      `\`${op.method} ${op.path}\` → ${op.success.status}${op.success.type ? ` {@link ${op.success.type.name}}` : ' (no body)'}. ${retryNote(op)}`,
    );
    if (op.pagination) {
      doc.push(
        `Await it for the first page; \`for await\` over it for every ${op.pagination.itemType.name} of every page.`,
      );
    }
    for (const [cls, list] of errorsByClass(op)) doc.push(`@throws {${cls}} ${list}`);
    return `${jsdoc(doc, '  ')}  ${methodName(op)}(${args.join(', ')}): ${returns} {\n    ${body}\n  }\n`;
  };

  const groupBlocks: string[] = [];
  for (const g of model.groups) {
    const ops = g.operations.map((id) => model.operations.find((o) => o.id === id) as OperationModel);
    const cls = groupClass(g.name);
    groupBlocks.push(
      `${jsdoc([g.description || cls])}export class ${cls} {\n  readonly #client: BaseClient;\n\n  constructor(client: BaseClient) {\n    this.#client = client;\n  }\n\n${ops.map((o) => method(o, 'this.#client')).join('\n')}}\n`,
    );
  }
  const rootOps = model.operations.filter((o) => !o.name.group);
  const groupFields = model.groups
    .map(
      (g) =>
        `${jsdoc([g.description], '  ')}  readonly ${groupProperty(g.name)}: ${groupClass(g.name)} = new ${groupClass(g.name)}(this);\n`,
    )
    .join('\n');
  const clientDoc = [
    `Client of the ${model.title} ${model.version} HTTP API.`,
    '',
    '```ts',
    "const client = new OmpClient({ baseUrl: 'http://127.0.0.1:3456', apiKey: process.env.OMP_API_KEY });",
    '```',
  ];
  const clientBlock = `${jsdoc(clientDoc)}export class OmpClient extends BaseClient {\n${groupFields}\n${rootOps.map((o) => method(o, 'this')).join('\n')}}\n`;

  const typeImports = [...used].sort();
  return [
    header,
    "import type { ApiPromise } from '../core/api-promise.ts';",
    "import { BaseClient } from '../core/client.ts';",
    "import type { PagePromise, PageSpec } from '../core/pagination.ts';",
    "import type { RequestOptions } from '../core/request.ts';",
    `import type {\n${typeImports.map((t) => `  ${t},\n`).join('')}} from './types.ts';`,
    '',
    ...pageSpecs,
    '',
    interfaces.join('\n'),
    groupBlocks.join('\n'),
    clientBlock,
  ].join('\n');
}

/** `true`/`false`, or the expression that is false when the request carries the unsafe value. */
function safeExpression(op: OperationModel): string {
  const c = op.retryUnsafeWhen;
  if (!op.retrySafe || !c) return String(op.retrySafe);
  const member = identifierPattern.test(c.name) ? `.${c.name}` : `[${quote(c.name)}]`;
  const parts: string[] = [];
  if (c.inQuery) {
    const optional = !op.queryParams.some((p) => p.required);
    parts.push(
      `params${optional ? '?' : ''}${optional && !member.startsWith('.') ? '.' : ''}${member} !== ${quote(c.value)}`,
    );
  }
  if (c.inBody) {
    const optional = !op.body?.required;
    parts.push(
      `body${optional ? '?' : ''}${optional && !member.startsWith('.') ? '.' : ''}${member} !== ${quote(c.value)}`,
    );
  }
  return parts.join(' && ');
}

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function renderParams(op: OperationModel, name: string, typeOf: (p: ParamModel) => string): string {
  const members = op.queryParams
    .map((p) => {
      const doc = [p.description];
      if (p.constraints.default !== undefined) doc.push(`@default ${JSON.stringify(p.constraints.default)}`);
      return `${jsdoc(doc, '  ')}  ${key(p.name)}${p.required ? '' : '?'}: ${typeOf(p)};\n`;
    })
    .join('');
  return `${jsdoc([`Query parameters of \`${op.method} ${op.path}\` (${op.id}).`])}export interface ${name} {\n${members}}\n`;
}
