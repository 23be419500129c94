import type { Health } from '@omp-kit/schemas/types';
import { principalOf } from '../auth/keys.ts';
import { RETENTION_SECONDS } from '../concurrency/idempotency.ts';
import { LOG_RETENTION_SECONDS } from '../control/access-log.ts';
import { CATEGORY_RULE } from '../control/categories.ts';
import type { Endpoint } from '../http/router.ts';
import type { VectorIndex } from '../storage/store.ts';
import { NEWEST, VERSIONS } from '../versioning.ts';
import { type AppContext, caller, json, queryOf, rejectIf, visibilityOf } from './context.ts';

/** Levels and capabilities this server implements completely (OMP-LEVEL-002, OMP-HEALTH-009). */
export const LEVELS: Health['levels'] = ['core', 'full', 'mcp', 'control'];
export const CAPABILITIES: string[] = [
  'keyword_search',
  'per_tool_keys',
  'multi_user',
  'mcp_http',
  'mcp_sse',
  'control',
];

/** The same with the Search level, when the server has an embedder (SPEC.md §2 and §6.2, OMP-LEVEL-004). */
const SEARCH_LEVELS: Health['levels'] = ['core', 'search', 'full', 'mcp', 'control'];
const SEARCH_CAPABILITIES: string[] = [
  'keyword_search',
  'semantic_search',
  'hybrid_search',
  'embeddings',
  ...CAPABILITIES.slice(1),
];

/**
 * How semantic search finds its results, as extension members of `capability_details.semantic_search`
 * (OMP-EXT-003): `exact` (every vector scored) or pgvector's `hnsw` index, approximate for searches matching at
 * least `x_omp_exact_below` memories.
 */
function vectorSearchDetails(index: VectorIndex | null): Record<string, string | number> {
  if (index === null) return { x_omp_vector_search: 'exact' };
  return {
    x_omp_vector_search: index.method,
    x_omp_pgvector: index.pgvector,
    x_omp_exact_below: index.exactBelow,
  };
}

/** GET /v1/health (no authentication) and GET /v1/me. */
export function systemEndpoints(app: AppContext): Endpoint[] {
  return [
    {
      method: 'GET',
      path: '/v1/health',
      auth: 'optional',
      // Query parameters are ignored here (OMP-HTTP-024) so monitors may add cache-busters.
      async handle(ctx) {
        const reader = ctx.credential?.canRead ? ctx.credential : undefined;
        const search = app.store.embeddings;
        const health: Health = {
          // Degraded while memories stored before the Search level was enabled still wait for a vector.
          status: search && app.store.backlog > 0 ? 'degraded' : 'ok',
          version: NEWEST,
          versions: [...VERSIONS],
          // null without a valid key or without the read scope (OMP-HEALTH-004)
          memories_count: reader ? await app.store.count(visibilityOf(reader)) : null,
          levels: search ? SEARCH_LEVELS : LEVELS,
          capabilities: search ? SEARCH_CAPABILITIES : CAPABILITIES,
          // The registry's sub-fields (SPEC.md §19.1, OMP-HEALTH-010): the model and its dimensions (OMP-EMB-001),
          // the control level's retention; semantic search adds how it searches (extension members).
          capability_details: Object.fromEntries(
            (search ? SEARCH_CAPABILITIES : CAPABILITIES).map((c) => [
              c,
              c === 'embeddings' && search
                ? { model: search.model, dimensions: search.dimensions }
                : c === 'semantic_search'
                  ? vectorSearchDetails(app.store.vectorIndex ?? null)
                  : c === 'control'
                    ? {
                        access_log_retention_seconds: app.control?.retentionSeconds ?? LOG_RETENTION_SECONDS,
                        category_rule: CATEGORY_RULE,
                      }
                    : {},
            ]),
          ),
          limits: {
            max_body_bytes: app.limits.maxBodyBytes,
            max_import_bytes: app.limits.maxImportBytes,
            idempotency_retention_seconds: RETENTION_SECONDS,
          },
          // Rows are deleted at once, but SQLite keeps their bytes in free pages and the WAL until they are
          // reused or checkpointed; idempotency records keep responses 24 h. 24 h bounds both (OMP-ERASE-002).
          // The server keeps no backups of its own.
          retention: { erasure_seconds: 86_400, backup_seconds: null },
          server: app.server,
        };
        return json(200, JSON.stringify(health));
      },
    },
    {
      method: 'GET',
      path: '/v1/me',
      auth: 'required',
      handle(ctx) {
        rejectIf(queryOf(ctx, []).violations);
        return json(200, JSON.stringify(principalOf(caller(ctx))));
      },
    },
  ];
}
