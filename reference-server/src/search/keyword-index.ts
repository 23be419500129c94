/**
 * The ranking side of keyword search (SPEC.md §6.1): an in-memory inverted index over the same terms as the
 * FTS5 table (search/tokenize.ts `indexText`), which scores with exactly FTS5's `bm25()` formula and returns the
 * top k without sorting the matches.
 *
 * Why not FTS5's `ORDER BY bm25() LIMIT k`: FTS5 calls the bm25 auxiliary function once per matching row (a
 * virtual-table round trip that re-reads the row's phrase instances and size), then sorts every match with its
 * joined row; at 100k memories a question with one common word took 0.6–1.6 s. Why not MaxScore/WAND: the spec
 * requires an exact `total` (a lower bound is not allowed, §6.1 rule 5), and the exact count of an OR query is
 * the union of every query term's postings, so every posting is visited anyway; skipping postings could only
 * save the scoring arithmetic, which is a few nanoseconds per posting here. One pass over typed arrays
 * accumulates each matching memory's score (term at a time), a second pass over the matches applies the filters,
 * counts `total` and keeps the best k in a bounded heap: O(postings + matches · log k), about a millisecond for
 * 50,000 matches. The result is the exhaustive ranking (same formula, same summation order as SQLite's
 * fts5_aux.c, ties by created_at then id descending), not an approximation of it.
 *
 * The index lives in memory beside the database, like the vector index: built from the `memories` table on
 * first use and kept in step by the store inside each write; a write that rolls back undoes its changes here
 * (journal), and a failed COMMIT makes the store drop the index, to be rebuilt on the next search.
 */
import type { DatabaseSync } from 'node:sqlite';
import { indexText } from './tokenize.ts';
import { type Entry, TopK } from './top-k.ts';
import type { VocabTerm } from './typos.ts';

/** BM25 parameters of SQLite's bm25() (fts5_aux.c). */
const K1 = 1.2;
const B = 0.75;

/** What the index keeps of a memory: its index text and the attributes that filters and ties need. */
export interface KeywordDoc {
  seq: number;
  /** `indexText(content)`: the space-separated terms FTS5 indexes too. */
  text: string;
  principal: string;
  tool: string;
  type: string;
  namespace: string | null;
  tags: readonly string[];
  createdKey: string;
  id: string;
}

/** Filters of one search, the caller's visibility included (read scope `own` resolved into `tool`). */
export interface KeywordFilter {
  principal: string;
  tool?: string | undefined;
  type?: string | undefined;
  namespace?: string | undefined;
  tags?: readonly string[] | undefined;
}

/** The best matches, best first, and how many memories match in all. */
export interface KeywordResult {
  seqs: number[];
  scores: number[];
  total: number;
}

/** One term's postings, sorted by seq: parallel arrays with spare capacity. */
interface Postings {
  seqs: Int32Array;
  tfs: Uint16Array;
  n: number;
}

/** Per-memory attributes, interned to small integers; slot `seq`. */
interface DocAttrs {
  len: number;
  principal: number;
  tool: number;
  type: number;
  namespace: number;
  tags: Int32Array;
  createdKey: string;
  id: string;
  /** The memory's distinct term ids, each followed by its frequency: what a removal takes out of the postings. */
  terms: Int32Array;
}

type JournalEntry = { added: number } | { removed: number; doc: DocAttrs };

const NONE = -1;
/** Shared by every memory without tags (most of them): a typed array costs ~100 bytes even when empty. */
const NO_TAGS = new Int32Array(0);
/** Lengths below this get their BM25 length normalisation from a table computed once per search. */
const NORM_TABLE = 256;

/** The columns of a stored memory the index holds, as both stores read them (tags as JSON text). */
export interface StoredMemoryText {
  seq: number;
  content: string;
  principal: string;
  tool: string;
  type: string;
  namespace: string | null;
  tags: string;
  created_key: string;
  id: string;
}

