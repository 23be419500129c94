/**
 * The runner's own MCP client transports, deliberately raw: every message the endpoint sends reaches the session
 * as the exact text received (so OMP-MCP-020 judges what was on the wire, not what a client library kept), and a
 * misbehaving endpoint is a fault of the endpoint (a failed check), never hidden or retried.
 *
 * - stdio: the command runs through the shell; one JSON-RPC message per line on stdin/stdout (MCP stdio).
 * - Streamable HTTP: each message is a POST; the answer is JSON or an event stream (MCP Streamable HTTP).
 * - legacy HTTP+SSE: one GET event stream announcing where to POST (MCP 2024-11-05 HTTP+SSE).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { busyWait, MAX_BUSY_RETRIES, TransportError } from '../http/client.ts';
import { SseParser } from './sse.ts';

/** The endpoint did something no MCP endpoint may do (bad status, wrong content, died): its fault. */
export class McpEndpointFault extends Error {
  override name = 'McpEndpointFault';
}

/** One MCP client transport. */
export interface McpTransport {
  /** What it talks to, for messages (never a key). */
  readonly describe: string;
  /** Each message text the endpoint sent (one JSON text; an HTTP JSON body may hold a batch). */
  onmessage?: (raw: string) => void;
  /** A fault of the endpoint outside any single send (process exit, stream cut, bad stream content). */
  onfault?: (fault: Error) => void;
  start(): Promise<void>;
  send(message: object): Promise<void>;
  /** After initialisation: the negotiated protocol version (sent as MCP-Protocol-Version over HTTP). */
  setProtocolVersion?(version: string): void;
  close(): Promise<void>;
}

const excerpt = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Map a fetch failure to the runner's transport error (network faults are never the endpoint's "fail"). */
function networkError(e: unknown, what: string): TransportError {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError')
    return new TransportError(err.name === 'TimeoutError' ? 'timeout' : 'aborted', `${what}: ${err.message}`);
  const code = err?.cause?.code ?? '';
  const kind = code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' ? 'reset' : 'other';
  return new TransportError(kind, `${what}: ${err?.cause?.message ?? err?.message ?? String(e)}`);
}

/**
 * fetch with a deadline on the response head only: a body may be an event stream that lives on (its messages
 * are bounded by the session's own request deadlines). Network failures become TransportError; a 429 is resent
 * as the HTTP layer resends it (bodies here are strings, so a resend is the same request).
 */
async function fetchHead(
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
  signals: AbortSignal[],
  what: string,
): Promise<Response> {
  // A rate limit is waited out by the same rule as the HTTP layer's (busyWait): a 429 is never a finding here.
  for (let tries = 0; ; tries++) {
    const res = await fetchOnce(url, init, timeoutMs, signals, what);
    if (res.status !== 429 || tries >= MAX_BUSY_RETRIES || signals.some((s) => s.aborted)) return res;
    await res.body?.cancel();
    await new Promise((r) =>
      setTimeout(r, busyWait(res.headers.get('retry-after') ?? undefined, tries, Date.now())),
    );
  }
}

