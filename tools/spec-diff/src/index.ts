/** Public API of omp-spec-diff: load two spec versions, compare them, render the report. */
export { diffSpecs, hasBreaking } from './diff/index.ts';
export { severityOf, severityTable } from './diff/severity.ts';
export { schemaDirResolver } from './load/resolver.ts';
export {
  dereference,
  loadSpecVersion,
  locateVersion,
  type Requirement,
  resolverFor,
  SpecLoadError,
  type SpecVersion,
} from './load/version.ts';
export { type Format, formatReport, formats } from './report.ts';
export type { Change, ChangeKind, DiffReport, Direction, Severity } from './types.ts';
