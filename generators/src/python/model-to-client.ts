/**
 * ApiModel -> sdk-python/src/omp_sdk/_generated/client.py: `OmpClient` and `AsyncOmpClient`, one resource
 * class per group (sync and async twins), one method per operation.
 *
 * Method shape: path parameters positional; a body's members as keyword arguments (or, for a document the
 * API also returns, such as the export file, the body whole as a positional argument); query parameters as
 * keyword arguments; `request_options=` last. Optional arguments default to `NOT_GIVEN` and are not sent,
 * so `namespace=None` (send null: clear it) differs from leaving `namespace` out (keep it).
 */
import { absoluteRef } from '@omp-kit/schemas';
import type { ApiModel, OperationModel } from '../model.ts';
import { words } from '../names.ts';
import { isCommaList, type RetrySafety, retrySafety, returnedTypes } from './derived.ts';
import { docstring, isPyIdentifier, pyClass, pyName, pyStr } from './py-syntax.ts';
import type { PyTypes } from './py-types.ts';

/** One argument of a generated method. */
interface Arg {
  /** Python parameter name. */
  name: string;
  /** Wire name (query parameter, body member or path placeholder). */
  wire: string;
  kind: 'path' | 'body-whole' | 'body' | 'query';
  type: string;
  required: boolean;
  description: string;
}

/** One generated method, language-level. */
interface Method {
  op: OperationModel;
  name: string;
  args: Arg[];
  /** Python return annotation (sync form). */
  returns: string;
  /** Name of the module-level PageSpec constant, for paginated operations. */
  pages: string | undefined;
  pageTypes: [string, string] | undefined;
  safety: RetrySafety;
}

/** Render client.py. */
export function renderClient(model: ApiModel, types: PyTypes, header: string, modelNames: string[]): string {
  const returned = returnedTypes(model);
  const methods = model.operations.map((op) => methodOf(op, types, returned));
  const byId = new Map(methods.map((m) => [m.op.id, m]));
  const out: string[] = [];
  const pageSpecs = methods
    .filter((m) => m.pages)
    .map((m) => {
      const p = m.op.pagination!;
      return [
        `${m.pages} = PageSpec(`,
        `    items=${pyStr(p.itemsField)},`,
        `    total=${pyStr(p.totalField)},`,
        `    offset=${pyStr(p.offsetParam)},`,
        `    location=${pyStr(p.in)},`,
        `    max_offset=${p.maxOffset},`,
        ...(p.cursor
          ? [`    cursor=${pyStr(p.cursor.param)},`, `    next_cursor=${pyStr(p.cursor.field)},`]
          : []),
        ')',
      ].join('\n');
    });

  for (const g of model.groups) {
    const ms = g.operations.map((id) => byId.get(id)!);
    for (const mode of ['sync', 'async'] as const) {
      out.push(renderResource(g.name, g.description, ms, mode));
    }
  }
  const clientOps = methods.filter((m) => !m.op.name.group);
  for (const mode of ['sync', 'async'] as const) out.push(renderClientClass(model, clientOps, mode));

  const body = out.join('\n\n\n');
  const usedModels = modelNames.filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const typing = ['Any', 'Literal', 'cast'].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  return [
    header.trimEnd(),
    `"""The ${model.title} API ${model.version} as Python methods: \`OmpClient\` (sync) and \`AsyncOmpClient\` (asyncio).`,
    '',
    'Generated from spec/openapi.yaml; the transport, retries and pagination are in omp_sdk/_core.',
    '"""',
    '',
    'from __future__ import annotations',
    '',
    'from collections.abc import Sequence',
    `from typing import ${typing.join(', ')}`,
    '',
    'from .._core.client import AsyncBaseClient, SyncBaseClient',
    'from .._core.operation import Operation, PageSpec',
    'from .._core.pagination import AsyncPagePromise, SyncPage',
    'from .._core.types import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given',
    ...(usedModels.length > 0
      ? [`from .models import (\n${usedModels.map((n) => `    ${n},`).join('\n')}\n)`]
      : []),
    '',
    '__all__ = [',
    ...[
      'AsyncOmpClient',
      'OmpClient',
      ...model.groups.flatMap((g) => [resourceClass(g.name, 'async'), resourceClass(g.name, 'sync')]),
    ]
      .sort()
      .map((n) => `    ${pyStr(n)},`),
    ']',
    '',
    ...pageSpecs.flatMap((p) => [p, '']),
    '',
    body,
    '',
  ]
    .join('\n')
    .replace(/\n{4,}/g, '\n\n\n');
}

