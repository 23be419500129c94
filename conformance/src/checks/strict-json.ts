/**
 * Numbers and strings survive exactly or are refused; duplicate names; HEAD (SPEC.md §3.7, §4.1); and the MCP
 * endpoints' Origin validation, 401 challenge and result text (§13.1, §13.2). All are 0.4 requirements: a server
 * that does not list 0.4 is not judged by them.
 */
import { PRIMARY } from '../core/credentials.ts';
import { check } from '../core/registry.ts';
import { expect422, memPath } from './helpers.ts';
import { callTool, mcpAdd } from './mcp-helpers.ts';

/** A create body as JSON text with `metadata` (and `source` members) spliced in verbatim. */
function rawCreate(
  t: { run: { tool: string }; tags(): string[]; ns: string },
  metadata: string,
  source = '',
) {
  return `{"content":"omp conformance strict json","type":"semantic","source":{"tool":${JSON.stringify(t.run.tool)}${source}},"tags":${JSON.stringify(t.tags())},"namespace":${JSON.stringify(t.ns)},"metadata":${metadata}}`;
}

function pathsOf(json: unknown): string[] {
  const errors = (json as { details?: { errors?: { path?: unknown }[] } } | undefined)?.details?.errors ?? [];
  return errors.map((e) => String(e.path));
}

check(
  'OMP-MEM-020',
  'MUST refuse with 422 a number a double does not hold exactly as written, and keep every other number exactly',
  async (t) => {
    const refused = ['1e400', '-1e400', '1e-400', '-0', '12345678901234567890', '9007199254740993'];
    await t.each(refused, async (n) => {
      const res = await t.api.req('POST', '/v1/memories', { raw: rawCreate(t, `{"n":${n}}`) });
      expect422(t, res, `metadata number ${n}`);
      if (!pathsOf(res.json).includes('/metadata/n'))
        t.fail(`metadata number ${n}: the 422 does not name /metadata/n`, res);
    });
    const kept: [string, number][] = [
      ['0.1', 0.1],
      ['1.0', 1],
      ['1e300', 1e300],
      ['9007199254740992', 9007199254740992],
      ['5e-324', 5e-324],
    ];
    await t.each(kept, async ([n, value]) => {
      const res = await t.api.req('POST', '/v1/memories', { raw: rawCreate(t, `{"n":${n}}`) });
      if (res.status !== 201) t.fail(`metadata number ${n}: ${res.describe()}, want 201`, res);
      const got = await t.api.get(memPath((res.json as { id: string }).id));
      const stored = (got.json as { metadata?: { n?: unknown } }).metadata?.n;
      if (stored !== value) t.fail(`metadata number ${n} came back as ${JSON.stringify(stored)}`, got);
    });
  },
);

check(
  'OMP-HTTP-025',
  'MUST refuse with 422 a string or member name holding an unpaired surrogate escape, naming its path',
  async (t) => {
    const cases: [string, string, string][] = [
      ['source.session_id', rawCreate(t, '{}', ',"session_id":"a\\ud800"'), '/source/session_id'],
      ['a metadata value', rawCreate(t, '{"k":["x\\udc00"]}'), '/metadata/k/0'],
      ['a metadata member name', rawCreate(t, '{"\\ud83d":1}'), '/metadata/\ud83d'],
    ];
    await t.each(cases, async ([what, raw, path]) => {
      const res = await t.api.req('POST', '/v1/memories', { raw });
      expect422(t, res, `an unpaired surrogate in ${what}`);
      if (!pathsOf(res.json).includes(path))
        t.fail(`an unpaired surrogate in ${what}: the 422 does not name ${path}`, res);
    });
  },
);

check('OMP-HTTP-026', 'MUST refuse with 422 an object that repeats a member name, naming it', async (t) => {
  const cases: [string, string, string][] = [
    ['content', rawCreate(t, '{}').replace('{"content":', '{"content":"first","content":'), '/content'],
    ['a metadata member, escaped', rawCreate(t, '{"a":1,"\\u0061":2}'), '/metadata/a'],
  ];
  await t.each(cases, async ([what, raw, path]) => {
    const res = await t.api.req('POST', '/v1/memories', { raw });
    expect422(t, res, `a repeated ${what}`);
    if (!pathsOf(res.json).includes(path)) t.fail(`a repeated ${what}: the 422 does not name ${path}`, res);
  });
});

