/**
 * ApiModel -> the Go client's methods: one method per operation, named from its operationId
 * (createMemory -> Client.CreateMemory), a params struct per operation with query parameters, and for
 * paginated operations a ...Pages and an ...All iterator. Every method is a thin call into the hand-written
 * runtime (sdk-go/transport.go, paging.go), so the generated code stays small.
 */
import type { ApiModel, OperationModel, PaginationModel, ParamModel } from '../model.ts';
import { alignRows, goDoc, goLocalName, goNameOf, goRawString, goString, type Row } from './go-syntax.ts';
import { type GoField, type GoType, type GoTypes, memberType } from './go-types.ts';

/** One query parameter as a Go field. */
interface QueryField {
  param: ParamModel;
  field: GoField;
  /** A []string sent comma-separated (OpenAPI style form, explode false). */
  list: boolean;
}

/** The methods and params structs of every operation, and the imports they need. */
export function renderOperations(model: ApiModel, types: GoTypes): { code: string; imports: Set<string> } {
  const imports = new Set<string>(['context']);
  const out: string[] = [];
  for (const op of model.operations) {
    const name = goNameOf(op.id);
    const query = queryFields(op, name, types);
    if (query.length > 0) out.push(renderParams(name, query, imports));
    out.push(renderMethod(op, name, query, types));
    if (op.pagination) {
      imports.add('iter');
      out.push(renderPaging(op, name, query, op.pagination, types));
    }
  }
  return { code: out.join('\n'), imports };
}

function queryFields(op: OperationModel, method: string, types: GoTypes): QueryField[] {
  return op.queryParams.map((p) => {
    const base = types.typeOf(p.schema, '', `${method}Params${goNameOf(p.name)}`);
    // The model admits array parameters only as style form, explode false: one comma-separated value.
    const list = base.shape === 'slice';
    if (list && base.expr !== '[]string')
      throw new Error(`${op.id}: list parameter ${p.name} must be a list of strings`);
    const { type, wrap } = memberType(base, p.required, false);
    const field: GoField = {
      json: p.name,
      name: goNameOf(p.name),
      type,
      required: p.required,
      base,
      wrap,
      description: p.description || undefined,
    };
    return { param: p, field, list };
  });
}

/** Whether the params argument is a value (some parameter is required) or an optional pointer. */
function paramsByValue(query: QueryField[]): boolean {
  return query.some((q) => q.param.required);
}

function renderParams(method: string, query: QueryField[], imports: Set<string>): string {
  imports.add('net/url');
  const lines: (Row | string)[] = [];
  for (const q of query) {
    if (q.field.description) lines.push(...goDoc(q.field.description, '', 106).split('\n'));
    const tag = `json:${goString(q.field.required ? q.field.json : `${q.field.json},omitzero`)}`;
    lines.push({ cells: [q.field.name, q.field.type], rest: goRawString(tag) });
  }
  const struct = `${goDoc(`${method}Params holds the query parameters of [Client.${method}]. Nil fields are not sent.`)}\ntype ${method}Params struct {\n${alignRows(lines, '\t').join('\n')}\n}\n`;
  const sets = query.map((q) => encodeQuery(q, imports)).join('');
  const byValue = paramsByValue(query);
  const recv = byValue ? `p ${method}Params` : `p *${method}Params`;
  const nilCheck = byValue ? '' : '\tif p == nil {\n\t\treturn q\n\t}\n';
  const fn = `// query encodes the parameters.\nfunc (${recv}) query() url.Values {\n\tq := url.Values{}\n${nilCheck}${sets}\treturn q\n}\n`;
  return `${struct}\n${fn}`;
}