function resourceClass(group: string[], mode: 'sync' | 'async'): string {
  return `${mode === 'async' ? 'Async' : ''}${pyClass(group)}Resource`;
}

function methodOf(op: OperationModel, types: PyTypes, returned: Set<string>): Method {
  const args: Arg[] = [];
  const hintBase = pyClass(words(op.id));
  for (const p of op.pathParams) {
    args.push({
      name: safeArg(p.name),
      wire: p.name,
      kind: 'path',
      type: 'str',
      required: true,
      description: p.description,
    });
  }
  const queryNames = new Set(op.queryParams.map((p) => p.name));
  if (op.body) {
    const shape = types.objectShape({ $ref: op.body.type.uri }, '');
    const flatten =
      shape !== undefined &&
      !returned.has(op.body.type.uri) &&
      Object.keys(shape.properties).every(
        (k) => isPyIdentifier(k) && !queryNames.has(k) && k !== 'request_options',
      );
    if (flatten && shape) {
      const entries = Object.entries(shape.properties);
      const ordered = [
        ...entries.filter(([k]) => shape.required.includes(k)),
        ...entries.filter(([k]) => !shape.required.includes(k)),
      ];
      for (const [prop, schema] of ordered) {
        const s = schema as Record<string, unknown>;
        args.push({
          name: prop,
          wire: prop,
          kind: 'body',
          type: types.typeOf(schema, shape.base, op.body.type.name + pyClass(words(prop)), 'Sequence'),
          required: shape.required.includes(prop),
          description: memberDescription(types, s, shape.base),
        });
      }
    } else {
      args.push({
        name: pyName(words(op.body.type.name)),
        wire: '',
        kind: 'body-whole',
        type: op.body.type.name,
        required: true,
        description: `The request body (${op.body.type.name}).`,
      });
    }
  }
  for (const p of op.queryParams) {
    args.push({
      name: safeArg(p.name),
      wire: p.name,
      kind: 'query',
      type: isCommaList(p)
        ? 'Sequence[str]'
        : types.typeOf(p.schema, '', hintBase + pyClass(words(p.name)), 'Sequence'),
      required: p.required,
      description: p.description,
    });
  }
  const pagination = op.pagination;
  const item = pagination ? types.nameOf(pagination.itemType.uri) : undefined;
  const bodyType = op.success.type ? (types.nameOf(op.success.type.uri) ?? 'Any') : undefined;
  const pageName =
    pagination && item && bodyType ? `_${pyName(words(op.id)).toUpperCase()}_PAGES` : undefined;
  return {
    op,
    name: pyName(op.name.method),
    args,
    returns: bodyType ?? 'None',
    pages: pageName,
    pageTypes: pageName ? [bodyType as string, item as string] : undefined,
    safety: retrySafety(op),
  };
}

function memberDescription(types: PyTypes, s: Record<string, unknown>, base: string): string {
  if (typeof s.description === 'string') return s.description;
  if (typeof s.$ref === 'string') {
    const t = types.resolve(absoluteRef(s.$ref, base)).schema;
    if (typeof t.description === 'string') return t.description;
  }
  return '';
}

/** A parameter name that is a valid Python identifier. */
function safeArg(name: string): string {
  return isPyIdentifier(name) ? name : pyName(words(name));
}

function renderResource(group: string[], description: string, ms: Method[], mode: 'sync' | 'async'): string {
  const cls = resourceClass(group, mode);
  const base = mode === 'async' ? 'AsyncBaseClient' : 'SyncBaseClient';
  const lines = [
    `class ${cls}:`,
    docstring(
      `${description || pyClass(group)}\n\nReached as \`client.${pyName(group)}\`.`,
      '    ',
    ).trimEnd(),
    '',
    `    def __init__(self, client: ${base}) -> None:`,
    '        self._client = client',
  ];
  for (const m of ms) lines.push('', renderMethod(m, mode, 'self._client'));
  return lines.join('\n');
}