async function fetchOnce(
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
  signals: AbortSignal[],
  what: string,
): Promise<Response> {
  const head = new AbortController();
  const timer = setTimeout(
    () => head.abort(new DOMException(`no response within ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  try {
    return await fetch(url, { ...init, signal: AbortSignal.any([...signals, head.signal]) });
  } catch (e) {
    throw networkError(e, what);
  } finally {
    clearTimeout(timer);
  }
}

/** Read an event stream body, handing each event to `on`; resolves when the stream ends. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  on: (e: { event: string; data: string }) => void,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const e of parser.push(decoder.decode(value, { stream: true }))) on(e);
  }
}

/** Options of the HTTP transports. */
export interface HttpTransportOptions {
  url: string;
  /** Authorization header value, or none. */
  authorization?: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

/** MCP Streamable HTTP (client side): POST per message, JSON or event-stream answers, session header. */
export class StreamableHttpTransport implements McpTransport {
  readonly describe: string;
  onmessage?: (raw: string) => void;
  onfault?: (fault: Error) => void;
  private readonly o: HttpTransportOptions;
  private readonly closing = new AbortController();
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;

  constructor(o: HttpTransportOptions) {
    this.o = o;
    this.describe = `Streamable HTTP ${o.url}`;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.o.authorization !== undefined) h.authorization = this.o.authorization;
    if (this.sessionId !== undefined) h['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  async send(message: object): Promise<void> {
    const what = `POST ${this.o.url}`;
    const res = await fetchHead(
      this.o.url,
      { method: 'POST', headers: this.headers(), body: JSON.stringify(message) },
      this.o.timeoutMs,
      [this.o.signal, this.closing.signal],
      what,
    );
    const sid = res.headers.get('mcp-session-id');
    if (sid && this.sessionId === undefined) this.sessionId = sid;
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (res.status === 202) {
      await res.body?.cancel();
      return;
    }
    if (res.status < 200 || res.status > 299) {
      const text = await res.text().catch(() => '');
      throw new McpEndpointFault(
        `${what} answered HTTP ${res.status} (${type || 'no Content-Type'}): ${excerpt(text)}`,
      );
    }
    if (type.startsWith('application/json')) {
      const text = await res.text();
      if (text.trim() !== '') this.onmessage?.(text);
      return;
    }
    if (type.startsWith('text/event-stream') && res.body) {
      // Messages arrive as the stream goes; reading goes on after send() returns, until the endpoint ends it.
      readEvents(res.body, (e) => {
        if (e.data.trim() !== '') this.onmessage?.(e.data);
      }).catch((e: unknown) => {
        if (!this.closing.signal.aborted && !this.o.signal.aborted)
          this.onfault?.(networkError(e, `reading the event stream of ${what}`));
      });
      return;
    }
    const text = await res.text().catch(() => '');
    throw new McpEndpointFault(
      `${what} answered ${res.status} with Content-Type ${type || 'none'}, neither JSON nor an event stream: ${excerpt(text)}`,
    );
  }

  async close(): Promise<void> {
    this.closing.abort();
    if (this.sessionId === undefined) return;
    // Ending the session is a courtesy (the spec lets servers refuse it): its outcome is not judged.
    await fetch(this.o.url, {
      method: 'DELETE',
      headers: this.headers(),
      signal: AbortSignal.timeout(2_000),
    })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
}

/** The legacy HTTP+SSE transport (client side): a GET stream announcing the endpoint that takes POSTs. */
export class LegacySseTransport implements McpTransport {
  readonly describe: string;
  onmessage?: (raw: string) => void;
  onfault?: (fault: Error) => void;
  private readonly o: HttpTransportOptions;
  private readonly closing = new AbortController();
  private endpoint: URL | undefined;

  constructor(o: HttpTransportOptions) {
    this.o = o;
    this.describe = `HTTP+SSE ${o.url}`;
  }

  private auth(): Record<string, string> {
    return this.o.authorization === undefined ? {} : { authorization: this.o.authorization };
  }

  async start(): Promise<void> {
    const what = `GET ${this.o.url}`;
    const res = await fetchHead(
      this.o.url,
      { headers: { accept: 'text/event-stream', ...this.auth() } },
      this.o.timeoutMs,
      [this.o.signal, this.closing.signal],
      what,
    );
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (res.status !== 200 || !type.startsWith('text/event-stream') || !res.body) {
      const text = await res.text().catch(() => '');
      throw new McpEndpointFault(
        `${what} answered ${res.status} (${type || 'no Content-Type'}): ${excerpt(text)}`,
      );
    }
    const body = res.body;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new McpEndpointFault(`${what}: no endpoint event within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      readEvents(body, (e) => {
        if (this.endpoint === undefined) {
          if (e.event !== 'endpoint') {
            clearTimeout(timer);
            reject(new McpEndpointFault(`${what}: the first event is "${e.event}", not "endpoint"`));
            return;
          }
          try {
            this.endpoint = new URL(e.data, this.o.url);
          } catch {
            clearTimeout(timer);
            reject(new McpEndpointFault(`${what}: the endpoint event names no URL: ${excerpt(e.data)}`));
            return;
          }
          clearTimeout(timer);
          resolve();
          return;
        }
        if (e.event === 'message') this.onmessage?.(e.data);
      }).then(
        () => {
          clearTimeout(timer);
          if (this.endpoint === undefined)
            reject(new McpEndpointFault(`${what}: the stream ended before its endpoint event`));
          else if (!this.closing.signal.aborted)
            this.onfault?.(new McpEndpointFault(`${what}: the event stream ended`));
        },
        (e: unknown) => {
          clearTimeout(timer);
          if (this.closing.signal.aborted || this.o.signal.aborted) return;
          const err = networkError(e, `reading ${what}`);
          if (this.endpoint === undefined) reject(err);
          else this.onfault?.(err);
        },
      );
    });
  }

  async send(message: object): Promise<void> {
    if (!this.endpoint) throw new Error('runner bug: send before start');
    const what = `POST ${this.endpoint.pathname}`;
    const res = await fetchHead(
      this.endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.auth() },
        body: JSON.stringify(message),
      },
      this.o.timeoutMs,
      [this.o.signal, this.closing.signal],
      what,
    );
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status > 299)
      throw new McpEndpointFault(`${what} answered HTTP ${res.status}: ${excerpt(text)}`);
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}

