/** The text content of tool results: one line per memory. */
import { describe, expect, it } from 'vitest';
import { memoryLine, renderDelete, renderDeleteAll, renderList, renderSearch } from '../src/tools/render.ts';

const m = (id: string, content: string) =>
  ({ id, content, type: 'semantic' }) as Parameters<typeof memoryLine>[0] & Record<string, unknown>;

describe('render', () => {
  it('puts every memory on one line: id, type, content', () => {
    expect(memoryLine(m('mem_a', 'two\r\n  lines\u2028and more'))).toBe(
      'mem_a [semantic] two lines and more',
    );
  });

  it('says which part of the result a page holds', () => {
    const page = { memories: [m('mem_a', 'a'), m('mem_b', 'b')], total: 7, limit: 2, offset: 2 };
    expect(renderList(page as never)).toBe('Memories 3-4 of 7:\nmem_a [semantic] a\nmem_b [semantic] b');
    expect(renderList({ ...page, next_cursor: 'eyJrIjoxfQ' } as never)).toBe(
      'Memories 3-4 of 7:\nmem_a [semantic] a\nmem_b [semantic] b\n' +
        'More: call list_memories again with the same filters and cursor eyJrIjoxfQ',
    );
    expect(renderList({ memories: [], total: 0, limit: 20, offset: 0, next_cursor: null })).toBe(
      'No memories.',
    );
    expect(renderList({ memories: [], total: 3, limit: 20, offset: 5, next_cursor: null })).toBe(
      'Memories none of 3:',
    );
    expect(renderSearch({ ...page, mode_used: 'keyword' } as never, 'q')).toMatch(
      /^Memories matching "q" \(keyword search, 3-4 of 7\):\n/,
    );
    expect(renderSearch({ memories: [], total: 0, limit: 20, offset: 0, mode_used: 'keyword' }, 'zz')).toBe(
      'No memories match "zz" (keyword search).',
    );
  });

  it('reports deletions', () => {
    expect(renderDelete({ deleted: ['mem_a'], not_found: ['mem_b'] })).toBe(
      'Deleted 1: mem_a\nNot found or not deletable: mem_b',
    );
    expect(renderDelete({ deleted: [], not_found: [] })).toBe('Deleted 0.');
    expect(renderDeleteAll({ deleted: 1 }, undefined)).toBe('Deleted 1 memory.');
  });
});
