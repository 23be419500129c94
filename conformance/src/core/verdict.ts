/**
 * Verdicts: expected failures applied, each level judged, the run's verdict and exit code, root causes ranked,
 * draft-era failures told apart, and the report assembled. A blocked check counts against its level like a
 * failure: a level whose checks could not run because of the server's own defects is not conformant.
 */
import { readFileSync } from 'node:fs';
import { redactText } from '../http/client.ts';
import { runnerVersion } from '../version.ts';
import { certifiableVersions, type loadCatalogue } from './catalogue.ts';
import { coverageSummary } from './coverage.ts';
import { type ExpectedFailure, matchExpected } from './expected.ts';
import type { CleanupReport, Counts, LevelReport, Report, RootCause, Verdict } from './report.ts';
import { countResults } from './report.ts';
import { type CheckResult, LEVELS, type Level, type LevelVerdict, type ResolvedCheck } from './types.ts';

/** Mark results listed in the expected-failures baseline (a listed pass is stale). */
export function applyExpected(results: CheckResult[], expected: readonly ExpectedFailure[]): void {
  for (const r of results) {
    const e = matchExpected(expected, r);
    if (!e) continue;
    if (r.status === 'fail' || r.status === 'warn' || r.status === 'blocked')
      r.expectedFailure = { reason: e.reason, stale: false };
    else if (r.status === 'pass') r.expectedFailure = { reason: e.reason, stale: true };
  }
}

/** Whether a result counts against conformance. */
function counts(r: CheckResult, strict: boolean): boolean {
  if (r.expectedFailure) return r.expectedFailure.stale;
  return r.status === 'fail' || r.status === 'blocked' || (strict && r.status === 'warn');
}

interface DraftChange {
  item: string;
  change: string;
  requirements: string[];
}

let draftChanges: DraftChange[] | undefined;

/** SPEC §15 as data (data/draft-changes.json): requirement ID → the documented change since draft 0.2. */
export function draftChangeOf(requirement: string): DraftChange | undefined {
  draftChanges ??= (
    JSON.parse(readFileSync(new URL('../../data/draft-changes.json', import.meta.url), 'utf8')) as {
      changes: DraftChange[];
    }
  ).changes;
  return draftChanges.find((c) => c.requirements.includes(requirement));
}

/** For a draft-era server, say of each failure which documented change since draft 0.2 it trips over. */
export function markDraftChanges(results: CheckResult[]): void {
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    const c = draftChangeOf(r.requirements[0] ?? r.id);
    if (c) r.sinceDraft = `${c.item}: ${c.change}`;
  }
}

/** Failures that block others, the most blocking first (a chain of blocks counts for its first link). */
export function rootCauses(results: readonly CheckResult[]): RootCause[] {
  const byId = new Map<string, CheckResult>();
  for (const r of results) {
    if (!byId.has(r.id)) byId.set(r.id, r);
    const primary = r.requirements[0];
    if (primary && r.status !== 'pass' && r.status !== 'skip' && !byId.get(primary)?.failures.length)
      byId.set(primary, r);
  }
  const root = (r: CheckResult): CheckResult | undefined => {
    const seen = new Set<string>();
    let cur: CheckResult | undefined = r;
    while (cur?.status === 'blocked' && cur.blockedBy && !seen.has(cur.id)) {
      seen.add(cur.id);
      cur = byId.get(cur.blockedBy);
    }
    return cur && cur.status !== 'blocked' ? cur : undefined;
  };
  const tally = new Map<string, { r: CheckResult; n: number }>();
  for (const r of results) {
    if (r.status !== 'blocked') continue;
    const c = root(r);
    if (!c) continue;
    const e = tally.get(c.id) ?? { r: c, n: 0 };
    e.n++;
    tally.set(c.id, e);
  }
  return [...tally.values()]
    .sort((a, b) => b.n - a.n || a.r.id.localeCompare(b.r.id))
    .map(({ r, n }) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      blocks: n,
      message: r.failures[0]?.message ?? r.reason ?? r.status,
    }));
}

