/**
 * List pages rendered where they are read (issue #18): the worker store renders a page's memories to JSON text
 * in its reader thread, so one string crosses the thread boundary instead of a structured clone of every row
 * (the clone and the render were a third of a filtered list's cost), and the server thread only frames it.
 */
import type { Page, Resume } from './memory-store.ts';
import { type MemoryRow, renderPage } from './rows.ts';

/** A list page with its memories as JSON text. */
export interface RenderedPage {
  /** The memories, a JSON array (rows.ts renderPage). */
  memories: string;
  /** How many memories the page holds. */
  count: number;
  /** Its last memory, for the next cursor. */
  last: MemoryRow | undefined;
  total: number;
  /** Matches before the page: the offset, or for a cursor the count OMP-LIST-022 asks for. */
  before: number;
  resume?: Resume | undefined;
}

/** A page rendered, with the number of matches before it. */
export function renderedPage(page: Page, before: number): RenderedPage {
  return {
    memories: renderPage(page.rows),
    count: page.rows.length,
    last: page.rows[page.rows.length - 1],
    total: page.total,
    before,
    resume: page.resume,
  };
}
