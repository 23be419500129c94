/**
 * Cursor and offset pagination. A page that carries `next_cursor` (0.4 servers, SPEC.md §5.2) is continued by
 * passing it back as `cursor`, which neither skips nor repeats under concurrent writes; a page without it
 * (0.3 servers, searches) by the next offset. `await client.memories.list()` gives one page (the response body plus
 * `hasNextPage()` / `nextPage()`); `for await (const m of client.memories.list())` walks every item of
 * every page; `.pages()` walks page by page. Pages are fetched lazily, one request at a time.
 */
import { ApiPromise } from './api-promise.ts';
import type { Operation, Sent } from './request.ts';

/** How an operation paginates, as generated from the spec. */
export interface PageSpec {
  /** Response member holding the items, e.g. `memories`. */
  items: string;
  /** Response member counting all matches. */
  total: string;
  /** Request and response member of the offset. */
  offset: string;
  /** Where the request carries the offset. */
  in: 'query' | 'body';
  /** Largest offset the server accepts; iteration stops before it. */
  max: number;
  /** The request parameter and response member of cursor pagination, when the operation has it. */
  cursor?: { param: string; field: string };
}

/** Navigation added to every page. */
export interface PageMethods<B, I> extends AsyncIterable<I> {
  /** True when more items follow this page. */
  hasNextPage(): boolean;
  /** The following page, or null after the last one. */
  nextPage(): Promise<Page<B, I> | null>;
}

/** One page: the response body's members (e.g. `memories`, `total`) plus navigation. */
export type Page<B, I> = B & PageMethods<B, I>;

type Load = (op: Operation) => Promise<Sent>;

/** A promise of the first page that is also an async iterable over every item of every page. */
export class PagePromise<B extends object, I> extends ApiPromise<Page<B, I>> implements AsyncIterable<I> {
  constructor(load: Load, op: Operation, spec: PageSpec) {
    super(load(op), (body) => toPage<B, I>(load, op, spec, body as B));
  }

  /** Every item, fetching the following pages as needed. */
  async *[Symbol.asyncIterator](): AsyncIterator<I> {
    yield* await this;
  }

  /** Every page, starting with this one. */
  async *pages(): AsyncGenerator<Page<B, I>, void, undefined> {
    for (let p: Page<B, I> | null = await this; p; p = await p.nextPage()) yield p;
  }
}

class PageCursor<B extends object, I> {
  readonly #load: Load;
  readonly #op: Operation;
  readonly #spec: PageSpec;
  readonly #next: number | undefined;
  /** The cursor of the next page; null when the page ends the result; undefined when the page has none. */
  readonly #cursor: string | null | undefined;
  readonly #items: I[];

  constructor(load: Load, op: Operation, spec: PageSpec, body: B) {
    this.#load = load;
    this.#op = op;
    this.#spec = spec;
    const b = body as Record<string, unknown>;
    const items = Array.isArray(b[spec.items]) ? (b[spec.items] as I[]) : [];
    const offset = typeof b[spec.offset] === 'number' ? (b[spec.offset] as number) : 0;
    const next = offset + items.length;
    // An empty page ends the walk even if `total` says otherwise (items may expire between requests).
    this.#next = items.length > 0 && next < (b[spec.total] as number) && next <= spec.max ? next : undefined;
    const c = spec.cursor ? b[spec.cursor.field] : undefined;
    this.#cursor = typeof c === 'string' || c === null ? c : undefined;
    this.#items = items;
  }

  hasNextPage(): boolean {
    return this.#cursor === undefined ? this.#next !== undefined : this.#cursor !== null;
  }

  nextPage(): Promise<Page<B, I> | null> {
    if (!this.hasNextPage()) return Promise.resolve(null);
    const op = { ...this.#op };
    const key = this.#spec.in;
    const params: Record<string, unknown> = { ...(op[key] as object | undefined) };
    if (this.#cursor && this.#spec.cursor) {
      // Passed back unchanged (OMP-CLIENT-011), with the same filters and sort and without an offset.
      delete params[this.#spec.offset];
      params[this.#spec.cursor.param] = this.#cursor;
    } else {
      params[this.#spec.offset] = this.#next;
    }
    op[key] = params;
    return Promise.resolve(new PagePromise<B, I>(this.#load, op, this.#spec));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<I> {
    for (let p: PageCursor<B, I> | null = this; p; p = (await p.nextPage()) as PageCursor<B, I> | null) {
      yield* p.#items;
    }
  }
}

function toPage<B extends object, I>(load: Load, op: Operation, spec: PageSpec, body: B): Page<B, I> {
  return Object.assign(new PageCursor<B, I>(load, op, spec, body), body) as unknown as Page<B, I>;
}
