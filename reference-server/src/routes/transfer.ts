import type { ServerResponse } from 'node:http';
import type { Violation } from '@omp-kit/schemas';
import type { ConflictStrategy } from '@omp-kit/schemas/types';
import { ApiError } from '../http/errors.ts';
import type { Endpoint } from '../http/router.ts';
import { isoFromMs } from '../model/time.ts';
import { renderMemory } from '../storage/rows.ts';
import { validators, violationsOf } from '../validation.ts';
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

/** Export files this server reads: omp_version 0.x with x <= 3 (OMP-IMPORT-002, OMP-IMPORT-003). */
const SUPPORTED_MAJOR = 0;
const SUPPORTED_MINOR = 3;

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
        all.push(...topLevelViolations(ctx.body));
        const body = ctx.body as { omp_version: string; memories: unknown[]; conflict?: ConflictStrategy };
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
        if (major !== SUPPORTED_MAJOR || (minor as number) > SUPPORTED_MINOR) {
          throw new ApiError(
            422,
            'unsupported_version',
            `Export files of version ${body.omp_version} are not supported; this server reads 0.0 to 0.${SUPPORTED_MINOR}`,
            { omp_version: body.omp_version, supported: `0.0-0.${SUPPORTED_MINOR}` },
          );
        }
        // Scope before any item is parsed: the items of a key that may not write are never materialised.
        requireWrite(c);
        const strategy = fromQuery ?? body.conflict ?? 'skip';
        const items = ctx.items;
        const result = await store.import(visibilityOf(c), c.tool, items ?? body.memories, strategy);
        // Items the pre-scanner refused went to the store as null: report why, per item (OMP-IMPORT-009).
        if (items) {
          result.errors = result.errors.map((e) => {
            const violations = items.violationsOf(e.index);
            if (!violations) return e;
            return {
              index: e.index,
              id: items.idOf(e.index),
              error: 'validation_error',
              message: `Item ${e.index} is not a valid memory: ${violations[0]?.path} ${violations[0]?.message}`,
              details: { errors: violations },
            };
          });
        }
        return json(200, JSON.stringify(result));
      },
    },
  ];
}
