import type { Violation } from '@omp-kit/schemas';
import type { CreateMemoryRequest, SortOrder, UpdateMemoryRequest } from '@omp-kit/schemas/types';
import { decodeCursor, encodeCursor, filtersDigest } from '../concurrency/cursor.ts';
import { etagOf } from '../concurrency/etag.ts';
import { idempotent } from '../concurrency/idempotency.ts';
import { forbidden, memoryNotFound, validationError } from '../http/errors.ts';
import type { Endpoint } from '../http/router.ts';
import { isMemoryId } from '../model/ids.ts';
import { ceilMs } from '../model/time.ts';
import { renderedPage } from '../storage/rendered-page.ts';
import { type MemoryRow, renderMemory } from '../storage/rows.ts';
import type { Filters, RenderedPage, Resume, Store, Visibility } from '../storage/store.ts';
import { asQueryViolations, scalarViolations, validators, violationsOf } from '../validation.ts';
import {
  type AppContext,
  caller,
  json,
  queryOf,
  rejectIf,
  requireRead,
  requireWrite,
  visibilityOf,
} from './context.ts';

const LIST_PARAMS = [
  'type',
  'tool',
  'tags',
  'namespace',
  'limit',
  'offset',
  'cursor',
  'sort',
  'state',
] as const;

/** The If-Match header of a request, one string. */
function ifMatchOf(req: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const h = req.headers['if-match'];
  return Array.isArray(h) ? h.join(', ') : h;
}

/** The cursor continuing after `row` in `sort` order (OMP-LIST-017). */
function cursorAfter(row: MemoryRow, sort: SortOrder, filters: Filters, resume: Resume | undefined): string {
  const key = sort.startsWith('created') ? row.created_key : row.updated_key;
  return encodeCursor({ sort, filters: filtersDigest(filters), key, id: row.id, resume });
}

/** A list page by offset or, with `after`, by cursor: rendered by the store when it can (storage/rendered-page.ts). */
async function readPage(
  store: Store,
  vis: Visibility,
  filters: Filters,
  sort: SortOrder,
  limit: number,
  offset: number,
  after: { key: string; id: string; resume?: Resume | undefined } | undefined,
): Promise<RenderedPage> {
  if (store.listRendered) return store.listRendered(vis, filters, sort, limit, offset, after);
  if (after === undefined) return renderedPage(await store.list(vis, filters, sort, limit, offset), offset);
  const page = await store.listAfter(vis, filters, sort, limit, after);
  return renderedPage(page, page.before);
}

/** The list response (SPEC.md §5.2): `offset` is the matches before the page (OMP-LIST-013, OMP-LIST-022). */
function listBody(page: RenderedPage, sort: SortOrder, filters: Filters, limit: number): string {
  const more = page.last !== undefined && page.before + page.count < page.total;
  const next =
    more && page.last ? JSON.stringify(cursorAfter(page.last, sort, filters, page.resume)) : 'null';
  return `{"memories":${page.memories},"total":${page.total},"limit":${limit},"offset":${page.before},"next_cursor":${next}}`;
}

/** OMP-EXP-002: an expiry must lie in the future when it is written. */
function futureExpiry(expiresAt: string | null | undefined): Violation[] {
  if (typeof expiresAt !== 'string' || ceilMs(expiresAt) > Date.now()) return [];
  return [{ path: '/expires_at', message: 'must be later than the current time' }];
}

/** Validate a body with a schema, then the rules the schema cannot express. */
function bodyViolations(validate: ReturnType<typeof validators.create>, body: unknown): Violation[] {
  const v = violationsOf(validate, body);
  if (v.length > 0) return v;
  return [...scalarViolations(body), ...futureExpiry((body as { expires_at?: string | null }).expires_at)];
}

