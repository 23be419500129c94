/**
 * Terminal output: a live progress line (on a TTY) and one line per problem as it happens; then the summary,
 * opening with the root causes (the failures that block the most other checks), then the failures grouped by
 * requirement with identical messages merged (one curl line each), then the verdict per level.
 */
import type { Report } from '../core/report.ts';
import type { RunEvent } from '../core/runner.ts';
import type { CheckResult } from '../core/types.ts';
import {
  certifiedAgainst,
  draftLine,
  draftSplit,
  groupByRequirement,
  mcpEndpoint,
  rootCauseLines,
  stamp,
  statusLabel,
  verdictLabel,
} from './common.ts';

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
        // Details wait for the summary, grouped; blocked checks are summed up under their root cause.
        if (r.status === 'fail' || r.status === 'warn' || r.status === 'error' || this.verbose) {
          this.clearLive();
          this.out.write(`${this.line(r)}\n`);
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
      case 'blocked':
        return this.paint(C.yellow, label);
      default:
        return this.paint(C.grey, label);
    }
  }

  private line(r: CheckResult): string {
    const by = r.blockedBy ? ` by ${r.blockedBy}` : '';
    return `${this.badge(r)}${by} ${r.id} ${this.paint(C.grey, `[${r.rfc} · ${r.level}]`)} ${r.title}${r.reason ? this.paint(C.grey, ` — ${r.reason}`) : ''}`;
  }

  /** Failing checks grouped by requirement, identical messages merged with one curl line each. */
  private groups(title: string, results: readonly CheckResult[]): string {
    const gs = groupByRequirement(results);
    if (!gs.length) return '';
    const out = [this.paint(C.bold, `${title}:`)];
    for (const g of gs) {
      const statuses = [...new Set(g.results.map((r) => statusLabel(r)))].join('/');
      out.push(`  ${g.requirement} (${statuses}) ${this.paint(C.grey, g.results[0]?.title ?? '')}`);
      for (const m of g.messages.slice(0, 5)) {
        const who = g.results.length > 1 ? this.paint(C.grey, ` [${m.checks.join(', ')}]`) : '';
        out.push(`    ${m.message}${who}`);
        if (m.first.curl) out.push(this.paint(C.grey, `    ${m.first.curl}`));
      }
      if (g.messages.length > 5) out.push(this.paint(C.grey, `    … ${g.messages.length - 5} more`));
      const since = g.results.find((r) => r.sinceDraft)?.sinceDraft;
      if (since) out.push(this.paint(C.grey, `    changed since draft 0.2: ${since}`));
    }
    out.push('');
    return out.join('\n');
  }

  /** The final summary block. */
  summary(report: Report): string {
    const out: string[] = [''];
    const causes = rootCauseLines(report);
    if (causes.length) {
      out.push(this.paint(C.bold, 'Fix first:'));
      for (const l of causes) out.push(`  ${this.paint(C.red, l)}`);
      out.push('');
    }
    const draft = draftLine(report);
    const split = draftSplit(report);
    if (draft && split) {
      out.push(this.paint(C.bold, `Draft-era server: ${draft}.`));
      out.push(this.groups('Documented changes since draft 0.2 (SPEC §15)', split.changed));
      out.push(this.groups('Defects under draft 0.2 too', split.defects));
      const errors = report.checks.filter((r) => r.status === 'error');
      if (errors.length) out.push(this.groups("Runner errors (not the server's fault)", errors));
    } else {
      const groups = this.groups('Problems by requirement', report.checks);
      if (groups) out.push(groups);
    }
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
        `  ${l.level.padEnd(7)} ${this.paint(color, verdictLabel(l.verdict).padEnd(15))} ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.blocked} blocked, ${c.skip} skip, ${c.error} error${l.reason ? this.paint(C.grey, ` — ${l.reason}`) : ''}`,
      );
    }
    const mcp = mcpEndpoint(report);
    if (mcp) out.push(this.paint(C.grey, `  ${mcp}`));
    out.push(this.paint(C.grey, `  ${certifiedAgainst(report)}`));
    if (report.cleanup) {
      const k = report.cleanup;
      const residue = k.residue === null ? `unknown (${k.unverified ?? 'not verified'})` : String(k.residue);
      out.push(
        this.paint(
          k.residue !== 0 ? C.yellow : C.grey,
          `  cleanup: ${k.created} created, ${k.deleted + k.swept} deleted, residue ${residue}${k.warnings.length ? ` (${k.warnings.join('; ')})` : ''}`,
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
