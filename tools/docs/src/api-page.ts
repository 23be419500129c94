/**
 * The API reference: one self-contained HTML page rendered from spec/openapi.yaml (dereferenced offline), with
 * every operation (anchor = its operationId), its parameters and their constraints, request and response
 * schemas, headers and examples, and every component schema. Requirement IDs link into SPEC.html.
 */
import { dereference, locateVersion } from 'omp-spec-diff';
import { escapeHtml, page, requirementAnchor, type TocEntry } from './html.ts';
import { renderInline, renderMarkdown } from './markdown.ts';
import { constraints, renderSchema, typeLabel } from './schema-view.ts';

type Obj = Record<string, unknown>;

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): Obj {
  return isObject(value) ? value : {};
}

/**
 * Dereference a spec version's openapi document without the network: the live `spec/` (schemas through
 * `ompSchemaResolver`) or a release folder (schemas from its own `schemas/`), located as omp-spec-diff does.
 */
export async function loadOpenapi(path: string): Promise<Obj> {
  const { openapiPath, schemasDir } = locateVersion(path);
  return (await dereference(openapiPath, schemasDir)) as Obj;
}

/** One operation of the document. */
export interface OperationEntry {
  method: string;
  path: string;
  operationId: string;
  op: Obj;
  pathItem: Obj;
}

/** Every operation, in document order. */
export function operationsOf(api: Obj): OperationEntry[] {
  const out: OperationEntry[] = [];
  for (const [path, item] of Object.entries(obj(api.paths))) {
    for (const method of methods) {
      const op = obj(item)[method];
      if (!isObject(op)) continue;
      const operationId = typeof op.operationId === 'string' ? op.operationId : `${method}-${path}`;
      out.push({ method, path, operationId, op, pathItem: obj(item) });
    }
  }
  return out;
}

class ApiRenderer {
  private readonly api: Obj;
  private readonly specHref: string;
  /** Component schema objects → their names, so operations link to them rather than repeat them. */
  private readonly componentNames = new Map<unknown, string>();

  constructor(api: Obj, specHref: string) {
    this.api = api;
    this.specHref = specHref;
    for (const [name, schema] of Object.entries(obj(obj(api.components).schemas))) {
      if (!this.componentNames.has(schema)) this.componentNames.set(schema, name);
    }
  }

  private describe = (markdown: string): string =>
    renderInline(markdown, { requirementHref: (id) => `${this.specHref}#${requirementAnchor(id)}` });

  private examples(media: Obj): string {
    const list: Array<[string, Obj]> = Object.entries(obj(media.examples)).map(([k, v]) => [k, obj(v)]);
    if ('example' in media) list.unshift(['example', { value: media.example }]);
    return list
      .map(([name, ex]) => {
        const title =
          typeof ex.summary === 'string' ? `${name} — ${escapeHtml(ex.summary)}` : escapeHtml(name);
        const value = 'value' in ex ? JSON.stringify(ex.value, null, 2) : String(ex.externalValue ?? '');
        return `<details class="example"><summary>Example: ${title}</summary><pre><code>${escapeHtml(value)}</code></pre></details>`;
      })
      .join('\n');
  }

  private schemaBlock(schema: unknown, expand: boolean): string {
    const name = this.componentNames.get(schema);
    if (!name) return renderSchema(schema, this.describe);
    const link = `<p>Schema <a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a></p>`;
    if (!expand) return link;
    return `${link}<details><summary>Members</summary>${renderSchema(schema, this.describe)}</details>`;
  }

  private content(content: Obj, expand: boolean): string {
    return Object.entries(content)
      .map(([mediaType, media]) => {
        const m = obj(media);
        const schema = m.schema === undefined ? '' : this.schemaBlock(m.schema, expand);
        return `<p class="muted">${escapeHtml(mediaType)}</p>${schema}${this.examples(m)}`;
      })
      .join('\n');
  }

