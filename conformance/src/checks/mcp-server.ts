/**
 * A server's own MCP transports (SPEC.md §13.1): Streamable HTTP at /mcp and /mcp/{client_name}/http/{user_id},
 * legacy HTTP+SSE at /mcp/{client_name}/sse/{user_id}, 401 before any MCP message, and what health declares.
 * They run when the server declares level mcp, whatever MCP endpoint (adapter or /mcp) the tools are tested on.
 */

import { short } from '../core/assert.ts';
import { PRIMARY } from '../core/credentials.ts';
import type { CheckContext } from '../core/harness.ts';
import { check } from '../core/registry.ts';
import type { Health } from '../core/wire.ts';
import type { McpSession } from '../mcp/session.ts';
import { toolDefs } from '../mcp/tools.ts';
import { McpEndpointFault } from '../mcp/transport.ts';
import { callOk, listTools, mcpAdd } from './mcp-helpers.ts';

const SERVER = { kind: 'mcp-server' } as const;
/** The client name used in the OpenMemory-style URLs (distinct from the sessions' clientInfo name). */
const URL_CLIENT = 'omp-conformance-url';

/** The five tool names must all be listed by a session. */
async function expectTools(t: CheckContext, s: McpSession, where: string): Promise<void> {
  const names = (await listTools(t, s)).map((x) => String(x.name));
  const missing = toolDefs()
    .map((d) => d.name)
    .filter((n) => !names.includes(n));
  if (missing.length) t.fail(`${where}: tools/list lacks ${missing.join(', ')}`);
}

check(
  'OMP-MCP-001',
  'MUST offer MCP Streamable HTTP at /mcp and at /mcp/{client_name}/http/{user_id}',
  async (t) => {
    for (const path of ['/mcp', `/mcp/${URL_CLIENT}/http/conf-user-${t.run.runId}`]) {
      const s = await t.openMcp({ key: PRIMARY, server: { path, transport: 'http' } });
      await expectTools(t, s, `Streamable HTTP at ${path}`);
    }
  },
  { needs: [SERVER] },
);

check(
  'OMP-MCP-002',
  'MUST offer the legacy HTTP+SSE transport at /mcp/{client_name}/sse/{user_id}',
  async (t) => {
    const path = `/mcp/${URL_CLIENT}/sse/conf-user-${t.run.runId}`;
    const s = await t.openMcp({ key: PRIMARY, server: { path, transport: 'sse' } });
    await expectTools(t, s, `HTTP+SSE at ${path}`);
    await callOk(t, s, 'list_memories', { namespace: t.ns });
  },
  { needs: [SERVER] },
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
  'OMP-MCP-003',
  'MUST answer an MCP HTTP request without a valid key with 401 unauthorized, before any MCP message is processed',
  async (t) => {
    const target = t.mcpRun.target;
    const server = t.run.declared.has('mcp');
    if (!server && target.kind !== 'http')
      t.skip(
        'not-applicable',
        'no MCP HTTP endpoint: the server does not declare mcp and the adapter is stdio',
      );
    const auths: [string, string | null][] = [
      ['no Authorization header', null],
      ['an unknown key', 'Bearer omp-conformance-unknown-key-0000000000000000'],
      ['a Basic credential', 'Basic Zm9vOmJhcg=='],
    ];
    if (server) {
      const uid = `conf-user-${t.run.runId}`;
      const requests: [string, string][] = [
        ['POST', '/mcp'],
        ['POST', `/mcp/${URL_CLIENT}/http/${uid}`],
        ['GET', `/mcp/${URL_CLIENT}/sse/${uid}`],
      ];
      await t.each(
        requests.flatMap(([method, path]) => auths.map(([what, auth]) => ({ method, path, what, auth }))),
        async ({ method, path, what, auth }) => {
          const api = auth === null ? t.anon : t.withAuthorization(auth);
          const res = await api.req(method, path, {
            ...(method === 'POST' ? { json: initialize } : {}),
            headers: {
              accept: method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream',
            },
          });
          if (res.status !== 401)
            t.fail(`${method} ${path} with ${what}: expected 401, got ${res.describe()}`, res);
          res.expectError(401, 'unauthorized');
          if (res.headers['mcp-session-id'])
            t.fail(`${method} ${path} with ${what} opened an MCP session although it answered 401`, res);
        },
      );
    }
    if (target.kind === 'http') {
      for (const [what, auth] of auths) {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(auth ? { authorization: auth } : {}),
          },
          body: JSON.stringify(initialize),
          signal: AbortSignal.any([t.signal, AbortSignal.timeout(t.mcpRun.o.timeoutMs)]),
        });
        const text = await res.text();
        let code: unknown;
        try {
          code = (JSON.parse(text) as { error?: unknown }).error;
        } catch {
          code = undefined;
        }
        if (res.status !== 401 || code !== 'unauthorized')
          t.softFail(
            `POST ${target.url} with ${what}: expected 401 unauthorized, got ${res.status} ${short(text, 200)}`,
          );
        if (res.headers.get('mcp-session-id'))
          t.softFail(`POST ${target.url} with ${what} opened an MCP session although it was refused`);
      }
    }
  },
);

check(
  'OMP-MCP-004',
  'MUST list the level mcp and the capabilities mcp_http and mcp_sse in health when offering MCP',
  async (t) => {
    const res = await t.anon.get('/v1/health');
    const h = res.expect<Health>(200, 'health');
    if (!h.levels.includes('mcp')) {
      // Only an adapter is under test: the server must not offer MCP at /mcp without declaring it.
      try {
        const s = await t.openMcp({ key: PRIMARY, server: { path: '/mcp', transport: 'http' } });
        await listTools(t, s);
      } catch (e) {
        if (e instanceof McpEndpointFault) {
          t.note('the server does not declare mcp and does not offer MCP at /mcp');
          return;
        }
        throw e;
      }
      t.fail('the server offers MCP at /mcp but does not list the level mcp in health', res);
    }
    const missing = ['mcp_http', 'mcp_sse'].filter((c) => !h.capabilities.includes(c));
    if (missing.length) t.fail(`health declares level mcp but capabilities lack ${missing.join(', ')}`, res);
  },
);

check(
  'OMP-MCP-011.url',
  'MUST take source.tool and source.user_id of added memories from /mcp/{client_name}/http|sse/{user_id}',
  async (t) => {
    const user = `conf+user@${t.run.runId}`;
    for (const transport of ['http', 'sse'] as const) {
      const path = `/mcp/${URL_CLIENT}/${transport}/${encodeURIComponent(user)}`;
      const s = await t.openMcp({ key: PRIMARY, server: { path, transport } });
      const m = await mcpAdd(t, s);
      const stored = await t.api.getMemory(m.id);
      if (stored.source.tool !== URL_CLIENT)
        t.softFail(
          `added through ${path}: source.tool ${JSON.stringify(stored.source.tool)}, want ${URL_CLIENT}`,
        );
      if (stored.source.user_id !== user)
        t.softFail(
          `added through ${path}: source.user_id ${JSON.stringify(stored.source.user_id)}, want ${user}`,
        );
    }
  },
  { also: ['OMP-MCP-010'], needs: [SERVER] },
);