function renderClientClass(model: ApiModel, ms: Method[], mode: 'sync' | 'async'): string {
  const cls = mode === 'async' ? 'AsyncOmpClient' : 'OmpClient';
  const base = mode === 'async' ? 'AsyncBaseClient' : 'SyncBaseClient';
  const example =
    mode === 'async'
      ? [
          'Example::',
          '',
          '    async with AsyncOmpClient(base_url="http://127.0.0.1:3456", api_key=key) as client:',
          '        memory = await client.memories.create(content="...", type="semantic", source={"tool": "claude"})',
          '        async for m in client.memories.list(limit=50):',
          '            print(m["id"], m["content"])',
        ]
      : [
          'Example::',
          '',
          '    with OmpClient(base_url="http://127.0.0.1:3456", api_key=key) as client:',
          '        memory = client.memories.create(content="...", type="semantic", source={"tool": "claude"})',
          '        for m in client.memories.list(limit=50):',
          '            print(m["id"], m["content"])',
        ];
  const lines = [
    `class ${cls}(${base}):`,
    `    """${mode === 'async' ? 'Asyncio client' : 'Client'} of the ${model.title} API ${model.version}.`,
    '',
    ...example.map((l) => (l ? `    ${l}` : '')),
    '    """',
    '',
  ];
  for (const g of model.groups) {
    lines.push(`    ${pyName(g.name)}: ${resourceClass(g.name, mode)}`);
    const d = docstring(g.description, '    ');
    if (d) lines.push(d.trimEnd());
  }
  lines.push('', '    def _init_resources(self) -> None:');
  if (model.groups.length === 0) lines.push('        pass');
  for (const g of model.groups)
    lines.push(`        self.${pyName(g.name)} = ${resourceClass(g.name, mode)}(self)`);
  // Methods on the client itself call its own base methods.
  for (const m of ms) lines.push('', renderMethod(m, mode, 'self'));
  return lines.join('\n');
}

function argType(a: Arg): string {
  return a.required ? a.type : `${a.type} | NotGiven`;
}

