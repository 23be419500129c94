/** POST /v1/memories/bulk-delete (SPEC.md §5.6): delete every visible memory matching a guarded filter. */
import { preconditionFailed } from '../concurrency/etag.ts';
import { idempotent } from '../concurrency/idempotency.ts';
import type { Endpoint } from '../http/router.ts';
import { WRITTEN_IDS } from '../storage/memory-store.ts';
import { validators, violationsOf } from '../validation.ts';
import { type AppContext, caller, json, queryOf, rejectIf, requireWrite, visibilityOf } from './context.ts';

interface BulkDeleteBody {
  filter: {
    all?: boolean;
    type?: string;
    tool?: string;
    tags?: string[];
    namespace?: string;
    created_before?: string;
    ids?: string[];
  };
  dry_run?: boolean;
  expected_count?: number;
}

/** The bulk delete endpoint. */
export function bulkDeleteEndpoints(app: AppContext): Endpoint[] {
  const { store } = app;
  return [
    {
      method: 'POST',
      path: '/v1/memories/bulk-delete',
      auth: 'required',
      body: 'json',
      async handle(ctx) {
        const c = caller(ctx);
        rejectIf([...queryOf(ctx, []).violations, ...violationsOf(validators.bulkDelete(), ctx.body)]);
        const body = ctx.body as BulkDeleteBody;
        const { all, ...criteria } = body.filter;
        // `{"all": false}` alone says nothing: an empty filter never means everything (OMP-BULK-002).
        if (all !== true && Object.keys(criteria).length === 0) {
          rejectIf([{ path: '/filter', message: 'must name at least one criterion, or be {"all": true}' }]);
        }
        requireWrite(c);
        return idempotent(store.idempotency, ctx, c, async () => {
          const result = await store.bulkDelete(
            visibilityOf(c),
            c.tool,
            {
              type: criteria.type,
              tool: criteria.tool,
              tags: criteria.tags,
              namespace: criteria.namespace,
              createdBefore: criteria.created_before,
              ids: criteria.ids,
            },
            {
              dryRun: body.dry_run === true,
              expectedCount: body.expected_count,
              onMismatch: (matched) =>
                preconditionFailed(
                  `expected_count is ${body.expected_count} but ${matched} memories match; nothing was deleted`,
                  { matched },
                ),
            },
          );
          ctx.accessed = (result as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS] ?? [];
          return json(200, JSON.stringify({ ...result, dry_run: body.dry_run === true }));
        });
      },
    },
  ];
}
