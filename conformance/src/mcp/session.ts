/**
 * One MCP client session over a raw transport: the initialisation handshake, requests matched to responses by
 * id, and a judgement of every message the endpoint sends against the MCP protocol's own schemas (the MCP
 * SDK's exported zod schemas: JSON-RPC 2.0 envelope, then the result schema of the request it answers, or the
 * server request / notification schemas) — OMP-MCP-020. What fails goes to the run-wide monitor.
 */
import {
  CallToolResultSchema,
  EmptyResultSchema,
  InitializeResultSchema,
  JSONRPCMessageSchema,
  LATEST_PROTOCOL_VERSION,
  ListToolsResultSchema,
  ResultSchema,
  ServerNotificationSchema,
  ServerRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { KeyRef } from '../core/credentials.ts';
import { TransportError } from '../http/client.ts';
import { McpEndpointFault, type McpTransport } from './transport.ts';

/** Something an endpoint sent that is not a valid MCP message. */
export interface McpViolation {
  endpoint: string;
  message: string;
}

/** Run-wide record of every MCP message received and every violation (OMP-MCP-020). */
export class McpMonitor {
  readonly violations: McpViolation[] = [];
  messages = 0;
  sessions = 0;
}

/** A JSON-RPC answer: a result or an error, with the text it came in. */
export type RpcOutcome =
  | { kind: 'result'; result: Record<string, unknown>; raw: string }
  | { kind: 'error'; error: { code: number; message: string; data?: unknown }; raw: string };

/** Options of one session. */
export interface SessionOptions {
  /** The session's key (for the ledger and messages), null for none. */
  key: KeyRef | null;
  monitor: McpMonitor;
  /** Redacts keys from anything quoted in messages. */
  redact: (s: string) => string;
  timeoutMs: number;
  clientName: string;
  clientVersion: string;
}

interface Pending {
  method: string;
  resolve: (o: RpcOutcome) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

// The result schema of each request the runner sends; anything else must at least be a result object.
const resultSchemas: Record<string, { safeParse(v: unknown): ZodLike }> = {
  initialize: InitializeResultSchema,
  'tools/list': ListToolsResultSchema,
  'tools/call': CallToolResultSchema,
  ping: EmptyResultSchema,
};

type ZodLike = { success: true } | { success: false; error: { issues: readonly ZodIssue[] } };
type ZodIssue = { path: readonly PropertyKey[]; message: string; errors?: readonly (readonly ZodIssue[])[] };

/** The first few zod issues, one line (union issues name their branches' first issue). */
export function describeIssues(issues: readonly ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      const at = i.path.length ? `/${i.path.map(String).join('/')}` : '/';
      const inner = i.errors?.map((branch) => branch[0]?.message).filter(Boolean);
      return `${at}: ${i.message}${inner?.length ? ` (${inner.slice(0, 3).join('; ')})` : ''}`;
    })
    .join('; ');
}

const excerpt = (s: string, n = 240) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** One initialised MCP session. */
export class McpSession {
  readonly transport: McpTransport;
  /** The key the session uses. */
  readonly key: KeyRef | null;
  /** The initialize result, once open. */
  initializeResult: Record<string, unknown> | undefined;
  protocolVersion: string | undefined;
  /** Violations found in this session's messages (also in the monitor). */
  readonly violations: string[] = [];
  private readonly o: SessionOptions;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;

  constructor(transport: McpTransport, o: SessionOptions) {
    this.transport = transport;
    this.key = o.key;
    this.o = o;
    transport.onmessage = (raw) => this.receive(raw);
    transport.onfault = (fault) => this.die(fault);
  }