/** The statement adding one parameter to `q`. */
function encodeQuery(q: QueryField, imports: Set<string>): string {
  const f = `p.${q.field.name}`;
  const key = goString(q.param.name);
  if (q.list) {
    imports.add('strings');
    return `\tif len(${f}) > 0 {\n\t\tq.Set(${key}, strings.Join(${f}, ","))\n\t}\n`;
  }
  const value = q.field.wrap === 'pointer' ? `*${f}` : f;
  const text = formatValue(q.field.base, value, imports);
  if (q.field.required && q.field.wrap === 'plain') return `\tq.Set(${key}, ${text})\n`;
  let cond: string;
  if (q.field.wrap === 'pointer') cond = `${f} != nil`;
  else if (q.field.base.shape === 'string') cond = `${f} != ""`;
  else if (q.field.base.shape === 'int' || q.field.base.shape === 'float') cond = `${f} != 0`;
  else if (q.field.base.shape === 'bool') cond = f;
  else throw new Error(`query parameter ${q.param.name}: a ${q.field.base.shape} cannot be sent in a query`);
  return `\tif ${cond} {\n\t\tq.Set(${key}, ${text})\n\t}\n`;
}

function formatValue(t: GoType, v: string, imports: Set<string>): string {
  switch (t.shape) {
    case 'string':
      return t.expr === 'string' ? v : `string(${v})`;
    case 'int':
      imports.add('strconv');
      return `strconv.Itoa(${v})`;
    case 'float':
      imports.add('strconv');
      return `strconv.FormatFloat(${v}, 'g', -1, 64)`;
    case 'bool':
      imports.add('strconv');
      return `strconv.FormatBool(${v})`;
    default:
      throw new Error(`a ${t.shape} cannot be sent in a query`);
  }
}

/** The method's parameter list after ctx, and the argument names to forward the same values. */
function signature(
  op: OperationModel,
  method: string,
  query: QueryField[],
  types: GoTypes,
): { params: string[]; args: string[] } {
  const params: string[] = [];
  const args: string[] = [];
  for (const p of op.pathParams) {
    params.push(`${goLocalName(p.name)} string`);
    args.push(goLocalName(p.name));
  }
  if (op.body) {
    params.push(`body ${types.nameOf(op.body.type.uri)}`);
    args.push('body');
  }
  if (query.length > 0) {
    params.push(`params ${paramsByValue(query) ? '' : '*'}${method}Params`);
    args.push('params');
  }
  return { params, args };
}

function renderMethod(op: OperationModel, method: string, query: QueryField[], types: GoTypes): string {
  const { params } = signature(op, method, query, types);
  const result = op.success.type ? types.nameOf(op.success.type.uri) : undefined;
  const fail = result ? 'return nil, err' : 'return err';
  const lines: string[] = [];

  // Path: literal pieces and escaped parameters, joined with +.
  const pieces: string[] = [];
  for (const part of op.path.split(/(\{[^}]+\})/).filter(Boolean)) {
    const m = /^\{(.+)\}$/.exec(part);
    if (!m) {
      pieces.push(goString(part));
      continue;
    }
    const p = op.pathParams.find((x) => x.name === m[1]);
    if (!p) throw new Error(`${op.id}: path parameter ${m[1]} is not declared`);
    const local = goLocalName(p.name);
    lines.push(
      `\t${local}Seg, err := pathSegment(${goString(op.id)}, ${goString(p.name)}, ${local})\n\tif err != nil {\n\t\t${fail}\n\t}\n`,
    );
    pieces.push(`${local}Seg`);
  }
  const fields = [`id: ${goString(op.id)}`, `method: ${goString(op.method)}`, `path: ${pieces.join(' + ')}`];
  if (query.length > 0) fields.push('query: params.query()');
  if (op.body) fields.push('body: body');
  if (op.auth === 'bearer') fields.push('auth: true');
  const safe = safetyExpr(op, query, types);
  if (safe === 'true') fields.push('retrySafe: true');
  else if (safe !== 'false') {
    lines.push(`\tsafe := ${safe}\n`);
    fields.push('retrySafe: safe');
  }
  if (op.idempotencyKey) fields.push('idempotencyKey: true');
  if (op.conditional) fields.push('conditional: true');
  const opLit = `&operation{${fields.join(', ')}}`;
  lines.push(result ? `\treturn call[${result}](ctx, c, ${opLit})\n` : `\treturn c.do(ctx, ${opLit}, nil)\n`);

  const about = [sentence(op.summary), op.description.trim()].filter(Boolean).join(' ');
  const statuses = op.errors.length > 0 ? ` (${op.errors.map((e) => e.status).join(', ')})` : '';
  const doc = [
    about ? `${method}: ${about}` : `${method} calls ${op.method} ${op.path}.`,
    `${op.method} ${op.path} -> ${op.success.status}${result ? ` [${result}]` : ' (no body)'}. ${retryDoc(op)} Errors: [*APIError]${statuses}, [*ConnectionError], [*TimeoutError].`,
  ];
  if (op.pagination)
    doc.push(`Walk every page with [Client.${method}Pages] or every item with [Client.${method}All].`);
  const ret = result ? `(*${result}, error)` : 'error';
  return `${goDoc(doc.join('\n\n'))}\nfunc (c *Client) ${method}(${['ctx context.Context', ...params].join(', ')}) ${ret} {\n${lines.join('')}}\n`;
}