/** What a run ends with, before the report is assembled. */
export interface Outcome {
  results: CheckResult[];
  /** Set when the run stopped before the checks (unreachable, configuration error). */
  verdict?: Verdict;
  message?: string;
  /** Levels the health body declares, and those taken as declared when it is unusable. */
  declared?: ReadonlySet<Level>;
  assumed?: ReadonlySet<Level>;
  requested?: ReadonlySet<Level>;
  target?: Partial<Report['target']>;
  cleanup?: CleanupReport | null;
  interrupted?: boolean;
  /** Whether the level mcp is certified through an adapter (whatever the server declares). */
  mcpAdapter?: boolean;
  /** Why the health body could not be taken as declared. */
  healthProblem?: string;
}

/** What the report needs of the run's set-up. */
export interface RunBase {
  runId: string;
  startedAt: string;
  catalogue: ReturnType<typeof loadCatalogue>;
  checks: readonly ResolvedCheck[];
  baseUrl: string;
  bundled: boolean;
  only: string[];
  skip: string[];
  strict: boolean;
  keepData: boolean;
  expectedFailures: number;
  concurrency: number;
  timeoutMs: number;
  secrets: ReadonlyMap<string, string>;
  /** How the version certified against was chosen: by the specVersion option, or what the server declares. */
  versionChosen: 'option' | 'declared';
}