/** Options of the stdio transport. */
export interface StdioTransportOptions {
  /** Shell command line, as a user would put it in an MCP client's configuration. */
  command: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** MCP stdio (client side): spawn the command, newline-delimited JSON-RPC on stdin/stdout. */
export class StdioTransport implements McpTransport {
  readonly describe: string;
  onmessage?: (raw: string) => void;
  onfault?: (fault: Error) => void;
  private readonly o: StdioTransportOptions;
  private child: ChildProcess | undefined;
  private closing = false;
  private stderrTail = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(o: StdioTransportOptions) {
    this.o = o;
    this.describe = `stdio ${o.command}`;
  }

  /** The last bytes the process wrote to stderr (for messages). */
  get stderr(): string {
    return this.stderrTail;
  }

  async start(): Promise<void> {
    // Its own process group, so closing ends the command and whatever the shell started.
    const child = spawn(this.o.command, {
      shell: true,
      env: this.o.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (let i = out.indexOf('\n'); i !== -1; i = out.indexOf('\n')) {
        const line = out.slice(0, i).replace(/\r$/, '');
        out = out.slice(i + 1);
        if (line.trim() !== '') this.onmessage?.(line);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2_000);
    });
    child.stdin?.on('error', () => undefined); // a dead child: reported through exit
    child.once('exit', (code, signal) => {
      if (this.closing) return;
      const tail = this.stderrTail.trim();
      this.onfault?.(
        new McpEndpointFault(
          `the MCP process exited (${signal ?? `code ${code}`})${tail ? `; its stderr ends: ${excerpt(tail.slice(-400), 400)}` : ''}`,
        ),
      );
    });
    const onAbort = () => void this.close();
    this.o.signal.addEventListener('abort', onAbort, { once: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) =>
        reject(new McpEndpointFault(`cannot start ${this.o.command}: ${e.message}`)),
      );
    });
  }

  async send(message: object): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.child?.exitCode !== null)
      throw new McpEndpointFault(
        `the MCP process is not running${this.stderrTail ? `; stderr: ${excerpt(this.stderrTail.trim(), 400)}` : ''}`,
      );
    await new Promise<void>((resolve) => stdin.write(`${JSON.stringify(message)}\n`, () => resolve()));
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closing) return this.exited;
    this.closing = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const term = setTimeout(() => kill('SIGTERM'), 2_000);
    const hard = setTimeout(() => kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(term);
    clearTimeout(hard);
  }
}