/** POST/GET /v1/memories and GET/PUT/DELETE /v1/memories/{id}. */
export function memoryEndpoints(app: AppContext): Endpoint[] {
  const { store, cache } = app;
  return [
    {
      method: 'POST',
      path: '/v1/memories',
      auth: 'required',
      body: 'json',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf([...queryOf(ctx, []).violations, ...bodyViolations(validators.create(), ctx.body)]);
        const req = ctx.body as CreateMemoryRequest;
        requireWrite(c);
        if (c.tool !== null && req.source.tool !== c.tool) {
          throw forbidden(`This key may only create memories with source.tool ${c.tool}`, { tool: c.tool });
        }
        return idempotent(
          store.idempotency,
          ctx,
          c,
          async () => {
            const row = await store.create(c.principal, req);
            return json(201, renderMemory(row, true), {
              Location: `/v1/memories/${row.id}`,
              ETag: etagOf(row),
            });
          },
          async (id) => (await store.get(visibilityOf(c), id)) !== undefined,
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/memories',
      auth: 'required',
      async handle(ctx) {
        const c = caller(ctx);
        const { values, violations } = queryOf(ctx, LIST_PARAMS);
        rejectIf([...violations, ...asQueryViolations(violationsOf(validators.listQuery(), values))]);
        requireRead(c);
        const vis = visibilityOf(c);
        const filters: Filters = {
          type: values.type as string | undefined,
          tool: values.tool as string | undefined,
          tags: values.tags as string[] | undefined,
          namespace: values.namespace as string | undefined,
          // Control level: only active memories unless the request names states (OMP-CTRL-005).
          states: (values.state as string[] | undefined) ?? ['active'],
        };
        const sort = (values.sort as SortOrder | undefined) ?? 'created_at_desc';
        const limit = (values.limit as number | undefined) ?? 20;
        await store.purgeExpired();
        if (values.cursor !== undefined) {
          // Cursor pagination (OMP-LIST-018, OMP-LIST-021, OMP-LIST-022).
          const pos = decodeCursor(values.cursor as string);
          const wrong =
            values.offset !== undefined
              ? 'must not be given with offset'
              : !pos
                ? 'is not a cursor this server issued'
                : pos.sort !== sort || pos.filters !== filtersDigest(filters)
                  ? 'belongs to a request with other filters or another sort'
                  : undefined;
          if (wrong || !pos) throw validationError([{ path: '?cursor', message: wrong ?? 'is invalid' }]);
          const after = { key: pos.key, id: pos.id, resume: pos.resume };
          return json(
            200,
            listBody(await readPage(store, vis, filters, sort, limit, 0, after), sort, filters, limit),
          );
        }
        const offset = (values.offset as number | undefined) ?? 0;
        const key = JSON.stringify(['list', vis, filters, sort, limit, offset]);
        const body = await cache.throughAsync(key, store.generation, async () =>
          listBody(await readPage(store, vis, filters, sort, limit, offset, undefined), sort, filters, limit),
        );
        return json(200, body);
      },
    },
    {
      method: 'GET',
      path: '/v1/memories/{id}',
      auth: 'required',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requireRead(c);
        const id = ctx.params.id as string;
        const row = isMemoryId(id) ? await store.get(visibilityOf(c), id) : undefined;
        if (!row) throw memoryNotFound(id);
        return json(200, renderMemory(row, true), { ETag: etagOf(row) });
      },
    },
    {
      method: 'PUT',
      path: '/v1/memories/{id}',
      auth: 'required',
      body: 'json',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf([...queryOf(ctx, []).violations, ...bodyViolations(validators.update(), ctx.body)]);
        requireWrite(c);
        const id = ctx.params.id as string;
        if (!isMemoryId(id)) throw memoryNotFound(id);
        const row = await store.update(
          visibilityOf(c),
          c.tool,
          id,
          ctx.body as UpdateMemoryRequest,
          ifMatchOf(ctx.req),
        );
        return json(200, renderMemory(row, true), { ETag: etagOf(row) });
      },
    },
    {
      method: 'DELETE',
      path: '/v1/memories/{id}',
      auth: 'required',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requireWrite(c);
        const id = ctx.params.id as string;
        if (!isMemoryId(id)) throw memoryNotFound(id);
        await store.delete(visibilityOf(c), c.tool, id, ifMatchOf(ctx.req));
        return { status: 204 };
      },
    },
  ];
}
