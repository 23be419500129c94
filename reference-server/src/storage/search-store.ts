/**
 * The store of a server at the Search level (SPEC.md §6.2): the memory store, plus an embedder and the vector
 * index. Every write that stores content without an embedding gets one from the embedder before it is queued,
 * so the vector is committed in the same transaction as the memory and the write is acknowledged only once
 * both are durable (OMP-SEARCH-022); a client-supplied embedding must have the model's dimensions
 * (OMP-EMB-002). Imports embed their items in batches. Reads add `semantic` (exact cosine over the vectors
 * the filters allow) and `hybrid` (reciprocal rank fusion of the keyword and semantic rankings).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { CreateMemoryRequest, UpdateMemoryRequest } from '@omp-kit/schemas/types';
import { validationError } from '../http/errors.ts';
import type { Embedder } from '../search/embedder.ts';
import { FUSION_DEPTH, fuseRankings, hybridTotal } from '../search/fusion.ts';
import type { QueryTerm } from '../search/tokenize.ts';
import { type Filters, MemoryStore, type Page, type Visibility, WRITTEN_IDS } from './memory-store.ts';
import { type MemoryRow, ROW_COLUMNS } from './rows.ts';
import { VectorIndex } from './vectors.ts';

/** Memories embedded per batch when backfilling a store that has memories without vectors. */
const BACKFILL_BATCH = 32;

/** A vector as the numbers stored in `embedding`: 6 decimals keep every cosine within 1e-5 and the JSON short. */
const stored = (v: Float32Array): number[] => Array.from(v, (x) => Math.round(x * 1e6) / 1e6);

/** The memory store with the Search level (see the file comment). */
export class SearchStore extends MemoryStore {
  readonly embedder: Embedder;
  readonly #db: DatabaseSync;
  readonly #index: VectorIndex;
  readonly #now: () => number;
  /** Memories still waiting for a vector (a store that had memories before the Search level was enabled). */
  #backlog: number[] = [];
  #backfill: Promise<void> = Promise.resolve();

  constructor(
    db: DatabaseSync,
    embedder: Embedder,
    options: { now?: () => number; cacheTotals?: boolean } = {},
  ) {
    super(db, options);
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.embedder = embedder;
    this.#index = new VectorIndex(embedder.dimensions);
    this.#backlog = this.#index.load(db);
    if (this.#backlog.length > 0) this.#backfill = this.#runBackfill();
  }

  /** Memories without a vector yet; health reports `degraded` while there are any. */
  get backlog(): number {
    return this.#backlog.length;
  }

  /** Resolves once every memory has a vector (tests, bench). */
  whenIndexed(): Promise<void> {
    return this.#backfill;
  }

  async #runBackfill(): Promise<void> {
    const pick = this.#db.prepare('SELECT seq, content FROM memories WHERE seq = ? AND embedding IS NULL');
    const write = this.#db.prepare('UPDATE memories SET embedding = ? WHERE seq = ? AND embedding IS NULL');
    const reread = this.#db.prepare(`SELECT ${ROW_COLUMNS} FROM memories WHERE seq = ?`);
    while (this.#backlog.length > 0) {
      const seqs = this.#backlog.slice(0, BACKFILL_BATCH);
      const rows = seqs
        .map((seq) => pick.get(seq) as { seq: number; content: string } | undefined)
        .filter((r) => r !== undefined);
      const vectors = await this.embedder.embed(
        rows.map((r) => r.content),
        'passage',
      );
      rows.forEach((r, i) => {
        // Outside the group commit: a write of our own column, idempotent, between two of its turns.
        write.run(JSON.stringify(stored(vectors[i] as Float32Array)), r.seq);
        const row = reread.get(r.seq) as MemoryRow | undefined;
        if (row) this.#index.put(row);
      });
      this.#backlog = this.#backlog.slice(seqs.length);
    }
  }

