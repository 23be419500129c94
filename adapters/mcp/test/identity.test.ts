/** source.tool of memories added through MCP (OMP-MCP-010). */
import { describe, expect, it } from 'vitest';
import { resolveSourceTool, sanitizeToolName } from '../src/tools/identity.ts';

describe('sanitizeToolName', () => {
  const cases: [string, { given: string | undefined; want: string | undefined }][] = [
    ['plain', { given: 'Claude Desktop', want: 'Claude Desktop' }],
    ['control characters removed', { given: 'cur\u0000sor\n\u007f\u0085', want: 'cursor' }],
    ['only control characters', { given: '\u0001\u0002', want: undefined }],
    ['empty', { given: '', want: undefined }],
    ['absent', { given: undefined, want: undefined }],
    ['cut to 100 code points', { given: 'a'.repeat(150), want: 'a'.repeat(100) }],
    ['never inside a surrogate pair', { given: '😀'.repeat(101), want: '😀'.repeat(100) }],
    ['removal before the cut', { given: `${'\u0007'.repeat(10)}${'b'.repeat(100)}`, want: 'b'.repeat(100) }],
  ];
  for (const [name, { given, want }] of cases) it(name, () => expect(sanitizeToolName(given)).toBe(want));
});

describe('resolveSourceTool', () => {
  const cases: [
    string,
    { tool: string | null; configured?: string; clientInfoName?: string; want: string },
  ][] = [
    [
      "the per-tool key's tool wins",
      { tool: 'cursor', configured: 'claude', clientInfoName: 'x', want: 'cursor' },
    ],
    [
      'then the configured client name',
      { tool: null, configured: 'claude', clientInfoName: 'x', want: 'claude' },
    ],
    ['then clientInfo.name', { tool: null, clientInfoName: 'Windsurf\u0000', want: 'Windsurf' }],
    [
      'an unusable configured name falls through',
      { tool: null, configured: '\u0001', clientInfoName: 'cline', want: 'cline' },
    ],
    ['then mcp', { tool: null, clientInfoName: '\u0002', want: 'mcp' }],
    ['mcp when nothing is known', { tool: null, want: 'mcp' }],
  ];
  for (const [name, c] of cases) {
    it(name, () =>
      expect(
        resolveSourceTool({ tool: c.tool }, { configured: c.configured, clientInfoName: c.clientInfoName }),
      ).toBe(c.want),
    );
  }
});
