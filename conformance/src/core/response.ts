/**
 * Response assertions. Each asserts only what a check's own requirement names: the status, the error code, a
 * member. Whole-body shapes are not asserted here: every body read is handed to the run's shape watch, whose
 * findings fail the one requirement per response kind that is about the shape (see shapes.ts).
 */
import type { HttpResponse } from '../http/client.ts';
import { short } from './assert.ts';
import type { ShapeKind } from './shapes.ts';

/** What a response reports to: the owning check. */
export interface Judge {
  /** Fail the check now with this message and the exchange. */
  fail(message: string, res?: Res): never;
  /** Hand a body read as `kind` to the run's shape watch. */
  observeShape(kind: ShapeKind, res: Res): void;
  /** Stop the check: a precondition the server does not meet, shown failing by check `by`. */
  block(by: string, reason: string, res?: Res): never;
}

/** One response plus assertions that fail the owning check with the exchange attached. */
export class Res {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
  readonly raw: HttpResponse;
  private readonly judge: Judge;
  private parsed: { ok: true; value: unknown } | { ok: false } | undefined;

  constructor(judge: Judge, raw: HttpResponse) {
    this.judge = judge;
    this.raw = raw;
    this.status = raw.status;
    this.headers = raw.headers;
    this.text = raw.text;
  }

  /** Parsed JSON body, or undefined when the body is not JSON. */
  get json(): unknown {
    if (!this.parsed) {
      try {
        this.parsed = { ok: true, value: JSON.parse(this.text) };
      } catch {
        this.parsed = { ok: false };
      }
    }
    return this.parsed.ok ? this.parsed.value : undefined;
  }

  /** Whether the body parsed as JSON. */
  get isJson(): boolean {
    void this.json;
    return this.parsed?.ok === true;
  }

  /** A one-line description of what came back, for messages. */
  describe(): string {
    const ct = this.headers['content-type'] ?? 'no Content-Type';
    const env = this.envelopeCode();
    return `${this.status}${env ? ` ${env}` : ''} (${ct}): ${short(this.text.replace(/\s+/g, ' '), 160)}`;
  }

  /** The `error` member when the body is an object carrying one. */
  envelopeCode(): string | undefined {
    const j = this.json;
    if (j && typeof j === 'object' && !Array.isArray(j)) {
      const e = (j as Record<string, unknown>).error;
      if (typeof e === 'string') return e;
    }
    return undefined;
  }

  /**
   * Assert the status and a JSON body; returns the body typed as T. `kind` names what the body is, for the shape
   * watch: a shape fault is reported under that kind's own requirement, never under the calling check.
   */
  expect<T = unknown>(status: number, kind?: ShapeKind): T {
    if (this.status !== status) this.judge.fail(`expected ${status}, got ${this.describe()}`, this);
    return this.expectBody<T>(kind);
  }

  /** Assert a JSON body (any Content-Type: that is OMP-HTTP-001's), whatever the status. */
  expectBody<T = unknown>(kind?: ShapeKind): T {
    if (!this.isJson) this.judge.fail(`body is not JSON: ${short(this.text, 160)}`, this);
    if (kind) this.judge.observeShape(kind, this);
    if (kind === 'memory') this.sameMemory();
    return this.json as T;
  }

  /**
   * The answer to a set-up call (the check is about what follows): any 2xx with a JSON object will do; anything
   * else blocks the check by `blocker`, the check of that call's own behaviour.
   */
  setUp<T = Record<string, unknown>>(blocker: string, kind?: ShapeKind): T {
    const j = this.json;
    if (this.status < 200 || this.status > 299 || !j || typeof j !== 'object' || Array.isArray(j))
      this.judge.block(blocker, `a set-up request failed: ${this.describe()}`, this);
    if (kind) this.judge.observeShape(kind, this);
    return j as T;
  }

  /** A JSON object body (a memory, a list envelope…); fails when the body is JSON but not an object. */
  expectObject<T = Record<string, unknown>>(status: number, kind?: ShapeKind): T {
    const body = this.expect<unknown>(status, kind);
    if (!body || typeof body !== 'object' || Array.isArray(body))
      this.judge.fail(`expected a JSON object, got ${short(body)}`, this);
    return body as T;
  }

  /** A memory answered for `/v1/memories/{id}` must be that memory, not another one (e.g. a canned example). */
  private sameMemory(): void {
    const { method, url } = this.raw.exchange;
    if (method !== 'GET' && method !== 'PUT') return;
    const m = /\/v1\/memories\/([^/?]+)(?:\?|$)/.exec(url);
    if (!m?.[1] || m[1] === 'search') return;
    const id = (this.json as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id !== decodeURIComponent(m[1]))
      this.judge.fail(`${method} of ${decodeURIComponent(m[1])} answered memory ${JSON.stringify(id)}`, this);
  }

  /**
   * Assert an error: the status and (optionally) the code in the `error` member. The rest of the envelope
   * (`message`, `details`) is OMP-ERR-001's, judged over the whole run.
   */
  expectError(
    status: number,
    code?: string,
  ): { error: string; message: string; details: Record<string, unknown> } {
    if (this.status !== status || (code && this.envelopeCode() !== code))
      this.judge.fail(`expected ${status}${code ? ` ${code}` : ''}, got ${this.describe()}`, this);
    const j = this.json as Record<string, unknown> | undefined;
    const details = j?.details;
    return {
      error: String(j?.error ?? ''),
      message: typeof j?.message === 'string' ? j.message : '',
      details:
        details && typeof details === 'object' && !Array.isArray(details)
          ? (details as Record<string, unknown>)
          : {},
    };
  }

  /** Assert a 204 with an empty body. */
  expectNoContent(): void {
    if (this.status !== 204) this.judge.fail(`expected 204, got ${this.describe()}`, this);
    if (this.raw.bytes !== 0)
      this.judge.fail(`a 204 must have an empty body, got ${this.raw.bytes} bytes`, this);
  }

  /** Assert the status is not 5xx. */
  expectNot5xx(): void {
    if (this.status >= 500) this.judge.fail(`server error: ${this.describe()}`, this);
  }
}
