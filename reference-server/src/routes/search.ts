import type { SearchRequest } from '@omp-kit/schemas/types';
import type { Endpoint, RequestContext } from '../http/router.ts';
import { queryTerms, tokenize } from '../search/tokenize.ts';
import { renderPage } from '../storage/rows.ts';
import { SearchStore } from '../storage/search-store.ts';
import { asQueryViolations, validators, violationsOf } from '../validation.ts';
import { type AppContext, caller, json, queryOf, rejectIf, requireRead, visibilityOf } from './context.ts';

const SEARCH_PARAMS = ['q', 'mode', 'type', 'tool', 'tags', 'namespace', 'limit', 'offset', 'state'] as const;

/** POST and GET /v1/memories/search (SPEC.md §6); GET takes the request's members as query parameters. */
export function searchEndpoints(app: AppContext): Endpoint[] {
  const { store, cache } = app;

  function run(ctx: RequestContext, req: SearchRequest) {
    const c = caller(ctx);
    requireRead(c);
    const vis = visibilityOf(c);
    const limit = req.limit ?? 20;
    const offset = req.offset ?? 0;
    // Control level: only active memories unless the request names states (OMP-CTRL-004).
    const states = req.state ?? ['active'];
    const filters = { type: req.type, tool: req.tool, tags: req.tags, namespace: req.namespace, states };
    const terms = queryTerms(req.q);
    // Without the Search level, semantic and hybrid fall back to keyword (OMP-SEARCH-015).
    const mode = store instanceof SearchStore && req.mode !== undefined ? req.mode : 'keyword';
    const head = `"mode_used":"${mode}","limit":${limit},"offset":${offset}}`;
    if (tokenize(req.q).length === 0) return json(200, `{"memories":[],"total":0,${head}`);
    if (mode !== 'keyword') {
      // Not cached: the query embedding is most of the work, and the bench measures it uncached.
      const search = store as SearchStore;
      const page =
        mode === 'semantic'
          ? search.semantic(vis, req.q, filters, limit, offset)
          : search.hybrid(vis, req.q, terms, filters, limit, offset);
      return page.then((p) => json(200, `{"memories":${renderPage(p.rows)},"total":${p.total},${head}`));
    }
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
