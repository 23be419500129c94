/**
 * The live reference server the tests talk to (in memory, free port), its keys, and a small REST client to
 * check through the HTTP API what the MCP tools did.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Memory } from '@omp-kit/schemas/types';
import { type RunningServer, startServer } from 'omp-reference-server';

/** The adapter's bin, spawned as MCP clients spawn it. */
export const BIN = fileURLToPath(new URL('../../bin/omp-mcp.js', import.meta.url));

/** Every key the live server knows: three principals, per-tool keys with different scopes. */
export const KEYS = {
  /** owner, global. */
  owner: 'owner-global-key-0123456789abcdef',
  /** owner, per-tool key of `viewer` that may only read. */
  ownerReadOnly: 'owner-viewer-readonly-key-0123456789',
  /** bob, global: the second principal. */
  bob: 'bob-global-key-0123456789abcdef01',
  /** carol, global. */
  carol: 'carol-global-key-0123456789abcdef',
  /** carol, per-tool key of `cursor`, read scope own. */
  carolCursor: 'carol-cursor-own-key-0123456789abc',
  /** carol, per-tool key of `windsurf`, read scope all (sees every tool's memories). */
  carolWindsurf: 'carol-windsurf-all-key-0123456789a',
} as const;

/** Start the reference server with {@link KEYS}. */
export async function startLive(): Promise<RunningServer> {
  return await startServer({
    keys: [
      { key: KEYS.owner, principal: 'owner' },
      { key: KEYS.ownerReadOnly, principal: 'owner', tool: 'viewer', scopes: ['read'] },
      { key: KEYS.bob, principal: 'bob' },
      { key: KEYS.carol, principal: 'carol' },
      { key: KEYS.carolCursor, principal: 'carol', tool: 'cursor', read_scope: 'own' },
      { key: KEYS.carolWindsurf, principal: 'carol', tool: 'windsurf', read_scope: 'all' },
    ],
  });
}

/** Plain REST calls with one key, answering status and parsed body. */
export function rest(baseUrl: string, key: string) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Partial<Memory> & Record<string, unknown> }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    async create(content: string, extra: Record<string, unknown> = {}): Promise<Memory> {
      const r = await call('POST', '/v1/memories', {
        content,
        type: 'semantic',
        source: { tool: 'rest' },
        ...extra,
      });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Memory;
    },
    async get(id: string) {
      return await call('GET', `/v1/memories/${id}`);
    },
    async list(query = ''): Promise<{ memories: Memory[]; total: number }> {
      const r = await call('GET', `/v1/memories${query}`);
      if (r.status !== 200) throw new Error(`list failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as unknown as { memories: Memory[]; total: number };
    },
  };
}

/** An MCP client over stdio, spawning the real `omp-mcp` with the given environment. */
export async function connectStdio(
  env: Record<string, string>,
  clientName = 'vitest-client',
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(transport);
  // As real clients do: list the tools first, so `callTool` checks every result (errors too) against the
  // declared output schemas.
  await client.listTools();
  return { client, stderr: () => err };
}
