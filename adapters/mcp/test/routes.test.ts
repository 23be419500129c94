/** The MCP URLs of SPEC.md §13.1. */
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../src/http/routes.ts';

describe('matchRoute', () => {
  const cases: [string, { given: string; want: object | undefined }][] = [
    ['/mcp', { given: '/mcp', want: { transport: 'http', path: '/mcp' } }],
    ['/mcp/', { given: '/mcp/', want: { transport: 'http' } }],
    [
      'Streamable HTTP with names',
      {
        given: '/mcp/claude/http/alice',
        want: { transport: 'http', clientName: 'claude', userId: 'alice', path: '/mcp/claude/http/alice' },
      },
    ],
    [
      'percent-decoded',
      {
        given: '/mcp/claude%20desktop/http/a%40b',
        want: { clientName: 'claude desktop', userId: 'a@b', path: '/mcp/claude%20desktop/http/a%40b' },
      },
    ],
    ['SSE stream', { given: '/mcp/cursor/sse/bob', want: { transport: 'sse', methods: ['GET'] } }],
    [
      'SSE messages',
      {
        given: '/mcp/cursor/sse/bob/messages',
        want: { transport: 'sse-messages', path: '/mcp/cursor/sse/bob', methods: ['POST'] },
      },
    ],
    ['messages only under sse', { given: '/mcp/cursor/http/bob/messages', want: undefined }],
    ['unknown transport', { given: '/mcp/cursor/ws/bob', want: undefined }],
    ['missing user', { given: '/mcp/cursor/http', want: undefined }],
    ['empty client', { given: '/mcp//http/bob', want: undefined }],
    ['user id too long', { given: `/mcp/c/http/${'u'.repeat(256)}`, want: undefined }],
    ['bad escape', { given: '/mcp/c/http/%E0%A4%A', want: undefined }],
    ['another prefix', { given: '/mcpx', want: undefined }],
    ['not under the mount', { given: '/v1/memories', want: undefined }],
  ];
  for (const [name, { given, want }] of cases) {
    it(name, () => {
      const route = matchRoute(given, '/mcp');
      if (want === undefined) expect(route).toBeUndefined();
      else expect(route).toMatchObject(want);
    });
  }
});