/** Judge one level. */
function judgeLevel(level: Level, o: Outcome, strict: boolean): LevelReport {
  const rs = o.results.filter((r) => r.level === level);
  const declared = o.declared ?? new Set<Level>();
  const assumed = o.assumed ?? declared;
  const requested = o.requested ?? new Set<Level>(['core']);
  const lr: LevelReport = {
    level,
    declared: declared.has(level),
    requested: requested.has(level),
    verdict: 'not_requested',
    counts: countResults(rs),
  };
  if (o.verdict) {
    lr.verdict = requested.has(level) ? 'incomplete' : 'not_requested';
    if (requested.has(level)) lr.reason = o.message ?? '';
    return lr;
  }
  if (!requested.has(level)) return lr;
  // Core is never "not declared": every server implements it, whatever its health body says.
  const adapter = level === 'mcp' && o.mcpAdapter === true;
  if (level !== 'core' && !assumed.has(level) && !adapter) {
    lr.verdict = 'not_declared';
    lr.reason =
      level === 'mcp'
        ? 'the server does not list "mcp" in health.levels and no adapter was given'
        : `the server does not list "${level}" in health.levels`;
    return lr;
  }
  const failing = rs.filter((r) => counts(r, strict) && r.status !== 'blocked');
  const blocked = rs.filter((r) => counts(r, strict) && r.status === 'blocked');
  const errors = rs.filter((r) => r.status === 'error');
  const missing = rs.filter(
    (r) => r.status === 'skip' && (r.skipKind === 'missing-input' || r.skipKind === 'not-run'),
  );
  const deselected = rs.filter((r) => r.status === 'skip' && r.skipKind === 'deselected');
  let v: LevelVerdict = 'conformant';
  if (failing.length || blocked.length) {
    v = 'not_conformant';
    const parts: string[] = [];
    if (failing.length)
      parts.push(
        `${failing.length} failing check(s): ${failing
          .slice(0, 5)
          .map((r) => r.id)
          .join(', ')}${failing.length > 5 ? ', …' : ''}`,
      );
    if (blocked.length) {
      const by = [...new Set(blocked.map((r) => r.blockedBy))].slice(0, 3).join(', ');
      parts.push(`${blocked.length} blocked check(s) (by ${by})`);
    }
    lr.reason = parts.join('; ');
  } else if (errors.length || missing.length) {
    v = 'incomplete';
    lr.reason = [
      errors.length ? `${errors.length} check(s) errored (not the server's fault)` : '',
      missing.length ? `${missing.length} check(s) could not run: ${missing[0]?.reason}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  } else if (deselected.length) {
    v = 'incomplete';
    lr.reason = `partial run: ${rs.length - deselected.length} of ${rs.length} checks selected (only/skip)`;
  }
  lr.verdict = v;
  return lr;
}

/** Assemble the report of one run. */
export function buildReport(base: RunBase, o: Outcome): Report {
  const strict = base.strict;
  const levels = LEVELS.map((l) => judgeLevel(l, o, strict));
  const requested = o.requested ?? new Set<Level>(['core']);
  let verdict: Verdict;
  let exitCode: Report['exitCode'];
  let message: string;
  if (o.verdict) {
    verdict = o.verdict;
    message = o.message ?? verdict;
    exitCode = verdict === 'unreachable' ? 3 : verdict === 'config_error' ? 2 : 1;
  } else {
    const req = levels.filter((l) => l.requested);
    const bad = req.filter((l) => l.verdict === 'not_conformant' || l.verdict === 'not_declared');
    const incomplete = req.filter((l) => l.verdict === 'incomplete');
    const names = (ls: LevelReport[]) => ls.map((l) => l.level).join(', ');
    const blocked = o.results.filter((r) => r.status === 'blocked' && counts(r, strict)).length;
    if (bad.length) {
      verdict = 'not_conformant';
      exitCode = 1;
      message = `not conformant at ${names(bad)}${blocked ? ` (${blocked} check(s) blocked)` : ''}`;
      if (o.healthProblem) message = `${message}; ${o.healthProblem}`;
    } else if (incomplete.length) {
      verdict = 'incomplete';
      const mine = (l: LevelReport) => o.results.filter((r) => r.level === l.level);
      const errors = incomplete.some((l) => mine(l).some((r) => r.status === 'error'));
      const missing = incomplete.some((l) =>
        mine(l).some(
          (r) => r.status === 'skip' && (r.skipKind === 'missing-input' || r.skipKind === 'not-run'),
        ),
      );
      // A partial run (only/skip) whose selected checks all pass exits 0, but certifies nothing.
      exitCode = o.interrupted || errors ? 3 : missing ? 2 : 0;
      message =
        exitCode === 0
          ? `every selected check passes; partial run, not a certification (${names(incomplete)})`
          : `could not certify ${names(incomplete)}: ${incomplete.map((l) => l.reason).join('; ')}`;
    } else {
      verdict = 'conformant';
      exitCode = 0;
      message = `conformant at ${names(req)}`;
    }
    if (o.interrupted) message = `interrupted; ${message}`;
  }
  const summary: Counts = countResults(o.results);
  const finished = Date.now();
  const t = o.target ?? {};
  return {
    reportVersion: '1',
    runner: { name: 'omp-conformance', version: runnerVersion },
    spec: {
      version: base.catalogue.specVersion,
      requirementSetHash: base.catalogue.requirementSetHash,
      chosen: base.versionChosen,
      runnerVersions: certifiableVersions(),
    },
    target: {
      baseUrl: base.baseUrl,
      bundled: base.bundled,
      server: t.server ?? null,
      specVersion: t.specVersion ?? null,
      versions: t.versions ?? [],
      declaredLevels: t.declaredLevels ?? [],
      capabilities: t.capabilities ?? [],
      mcp: t.mcp ?? null,
      draft: t.draft ?? null,
    },
    options: {
      levels: [...requested],
      only: base.only,
      skip: base.skip,
      concurrency: base.concurrency,
      timeoutMs: base.timeoutMs,
      strict,
      keepData: base.keepData,
      credentials: [...base.secrets.keys()],
      expectedFailures: base.expectedFailures,
    },
    runId: base.runId,
    startedAt: base.startedAt,
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - Date.parse(base.startedAt),
    verdict,
    exitCode,
    message: redactText(message, base.secrets),
    levels,
    summary,
    rootCauses: rootCauses(o.results),
    checks: o.results,
    cleanup: o.cleanup ?? null,
    coverage: coverageSummary(base.checks, base.catalogue),
  };
}