/** The in-memory keyword index (see the file comment). */
export class KeywordIndex {
  /** Term → id; `#lists[id]` are its postings (kept, possibly empty, once a term has been seen). */
  readonly #termIds = new Map<string, number>();
  readonly #lists: Postings[] = [];
  readonly #terms: string[] = [];
  /** Term ids by first character, for typo correction (search/typos.ts). */
  readonly #byInitial = new Map<string, number[]>();
  readonly #docs: (DocAttrs | undefined)[] = [];
  readonly #strings = new Map<string, number>();
  /** The interned strings by id (the reverse of `#strings`). */
  readonly #stringList: string[] = [];
  /** Length and interned attributes of each memory by seq, flat, for the scoring and filter loops. */
  #len = new Uint32Array(1024);
  #owner = new Int32Array(1024);
  #tool = new Int32Array(1024);
  #type = new Int32Array(1024);
  #namespace = new Int32Array(1024);
  /** created_at as whole seconds since the epoch (ms) and nanoseconds, so that ties compare numbers. */
  #createdMs = new Float64Array(1024);
  #createdNs = new Uint32Array(1024);
  /** Memories by tag (tag id → sorted seqs), and a scratch array marking those with every tag of a filter. */
  readonly #tagLists = new Map<number, Postings>();
  #mark = new Uint32Array(1024);
  #stamp = 1;
  /** Rows in the index and their summed lengths: FTS5's xRowCount and xColumnTotalSize. */
  #rows = 0;
  #tokens = 0;
  /** Score accumulator by seq; zero outside a search. */
  #acc = new Float64Array(1024);
  #touched = new Int32Array(1024);
  #journal: JournalEntry[] | null = null;

  /** Build from every stored memory. */
  static load(db: DatabaseSync): KeywordIndex {
    const index = new KeywordIndex();
    const page = db.prepare(
      `SELECT seq, content, principal, tool, type, namespace, tags, created_key, id
       FROM memories WHERE seq > ? ORDER BY seq LIMIT 2000`,
    );
    for (let after = 0; ; ) {
      const rows = page.all(after) as unknown as StoredMemoryText[];
      if (rows.length === 0) break;
      for (const r of rows) index.addStored(r);
      after = (rows[rows.length - 1] as { seq: number }).seq;
    }
    return index;
  }

  /** Memories in the index. */
  get size(): number {
    return this.#rows;
  }