function renderMethod(m: Method, mode: 'sync' | 'async', target: string): string {
  const { op } = m;
  const positional = m.args.filter((a) => a.kind === 'path' || a.kind === 'body-whole');
  const keyword = m.args.filter((a) => a.kind === 'body' || a.kind === 'query');
  const kwOrdered = [...keyword.filter((a) => a.required), ...keyword.filter((a) => !a.required)];
  const params = [
    'self',
    ...positional.map((a) => `${a.name}: ${a.type}`),
    '*',
    ...kwOrdered.map((a) => `${a.name}: ${argType(a)}${a.required ? '' : ' = NOT_GIVEN'}`),
    'request_options: RequestOptions | None = None',
  ];
  const paged = m.pages !== undefined && m.pageTypes !== undefined;
  const returns = paged
    ? `${mode === 'async' ? 'AsyncPagePromise' : 'SyncPage'}[${m.pageTypes![0]}, ${m.pageTypes![1]}]`
    : m.returns;
  const isAsync = mode === 'async' && !paged;
  const sig = `    ${isAsync ? 'async ' : ''}def ${m.name}(\n${params.map((p) => `        ${p},`).join('\n')}\n    ) -> ${returns}:`;

  const retry = describeSafety(m.safety);
  const docArgs = m.args.filter((a) => a.description).map((a) => `    ${a.name}: ${oneLine(a.description)}`);
  const doc = [
    op.summary ? `${op.summary}.`.replace(/\.\.$/, '.') : op.id,
    '',
    `\`${op.method} ${op.path}\` (${op.id}) -> ${op.success.status}${m.returns === 'None' ? ' (no body)' : ` ${m.returns}`}. ${op.description}`,
    '',
    retry,
    ...(paged
      ? [
          '',
          mode === 'async'
            ? 'Await the result for the first page, or `async for` over it for every item of every page.'
            : 'Returns the first page; iterating it walks every item of every page.',
        ]
      : []),
    ...(docArgs.length > 0 ? ['', 'Args:', ...docArgs] : []),
  ].join('\n');

  const fields = [
    `id=${pyStr(op.id)}`,
    `method=${pyStr(op.method)}`,
    `path=${pyStr(op.path)}`,
    `safe=${safeExpr(m)}`,
  ];
  if (op.idempotencyKey) fields.push('idempotency_key=True');
  if (op.conditional) fields.push('conditional=True');
  const pathArgs = m.args.filter((a) => a.kind === 'path');
  if (pathArgs.length > 0)
    fields.push(`params={${pathArgs.map((a) => `${pyStr(a.wire)}: ${a.name}`).join(', ')}}`);
  const queryArgs = m.args.filter((a) => a.kind === 'query');
  if (queryArgs.length > 0) {
    fields.push(`query=${dictExpr(queryArgs)}`);
  }
  const bodyArgs = m.args.filter((a) => a.kind === 'body');
  const whole = m.args.find((a) => a.kind === 'body-whole');
  if (whole) fields.push(`body=${whole.name}`, 'has_body=True');
  else if (op.body) {
    fields.push(`body=${dictExpr(bodyArgs)}`, 'has_body=True');
  }
  const opExpr = `Operation(\n${fields.map((f) => `                ${f},`).join('\n')}\n            )`;
  let call: string;
  if (paged) {
    call = `        return ${target}._request_page(\n            ${opExpr},\n            ${m.pages},\n            request_options,\n        )`;
  } else {
    const req = `${isAsync ? 'await ' : ''}${target}._request(\n            ${opExpr},\n            request_options,\n        )`;
    call =
      m.returns === 'None'
        ? `        ${req}`
        : `        return cast(\n            ${pyStr(m.returns)},\n            ${req.replace(/\n/g, '\n    ')},\n        )`;
  }
  return `${sig}\n${docstring(doc, '        ').trimEnd()}\n${call}`;
}

/** `omit_not_given({...})` of the arguments, one member per line (inside an Operation(...) at depth 4). */
function dictExpr(args: Arg[]): string {
  if (args.length === 0) return '{}';
  const pad = ' '.repeat(20);
  return `omit_not_given(\n${pad}{\n${args.map((a) => `${pad}    ${pyStr(a.wire)}: ${a.name},`).join('\n')}\n${pad}}\n${' '.repeat(16)})`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function describeSafety(s: RetrySafety): string {
  switch (s.kind) {
    case 'always':
      return 'Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).';
    case 'never':
      return 'Not idempotent: retried only when the connection could not be opened, never after a response (SPEC.md §9.3).';
    case 'keyed':
      return 'Retry-safe with an `Idempotency-Key`, which the client sends to servers of 0.4 or later (a generated UUID unless `request_options["idempotency_key"]` is given); without one, retried only when the connection could not be opened (SPEC.md §5.9, §16).';
    case 'unless':
      return `Retry-safe unless \`${s.name}\` is ${s.values.map((v) => `\`${v}\``).join(' or ')}, which is then retried only when the connection could not be opened (SPEC.md §9.3).`;
  }
}

/** The Python expression of a call's retry safety. */
function safeExpr(m: Method): string {
  const s = m.safety;
  if (s.kind === 'always') return 'True';
  if (s.kind === 'keyed') return 'False';
  if (s.kind === 'never') return 'False';
  const sources: string[] = [];
  const q = m.args.find((a) => (a.kind === 'query' || a.kind === 'body') && a.wire === s.name);
  if (q) sources.push(q.name);
  const whole = m.args.find((a) => a.kind === 'body-whole');
  if (whole) sources.push(`${whole.name}.get(${pyStr(s.name)})`);
  if (sources.length === 0)
    throw new Error(`${m.op.id}: retry safety names ${s.name}, which the operation does not take`);
  return sources.flatMap((src) => s.values.map((v) => `${src} != ${pyStr(v)}`)).join(' and ');
}