  private parameters(entry: OperationEntry): string {
    const merged = new Map<string, Obj>();
    for (const list of [entry.pathItem.parameters, entry.op.parameters]) {
      if (!Array.isArray(list)) continue;
      for (const p of list.filter(isObject)) merged.set(`${String(p.in)}:${String(p.name)}`, p);
    }
    if (merged.size === 0) return '';
    const rows = [...merged.values()].map((p) => {
      const schema = obj(p.schema);
      const rules = constraints(schema).join('; ');
      const example = 'example' in p ? `<code>${escapeHtml(String(p.example))}</code>` : '';
      return (
        `<tr><td class="name">${escapeHtml(String(p.name))}${p.required === true ? ' <span class="req" title="required">*</span>' : ''}</td>` +
        `<td>${escapeHtml(String(p.in))}</td><td>${escapeHtml(typeLabel(schema, 1))}</td><td class="constraints">${rules}</td>` +
        `<td>${typeof p.description === 'string' ? this.describe(p.description) : ''}</td><td>${example}</td></tr>`
      );
    });
    return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>rules</th><th>description</th><th>example</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }

  private security(op: Obj): string {
    const security = (op.security ?? this.api.security ?? []) as unknown[];
    const open =
      !Array.isArray(security) ||
      security.length === 0 ||
      security.some((s) => Object.keys(obj(s)).length === 0);
    if (open) return 'open to everyone (no key)';
    const names = security.flatMap((s) => Object.keys(obj(s)));
    return `requires ${names.map((n) => `<code>${escapeHtml(n)}</code>`).join(' or ')} credentials`;
  }

