import type { ServerResponse } from 'node:http';
import { getSchema, type Violation } from '@omp-kit/schemas';
import type { ConflictStrategy } from '@omp-kit/schemas/types';
import { idempotent } from '../concurrency/idempotency.ts';
import { ApiError } from '../http/errors.ts';
import type { Endpoint } from '../http/router.ts';
import { isoFromMs } from '../model/time.ts';
import { WRITTEN_IDS } from '../storage/memory-store.ts';
import { renderMemory } from '../storage/rows.ts';
import { stripItemExtensions, validators, violationsOf } from '../validation.ts';
import { NEWEST } from '../versioning.ts';
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

/** Export files this server reads: omp_version 0.x, newer minors by the rule of OMP-IMPORT-019. */
const SUPPORTED_MAJOR = 0;
const SUPPORTED_MINOR = Number(NEWEST.split('.')[1]);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const keep = (o: Json, names: ReadonlySet<string>): Json =>
  Object.fromEntries(Object.entries(o).filter(([k]) => names.has(k)));
const propsOf = (name: string, at: (d: Json) => unknown = (d) => d.properties): Set<string> =>
  new Set(Object.keys((at(getSchema(name) as Json) as Json | undefined) ?? {}));

/**
 * A file of a newer minor version, read as this server's version: members this version does not define are
 * dropped, at the top level, in items and in their `source` (OMP-IMPORT-019). Minor versions only add optional
 * members, so what is left is a file of this version.
 */
function asNewest(body: Json): Json {
  const out = keep(body, propsOf('export-file'));
  if (Array.isArray(body.memories)) out.memories = body.memories.map(itemAsNewest);
  return { ...out, omp_version: NEWEST };
}

/** One item of a newer minor version's file, without the members this version does not define. */
function itemAsNewest(m: unknown): unknown {
  if (!isObj(m)) return m;
  const i = keep(m, propsOf('export-item'));
  if (isObj(i.source)) i.source = keep(i.source, propsOf('source'));
  return i;
}

const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{2}:\d{2}$/;
/** A draft timestamp with a numeric offset, as the same instant in UTC (OMP-IMPORT-023); others unchanged. */
function utc(v: unknown): unknown {
  if (typeof v !== 'string' || !OFFSET_TIME.test(v)) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString();
}

/** An item of a 0.1 or 0.2 file with offset timestamps converted to UTC. */
function draftTimestamps(m: unknown): unknown {
  if (!isObj(m)) return m;
  const out: Json = { ...m };
  for (const k of ['created_at', 'updated_at', 'expires_at']) if (k in out) out[k] = utc(out[k]);
  if (isObj(out.source) && 'timestamp' in out.source)
    out.source = { ...out.source, timestamp: utc(out.source.timestamp) };
  return out;
}

/** Items as the store reads them, each transformed on the way (lazily: one item parsed at a time). */
function* mapItems(items: Iterable<unknown>, f: (m: unknown) => unknown): Iterable<unknown> {
  for (const m of items) yield f(m);
}

/** Wait until the response can take more data, or the client is gone (then false). */
function drained(res: ServerResponse): Promise<boolean> {
  // The store's pages arrive asynchronously: the buffer may have drained while the next page was read.
  if (!res.writableNeedDrain || res.destroyed) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve(!res.destroyed);
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Most items one import may carry: the 100,000 the spec asks for (OMP-IMPORT-017). The cap keeps a file of
 * millions of tiny invalid items (which fit in max_import_bytes) from building an error list that exhausts memory
 * (each invalid item is reported with its violations; test/memory-bound.test.ts measures the worst file).
 * It is counted while the body streams in, so a file over it is refused without parsing any item.
 */
export const MAX_IMPORT_ITEMS = 100_000;

/** Top-level violations of an import body; items are judged one by one later. */
function topLevelViolations(body: unknown): Violation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ path: '/', message: 'must be an export file object' }];
  }
  const memories = (body as { memories?: unknown }).memories;
  // Validate the envelope with an empty item list: item errors are per item (OMP-IMPORT-009).
  const envelope = Array.isArray(memories) ? { ...body, memories: [] } : body;
  // The item count was checked while the body streamed in (http/body.ts), before anything was parsed.
  return violationsOf(validators.exportFile(), envelope);
}

