/** The report object: what `runConformance` returns and every reporter renders (schema: schemas/report.schema.json). */
import type { CheckResult, Level, LevelVerdict } from './types.ts';

/** Overall outcome of a run. */
export type Verdict = 'conformant' | 'not_conformant' | 'incomplete' | 'unreachable' | 'config_error';

/** One level's verdict and counts. */
export interface LevelReport {
  level: Level;
  declared: boolean;
  requested: boolean;
  verdict: LevelVerdict;
  reason?: string;
  counts: Counts;
}

/** Outcome counts. */
export interface Counts {
  total: number;
  pass: number;
  fail: number;
  warn: number;
  skip: number;
  blocked: number;
  error: number;
}

/** A failure that keeps other checks from running: fixing it first unblocks them. */
export interface RootCause {
  /** The failing check. */
  id: string;
  title: string;
  status: CheckResult['status'];
  /** How many checks it blocks, directly or through other blocked checks. */
  blocks: number;
  /** Its first failure message (or reason). */
  message: string;
}

/** What cleanup did. */
export interface CleanupReport {
  kept: boolean;
  created: number;
  deleted: number;
  alreadyGone: number;
  swept: number;
  /** Memories of the run still there after cleanup; null when that could not be verified (see `unverified`). */
  residue: number | null;
  /** Why the residue could not be verified. */
  unverified?: string;
  warnings: string[];
}

/** The full report of one run. */
export interface Report {
  reportVersion: '1';
  runner: { name: 'omp-conformance'; version: string };
  /** The spec version certified against, the hash of its requirement catalogue, and how it was chosen. */
  spec: {
    version: string;
    requirementSetHash: string;
    /** `option`: named by the specVersion option; `declared`: the newest version both runner and server speak. */
    chosen: 'option' | 'declared';
    /** Every version this runner can certify against. */
    runnerVersions: string[];
  };
  target: {
    baseUrl: string;
    bundled: boolean;
    server: { name: string; version: string } | null;
    specVersion: string | null;
    /** The versions the health body lists (`versions`, else `[version]`). */
    versions: string[];
    declaredLevels: string[];
    capabilities: string[];
    /** The MCP endpoint certified at level mcp: an adapter, or the server's own /mcp; null when none. */
    mcp: { transport: 'stdio' | 'streamable-http'; endpoint: string; adapter: boolean } | null;
    /** Set when the health body is the published draft's (`compliance`, or version 0.1/0.2). */
    draft: { version: string | null; compliance: string | null } | null;
  };
  options: {
    levels: Level[];
    only: string[];
    skip: string[];
    concurrency: number;
    timeoutMs: number;
    strict: boolean;
    keepData: boolean;
    credentials: string[];
    expectedFailures: number;
  };
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: Verdict;
  exitCode: 0 | 1 | 2 | 3;
  message: string;
  levels: LevelReport[];
  summary: Counts;
  /** Failures that block other checks, the most blocking first: what to fix first. */
  rootCauses: RootCause[];
  checks: CheckResult[];
  cleanup: CleanupReport | null;
  coverage: { requirements: number; testable: number; covered: number; excluded: number };
}

/** Count outcomes of a list of results. */
export function countResults(results: readonly CheckResult[]): Counts {
  const c: Counts = { total: results.length, pass: 0, fail: 0, warn: 0, skip: 0, blocked: 0, error: 0 };
  for (const r of results) c[r.status]++;
  return c;
}