check(
  'OMP-HTTP-027',
  'SHOULD answer HEAD like GET without a body, and list HEAD in Allow beside GET',
  async (t) => {
    for (const path of ['/v1/health', '/v1/memories?limit=1', '/v1/me']) {
      const get = await t.api.get(path);
      const head = await t.api.req('HEAD', path, {});
      if (head.status !== get.status)
        t.softFail(`HEAD ${path}: ${head.describe()}, GET answered ${get.status}`, head);
      else if (head.text !== '') t.softFail(`HEAD ${path} carried a body`, head);
    }
    const res = await t.api.req('PATCH', '/v1/health', {});
    const allow = (res.headers.allow ?? '').toUpperCase().split(/\s*,\s*/);
    if (!allow.includes('HEAD'))
      t.softFail(`Allow ${JSON.stringify(res.headers.allow ?? null)} lists GET but not HEAD`, res);
  },
);

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'omp-conformance', version: '0' },
  },
};

check(
  'OMP-MCP-023',
  'MUST answer an MCP HTTP request from a foreign Origin with 403 before processing it',
  async (t) => {
    if (!t.run.declared.has('mcp')) t.skip('not-applicable', 'the server does not declare the mcp level');
    const res = await t.api.req('POST', '/mcp', {
      json: initialize,
      headers: { origin: 'http://omp-conformance.invalid', accept: 'application/json, text/event-stream' },
    });
    if (res.status !== 403)
      t.fail(`POST /mcp with Origin http://omp-conformance.invalid: ${res.describe()}, want 403`, res);
    if (res.headers['mcp-session-id']) t.fail('a refused request opened an MCP session', res);
  },
);

check(
  'OMP-MCP-024',
  'SHOULD answer an unknown key on MCP with a Bearer challenge saying invalid_token, and serve no OAuth metadata',
  async (t) => {
    if (!t.run.declared.has('mcp')) t.skip('not-applicable', 'the server does not declare the mcp level');
    const res = await t
      .withAuthorization('Bearer omp-conformance-unknown-key-0000000000000000')
      .req('POST', '/mcp', {
        json: initialize,
        headers: { accept: 'application/json, text/event-stream' },
      });
    const challenge = res.headers['www-authenticate'] ?? '';
    if (
      res.status !== 401 ||
      !/^Bearer\b/i.test(challenge) ||
      !/error="invalid_token"/.test(challenge) ||
      !/error_description="[^"]+"/.test(challenge)
    )
      t.softFail(`an unknown key: ${res.describe()}, WWW-Authenticate ${JSON.stringify(challenge)}`, res);
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server']) {
      const meta = await t.anon.get(path);
      if (meta.status === 200) t.softFail(`${path} is served although the server offers no OAuth`, meta);
    }
  },
);

check(
  'OMP-MCP-026',
  'SHOULD put the JSON of structuredContent in the first text item of a successful tool result',
  async (t) => {
    const s = await t.mcp();
    const m = await mcpAdd(t, s, { text: `omp conformance json text ${t.tag}` });
    const { result } = await callTool(t, s, 'list_memories', { namespace: t.ns });
    const first = result.content[0];
    let parsed: unknown;
    try {
      parsed = first?.type === 'text' ? JSON.parse(first.text ?? '') : undefined;
    } catch {
      parsed = undefined;
    }
    if (JSON.stringify(parsed) !== JSON.stringify(result.structuredContent))
      t.softFail(
        `the first content item of list_memories is not the JSON of structuredContent: ${JSON.stringify(first).slice(0, 200)}`,
      );
    await callTool(t, s, 'delete_memories', { memory_ids: [m.id] });
    t.forget(m.id, s.key ?? PRIMARY);
  },
);