  /** Number of memories holding this term. */
  docFrequency(term: string): number {
    const id = this.#termIds.get(term);
    return id === undefined ? 0 : (this.#lists[id] as Postings).n;
  }

  /** The indexed terms starting with this character and how many memories hold each (typo correction). */
  startingWith(first: string): VocabTerm[] {
    const out: VocabTerm[] = [];
    for (const id of this.#byInitial.get(first) ?? []) {
      const docs = (this.#lists[id] as Postings).n;
      if (docs > 0) out.push({ term: this.#terms[id] as string, docs });
    }
    return out;
  }

  #intern(value: string | null): number {
    if (value === null) return NONE;
    let id = this.#strings.get(value);
    if (id === undefined) {
      id = this.#strings.size;
      this.#strings.set(value, id);
      this.#stringList.push(value);
    }
    return id;
  }

  #termId(term: string): number {
    let id = this.#termIds.get(term);
    if (id === undefined) {
      id = this.#lists.length;
      this.#termIds.set(term, id);
      this.#lists.push({ seqs: new Int32Array(2), tfs: new Uint16Array(2), n: 0 });
      this.#terms.push(term);
      const initial = [...term][0] as string;
      const ids = this.#byInitial.get(initial);
      if (ids) ids.push(id);
      else this.#byInitial.set(initial, [id]);
    }
    return id;
  }

  /**
   * Index a memory as a store reads it (tags as JSON), its plain-text columns passed through `decode` (the
   * Postgres store's escapes, postgres/text.ts).
   */
  addStored(r: StoredMemoryText, decode: (s: string) => string = (s) => s): void {
    this.add({
      seq: r.seq,
      text: indexText(r.content),
      principal: decode(r.principal),
      tool: decode(r.tool),
      type: decode(r.type),
      namespace: r.namespace === null ? null : decode(r.namespace),
      tags: JSON.parse(r.tags) as string[],
      createdKey: r.created_key,
      id: r.id,
    });
  }

  /** Index a memory, replacing what the index held under its seq. */
  add(doc: KeywordDoc): void {
    const freqs = new Map<number, number>();
    let len = 0;
    if (doc.text !== '') {
      for (const t of doc.text.split(' ')) {
        const id = this.#termId(t);
        freqs.set(id, (freqs.get(id) ?? 0) + 1);
        len++;
      }
    }
    this.#put(doc.seq, {
      len,
      principal: this.#intern(doc.principal),
      tool: this.#intern(doc.tool),
      type: this.#intern(doc.type),
      namespace: this.#intern(doc.namespace),
      tags: doc.tags.length === 0 ? NO_TAGS : Int32Array.from(doc.tags, (t) => this.#intern(t)),
      createdKey: doc.createdKey,
      id: doc.id,
      terms: Int32Array.from([...freqs].flat()),
    });
  }

  #put(seq: number, doc: DocAttrs): void {
    if (this.#docs[seq] !== undefined) this.remove(seq);
    if (seq >= this.#len.length) {
      const size = Math.max(seq + 1, this.#len.length * 2);
      const len = new Uint32Array(size);
      len.set(this.#len);
      this.#len = len;
      const grown = (a: Int32Array) => {
        const b = new Int32Array(size);
        b.set(a);
        return b;
      };
      this.#owner = grown(this.#owner);
      this.#tool = grown(this.#tool);
      this.#type = grown(this.#type);
      this.#namespace = grown(this.#namespace);
      const mark = new Uint32Array(size);
      mark.set(this.#mark);
      this.#mark = mark;
      const ms = new Float64Array(size);
      ms.set(this.#createdMs);
      this.#createdMs = ms;
      const ns = new Uint32Array(size);
      ns.set(this.#createdNs);
      this.#createdNs = ns;
    }
    // A sort key is YYYY-MM-DDTHH:MM:SS.nnnnnnnnn (model/time.ts); NaN, if it ever failed to parse, falls back
    // to comparing the strings.
    this.#createdMs[seq] = Date.parse(`${doc.createdKey.slice(0, 19)}Z`);
    this.#createdNs[seq] = Number(doc.createdKey.slice(20, 29)) || 0;
    for (const t of new Set(doc.tags)) {
      let list = this.#tagLists.get(t);
      if (!list) {
        list = { seqs: new Int32Array(2), tfs: new Uint16Array(2), n: 0 };
        this.#tagLists.set(t, list);
      }
      insertPosting(list, seq, 1);
    }
    this.#len[seq] = doc.len;
    this.#owner[seq] = doc.principal;
    this.#tool[seq] = doc.tool;
    this.#type[seq] = doc.type;
    this.#namespace[seq] = doc.namespace;
    for (let i = 0; i < doc.terms.length; i += 2)
      insertPosting(this.#lists[doc.terms[i] as number] as Postings, seq, doc.terms[i + 1] as number);
    this.#docs[seq] = doc;
    this.#rows++;
    this.#tokens += doc.len;
    this.#journal?.push({ added: seq });
  }

  /** The id and namespace of an indexed memory (for restrictions the index does not hold itself). */
  identity(seq: number): { id: string | null; namespace: string | null } {
    const doc = this.#docs[seq];
    if (doc === undefined) return { id: null, namespace: null };
    return {
      id: doc.id,
      namespace: doc.namespace === NONE ? null : (this.#stringList[doc.namespace] ?? null),
    };
  }

  /** Remove a memory; nothing happens when it is not indexed. */
  remove(seq: number): void {
    const doc = this.#docs[seq];
    if (doc === undefined) return;
    for (let i = 0; i < doc.terms.length; i += 2)
      removePosting(this.#lists[doc.terms[i] as number] as Postings, seq);
    for (const t of new Set(doc.tags)) {
      const list = this.#tagLists.get(t);
      if (list) removePosting(list, seq);
    }
    this.#docs[seq] = undefined;
    this.#rows--;
    this.#tokens -= doc.len;
    this.#journal?.push({ removed: seq, doc });
  }

  /**
   * Run `op` as one write: if it throws, every change it made here is undone before the error propagates (the
   * store's savepoint has undone the same write in SQLite).
   */
  journaled<T>(op: () => T): T {
    const outer = this.#journal;
    const journal: JournalEntry[] = [];
    this.#journal = journal;
    try {
      const result = op();
      this.#journal = outer;
      outer?.push(...journal);
      return result;
    } catch (err) {
      this.#journal = null;
      for (let i = journal.length - 1; i >= 0; i--) {
        const e = journal[i] as JournalEntry;
        if ('added' in e) this.remove(e.added);
        else this.#put(e.removed, e.doc);
      }
      this.#journal = outer;
      throw err;
    }
  }

  /** The filter as interned ids, or null when some value occurs in no memory (so nothing can pass). */
  #resolve(f: KeywordFilter): Resolved | null {
    const id = (v: string | undefined) => (v === undefined ? undefined : (this.#strings.get(v) ?? null));
    const principal = this.#strings.get(f.principal);
    const tool = id(f.tool);
    const type = id(f.type);
    const namespace = id(f.namespace);
    const tags = (f.tags ?? []).map((t) => this.#strings.get(t) ?? null);
    if (
      principal === undefined ||
      tool === null ||
      type === null ||
      namespace === null ||
      tags.includes(null)
    )
      return null;
    return { principal, tool, type, namespace, tags: tags as number[] };
  }

  /**
   * The `k` best memories matching any of `terms` and passing the filter, best first, and the exact number of
   * matches passing it. `terms` are FTS5's phrases in query order; each contributes
   * idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)), with idf = ln((N − n + 0.5)/(n + 0.5)) floored at 1e-6,
   * summed in that order, as SQLite's bm25() does. `accept`, when given, is a further condition a memory must
   * meet, for restrictions this index does not hold (the control level's states and access rules, say).
   */
  search(
    terms: readonly string[],
    filter: KeywordFilter,
    k: number,
    accept?: (seq: number) => boolean,
  ): KeywordResult {
    const f = this.#resolve(filter);
    if (f === null || this.#rows === 0) return { seqs: [], scores: [], total: 0 };
    const lists: Postings[] = [];
    for (const t of new Set(terms)) {
      const id = this.#termIds.get(t);
      if (id !== undefined && (this.#lists[id] as Postings).n > 0) lists.push(this.#lists[id] as Postings);
    }
    const bound = lists.reduce((n, p) => n + p.n, 0);
    if (this.#touched.length < bound)
      this.#touched = new Int32Array(Math.max(bound, this.#touched.length * 2));
    if (this.#acc.length < this.#docs.length) this.#acc = new Float64Array(this.#docs.length * 2);
    const acc = this.#acc;
    const touched = this.#touched;
    const len = this.#len;
    const nRow = this.#rows;
    const avgdl = this.#tokens / nRow;
    // k1·(1 − b + b·len/avglen) by length, the same expression evaluated the same way, so scores do not change.
    const norm = new Float64Array(NORM_TABLE);
    for (let d = 0; d < NORM_TABLE; d++) norm[d] = K1 * (1 - B + (B * d) / avgdl);
    let m = 0;
    for (const p of lists) {
      let idf = Math.log((nRow - p.n + 0.5) / (p.n + 0.5));
      if (idf <= 0) idf = 1e-6;
      const { seqs, tfs, n } = p;
      for (let i = 0; i < n; i++) {
        const seq = seqs[i] as number;
        const tf = tfs[i] as number;
        const d = len[seq] as number;
        const nd = d < NORM_TABLE ? (norm[d] as number) : K1 * (1 - B + (B * d) / avgdl);
        const a = acc[seq] as number;
        if (a === 0) touched[m++] = seq;
        acc[seq] = a + idf * ((tf * (K1 + 1.0)) / (tf + nd));
      }
    }
    const heap = new TopK(k, (a, b) => this.#better(a, b));
    const [owner, tool, type, namespace] = [this.#owner, this.#tool, this.#type, this.#namespace];
    const mark = this.#mark;
    const all = this.#markTags(f.tags);
    let total = 0;
    // Newest seqs first: ties go to the newer memory, so a stream in creation order would make every tied
    // candidate displace the heap's root; in reverse, most of them are rejected by one comparison.
    for (let i = m - 1; i >= 0; i--) {
      const seq = touched[i] as number;
      if (owner[seq] !== f.principal) continue;
      if (f.tool !== undefined && tool[seq] !== f.tool) continue;
      if (f.type !== undefined && type[seq] !== f.type) continue;
      if (f.namespace !== undefined && namespace[seq] !== f.namespace) continue;
      if (all !== 0 && mark[seq] !== all) continue;
      if (accept !== undefined && !accept(seq)) continue;
      total++;
      heap.offer(seq, acc[seq] as number);
    }
    for (let i = 0; i < m; i++) acc[touched[i] as number] = 0;
    const best = heap.sorted();
    return { seqs: best.map((e) => e.seq), scores: best.map((e) => e.score), total };
  }

  /**
   * Mark the memories that have every tag in `tags`: afterwards `#mark[seq]` equals the returned stamp exactly
   * for them (0 when there are no tags). Stamps only grow, so old marks never need clearing.
   */
  #markTags(tags: readonly number[]): number {
    if (tags.length === 0) return 0;
    if (this.#stamp > 0xf000_0000) {
      this.#mark.fill(0);
      this.#stamp = 1;
    }
    const base = this.#stamp;
    const mark = this.#mark;
    tags.forEach((t, j) => {
      const list = this.#tagLists.get(t);
      if (!list) return;
      for (let i = 0; i < list.n; i++) {
        const seq = list.seqs[i] as number;
        if (j === 0 || mark[seq] === base + j) mark[seq] = base + j + 1;
      }
    });
    this.#stamp = base + tags.length + 1;
    return base + tags.length;
  }

  /** Whether entry a ranks before entry b: higher score, then created_at descending, then id descending. */
  #better(a: Entry, b: Entry): boolean {
    if (a.score !== b.score) return a.score > b.score;
    const ms = this.#createdMs;
    const [p, q] = [ms[a.seq] as number, ms[b.seq] as number];
    if (p !== q && !Number.isNaN(p) && !Number.isNaN(q)) return p > q;
    const ns = this.#createdNs;
    if (p === q && ns[a.seq] !== ns[b.seq]) return (ns[a.seq] as number) > (ns[b.seq] as number);
    const x = this.#docs[a.seq] as DocAttrs;
    const y = this.#docs[b.seq] as DocAttrs;
    if (x.createdKey !== y.createdKey) return x.createdKey > y.createdKey;
    return x.id > y.id;
  }
}

interface Resolved {
  principal: number;
  tool: number | undefined;
  type: number | undefined;
  namespace: number | undefined;
  tags: number[];
}

/** Index of the first posting with seq >= `seq`. */
function lowerBound(p: Postings, seq: number): number {
  let lo = 0;
  let hi = p.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((p.seqs[mid] as number) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertPosting(p: Postings, seq: number, tf: number): void {
  if (p.n === p.seqs.length) {
    const seqs = new Int32Array(p.n * 2);
    seqs.set(p.seqs);
    const tfs = new Uint16Array(p.n * 2);
    tfs.set(p.tfs);
    p.seqs = seqs;
    p.tfs = tfs;
  }
  // Seqs grow, so a new memory is appended; an update keeps its seq and is inserted in place.
  const at = p.n === 0 || (p.seqs[p.n - 1] as number) < seq ? p.n : lowerBound(p, seq);
  if (at < p.n) {
    p.seqs.copyWithin(at + 1, at, p.n);
    p.tfs.copyWithin(at + 1, at, p.n);
  }
  p.seqs[at] = seq;
  p.tfs[at] = Math.min(tf, 0xffff);
  p.n++;
}

function removePosting(p: Postings, seq: number): void {
  const at = lowerBound(p, seq);
  if (at >= p.n || p.seqs[at] !== seq) return;
  p.seqs.copyWithin(at, at + 1, p.n);
  p.tfs.copyWithin(at, at + 1, p.n);
  p.n--;
}
