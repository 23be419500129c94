/** Unit tests of the runner's pure parts: args, baselines, redaction, curl, JSON comparison, derived inputs. */

import { gunzipSync } from 'node:zlib';
import { validatorFor } from '@omp-kit/schemas';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli/args.ts';
import { firstDifference, isJsonContentType, jsonEqual } from '../src/core/assert.ts';
import { matchExpected, parseExpectedFailures } from '../src/core/expected.ts';
import { resolveChecks } from '../src/core/registry.ts';
import { matchesSelector } from '../src/core/runner.ts';
import {
  type Exchange,
  normaliseBaseUrl,
  redactBytes,
  redactExchange,
  redactText,
} from '../src/http/client.ts';
import { toCurl } from '../src/http/curl.ts';
import { deriveCases } from '../src/negative/derive.ts';

describe('parseCli', () => {
  const table: Array<
    [string, { argv: string[]; env?: Record<string, string>; want: Record<string, unknown> }]
  > = [
    [
      'no arguments: bundled server',
      { argv: [], want: { baseUrl: null, reporters: ['pretty'], concurrency: 8 } },
    ],
    ['url and token', { argv: ['http://h:1', '--token', 'T'], want: { baseUrl: 'http://h:1', token: 'T' } }],
    [
      'tokens from env',
      {
        argv: ['http://h:1'],
        env: { OMP_TOKEN: 'A', OMP_TOKEN_B: 'B', OMP_TOOL_TOKENS: 'cursor=C reader=R' },
        want: { token: 'A', tokenB: 'B', toolTokens: { cursor: 'C', reader: 'R' } },
      },
    ],
    [
      'flag wins over env',
      { argv: ['http://h:1', '--token=F'], env: { OMP_TOKEN: 'E' }, want: { token: 'F' } },
    ],
    [
      'lists',
      {
        argv: [
          'http://h:1',
          '--only',
          'OMP-CRUD,OMP-LIST-006',
          '--only',
          'OMP-ID',
          '--reporter',
          'json,html',
        ],
        want: { only: ['OMP-CRUD', 'OMP-LIST-006', 'OMP-ID'], reporters: ['json', 'html'] },
      },
    ],
    ['levels', { argv: ['http://h:1', '--level', 'core,full'], want: { levels: ['core', 'full'] } }],
    ['mcp level', { argv: ['http://h:1', '--level', 'mcp'], want: { levels: ['mcp'] } }],
    [
      'stdio adapter',
      { argv: ['http://h:1', '--mcp-command', 'npx omp-mcp'], want: { mcpCommand: 'npx omp-mcp' } },
    ],
    ['MCP URL', { argv: ['http://h:1', '--mcp-url', 'http://h:1/mcp'], want: { mcpUrl: 'http://h:1/mcp' } }],
    [
      'numbers and flags',
      {
        argv: ['http://h:1', '--timeout', '500', '--concurrency', '2', '--keep-data', '--strict'],
        want: { timeoutMs: 500, concurrency: 2, keepData: true, strict: true },
      },
    ],
  ];
  it.each(table)('%s', (_name, { argv, env, want }) => {
    expect(parseCli(argv, env ?? {})).toMatchObject(want);
  });

  const bad: Array<[string, string[]]> = [
    ['unknown flag', ['--nope']],
    ['two urls', ['http://a', 'http://b']],
    ['not a url', ['localhost:3456']],
    ['ftp url', ['ftp://h']],
    ['credentials in url', ['http://u:p@h']],
    ['unknown level', ['--level', 'gold']],
    ['two MCP endpoints', ['--mcp-command', 'omp-mcp', '--mcp-url', 'http://h/mcp']],
    ['MCP URL not http', ['--mcp-url', 'ws://h/mcp']],
    ['empty MCP command', ['--mcp-command', ' ']],
    ['unknown reporter', ['--reporter', 'xml']],
    ['bad number', ['--timeout', '10s']],
    ['out of range', ['--concurrency', '0']],
    ['bad tool token', ['--tool-token', 'cursor']],
    ['duplicate tool token', ['--tool-token', 'a=1', '--tool-token', 'a=2']],
  ];
  it.each(bad)('rejects %s', (_name, argv) => {
    expect(() => parseCli(argv, {})).toThrow(UsageError);
  });
});

describe('expected failures', () => {
  it.each([
    ['JSON object', '{"OMP-CRUD-003": "no Location yet"}'],
    ['JSON array', '[{"id": "OMP-CRUD-003", "reason": "no Location yet"}]'],
    ['plain text', '# baseline\nOMP-CRUD-003 no Location yet\n'],
  ])('parses %s', (_n, text) => {
    expect(parseExpectedFailures(text)).toEqual([{ id: 'OMP-CRUD-003', reason: 'no Location yet' }]);
  });
  it('matches by check ID, then by primary requirement', () => {
    const list = [{ id: 'OMP-CRUD-001', reason: 'r' }];
    expect(
      matchExpected(list, { id: 'OMP-CRUD-001.boundaries', requirements: ['OMP-CRUD-001'] })?.reason,
    ).toBe('r');
    expect(
      matchExpected(list, { id: 'OMP-HTTP-019', requirements: ['OMP-HTTP-019', 'OMP-CRUD-001'] }),
    ).toBeUndefined();
  });
  it('rejects malformed JSON', () => {
    expect(() => parseExpectedFailures('{"a":')).toThrow(/not valid JSON/);
  });
});

