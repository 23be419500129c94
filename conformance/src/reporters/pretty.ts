/**
 * Terminal output: a live progress line (on a TTY), each problem printed as it happens, then verdicts per level
 * and the per-area summary.
 */
import type { Report } from '../core/report.ts';
import type { RunEvent } from '../core/runner.ts';
import type { CheckResult } from '../core/types.ts';
import { mcpEndpoint, stamp, statusLabel, verdictLabel } from './common.ts';

/** Minimal writable stream interface. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

const C = { red: 31, green: 32, yellow: 33, magenta: 35, grey: 90, bold: 1 } as const;

/** A pretty reporter bound to an output stream; `onEvent` is the runner's progress hook. */
export class PrettyReporter {
  private readonly out: Out;
  private readonly color: boolean;
  private readonly verbose: boolean;
  private live = false;

  constructor(out: Out, o: { color?: boolean; verbose?: boolean } = {}) {
    this.out = out;
    this.color = o.color ?? (out.isTTY === true && !process.env.NO_COLOR);
    this.verbose = o.verbose ?? false;
  }

  private paint(code: number, s: string): string {
    return this.color ? `\u001b[${code}m${s}\u001b[0m` : s;
  }

  private clearLive(): void {
    if (this.live) {
      this.out.write('\r\u001b[2K');
      this.live = false;
    }
  }

  /** Progress hook. */
  onEvent = (e: RunEvent): void => {
    switch (e.type) {
      case 'preflight':
        this.out.write(`${this.paint(C.grey, e.message)}\n`);
        break;
      case 'start':
        this.out.write(`${e.runnable} of ${e.total} checks to run\n`);
        break;
      case 'check-end': {
        const r = e.result;
        if (r.status === 'fail' || r.status === 'warn' || r.status === 'error' || this.verbose) {
          this.clearLive();
          this.out.write(`${this.line(r)}\n`);
          if (r.status !== 'pass')
            for (const f of r.failures.slice(0, 3)) this.out.write(`${this.failureLines(f)}\n`);
        }
        if (this.out.isTTY) {
          this.clearLive();
          this.out.write(this.paint(C.grey, `[${e.done}/${e.total}] ${r.id}`));
          this.live = true;
        }
        break;
      }
      case 'cleanup':
        this.clearLive();
        break;
      case 'end':
        this.clearLive();
        this.out.write(this.summary(e.report));
        break;
      default:
        break;
    }
  };

  private badge(r: CheckResult): string {
    const label = statusLabel(r).toUpperCase();
    if (r.expectedFailure && !r.expectedFailure.stale) return this.paint(C.grey, label);
    switch (r.status) {
      case 'pass':
        return this.paint(r.expectedFailure?.stale ? C.red : C.green, label);
      case 'fail':
        return this.paint(C.red, label);
      case 'warn':
        return this.paint(C.yellow, label);
      case 'error':
        return this.paint(C.magenta, label);
      default:
        return this.paint(C.grey, label);
    }
  }

  private line(r: CheckResult): string {
    return `${this.badge(r)} ${r.id} ${this.paint(C.grey, `[${r.rfc} · ${r.level}]`)} ${r.title}${r.reason ? this.paint(C.grey, ` — ${r.reason}`) : ''}`;
  }

  private failureLines(f: CheckResult['failures'][number]): string {
    const lines = [`    ${f.message}`];
    if (f.curl) lines.push(this.paint(C.grey, `    ${f.curl}`));
    return lines.join('\n');
  }

  /** The final summary block. */
  summary(report: Report): string {
    const out: string[] = [''];
    for (const l of report.levels) {
      if (!l.requested && !l.declared) continue;
      const color =
        l.verdict === 'conformant'
          ? C.green
          : l.verdict === 'not_conformant'
            ? C.red
            : l.verdict === 'incomplete'
              ? C.yellow
              : C.grey;
      const c = l.counts;
      out.push(
        `  ${l.level.padEnd(7)} ${this.paint(color, verdictLabel(l.verdict).padEnd(15))} ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error${l.reason ? this.paint(C.grey, ` — ${l.reason}`) : ''}`,
      );
    }
    const mcp = mcpEndpoint(report);
    if (mcp) out.push(this.paint(C.grey, `  ${mcp}`));
    if (report.cleanup) {
      const k = report.cleanup;
      out.push(
        this.paint(
          k.residue ? C.yellow : C.grey,
          `  cleanup: ${k.created} created, ${k.deleted + k.swept} deleted, residue ${k.residue}${k.warnings.length ? ` (${k.warnings.join('; ')})` : ''}`,
        ),
      );
    }
    const color =
      report.verdict === 'conformant' ? C.green : report.verdict === 'incomplete' ? C.yellow : C.red;
    out.push('');
    out.push(
      `${this.paint(C.bold, 'Verdict:')} ${this.paint(color, verdictLabel(report.verdict))} — ${report.message}`,
    );
    out.push(this.paint(C.grey, `${stamp(report)} · ${report.durationMs} ms · exit ${report.exitCode}`));
    out.push('');
    return out.join('\n');
  }
}
