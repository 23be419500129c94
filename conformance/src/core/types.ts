/** Shared vocabulary of the runner: levels, outcomes, check definitions and results. */
import type { Exchange } from '../http/client.ts';

/** Compliance profiles (SPEC: levels are capability profiles; core is mandatory). */
export type Level = 'core' | 'search' | 'full' | 'mcp' | 'control';
export const LEVELS: readonly Level[] = ['core', 'search', 'full', 'mcp', 'control'];

/** RFC 2119 keyword of a requirement, as the catalogue writes it. */
export type Rfc2119 = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY' | (string & {});

/**
 * Outcome of one check. `blocked`: a precondition failed because of a server defect that another check shows
 * (named in `blockedBy`); it counts against the level like a failure, and the report points at the cause.
 * `error` is a runner or network fault and never counts against the server.
 */
export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'blocked' | 'error';

/**
 * Why a check was skipped. `not-applicable`: the server does not declare the level/capability (no effect on a
 * verdict); `missing-input`: the runner was not given what it needs (e.g. a second principal's key), so the
 * level stays unproven; `not-requested`: its level was not requested; `deselected`: left out by the only/skip
 * selection (the run is partial and certifies nothing); `not-run`: the run stopped before it (unreachable
 * server, configuration error, interrupt).
 */
export type SkipKind = 'not-applicable' | 'missing-input' | 'not-requested' | 'deselected' | 'not-run';

/** Something a check needs before it can run. */
export type Need =
  | { kind: 'capability'; name: string }
  /** A global key of a second principal. */
  | { kind: 'second-principal' }
  | {
      kind: 'tool-key';
      scopes?: 'read' | 'write' | 'read-only' | 'write-only' | 'read-write';
      readScope?: 'all' | 'own';
    }
  | { kind: 'limit'; name: 'max_body_bytes' | 'max_import_bytes'; atMost: number }
  /** The server's own MCP endpoints (health declares level mcp), whatever the MCP endpoint under test. */
  | { kind: 'mcp-server' }
  /** The MCP endpoint under test is a stdio command (an adapter started by the runner). */
  | { kind: 'mcp-stdio' };

/** A check as written in a checks file: ids, title, needs and the function. */
export interface CheckSpec {
  /** Stable ID: the primary requirement ID, optionally `.suffix` when several checks verify it. */
  id: string;
  /** Requirement IDs verified, primary first (the primary sets RFC level and compliance level). */
  requirements: string[];
  /** Starts with the RFC 2119 keyword, e.g. 'MUST return 201 with the stored memory'. */
  title: string;
  needs: Need[];
  /** Runs alone (nothing else in flight): for checks reading caller-wide counters. */
  exclusive: boolean;
  /** Soft deadline for the whole check in ms (defaults from the run options). */
  timeoutMs?: number;
  /** The spec versions it applies to, when not derived from the catalogues (see registry.ts). */
  versions?: string[];
  run: (t: import('./harness.ts').CheckContext) => Promise<void>;
}

/** A check after the catalogue lookup. */
export interface ResolvedCheck extends CheckSpec {
  /** The spec versions the check applies to; under any other it is not applicable. */
  versions: string[];
  area: string;
  rfc: Rfc2119;
  level: Level;
  /** Why the check cannot be resolved (unknown requirement ID); reported as error. */
  invalid?: string;
}

/** One failed assertion, with the exchange that shows it. */
export interface Failure {
  message: string;
  exchange?: Exchange;
  curl?: string;
}

/** The result of one check. */
export interface CheckResult {
  id: string;
  title: string;
  requirements: string[];
  /** The spec versions the check applies to (absent for the runner's own pseudo-checks). */
  versions?: string[];
  area: string;
  rfc: Rfc2119;
  level: Level;
  status: Status;
  skipKind?: SkipKind;
  /** For `blocked`: the ID of the check whose failure keeps this one from running. */
  blockedBy?: string;
  reason?: string;
  failures: Failure[];
  notes: string[];
  durationMs: number;
  requests: number;
  /** For a draft-era server: the documented change since draft 0.2 (SPEC §15) this failure trips over. */
  sinceDraft?: string;
  /** Listed in the expected-failures file: a fail that does not count, or a pass that makes the entry stale. */
  expectedFailure?: { reason: string; stale: boolean };
}

/** Verdict of one level. */
export type LevelVerdict = 'conformant' | 'not_conformant' | 'incomplete' | 'not_declared' | 'not_requested';
