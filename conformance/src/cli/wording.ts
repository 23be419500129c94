/**
 * The library names its options by field ("the tokenB option"); a CLI user knows them as flags. This maps the
 * one vocabulary onto the other in everything the CLI prints or writes.
 */
import type { Report } from '../core/report.ts';
import type { RunEvent } from '../core/runner.ts';
import type { CheckResult } from '../core/types.ts';

const FLAGS: ReadonlyArray<[RegExp, string]> = [
  [/the mcpCommand or the mcpUrl option/g, '--mcp-command or --mcp-url'],
  [/the mcpCommand or mcpUrl option/g, '--mcp-command / --mcp-url'],
  [/the token option/g, '--token / OMP_TOKEN'],
  [/the tokenB option/g, '--token-b / OMP_TOKEN_B'],
  [/the toolTokens option/g, '--tool-token name=KEY'],
  [/the mcpCommand option/g, '--mcp-command'],
  [/the mcpCommand sets/g, 'the --mcp-command sets'],
  [/the mcpUrl option/g, '--mcp-url'],
  [/the specVersion option/g, '--spec-version'],
  [/the only option/g, '--only'],
  [/the skip option/g, '--skip'],
  [/only\/skip/g, '--only/--skip'],
  [/keepData/g, '--keep-data'],
  [/(?<=^|\W)token(?= (?:is|belongs|must)\b)/g, '--token'],
];

/** One library message in the CLI's words. */
export function inFlags(s: string): string {
  let out = s;
  for (const [re, flag] of FLAGS) out = out.replace(re, flag);
  return out;
}

function result(r: CheckResult): CheckResult {
  return r.reason === undefined ? r : { ...r, reason: inFlags(r.reason) };
}

/** A report with every message in the CLI's words. */
export function reportInFlags(r: Report): Report {
  return {
    ...r,
    message: inFlags(r.message),
    levels: r.levels.map((l) => (l.reason === undefined ? l : { ...l, reason: inFlags(l.reason) })),
    checks: r.checks.map(result),
    rootCauses: r.rootCauses.map((c) => ({ ...c, message: inFlags(c.message) })),
    cleanup: r.cleanup
      ? {
          ...r.cleanup,
          warnings: r.cleanup.warnings.map(inFlags),
          ...(r.cleanup.unverified !== undefined ? { unverified: inFlags(r.cleanup.unverified) } : {}),
        }
      : null,
  };
}

/** A progress event in the CLI's words. */
export function eventInFlags(e: RunEvent): RunEvent {
  switch (e.type) {
    case 'preflight':
      return { ...e, message: inFlags(e.message) };
    case 'check-end':
      return { ...e, result: result(e.result) };
    case 'end':
      return { ...e, report: reportInFlags(e.report) };
    default:
      return e;
  }
}
