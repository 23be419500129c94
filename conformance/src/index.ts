/** omp-conformance: certify any OMP server. `runConformance` returns the (redacted) report object. */

export { startBundled } from './bundled.ts';
export { allChecks } from './checks/index.ts';
export { parseExpectedFailures, readExpectedFailures } from './core/expected.ts';
export type { CheckOptions } from './core/registry.ts';
export { check } from './core/registry.ts';
export type { CleanupReport, Counts, LevelReport, Report, RootCause, Verdict } from './core/report.ts';
export { reportSchemaPath, validateReport } from './core/report-schema.ts';
export type { RunEvent, RunOptions } from './core/runner.ts';
export { runConformance } from './core/runner.ts';
export type { CheckResult, Level, LevelVerdict, SkipKind, Status } from './core/types.ts';
export { renderBadges } from './reporters/badge.ts';
export { renderHtml } from './reporters/html.ts';
export { renderJson, writeReports } from './reporters/index.ts';
export { renderJunit } from './reporters/junit.ts';
export { renderMarkdown } from './reporters/markdown.ts';
export { runnerVersion } from './version.ts';
