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
  error: number;
}

/** What cleanup did. */
export interface CleanupReport {
  kept: boolean;
  created: number;
  deleted: number;
  alreadyGone: number;
  swept: number;
  residue: number;
  warnings: string[];
}

/** The full report of one run. */
export interface Report {
  reportVersion: '1';
  runner: { name: 'omp-conformance'; version: string };
  spec: { version: string; requirementSetHash: string };
  target: {
    baseUrl: string;
    bundled: boolean;
    server: { name: string; version: string } | null;
    specVersion: string | null;
    declaredLevels: string[];
    capabilities: string[];
    /** The MCP endpoint certified at level mcp: an adapter, or the server's own /mcp; null when none. */
    mcp: { transport: 'stdio' | 'streamable-http'; endpoint: string; adapter: boolean } | null;
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
  checks: CheckResult[];
  cleanup: CleanupReport | null;
  coverage: { requirements: number; testable: number; covered: number; excluded: number };
}

/** Count outcomes of a list of results. */
export function countResults(results: readonly CheckResult[]): Counts {
  const c: Counts = { total: results.length, pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) c[r.status]++;
  return c;
}
