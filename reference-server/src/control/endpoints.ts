/**
 * The endpoints of the control level (SPEC.md §20): state changes and history, apps, the access log, stats and
 * category suggestions. Apps, the log and stats belong to the person: a per-tool key is refused (OMP-CTRL-022).
 */
import { createHash } from 'node:crypto';
import { createAjv, schemaId, validatorFor } from '@omp-kit/schemas';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Credential } from '../auth/keys.ts';
import { etagOf } from '../concurrency/etag.ts';
import { ApiError, forbidden, memoryNotFound, validationError } from '../http/errors.ts';
import type { Endpoint, RequestContext } from '../http/router.ts';
import { isMemoryId } from '../model/ids.ts';
import { ceilMs, isoFromMs } from '../model/time.ts';
import {
  type AppContext,
  caller,
  json,
  queryOf,
  rejectIf,
  requireRead,
  requireWrite,
  visibilityOf,
} from '../routes/context.ts';
import type { AccessRule } from '../storage/control-scope.ts';
import type { LogRow } from '../storage/control-store.ts';
import { renderMemory } from '../storage/rows.ts';
import { asQueryViolations, violationsOf } from '../validation.ts';
import { CATEGORY_RULE, suggestCategories } from './categories.ts';
import type { Control } from './control.ts';
import { appOf } from './gate.ts';

export { CATEGORY_RULE };

const LOG_PARAMS = ['memory_id', 'app', 'operation', 'since', 'until', 'limit', 'cursor'] as const;
const TOOL_NAME = /^[^\u0000-\u001f\u007f]{1,100}$/u;
const CATEGORY = /^[a-z0-9_-]{1,41}$/;

let logQuery: ValidateFunction | undefined;
/** Query parameters of GET /v1/access-log, typed after coercion. */
function logQueryValidator(): ValidateFunction {
  const defs = (name: string) => ({ $ref: `${schemaId('defs')}#/$defs/${name}` });
  logQuery ??= createAjv().compile({
    type: 'object',
    properties: {
      memory_id: defs('memoryId'),
      app: defs('toolName'),
      operation: { $ref: `${schemaId('access-log-entry')}#/properties/operation` },
      since: defs('timestamp'),
      until: defs('timestamp'),
      limit: defs('limit'),
      cursor: defs('cursor'),
    },
    additionalProperties: false,
  });
  return logQuery;
}

/** 403 for a key bound to a tool: the person's endpoints (OMP-CTRL-022). */
function requirePerson(c: Credential): void {
  if (c.tool !== null) {
    throw forbidden('Apps, the access log and stats need a key that is not bound to a tool', {
      tool: c.tool,
    });
  }
}

/** A body validated against a schema, or 422 listing every violation. */
function bodyOf<T>(ctx: RequestContext, schema: string): T {
  rejectIf([...queryOf(ctx, []).violations, ...violationsOf(validatorFor(schema), ctx.body)]);
  return ctx.body as T;
}

const normal = (ts: string): string => isoFromMs(ceilMs(ts));

/** Cursors of the access log: the position (an entry's seq) and a digest of the filters they belong to. */
function logCursor(seq: number, digest: string): string {
  return Buffer.from(JSON.stringify([2, digest, seq])).toString('base64url');
}
function readLogCursor(cursor: string): { digest: string; seq: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 3 || v[0] !== 2) return undefined;
    if (typeof v[1] !== 'string' || !Number.isSafeInteger(v[2]) || (v[2] as number) < 1) return undefined;
    return { digest: v[1], seq: v[2] as number };
  } catch {
    return undefined;
  }
}

/** One log row as the schema `access-log-entry`; its id is its seq, so id order is log order. */
function renderEntry(r: LogRow): string {
  return JSON.stringify({
    id: `log_${r.seq.toString(36).padStart(16, '0')}`,
    at: r.at,
    operation: r.operation,
    via: r.via,
    app: r.app,
    principal: r.principal,
    memory_ids: r.memory_ids === '' ? [] : r.memory_ids.split(' '),
    request_id: r.request_id,
  });
}

