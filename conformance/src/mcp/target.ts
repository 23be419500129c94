/**
 * The MCP endpoint a run certifies and the sessions checks open on it. The endpoint under test is an adapter
 * when one is given (`--mcp-command`: stdio, `--mcp-url`: Streamable HTTP), otherwise the server's own `/mcp`
 * when its health declares level mcp. The server's own transports (`/mcp/{client_name}/http|sse/{user_id}`,
 * 401 before MCP) are certified whenever it declares mcp, whatever the endpoint under test.
 */
import { type KeyRef, type Keyring, keyLabel } from '../core/credentials.ts';
import { type McpMonitor, McpSession } from './session.ts';
import {
  LegacySseTransport,
  type McpTransport,
  StdioTransport,
  StreamableHttpTransport,
} from './transport.ts';

/** The endpoint under test. */
export type McpTarget =
  | { kind: 'server'; url: string }
  | { kind: 'http'; url: string }
  | {
      kind: 'stdio';
      command: string;
      /** The command line sets OMP_API_KEY itself: sessions can only use that key (taken to be the token option's). */
      fixedKey: boolean;
      /** The command line sets OMP_TOOL (the reference adapter's configured client name). */
      fixedTool: boolean;
    };

/** How one session is opened. */
export interface OpenOptions {
  /** The key the session presents, or null for none. */
  key: KeyRef | null;
  /** clientInfo.name sent at initialisation; default `omp-conformance`. */
  clientName?: string;
  /** One of the server's own endpoints instead of the endpoint under test: path below the base URL. */
  server?: { path: string; transport: 'http' | 'sse' };
}

/** Everything MCP of one run. */
export interface McpRunOptions {
  target: McpTarget;
  baseUrl: string;
  keys: Keyring;
  monitor: McpMonitor;
  timeoutMs: number;
  signal: AbortSignal;
  redact: (s: string) => string;
  clientVersion: string;
}

/** Default clientInfo.name of the runner's sessions. */
export const RUNNER_CLIENT = 'omp-conformance';

/** The MCP side of one run: opens sessions, pools one default session per key, closes them all at the end. */
export class McpRun {
  readonly o: McpRunOptions;
  private readonly pool = new Map<string, Promise<McpSession>>();
  private readonly open = new Set<McpSession>();

  constructor(o: McpRunOptions) {
    this.o = o;
  }

  get target(): McpTarget {
    return this.o.target;
  }

  get monitor(): McpMonitor {
    return this.o.monitor;
  }

  /** Why sessions with this key cannot be opened on the endpoint under test, if they cannot. */
  unusableKey(key: KeyRef | null): string | undefined {
    const t = this.o.target;
    if (t.kind === 'stdio' && t.fixedKey && (key === null || key.role !== 'primary'))
      return 'the mcpCommand sets OMP_API_KEY itself, so the runner cannot start it with another key';
    return undefined;
  }

  /** A new, initialised session (closed by `closeAll`, or earlier by its user). */
  async session(opts: OpenOptions): Promise<McpSession> {
    const token = opts.key === null ? undefined : this.o.keys.secret(opts.key);
    if (opts.key !== null && token === undefined) throw new Error(`runner bug: no key ${keyLabel(opts.key)}`);
    const s = new McpSession(this.transport(opts, token), {
      key: opts.key,
      monitor: this.o.monitor,
      redact: this.o.redact,
      timeoutMs: this.o.timeoutMs,
      clientName: opts.clientName ?? RUNNER_CLIENT,
      clientVersion: this.o.clientVersion,
    });
    this.open.add(s);
    try {
      await s.open();
    } catch (e) {
      await this.release(s);
      throw e;
    }
    return s;
  }

  /** The shared default session of one key on the endpoint under test (opened once per run). */
  pooled(key: KeyRef): Promise<McpSession> {
    const label = keyLabel(key);
    let p = this.pool.get(label);
    if (!p) {
      p = this.session({ key });
      // A session that failed to open is not kept: the next check tries again and sees the fault itself.
      p.catch(() => this.pool.delete(label));
      this.pool.set(label, p);
    }
    return p;
  }

  /** Close one session now. */
  async release(s: McpSession): Promise<void> {
    this.open.delete(s);
    await s.close();
  }

  /** Close every session of the run. */
  async closeAll(): Promise<void> {
    const all = [...this.open];
    this.open.clear();
    this.pool.clear();
    await Promise.all(all.map((s) => s.close()));
  }

  private transport(opts: OpenOptions, token: string | undefined): McpTransport {
    const { o } = this;
    const authorization = token === undefined ? undefined : `Bearer ${token}`;
    const http = { timeoutMs: o.timeoutMs, signal: o.signal, authorization };
    if (opts.server) {
      const url = o.baseUrl + opts.server.path;
      return opts.server.transport === 'sse'
        ? new LegacySseTransport({ ...http, url })
        : new StreamableHttpTransport({ ...http, url });
    }
    const t = o.target;
    if (t.kind !== 'stdio') return new StreamableHttpTransport({ ...http, url: t.url });
    // The adapter reads the server and key from its environment (OMP-CLIENT-010); assignments on the command line
    // win over these, as a shell does. OMP_TOOL would name the client instead of clientInfo: left out.
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_SERVER: o.baseUrl };
    delete env.OMP_TOOL;
    if (token !== undefined) env.OMP_API_KEY = token;
    else delete env.OMP_API_KEY;
    return new StdioTransport({ command: t.command, env, signal: o.signal });
  }
}

/** Whether a command line assigns an environment variable itself (`NAME=value cmd`, `env NAME=value cmd`). */
export function commandSets(command: string, name: string): boolean {
  return new RegExp(`(^|[\\s;&|])${name}=`).test(command);
}