  /** Start the transport and run the handshake: initialize, check its result, notifications/initialized. */
  async open(): Promise<void> {
    this.o.monitor.sessions++;
    await this.transport.start();
    const init = await this.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: this.o.clientName, version: this.o.clientVersion },
    });
    if (init.kind === 'error')
      throw new McpEndpointFault(
        `${this.transport.describe}: initialize answered JSON-RPC error ${init.error.code} ${excerpt(this.o.redact(init.error.message))}`,
      );
    this.initializeResult = init.result;
    const version = String(init.result.protocolVersion);
    this.protocolVersion = version;
    if (!(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version))
      this.violation(
        `initialize negotiated protocol version ${JSON.stringify(version)}, which MCP does not define`,
      );
    this.transport.setProtocolVersion?.(version);
    await this.notify('notifications/initialized');
  }

  /** Send a request; resolves with its result or JSON-RPC error, rejects on a fault, an invalid answer or timeout. */
  request(
    method: string,
    params?: Record<string, unknown>,
    timeoutMs = this.o.timeoutMs,
  ): Promise<RpcOutcome> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<RpcOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TransportError(
            'timeout',
            `${this.transport.describe}: no answer to ${method} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      const message: Record<string, unknown> = { jsonrpc: '2.0', id, method };
      if (params !== undefined) message.params = params;
      this.transport.send(message).catch((e: unknown) => this.settle(id, e as Error));
    });
  }

  /** `tools/call` (a tool run may take several requests of the endpoint to the server: a longer deadline). */
  callTool(name: string, args: unknown): Promise<RpcOutcome> {
    return this.request('tools/call', { name, arguments: args }, this.o.timeoutMs * 3);
  }

  /** Send a notification. */
  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.dead) throw this.dead;
    await this.transport.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  async close(): Promise<void> {
    this.die(new McpEndpointFault('session closed'));
    await this.transport.close().catch(() => undefined);
  }

  private settle(id: number, error: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(error);
  }

  private die(fault: Error): void {
    this.dead ??= fault;
    for (const id of [...this.pending.keys()]) this.settle(id, fault);
  }

  private violation(message: string): void {
    const m = this.o.redact(message);
    this.violations.push(m);
    this.o.monitor.violations.push({ endpoint: this.transport.describe, message: m });
  }

  private receive(raw: string): void {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.o.monitor.messages++;
      this.violation(`sent text that is not JSON: ${excerpt(raw)}`);
      return;
    }
    // JSON-RPC batches exist only in protocol version 2025-03-26.
    if (Array.isArray(value)) {
      if (this.protocolVersion !== '2025-03-26')
        this.violation(
          `sent a JSON-RPC batch, which protocol version ${this.protocolVersion ?? '(none yet)'} does not allow: ${excerpt(raw)}`,
        );
      for (const one of value) this.handle(one, JSON.stringify(one));
      return;
    }
    this.handle(value, raw);
  }

  private handle(msg: unknown, raw: string): void {
    this.o.monitor.messages++;
    const envelope = JSONRPCMessageSchema.safeParse(msg) as ZodLike;
    const m = (msg && typeof msg === 'object' ? msg : {}) as Record<string, unknown>;
    const id = m.id;
    const isResponse = 'result' in m || 'error' in m;
    if (!envelope.success) {
      const why = `sent a message that is not a JSON-RPC 2.0 message of MCP (${describeIssues(envelope.error.issues)}): ${excerpt(raw)}`;
      this.violation(why);
      if (isResponse && typeof id === 'number') this.settle(id, new McpEndpointFault(why));
      return;
    }
    if (isResponse) {
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!p) {
        // An error with id null answers a request the endpoint could not read; anything else answers nothing.
        if (!('error' in m && id === null))
          this.violation(
            `sent a response to id ${JSON.stringify(id)}, which no pending request has: ${excerpt(raw)}`,
          );
        return;
      }
      this.pending.delete(id as number);
      clearTimeout(p.timer);
      if ('error' in m) {
        p.resolve({ kind: 'error', error: m.error as { code: number; message: string }, raw });
        return;
      }
      const schema = resultSchemas[p.method] ?? ResultSchema;
      const checked = schema.safeParse(m.result);
      if (!checked.success) {
        const why = `answered ${p.method} with a result that is not a valid MCP result (${describeIssues(checked.error.issues)}): ${excerpt(raw)}`;
        this.violation(why);
        p.reject(new McpEndpointFault(why));
        return;
      }
      p.resolve({ kind: 'result', result: m.result as Record<string, unknown>, raw });
      return;
    }
    if ('id' in m) {
      const checked = ServerRequestSchema.safeParse(msg) as ZodLike;
      if (!checked.success)
        this.violation(
          `sent a request that is not a valid MCP server request (${describeIssues(checked.error.issues)}): ${excerpt(raw)}`,
        );
      // The runner declares no client capabilities: it answers ping and declines the rest.
      const reply =
        m.method === 'ping'
          ? { jsonrpc: '2.0', id, result: {} }
          : { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
      this.transport.send(reply).catch(() => undefined);
      return;
    }
    const checked = ServerNotificationSchema.safeParse(msg) as ZodLike;
    if (!checked.success)
      this.violation(
        `sent a notification that is not a valid MCP server notification (${describeIssues(checked.error.issues)}): ${excerpt(raw)}`,
      );
  }
}