  private headers(headers: Obj): string {
    const rows = Object.entries(headers).map(([name, header]) => {
      const h = obj(header);
      return `<tr><td class="name">${escapeHtml(name)}</td><td>${escapeHtml(typeLabel(obj(h.schema), 1))}</td><td>${typeof h.description === 'string' ? this.describe(h.description) : ''}</td></tr>`;
    });
    return rows.length === 0
      ? ''
      : `<table><thead><tr><th>header</th><th>type</th><th>description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }

  operation(entry: OperationEntry): string {
    const { op, method, path, operationId } = entry;
    const parts = [
      `<section class="operation" id="${escapeHtml(operationId)}">`,
      `<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
      `<p class="muted">operationId <code>${escapeHtml(operationId)}</code> · ${this.security(op)}</p>`,
    ];
    if (typeof op.summary === 'string') parts.push(`<p><strong>${escapeHtml(op.summary)}</strong></p>`);
    if (typeof op.description === 'string') parts.push(`<p>${this.describe(op.description)}</p>`);
    parts.push(this.parameters(entry));
    const body = obj(op.requestBody);
    if (Object.keys(body).length > 0) {
      parts.push(
        `<h4>Request body${body.required === true ? ' <span class="req">(required)</span>' : ''}</h4>`,
      );
      if (typeof body.description === 'string') parts.push(`<p>${this.describe(body.description)}</p>`);
      parts.push(this.content(obj(body.content), true));
    }
    parts.push('<h4>Responses</h4>');
    for (const [status, response] of Object.entries(obj(op.responses))) {
      const r = obj(response);
      const description = typeof r.description === 'string' ? this.describe(r.description) : '';
      parts.push(`<div class="response" id="${escapeHtml(operationId)}-${escapeHtml(status)}">`);
      parts.push(`<p><span class="status">${escapeHtml(status)}</span> — ${description}</p>`);
      parts.push(this.headers(obj(r.headers)));
      parts.push(this.content(obj(r.content), !/^[45]/.test(status)));
      parts.push('</div>');
    }
    parts.push('</section>');
    return parts.filter(Boolean).join('\n');
  }

  render(): { html: string; operationIds: string[] } {
    const info = obj(this.api.info);
    const title = `${String(info.title ?? 'API')} ${String(info.version ?? '')}`.trim();
    const toc: TocEntry[] = [];
    const body: string[] = [`<h1 id="top">${escapeHtml(title)} — API reference</h1>`];
    if (typeof info.summary === 'string') body.push(`<p><strong>${escapeHtml(info.summary)}</strong></p>`);
    if (typeof info.description === 'string') {
      body.push(
        renderMarkdown(info.description, {
          requirementHref: (id) => `${this.specHref}#${requirementAnchor(id)}`,
        }).html,
      );
    }
    body.push(`<p>The normative text is <a href="${escapeHtml(this.specHref)}">the specification</a>.</p>`);
    const servers = Array.isArray(this.api.servers) ? this.api.servers.filter(isObject) : [];
    if (servers.length > 0) {
      body.push('<h2 id="servers">Servers</h2><ul>');
      body.push(
        ...servers.map(
          (s) =>
            `<li><code>${escapeHtml(String(s.url))}</code> ${escapeHtml(String(s.description ?? ''))}</li>`,
        ),
      );
      body.push('</ul>');
      toc.push({ depth: 2, id: 'servers', html: 'Servers' });
    }
    const schemes = obj(obj(this.api.components).securitySchemes);
    if (Object.keys(schemes).length > 0) {
      body.push('<h2 id="authentication">Authentication</h2><ul>');
      for (const [name, scheme] of Object.entries(schemes)) {
        const s = obj(scheme);
        const kind = [s.type, s.scheme, s.in, s.name].filter((v) => typeof v === 'string').join(' ');
        body.push(
          `<li><code>${escapeHtml(name)}</code>: ${escapeHtml(kind)}${typeof s.description === 'string' ? ` — ${this.describe(s.description)}` : ''}</li>`,
        );
      }
      body.push('</ul>');
      toc.push({ depth: 2, id: 'authentication', html: 'Authentication' });
    }

    const operations = operationsOf(this.api);
    const tags: Array<{ name: string; description?: string }> = (
      Array.isArray(this.api.tags) ? this.api.tags : []
    )
      .filter(isObject)
      .map((t) => ({
        name: String(t.name),
        description: typeof t.description === 'string' ? t.description : undefined,
      }));
    for (const entry of operations) {
      const tag =
        Array.isArray(entry.op.tags) && typeof entry.op.tags[0] === 'string' ? entry.op.tags[0] : 'other';
      if (!tags.some((t) => t.name === tag)) tags.push({ name: tag });
    }
    for (const tag of tags) {
      const members = operations.filter(
        (e) => ((e.op.tags as string[] | undefined)?.[0] ?? 'other') === tag.name,
      );
      if (members.length === 0) continue;
      const id = `tag-${tag.name}`;
      body.push(`<h2 id="${escapeHtml(id)}">${escapeHtml(tag.name)}</h2>`);
      if (tag.description) body.push(`<p>${this.describe(tag.description)}</p>`);
      toc.push({ depth: 2, id, html: escapeHtml(tag.name) });
      for (const entry of members) {
        body.push(this.operation(entry));
        toc.push({
          depth: 3,
          id: entry.operationId,
          html: `<span class="method ${entry.method}">${entry.method.toUpperCase()}</span> ${escapeHtml(entry.path)}`,
        });
      }
    }

    const components = obj(obj(this.api.components).schemas);
    if (Object.keys(components).length > 0) {
      body.push('<h2 id="schemas">Schemas</h2>');
      toc.push({ depth: 2, id: 'schemas', html: 'Schemas' });
      for (const [name, schema] of Object.entries(components)) {
        body.push(`<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3>`);
        body.push(renderSchema(schema, this.describe));
        const examples = obj(schema).examples;
        if (Array.isArray(examples) && examples.length > 0) {
          body.push(
            `<details class="example"><summary>Example</summary><pre><code>${escapeHtml(JSON.stringify(examples[0], null, 2))}</code></pre></details>`,
          );
        }
        toc.push({ depth: 3, id: `schema-${name}`, html: escapeHtml(name) });
      }
    }
    return {
      html: page({ title: `${title} — API reference`, toc, body: body.join('\n') }),
      operationIds: operations.map((e) => e.operationId),
    };
  }
}

/** Render the API reference page of a dereferenced document; `specHref` is where SPEC.html is. */
export function renderApiPage(api: Obj, specHref = 'SPEC.html'): { html: string; operationIds: string[] } {
  return new ApiRenderer(api, specHref).render();
}