/** Every control endpoint; the memory-related ones are gated like the memory endpoints (app.ts). */
export function controlEndpoints(app: AppContext, control: Control): Endpoint[] {
  const { store } = app;

  /** Every app of a principal (SPEC.md §20.2): stored ones and every source.tool, merged, by name. */
  function appsOf(principal: string): Record<string, unknown>[] {
    store.purgeExpired();
    control.log.flush();
    const rows = new Map(control.store.apps(principal).map((r) => [r.name, r]));
    const tools = new Map(control.store.toolCounts(principal).map((t) => [t.tool, t]));
    const names = [...new Set([...rows.keys(), ...tools.keys()])].sort();
    return names.map((name) => {
      const r = rows.get(name);
      const t = tools.get(name);
      const firsts = [r?.first_seen, t?.first].filter((x) => x !== undefined).map(normal);
      const lasts = [r?.last_seen, t?.last, t?.first].filter((x) => x !== undefined).map(normal);
      return {
        name,
        paused: r?.paused === 1,
        first_seen_at: firsts.sort()[0],
        last_seen_at: lasts.sort().at(-1),
        memories_count: t?.n ?? 0,
        reads_count: r?.reads ?? 0,
        writes_count: r?.writes ?? 0,
        rules: r ? (JSON.parse(r.rules) as AccessRule[]) : [],
      };
    });
  }

  /** The app of a name, or 404 not_found (OMP-CTRL-018). */
  function appNamed(principal: string, name: string): Record<string, unknown> {
    const found = TOOL_NAME.test(name) ? appsOf(principal).find((a) => a.name === name) : undefined;
    if (!found)
      throw new ApiError(404, 'not_found', `No app named ${JSON.stringify(name.slice(0, 100))}`, {});
    return found;
  }

  return [
    {
      method: 'POST',
      path: '/v1/memories/{id}/state',
      auth: 'required',
      body: 'json',
      async handle(ctx) {
        const c = caller(ctx);
        const body = bodyOf<{ state: string; reason?: string }>(ctx, 'state-change-request');
        requireWrite(c);
        const id = ctx.params.id as string;
        if (!isMemoryId(id)) throw memoryNotFound(id);
        const who = { app: appOf(ctx.req, c), actor: c.principal, reason: body.reason ?? null };
        const out = await store.setStates(visibilityOf(c), c.tool, [id], body.state, who, 'forbid');
        const row = out.rows[0];
        if (!row) throw memoryNotFound(id);
        ctx.accessed = out.changed;
        return json(200, renderMemory(row, true), { ETag: etagOf(row) });
      },
    },
    {
      method: 'GET',
      path: '/v1/memories/{id}/history',
      auth: 'required',
      handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requireRead(c);
        const id = ctx.params.id as string;
        const row = isMemoryId(id) ? store.get(visibilityOf(c), id) : undefined;
        if (!row) throw memoryNotFound(id);
        const entries = control.store.history(c.principal, id).map((h) => ({
          from: h.from_state,
          to: h.to_state,
          at: h.at,
          app: h.app,
          principal: h.actor,
          reason: h.reason,
        }));
        return json(200, JSON.stringify({ memory_id: id, entries }));
      },
    },
    {
      method: 'POST',
      path: '/v1/memories/bulk-state',
      auth: 'required',
      body: 'json',
      async handle(ctx) {
        const c = caller(ctx);
        const body = bodyOf<{ ids: string[]; state: string; reason?: string }>(ctx, 'bulk-state-request');
        requireWrite(c);
        const who = { app: appOf(ctx.req, c), actor: c.principal, reason: body.reason ?? null };
        const out = await store.setStates(visibilityOf(c), c.tool, body.ids, body.state, who, 'report');
        ctx.accessed = out.changed;
        return json(
          200,
          JSON.stringify({
            changed: out.changed.length,
            unchanged: out.unchanged.length,
            not_found: out.notFound,
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/apps',
      auth: 'required',
      handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requirePerson(c);
        return json(200, JSON.stringify({ apps: appsOf(c.principal) }));
      },
    },
    {
      method: 'GET',
      path: '/v1/apps/{name}',
      auth: 'required',
      handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requirePerson(c);
        return json(200, JSON.stringify(appNamed(c.principal, ctx.params.name as string)));
      },
    },
    {
      method: 'PUT',
      path: '/v1/apps/{name}',
      auth: 'required',
      body: 'json',
      handle(ctx) {
        const c = caller(ctx);
        const body = bodyOf<{ paused?: boolean; rules?: AccessRule[] }>(ctx, 'app-update-request');
        requirePerson(c);
        const name = ctx.params.name as string;
        if (!TOOL_NAME.test(name)) {
          throw new ApiError(
            404,
            'not_found',
            'An app name has 1 to 100 characters and no control characters',
            {},
          );
        }
        const current = control.apps.get(c.principal, name);
        const rules = (body.rules ?? current.rules).map((r) =>
          r.namespace !== undefined
            ? { effect: r.effect, namespace: r.namespace }
            : { effect: r.effect, memory_id: r.memory_id as string },
        );
        control.apps.put(c.principal, name, body.paused ?? current.paused, rules, isoFromMs(Date.now()));
        return json(200, JSON.stringify(appNamed(c.principal, name)));
      },
    },
    {
      method: 'GET',
      path: '/v1/access-log',
      auth: 'required',
      handle(ctx) {
        const c = caller(ctx);
        const { values, violations } = queryOf(ctx, LOG_PARAMS);
        rejectIf([...violations, ...asQueryViolations(violationsOf(logQueryValidator(), values))]);
        requirePerson(c);
        const v = values as Record<string, string | number | undefined>;
        const filters = [v.memory_id, v.app, v.operation, v.since, v.until].map((x) => x ?? null);
        const digest = createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
        let beforeSeq: number | undefined;
        if (v.cursor !== undefined) {
          const pos = readLogCursor(v.cursor as string);
          if (!pos)
            throw validationError([{ path: '?cursor', message: 'is not a cursor this server issued' }]);
          if (pos.digest !== digest) {
            throw validationError([{ path: '?cursor', message: 'belongs to a request with other filters' }]);
          }
          beforeSeq = pos.seq;
        }
        control.log.flush();
        const limit = (v.limit as number | undefined) ?? 20;
        // One more than the page tells whether the log continues.
        const rows = control.store.queryLog({
          principal: c.principal,
          memoryId: v.memory_id as string | undefined,
          app: v.app as string | undefined,
          operation: v.operation as string | undefined,
          sinceMs: v.since === undefined ? undefined : ceilMs(v.since as string),
          untilMs: v.until === undefined ? undefined : ceilMs(v.until as string),
          beforeSeq,
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const next = rows.length > limit && last ? JSON.stringify(logCursor(last.seq, digest)) : 'null';
        return json(200, `{"entries":[${page.map(renderEntry).join(',')}],"next_cursor":${next}}`);
      },
    },
    {
      method: 'GET',
      path: '/v1/stats',
      auth: 'required',
      handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requirePerson(c);
        store.purgeExpired();
        const s = control.store.stats(c.principal);
        const count = (m: Map<string, number>, keys: readonly string[]) =>
          Object.fromEntries(keys.map((k) => [k, m.get(k) ?? 0]));
        const byState = count(s.byState, ['active', 'paused', 'archived']);
        return json(
          200,
          JSON.stringify({
            total: Object.values(byState).reduce((a, b) => a + b, 0),
            by_state: byState,
            by_type: count(s.byType, ['episodic', 'semantic', 'procedural']),
            by_app: s.byTool.map((t) => ({ app: t.name, count: t.n })),
            by_category: s.byCategory
              .filter((x) => CATEGORY.test(x.name))
              .map((x) => ({ category: x.name, count: x.n })),
            apps_count: appsOf(c.principal).length,
          }),
        );
      },
    },
    {
      method: 'POST',
      path: '/v1/category-suggestions',
      auth: 'required',
      body: 'json',
      handle(ctx) {
        const body = bodyOf<{ content: string }>(ctx, 'category-suggest-request');
        return json(200, JSON.stringify({ categories: suggestCategories(body.content) }));
      },
    },
  ];
}
