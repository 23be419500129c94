/**
 * A run-wide watch over every exchange the checks make: whatever a check asserted, each error response must carry
 * the JSON error envelope and each body a JSON Content-Type, and each 204 no body. Two checks report what it saw.
 */
import { validatorFor } from '@omp-kit/schemas';
import type { Exchange } from '../http/client.ts';
import { isJsonContentType } from './assert.ts';

/** One exchange that broke a run-wide rule. */
export interface Violation {
  rule: 'envelope' | 'content-type' | 'key-echo' | 'retry-after';
  message: string;
  exchange: Exchange;
}

const KEEP = 20;

/** Collects violations (at most 20 of each rule, plus counts). */
export class ExchangeMonitor {
  readonly violations: Violation[] = [];
  readonly counts = { envelope: 0, 'content-type': 0, 'key-echo': 0, 'retry-after': 0, seen: 0 };
  /** 429 and 503 answers met during the run (checks wait them out; OMP-ERR-007/-008 judge their Retry-After). */
  readonly busy: Exchange[] = [];
  /** Off during preflight and cleanup. */
  active = false;

  observe = (e: Exchange): void => {
    if (!this.active || e.status === null) return;
    this.counts.seen++;
    if ((e.status === 429 || e.status === 503) && this.busy.length < KEEP) this.busy.push(e);
    // The key a request presented must never come back (redacted keys come back as their placeholder).
    const presented = /^\S+\s+(\S{8,})$/.exec(e.requestHeaders.authorization ?? '')?.[1];
    if (
      presented &&
      ((e.responseBody ?? '').includes(presented) ||
        Object.values(e.responseHeaders).some((v) => v.includes(presented)))
    )
      this.add('key-echo', `${e.status} response contains the key the request presented`, e);
    const ct = e.responseHeaders['content-type'];
    const complete =
      e.responseBody !== null && Buffer.byteLength(e.responseBody, 'utf8') === e.responseBodyBytes;
    if (e.status === 204) {
      if (e.responseBodyBytes > 0) this.add('content-type', `204 with a ${e.responseBodyBytes}-byte body`, e);
      return;
    }
    if (e.responseBodyBytes > 0 && !isJsonContentType(ct))
      this.add('content-type', `${e.status} body with Content-Type ${JSON.stringify(ct ?? null)}`, e);
    if (e.status >= 400 && complete) {
      let body: unknown;
      try {
        body = JSON.parse(e.responseBody as string);
      } catch {
        this.add('envelope', `${e.status} whose body is not JSON`, e);
        return;
      }
      if (!validatorFor('error')(body))
        this.add('envelope', `${e.status} whose body is not a valid error envelope`, e);
    } else if (e.status >= 400 && e.responseBodyBytes === 0)
      this.add('envelope', `${e.status} with an empty body`, e);
  };

  private add(rule: Violation['rule'], message: string, exchange: Exchange): void {
    this.counts[rule]++;
    if (this.violations.filter((v) => v.rule === rule).length < KEEP)
      this.violations.push({ rule, message, exchange });
  }
}
