/**
 * The control level on the memory endpoints (SPEC.md §20.2 to §20.4), as a wrapper around each endpoint: it
 * resolves the request's app, refuses a paused app (403 app_paused), hands the app's access rules to the store
 * through the credential, and records one access-log entry for every request answered with 2xx.
 */
import type { IncomingMessage } from 'node:http';
import type { Credential } from '../auth/keys.ts';
import { appPaused, forbidden } from '../http/errors.ts';
import type { Endpoint, Reply, RequestContext } from '../http/router.ts';
import type { Control } from './control.ts';

type Kind = 'read' | 'write';

/** The access-log operation and kind of each memory endpoint; others pass through ungated. */
const OPERATIONS: Record<string, { op: string | null; kind: Kind }> = {
  'POST /v1/memories': { op: 'create', kind: 'write' },
  'GET /v1/memories': { op: 'list', kind: 'read' },
  'GET /v1/memories/{id}': { op: 'get', kind: 'read' },
  'PUT /v1/memories/{id}': { op: 'update', kind: 'write' },
  'DELETE /v1/memories/{id}': { op: 'delete', kind: 'write' },
  'POST /v1/memories/search': { op: 'search', kind: 'read' },
  'GET /v1/memories/search': { op: 'search', kind: 'read' },
  'POST /v1/memories/bulk-delete': { op: 'bulk_delete', kind: 'write' },
  'GET /v1/export': { op: 'export', kind: 'read' },
  'POST /v1/import': { op: 'import', kind: 'write' },
  'POST /v1/memories/{id}/state': { op: 'state_change', kind: 'write' },
  'POST /v1/memories/bulk-state': { op: 'state_change', kind: 'write' },
  'GET /v1/memories/{id}/history': { op: null, kind: 'read' },
};

/** The `OMP-App` header, percent-decoded; undefined when absent or not a valid name. */
function appHeader(req: IncomingMessage): string | undefined {
  const raw = req.headers['omp-app'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const name = decodeURIComponent(raw);
    return name.length > 0 && name.length <= 100 && !/\p{Cc}/u.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The app of a request (SPEC.md §20.2): the per-tool key's tool, else the `OMP-App` header, else none. */
export function appOf(req: IncomingMessage, c: Credential): string | null {
  return c.tool ?? appHeader(req) ?? null;
}

/** `mcp` for the requests the server's own MCP endpoints make over loopback (their user agent), else `http`. */
function viaOf(req: IncomingMessage): 'http' | 'mcp' {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' && ua.startsWith('omp-mcp/') ? 'mcp' : 'http';
}

const ID_AT_START = /^\{"id":"(mem_[a-z0-9]{16})"/;

/**
 * Ids of rendered pages. A cached page is the same string object on every hit, and V8 keeps a string's hash in
 * the string, so a hit costs a map lookup instead of parsing the page again.
 */
const pageIds = new Map<string, string[]>();

function idsOfPage(body: string): string[] {
  let ids = pageIds.get(body);
  if (!ids) {
    const page = JSON.parse(body) as { memories?: { id: string }[] };
    ids = (page.memories ?? []).map((m) => m.id);
    if (pageIds.size >= 256) pageIds.clear();
    pageIds.set(body, ids);
  }
  return ids;
}

/** The ids a reply names: one memory, a page of memories, or what the handler noted. */
function idsOf(op: string, ctx: RequestContext, reply: Reply): readonly string[] {
  if (ctx.accessed) return ctx.accessed;
  if ('streamed' in reply || reply.body === undefined) {
    return op === 'delete' && ctx.params.id ? [ctx.params.id] : [];
  }
  if (op === 'list' || op === 'search') return idsOfPage(reply.body);
  const one = ID_AT_START.exec(reply.body);
  return one ? [one[1] as string] : [];
}

/** A create's `source.tool` and `namespace`, read before validation (absent when the body is not shaped so). */
function createTarget(body: unknown): { tool?: string; namespace: string | null } {
  const b = body as { source?: { tool?: unknown }; namespace?: unknown } | null;
  const tool = typeof b?.source?.tool === 'string' ? b.source.tool : undefined;
  const namespace = typeof b?.namespace === 'string' ? b.namespace : null;
  return tool === undefined ? { namespace } : { tool, namespace };
}

/** Wrap a memory endpoint with the control level; other endpoints are returned unchanged. */
export function gated(control: Control, endpoint: Endpoint): Endpoint {
  const meta = OPERATIONS[`${endpoint.method} ${endpoint.path}`];
  if (!meta) return endpoint;
  return {
    ...endpoint,
    async handle(ctx) {
      const c = ctx.credential;
      if (!c) return endpoint.handle(ctx);
      const app = appOf(ctx.req, c);
      const state = app === null ? null : control.apps.get(c.principal, app);
      if (app !== null && state?.paused) throw appPaused(app);
      const paused = (tool: string) => control.apps.get(c.principal, tool).paused;
      if (meta.op === 'create') {
        const target = createTarget(ctx.body);
        if (target.tool !== undefined && paused(target.tool)) throw appPaused(target.tool);
        if (state?.compiled && !state.compiled.allows({ id: null, namespace: target.namespace })) {
          throw forbidden(`The app ${app} may not write memories it could not read (its access rules)`, {
            app,
          });
        }
      }
      ctx.credential = { ...c, rules: state?.compiled ?? null, paused };
      const reply = await endpoint.handle(ctx);
      const status = 'streamed' in reply ? ctx.res.statusCode : reply.status;
      if (status < 200 || status > 299) return reply;
      if (app !== null) control.log.use(c.principal, app, meta.kind);
      if (meta.op === 'create') {
        const tool = createTarget(ctx.body).tool;
        if (tool !== undefined && tool !== app) control.log.use(c.principal, tool, 'seen');
      }
      if (meta.op !== null && control.log.enabled) {
        control.log.record({
          principal: c.principal,
          operation: meta.op,
          via: viaOf(ctx.req),
          app,
          memoryIds: idsOf(meta.op, ctx, reply),
          requestId: ctx.requestId,
        });
      }
      return reply;
    },
  };
}