function sentence(s: string): string {
  const t = s.trim();
  return t && !/[.!?]$/.test(t) ? `${t}.` : t;
}

function retryDoc(op: OperationModel): string {
  const u = op.retryUnsafeWhen;
  if (!op.retrySafe && op.idempotencyKey)
    return 'Retry-safe with an Idempotency-Key, which the client sends to servers of 0.4 or later (a generated UUID unless [WithIdempotencyKey] gives one); without one, retried only when no connection could be opened.';
  if (!op.retrySafe) return 'Not retry-safe: retried only when no connection could be opened.';
  const always = 'retried after 408, 429, 500, 502 and 503 responses and connection failures';
  if (!u) return `Retry-safe: ${always}.`;
  return `Retry-safe unless ${u.name} is ${goString(u.value)}: ${always}; with ${u.name} ${goString(u.value)} only when no connection could be opened.`;
}

/** The Go expression of an operation's retry safety (SPEC.md §9.3): `true`, `false`, or a condition on its arguments. */
function safetyExpr(op: OperationModel, query: QueryField[], types: GoTypes): string {
  if (!op.retrySafe) return 'false';
  const u = op.retryUnsafeWhen;
  if (!u) return 'true';
  const conds: string[] = [];
  if (u.inBody && op.body) {
    const bodyType = types.nameOf(op.body.type.uri);
    const f = types.fieldsOf(bodyType).find((x) => x.json === u.name);
    if (!f) throw new Error(`${op.id}: the body has no member ${u.name}`);
    conds.push(notEqual('body', f, u.value, types));
  }
  if (u.inQuery) {
    const q = query.find((x) => x.param.name === u.name);
    if (!q) throw new Error(`${op.id}: no query parameter ${u.name}`);
    const c = notEqual('params', q.field, u.value, types);
    conds.push(paramsByValue(query) ? c : `(params == nil || ${c.replace(/^\((.*)\)$/, '$1')})`);
  }
  if (conds.length === 0)
    throw new Error(`${op.id}: retryUnsafeWhen names neither a query parameter nor a body member`);
  return conds.join(' && ');
}

/** `x.F != value` for a string field (an enum constant when it is an enum), true when a pointer is nil. */
function notEqual(x: string, f: GoField, value: string, types: GoTypes): string {
  if (f.base.shape !== 'string' || f.wrap === 'nullable')
    throw new Error(`${f.json}: retry conditions need a string field`);
  const v = f.base.expr === 'string' ? goString(value) : types.enumConst(f.base.expr, value);
  return f.wrap === 'pointer'
    ? `(${x}.${f.name} == nil || *${x}.${f.name} != ${v})`
    : `${x}.${f.name} != ${v}`;
}

