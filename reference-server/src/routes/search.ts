import type { SearchRequest } from '@omp-kit/schemas/types';
import type { Endpoint, RequestContext } from '../http/router.ts';
import { queryTerms } from '../search/tokenize.ts';
import { renderPage } from '../storage/rows.ts';
import { asQueryViolations, validators, violationsOf } from '../validation.ts';
import { type AppContext, caller, json, queryOf, rejectIf, requireRead, visibilityOf } from './context.ts';

const SEARCH_PARAMS = ['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset'] as const;

/** POST and GET /v1/memories/search (SPEC.md §6); GET takes the request's members as query parameters. */
export function searchEndpoints(app: AppContext): Endpoint[] {
  const { store, cache } = app;

  function run(ctx: RequestContext, req: SearchRequest) {
    const c = caller(ctx);
    requireRead(c);
    const vis = visibilityOf(c);
    const limit = req.limit ?? 20;
    const offset = req.offset ?? 0;
    const filters = { type: req.type, tool: req.tool, tags: req.tags, namespace: req.namespace };
    const terms = queryTerms(req.q);
    // This server has no Search level: semantic and hybrid fall back to keyword (OMP-SEARCH-015).
    const head = `"mode_used":"keyword","limit":${limit},"offset":${offset}}`;
    if (terms.length === 0) return json(200, `{"memories":[],"total":0,${head}`);
    store.purgeExpired();
    const key = JSON.stringify(['search', vis, terms, filters, limit, offset]);
    const body = cache.through(key, store.generation, () => {
      const page = store.search(vis, terms, filters, limit, offset);
      return `{"memories":${renderPage(page.rows)},"total":${page.total},${head}`;
    });
    return json(200, body);
  }

  return [
    {
      method: 'POST',
      path: '/v1/memories/search',
      auth: 'required',
      body: 'json',
      handle(ctx) {
        rejectIf([...queryOf(ctx, []).violations, ...violationsOf(validators.search(), ctx.body)]);
        return run(ctx, ctx.body as SearchRequest);
      },
    },
    {
      method: 'GET',
      path: '/v1/memories/search',
      auth: 'required',
      handle(ctx) {
        const { values, violations } = queryOf(ctx, SEARCH_PARAMS);
        rejectIf([...violations, ...asQueryViolations(violationsOf(validators.search(), values))]);
        return run(ctx, values as unknown as SearchRequest);
      },
    },
  ];
}