/** GET /v1/export (streamed) and POST /v1/import. */
export function transferEndpoints(app: AppContext): Endpoint[] {
  const { store } = app;
  return [
    {
      method: 'GET',
      path: '/v1/export',
      auth: 'required',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf(queryOf(ctx, []).violations);
        requireRead(c);
        const { res } = ctx;
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        // A server that computes embeddings names its model, so an importer with another one recomputes them
        // (OMP-EXPORT-009, OMP-EMB-003).
        const embedder = store.embeddings;
        const head = {
          omp_version: `${SUPPORTED_MAJOR}.${SUPPORTED_MINOR}`,
          exported_at: isoFromMs(Date.now()),
          server: app.server,
          ...(embedder ? { embeddings: { model: embedder.model, dimensions: embedder.dimensions } } : {}),
        };
        let ok = res.write(`${JSON.stringify(head).slice(0, -1)},"memories":[`);
        let first = true;
        const accessed: string[] = [];
        ctx.accessed = accessed;
        for await (const rows of store.exportPages(visibilityOf(c))) {
          for (const r of rows) accessed.push(r.id);
          if (res.destroyed || (!ok && !(await drained(res)))) return { streamed: true }; // client gone
          const chunk = rows.map((r) => renderMemory(r, true, !app.legacy03)).join(',');
          ok = res.write(first ? chunk : `,${chunk}`);
          first = false;
        }
        res.end(']}');
        return { streamed: true };
      },
    },
    {
      method: 'POST',
      path: '/v1/import',
      auth: 'required',
      body: 'import',
      async handle(ctx) {
        const c = caller(ctx);
        const { values, violations } = queryOf(ctx, ['conflict']);
        const all: Violation[] = [...violations];
        if (values.conflict !== undefined) {
          for (const v of violationsOf(validators.conflict(), values.conflict)) {
            all.push({ path: '?conflict', message: v.message });
          }
        }
        const version = isObj(ctx.body) ? /^(\d+)\.(\d+)$/.exec(String(ctx.body.omp_version)) : null;
        const newer =
          version !== null && Number(version[1]) === SUPPORTED_MAJOR && Number(version[2]) > SUPPORTED_MINOR;
        const raw = newer ? asNewest(ctx.body as Json) : ctx.body;
        all.push(...topLevelViolations(raw));
        const body = raw as { omp_version: string; memories: unknown[]; conflict?: ConflictStrategy };
        const fromQuery = values.conflict as ConflictStrategy | undefined;
        if (
          all.length === 0 &&
          fromQuery !== undefined &&
          body.conflict !== undefined &&
          fromQuery !== body.conflict
        ) {
          all.push({
            path: '?conflict',
            message: `differs from the body member conflict (${body.conflict})`,
          });
        }
        rejectIf(all);
        const [major, minor] = body.omp_version.split('.').map(Number);
        if (major !== SUPPORTED_MAJOR) {
          throw new ApiError(
            422,
            'unsupported_version',
            `Export files of version ${body.omp_version} are not supported; this server reads 0.x files`,
            { omp_version: body.omp_version, supported: `0.x` },
          );
        }
        // Scope before any item is parsed: the items of a key that may not write are never materialised.
        requireWrite(c);
        const strategy = fromQuery ?? body.conflict ?? 'skip';
        // The pre-scanner leaves the items unparsed (ctx.items); each is read as the top level was: extension
        // members dropped (OMP-EXT-001), a newer minor version's members dropped (OMP-IMPORT-019), draft offset
        // timestamps in UTC (OMP-IMPORT-023). A null item (refused by the pre-scanner) passes through.
        const lazy = ctx.items;
        const perItem = (item: unknown): unknown => {
          let x = lazy ? stripItemExtensions(item) : item;
          if (lazy && newer) x = itemAsNewest(x);
          return (minor as number) <= 2 ? draftTimestamps(x) : x;
        };
        const items = mapItems(lazy ?? body.memories, perItem);
        return idempotent(store.idempotency, ctx, c, async () => {
          const result = await store.import(visibilityOf(c), c.tool, items, strategy);
          ctx.accessed = (result as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS] ?? [];
          // Items the pre-scanner refused went to the store as null: report why, per item (OMP-IMPORT-009).
          if (lazy) {
            result.errors = result.errors.map((e) => {
              const violations = lazy.violationsOf(e.index);
              if (!violations) return e;
              return {
                index: e.index,
                id: lazy.idOf(e.index),
                error: 'validation_error',
                message: `Item ${e.index} is not a valid memory: ${violations[0]?.path} ${violations[0]?.message}`,
                details: { errors: violations },
              };
            });
          }
          return json(200, JSON.stringify(result));
        });
      },
    },
  ];
}