function renderPaging(
  op: OperationModel,
  method: string,
  query: QueryField[],
  pg: PaginationModel,
  types: GoTypes,
): string {
  const { params, args } = signature(op, method, query, types);
  const result = types.nameOf(op.success.type?.uri ?? '');
  const item = types.nameOf(pg.itemType.uri);
  const resFields = types.fieldsOf(result);
  const member = (json: string) => {
    const f = resFields.find((x) => x.json === json);
    if (!f) throw new Error(`${op.id}: the response has no member ${json}`);
    return f;
  };
  const items = member(pg.itemsField).name;
  const total = member(pg.totalField).name;
  const offsetOut = member(pg.offsetParam);

  // The request value holding the offset: the params struct or the body.
  let holder: { arg: string; type: string; byValue: boolean; field: GoField };
  if (pg.in === 'query') {
    const q = query.find((x) => x.param.name === pg.offsetParam);
    if (!q) throw new Error(`${op.id}: no query parameter ${pg.offsetParam}`);
    holder = { arg: 'params', type: `${method}Params`, byValue: paramsByValue(query), field: q.field };
  } else {
    const bodyType = types.nameOf(op.body?.type.uri ?? '');
    const f = types.fieldsOf(bodyType).find((x) => x.json === pg.offsetParam);
    if (!f) throw new Error(`${op.id}: the body has no member ${pg.offsetParam}`);
    holder = { arg: 'body', type: bodyType, byValue: true, field: f };
  }
  if (holder.field.base.shape !== 'int' || offsetOut.base.shape !== 'int')
    throw new Error(`${op.id}: offsets must be integers`);
  const copy = holder.byValue
    ? `\tp := ${holder.arg}\n`
    : `\tvar p ${holder.type}\n\tif ${holder.arg} != nil {\n\t\tp = *${holder.arg}\n\t}\n`;
  const off = holder.field.name;
  const start =
    holder.field.wrap === 'pointer' ? `0\n\tif p.${off} != nil {\n\t\tstart = *p.${off}\n\t}` : `p.${off}`;
  const set = holder.field.wrap === 'pointer' ? `q.${off} = &offset` : `q.${off} = offset`;
  const respOffset = offsetOut.wrap === 'pointer' ? `deref(r.${offsetOut.name})` : `r.${offsetOut.name}`;
  if (offsetOut.wrap === 'pointer') throw new Error(`${op.id}: a page's offset must be required`);
  const callArgs = args.map((a) => (a === holder.arg ? (holder.byValue ? 'q' : '&q') : a));

  const pagesDoc = goDoc(
    `${method}Pages walks the pages of [Client.${method}], starting at the request's ${pg.offsetParam} (its ${pg.limitParam} is the page size, the server's default when unset). It stops after the last page, at the first error (yielded once) or when the loop breaks; each page is one call under its own deadline.`,
  );
  // Cursor pagination (0.4): the walker passes next_cursor back as cursor, without an offset, when the
  // server speaks 0.4, and walks by offsets otherwise.
  let cursorSet = '';
  let nextOut = '';
  if (pg.cursor) {
    const cur = query.find((x) => x.param.name === pg.cursor?.param);
    if (cur?.field.wrap !== 'pointer')
      throw new Error(`${op.id}: the cursor must be an optional query field`);
    const reset = holder.field.wrap === 'pointer' ? `q.${off} = nil` : `q.${off} = 0`;
    cursorSet = `\n\t\tif cursor != nil {\n\t\t\t${reset}\n\t\t\tq.${cur.field.name} = cursor\n\t\t}`;
    nextOut = `, next: r.${member(pg.cursor.field).name}`;
  }
  const walker = pg.cursor ? 'cursorPages(ctx, c,' : 'pages(ctx,';
  const pages = `${pagesDoc}\nfunc (c *Client) ${method}Pages(${['ctx context.Context', ...params].join(', ')}) iter.Seq2[*${result}, error] {\n${copy}\tstart := ${start}\n\treturn ${walker} start, ${pg.maxOffset}, func(ctx context.Context, offset int, cursor *string) (*${result}, pageInfo, error) {\n\t\tq := p\n\t\t${set}${cursorSet}\n\t\tr, err := c.${method}(${['ctx', ...callArgs].join(', ')})\n\t\tif err != nil {\n\t\t\treturn nil, pageInfo{}, err\n\t\t}\n\t\treturn r, pageInfo{count: len(r.${items}), offset: ${respOffset}, total: r.${total}${nextOut}}, nil\n\t})\n}\n`;
  const allDoc = goDoc(
    `${method}All yields every [${item}] of every page of [Client.${method}] (see [Client.${method}Pages]); after an error it yields the error once and stops.`,
  );
  const all = `${allDoc}\nfunc (c *Client) ${method}All(${['ctx context.Context', ...params].join(', ')}) iter.Seq2[${item}, error] {\n\treturn items(c.${method}Pages(${['ctx', ...args].join(', ')}), func(r *${result}) []${item} { return r.${items} })\n}\n`;
  return `${pages}\n${all}`;
}
