import type { ServerResponse } from 'node:http';
import { getSchema, type Violation } from '@omp-kit/schemas';
import type { ConflictStrategy } from '@omp-kit/schemas/types';
import { idempotent } from '../concurrency/idempotency.ts';
import { ApiError } from '../http/errors.ts';
import type { Endpoint } from '../http/router.ts';
import { isoFromMs } from '../model/time.ts';
import { renderMemory } from '../storage/rows.ts';
import { validators, violationsOf } from '../validation.ts';
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
  const top = propsOf('export-file');
  const item = propsOf('export-item');
  const source = propsOf('source');
  const out = keep(body, top);
  if (Array.isArray(body.memories)) {
    out.memories = body.memories.map((m) => {
      if (!isObj(m)) return m;
      const i = keep(m, item);
      if (isObj(i.source)) i.source = keep(i.source, source);
      return i;
    });
  }
  return { ...out, omp_version: NEWEST };
}

const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{2}:\d{2}$/;
/** A draft timestamp with a numeric offset, as the same instant in UTC (OMP-IMPORT-023); others unchanged. */
function utc(v: unknown): unknown {
  if (typeof v !== 'string' || !OFFSET_TIME.test(v)) return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString();
}

/** Items of a 0.1 or 0.2 file with offset timestamps converted to UTC. */
function draftTimestamps(items: unknown[]): unknown[] {
  return items.map((m) => {
    if (!isObj(m)) return m;
    const out: Json = { ...m };
    for (const k of ['created_at', 'updated_at', 'expires_at']) if (k in out) out[k] = utc(out[k]);
    if (isObj(out.source) && 'timestamp' in out.source)
      out.source = { ...out.source, timestamp: utc(out.source.timestamp) };
    return out;
  });
}

/** Wait until the response can take more data, or the client is gone (then false). */
function drained(res: ServerResponse): Promise<boolean> {
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
 * Most items one import may carry. The spec asks for at least 100,000 (OMP-IMPORT-017); the cap keeps a file of
 * millions of tiny invalid items (which fit in max_import_bytes) from building an error list that exhausts memory.
 */
export const MAX_IMPORT_ITEMS = 500_000;

/** Top-level violations of an import body; items are judged one by one later. */
function topLevelViolations(body: unknown): Violation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ path: '/', message: 'must be an export file object' }];
  }
  const memories = (body as { memories?: unknown }).memories;
  // Validate the envelope with an empty item list: item errors are per item (OMP-IMPORT-009).
  const envelope = Array.isArray(memories) ? { ...body, memories: [] } : body;
  const out = violationsOf(validators.exportFile(), envelope);
  if (Array.isArray(memories) && memories.length > MAX_IMPORT_ITEMS) {
    out.push({
      path: '/memories',
      message: `must not have more than ${MAX_IMPORT_ITEMS} items (split the file)`,
    });
  }
  return out;
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
        const head = {
          omp_version: `${SUPPORTED_MAJOR}.${SUPPORTED_MINOR}`,
          exported_at: isoFromMs(Date.now()),
          server: app.server,
        };
        let ok = res.write(`${JSON.stringify(head).slice(0, -1)},"memories":[`);
        let first = true;
        for (const rows of store.exportPages(visibilityOf(c))) {
          if (!ok && !(await drained(res))) return { streamed: true };
          const chunk = rows.map((r) => renderMemory(r, true)).join(',');
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
        requireWrite(c);
        const strategy = fromQuery ?? body.conflict ?? 'skip';
        const items = (minor as number) <= 2 ? draftTimestamps(body.memories) : body.memories;
        return idempotent(store.idempotency, ctx, c, async () => {
          const result = await store.import(visibilityOf(c), c.tool, items, strategy);
          return json(200, JSON.stringify(result));
        });
      },
    },
  ];
}