describe('redaction and curl', () => {
  const secrets = new Map([
    ['token-a', 'sk-secret-aaaa'],
    ['tool:cursor', 'sk-secret-aaaa-cursor'],
  ]);
  const exchange: Exchange = {
    seq: 1,
    method: 'POST',
    url: 'http://h/v1/memories?x=sk-secret-aaaa',
    credential: 'token-a',
    requestHeaders: {
      authorization: 'Bearer sk-secret-aaaa',
      'content-type': 'application/json',
      'content-length': '2',
    },
    requestBody: '{"note":"it\'s sk-secret-aaaa-cursor"}',
    requestBodyBytes: 38,
    status: 401,
    responseHeaders: { 'x-echo': 'sk-secret-aaaa' },
    responseBody: 'sk-secret-aaaa',
    responseBodyBytes: 14,
    durationMs: 1,
    transportError: null,
    curl: '',
  };
  const rawBody = '{"note":"it\'s sk-secret-aaaa-cursor"}';
  it('replaces every secret, longest first', () => {
    expect(redactText('a sk-secret-aaaa-cursor b sk-secret-aaaa', secrets)).toBe(
      'a <tool:cursor> b <token-a>',
    );
    const red = JSON.stringify(redactExchange(exchange, secrets));
    expect(red).not.toContain('sk-secret');
  });
  it('writes a curl line with the credential as a shell variable', () => {
    const curl = toCurl(redactExchange(exchange, secrets), redactBytes(Buffer.from(rawBody), secrets));
    expect(curl).toContain('"Authorization: Bearer $OMP_TOKEN"');
    expect(curl).toContain("--data-binary '{\"note\":\"it'\\''s <tool:cursor>\"}'");
    expect(curl).not.toContain('content-length');
    expect(curl.startsWith("curl -sS -i -X POST 'http://h/v1/memories?x=<token-a>'")).toBe(true);
  });
  it('packs large or binary bodies into the line (gzip + base64), redacted', () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(100_000), key: 'sk-secret-aaaa' }));
    const curl = toCurl({ ...exchange, requestBodyBytes: big.byteLength }, redactBytes(big, secrets));
    const packed = /printf %s '([^']+)' \| base64 -d \| gunzip/.exec(curl)?.[1];
    expect(packed).toBeDefined();
    const back = gunzipSync(Buffer.from(packed as string, 'base64')).toString('utf8');
    expect(back).toBe(JSON.stringify({ pad: 'x'.repeat(100_000), key: '<token-a>' }));
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(toCurl({ ...exchange, requestBodyBytes: 4 }, binary)).toContain('base64 -d | gunzip');
  });

  it('sends an empty Content-Type when the request had none', () => {
    const { 'content-type': _c, ...headers } = exchange.requestHeaders;
    expect(toCurl({ ...exchange, requestHeaders: headers }, Buffer.from('{}'))).toContain(
      "-H 'Content-Type:'",
    );
  });

  it('normalises base URLs', () => {
    expect(normaliseBaseUrl('http://h:1/v1/')).toBe('http://h:1');
    expect(normaliseBaseUrl('https://h/omp/')).toBe('https://h/omp');
  });
});

describe('JSON comparison', () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: null }, {}, false],
    [{ a: 1 }, { a: '1' }, false],
  ])('jsonEqual(%j, %j) is %s', (a, b, want) => {
    expect(jsonEqual(a, b)).toBe(want);
  });
  it('names the first difference', () => {
    expect(firstDifference({ a: { b: [1, 2] } }, { a: { b: [1, 3] } })).toBe('/a/b/1: 2 ≠ 3');
  });
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/jsonx', false],
    ['text/html', false],
    [undefined, false],
  ])('isJsonContentType(%s) is %s', (ct, want) => {
    expect(isJsonContentType(ct)).toBe(want);
  });
});

describe('schema-derived inputs', () => {
  const base = {
    content: 'x',
    type: 'semantic',
    source: { tool: 't' },
    tags: ['a'],
    namespace: 'n',
    expires_at: '2099-01-01T00:00:00Z',
    metadata: { k: 1 },
  };
  const cases = deriveCases('create-request', base);
  it('classifies every case with the schema itself', () => {
    const v = validatorFor('create-request');
    for (const c of cases) expect(v(c.body), c.label).toBe(c.valid);
  });
  it('derives the cases the spec needs from the schema', () => {
    const labels = cases.map((c) => `${c.valid ? '+' : '-'} ${c.label}`);
    for (const want of [
      '- /content: required, missing',
      '- /source/tool: required, missing',
      '- /unknown_member: unknown member',
      '- /tags: maxItems 20 + 1',
      '+ /tags: maxItems 20 (boundary)',
      '- /tags: the same item twice',
      '- /content: maxLength 10000 + 1',
      '+ /content: maxLength 10000 (boundary)',
      '- /metadata: maxProperties 10 + 1',
      '- /embedding: minItems 1 - 1',
      '- /type: not one of the enum values',
      '- /expires_at: calendar-impossible date-time',
    ])
      expect(labels).toContain(want);
    expect(cases.filter((c) => !c.valid).length).toBeGreaterThan(40);
  });
  it('refuses an invalid base', () => {
    expect(() => deriveCases('create-request', { content: '' })).toThrow(/base body/);
  });
});

describe('selectors', () => {
  const [c] = resolveChecks([
    {
      id: 'OMP-CRUD-001.boundaries',
      title: 'MUST x',
      requirements: ['OMP-CRUD-001', 'OMP-HTTP-009'],
      needs: [],
      exclusive: false,
      run: async () => {},
    },
  ]);
  it.each([
    ['OMP-CRUD-001.boundaries', true],
    ['OMP-CRUD-001', true],
    ['OMP-HTTP-009', true],
    ['OMP-CRUD', true],
    ['OMP-CRU', false],
    ['OMP-CRUD-00', false],
    ['OMP-LIST', false],
  ])('%s selects it: %s', (sel, want) => {
    expect(matchesSelector(c!, sel)).toBe(want);
  });
});