  /** The stored embedding for a write: the client's, checked, or one computed from the content. */
  async #embeddingFor(
    content: string,
    supplied: number[] | null | undefined,
    path: string,
  ): Promise<number[]> {
    if (supplied !== undefined && supplied !== null) {
      if (supplied.length !== this.embedder.dimensions) {
        throw validationError([
          {
            path,
            message: `must have ${this.embedder.dimensions} dimensions (model ${this.embedder.model}), not ${supplied.length}`,
          },
        ]);
      }
      return supplied;
    }
    const [v] = await this.embedder.embed([content], 'passage');
    return stored(v as Float32Array);
  }

  override async create(...args: Parameters<MemoryStore['create']>): Promise<MemoryRow> {
    const [principal, req, ...rest] = args;
    const embedding = await this.#embeddingFor(req.content, req.embedding, '/embedding');
    const body: CreateMemoryRequest = { ...req, embedding };
    const row = await super.create(principal, body, ...(rest as []));
    this.#index.put(row);
    return row;
  }

  override async update(...args: Parameters<MemoryStore['update']>): Promise<MemoryRow> {
    const [vis, writerTool, id, patch, ...rest] = args;
    let next: UpdateMemoryRequest = patch;
    if (patch.embedding !== undefined && patch.embedding !== null) {
      next = { ...patch, embedding: await this.#embeddingFor('', patch.embedding, '/embedding') };
    } else if (patch.content !== undefined || patch.embedding === null) {
      // New content, or the embedding cleared: the memory gets a vector of its (new) content.
      const content = patch.content ?? this.get(vis, id)?.content;
      if (content !== undefined) next = { ...patch, embedding: await this.#embeddingFor(content, null, '') };
    }
    const row = await super.update(vis, writerTool, id, next, ...(rest as []));
    this.#index.put(row);
    return row;
  }

  override async delete(...args: Parameters<MemoryStore['delete']>): Promise<void> {
    const [vis, , id] = args;
    const seq = this.get(vis, id)?.seq;
    await super.delete(...args);
    if (seq !== undefined) this.#index.remove(seq);
  }

  /**
   * Import with embeddings: items without one, or with one of another model's size (an export from a server
   * with another model), get one computed from their content, in batches, before the import is queued.
   */
  override async import(...args: Parameters<MemoryStore['import']>): ReturnType<MemoryStore['import']> {
    const [vis, writerTool, items, ...rest] = args;
    const dims = this.embedder.dimensions;
    const needs: { item: Record<string, unknown>; content: string }[] = [];
    // Embedding needs every item's content first, so the items are read here (a Core store reads them lazily).
    const prepared = Array.from(items, (item) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
      const m = item as Record<string, unknown>;
      if (typeof m.content !== 'string') return item;
      if (Array.isArray(m.embedding) && m.embedding.length === dims) return item;
      const copy = { ...m };
      needs.push({ item: copy, content: m.content });
      return copy;
    });
    const vectors = await this.embedder.embed(
      needs.map((n) => n.content),
      'passage',
    );
    needs.forEach((n, i) => {
      n.item.embedding = stored(vectors[i] as Float32Array);
    });
    const result = await super.import(
      vis,
      writerTool,
      prepared,
      ...(rest as [Parameters<MemoryStore['import']>[3]]),
    );
    this.#reindexImported(vis.principal, (result as { [WRITTEN_IDS]?: string[] })[WRITTEN_IDS]);
    return result;
  }

  /**
   * Bring the index in step after an import: the rows it wrote are (re)indexed and rows it removed (expired ones
   * it replaced, replaced ones) are dropped, instead of re-parsing every stored vector (seconds at 100k, on the
   * thread that also serves searches).
   */
  #reindexImported(principal: string, written: readonly string[] | undefined): void {
    if (!written) {
      this.#index.load(this.#db);
      return;
    }
    const live = this.#db.prepare('SELECT seq FROM memories').all() as { seq: number }[];
    this.#index.retain(new Set(live.map((r) => r.seq)));
    const byId = this.#db.prepare(`SELECT ${ROW_COLUMNS} FROM memories WHERE principal = ? AND id = ?`);
    for (const id of written) {
      const row = byId.get(principal, id) as MemoryRow | undefined;
      if (row) this.#index.put(row);
    }
  }

  /** A state change moves memories in or out of what searches see: re-index their rows (SPEC.md §20.1). */
  override async setStates(
    ...args: Parameters<MemoryStore['setStates']>
  ): ReturnType<MemoryStore['setStates']> {
    const out = await super.setStates(...args);
    for (const row of out.rows) if (this.#index.has(row.seq)) this.#index.put(row);
    return out;
  }

  #rowsBySeq(seqs: readonly number[]): MemoryRow[] {
    if (seqs.length === 0) return [];
    const rows = this.#db
      .prepare(`SELECT ${ROW_COLUMNS} FROM memories WHERE seq IN (${seqs.map(() => '?').join(',')})`)
      .all(...seqs) as unknown as MemoryRow[];
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return seqs.map((s) => bySeq.get(s)).filter((r): r is MemoryRow => r !== undefined);
  }

  #filter(vis: Visibility, filters: Filters) {
    let tool = filters.tool;
    if (vis.ownTool !== null) {
      if (tool !== undefined && tool !== vis.ownTool) return null; // read scope `own` and another tool: nothing
      tool = vis.ownTool;
    }
    return { principal: vis.principal, ...filters, tool, now: this.#now(), rules: vis.rules };
  }

  /** Semantic search (OMP-SEARCH-020): memories by cosine similarity to the query's embedding. */
  async semantic(vis: Visibility, q: string, filters: Filters, limit: number, offset: number): Promise<Page> {
    const [query] = await this.embedder.embed([q], 'query');
    this.purgeExpired();
    const f = this.#filter(vis, filters);
    if (!f) return { rows: [], total: 0 };
    const { ranked, total } = this.#index.search(query as Float32Array, f, offset + limit);
    return { rows: this.#rowsBySeq(ranked.slice(offset).map((s) => s.seq)), total };
  }

  /**
   * Hybrid search (OMP-SEARCH-021): weighted reciprocal rank fusion of the keyword ranking and the semantic
   * ranking, score = Σ weight / (60 + rank). A memory found by both rises above one found by either; neither
   * model's scores need to be comparable. `total` counts the memories either ranking matches.
   */
  async hybrid(
    vis: Visibility,
    q: string,
    terms: readonly QueryTerm[],
    filters: Filters,
    limit: number,
    offset: number,
  ): Promise<Page> {
    const depth = Math.max(FUSION_DEPTH, offset + limit);
    // The embedder runs on another thread: the keyword ranking is computed while the query is embedded.
    const keywordRanking = (): Page =>
      terms.length > 0 ? this.search(vis, terms, filters, depth, 0) : { rows: [], total: 0 };
    const embedding = this.embedder.embed([q], 'query');
    const version = this.#index.version;
    let keyword: Page;
    try {
      keyword = keywordRanking();
    } catch (err) {
      embedding.catch(() => undefined);
      throw err;
    }
    const [query] = await embedding;
    // A write landed while the query was embedded: rank again, so both rankings see the same memories.
    if (this.#index.version !== version) keyword = keywordRanking();
    const f = this.#filter(vis, filters);
    if (!f) return { rows: [], total: 0 };
    const semantic = this.#index.search(query as Float32Array, f, depth);
    const order = fuseRankings(
      keyword.rows.map((r) => r.seq),
      semantic.ranked.map((s) => s.seq),
      (a, b) => this.#index.compareNewerFirst(a, b),
    );
    const keywordOnly = keyword.rows.filter((r) => !this.#index.has(r.seq)).length;
    const total = hybridTotal(semantic.total, keywordOnly, keyword.total);
    return { rows: this.#rowsBySeq(order.slice(offset, offset + limit)), total };
  }
}
