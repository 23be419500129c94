/**
 * Scheduling: which checks run (selection by level, declaration, inputs and the only/skip lists), and running
 * them: a bounded pool of concurrent checks, then the exclusive ones alone. Each check ends as pass, fail/warn,
 * skip, blocked (a precondition failed because of a defect another check shows) or error (the runner's fault).
 */
import { redactText, TransportError } from '../http/client.ts';
import { McpEndpointFault } from '../mcp/transport.ts';
import type { Keyring } from './credentials.ts';
import {
  BlockedSignal,
  CheckContext,
  CheckFailure,
  describeToolNeed,
  findToolKey,
  RateLimitedSignal,
  type RunState,
  SkipSignal,
} from './harness.ts';
import { isAdvisory } from './registry.ts';
import type { CheckResult, Level, ResolvedCheck, SkipKind } from './types.ts';

/** Why a check does not run: skipped, or blocked by a failing check. */
export type NotRun = { kind: SkipKind; reason: string } | { blockedBy: string; reason: string };

/** What selection needs to know of the run. */
export interface Selection {
  only?: string[] | undefined;
  skip?: string[] | undefined;
  requested: ReadonlySet<Level>;
  /** Set when the health body is not JSON: only the health checks can say anything. */
  healthBlocks?: { by: string; reason: string } | undefined;
}

/** Whether an only/skip selector names this check (check ID, requirement ID or prefix). */
export function matchesSelector(c: ResolvedCheck, p: string): boolean {
  const s = p.trim();
  if (!s) return false;
  if (c.id === s || c.requirements.includes(s)) return true;
  return c.id.startsWith(s.endsWith('-') || s.endsWith('.') ? s : `${s}-`) || c.id.startsWith(`${s}.`);
}

/** Why a check does not run, or undefined when it does. */
export function selectionSkip(c: ResolvedCheck, sel: Selection, run: RunState): NotRun | undefined {
  if (sel.only?.length && !sel.only.some((p) => matchesSelector(c, p)))
    return { kind: 'deselected', reason: 'not selected by the only option' };
  if (sel.skip?.some((p) => matchesSelector(c, p)))
    return { kind: 'deselected', reason: 'left out by the skip option' };
  if (!c.versions.includes(run.judgedVersion))
    return {
      kind: 'not-applicable',
      reason: `${c.requirements[0]} is not a requirement of spec ${run.judgedVersion}, the version certified against (it is one of ${c.versions.join(', ') || 'no version'})`,
    };
  if (!sel.requested.has(c.level)) return { kind: 'not-requested', reason: `level ${c.level} not requested` };
  if (sel.healthBlocks && c.area !== 'HEALTH' && c.area !== 'LEVEL')
    return { blockedBy: sel.healthBlocks.by, reason: sel.healthBlocks.reason };
  if (c.level === 'mcp') {
    if (!run.mcp)
      return {
        kind: 'not-applicable',
        reason:
          'the server does not declare level mcp and no adapter was given (the mcpCommand or mcpUrl option)',
      };
  } else if (!run.declared.has(c.level) && c.level !== 'core')
    return { kind: 'not-applicable', reason: `the server does not declare level ${c.level}` };
  for (const n of c.needs) {
    if (n.kind === 'mcp-server' && !run.declared.has('mcp'))
      return {
        kind: 'not-applicable',
        reason:
          "the server does not declare level mcp: its own MCP endpoints are not certified (the adapter's are)",
      };
    if (n.kind === 'mcp-stdio' && run.mcp?.target.kind !== 'stdio')
      return {
        kind: 'not-applicable',
        reason: 'the MCP endpoint under test is not a stdio adapter (the mcpCommand option)',
      };
    if (n.kind === 'capability' && !run.capabilities.has(n.name))
      return { kind: 'not-applicable', reason: `the server does not declare capability ${n.name}` };
    if (n.kind === 'second-principal' && !hasSecond(run.keys))
      return {
        // As for per-tool keys: a check of another level than Full that needs a second principal (one key's
        // Idempotency-Key against another's, say) leaves that level complete without one.
        kind: c.level === 'full' ? 'missing-input' : 'not-applicable',
        reason: 'needs a key of a second principal (the tokenB option)',
      };
    if (n.kind === 'tool-key') {
      if (run.toolKeysBlocked && run.keys.all().some((k) => k.role === 'tool'))
        return { blockedBy: run.toolKeysBlocked.by, reason: run.toolKeysBlocked.reason };
      if (!findToolKey(run.toolKeys, n))
        return {
          // A check of another level that also applies to per-tool keys leaves that level complete without them.
          kind: c.level === 'full' ? 'missing-input' : 'not-applicable',
          reason: `needs a per-tool key ${describeToolNeed(n)} (the toolTokens option)`,
        };
    }
    if (n.kind === 'limit') {
      if (!run.limitsDeclared.has(n.name))
        return { blockedBy: 'OMP-HEALTH-002', reason: `the health body declares no limits.${n.name}` };
      const v = run.limits[n.name];
      if (v > n.atMost)
        return {
          kind: 'not-applicable',
          reason: `declared ${n.name} ${v} is above what this check sends (${n.atMost})`,
        };
    }
  }
  return undefined;
}

function hasSecond(keys: Keyring): boolean {
  return keys.all().some((k) => k.role === 'second');
}

/** The result of a check that did not run. */
export function notRunResult(c: ResolvedCheck, why: NotRun): CheckResult {
  const base = resultBase(c);
  if ('blockedBy' in why) return { ...base, status: 'blocked', blockedBy: why.blockedBy, reason: why.reason };
  return { ...base, status: 'skip', skipKind: why.kind, reason: why.reason };
}

function resultBase(c: ResolvedCheck): Omit<CheckResult, 'status'> {
  return {
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    ...(c.versions.length ? { versions: c.versions } : {}),
    area: c.area,
    rfc: c.rfc,
    level: c.level,
    failures: [],
    notes: [],
    durationMs: 0,
    requests: 0,
  };
}

/** Run one check with its deadline; classify the outcome. */
export async function executeCheck(c: ResolvedCheck, run: RunState, timeoutMs: number): Promise<CheckResult> {
  const t = new CheckContext(c, run);
  const startedAt = performance.now();
  const secrets = run.keys.byLabel();
  const result = (status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
    ...resultBase(c),
    status,
    failures: t.failures,
    notes: t.notes,
    durationMs: Math.round(performance.now() - startedAt),
    requests: t.requests,
    ...extra,
  });
  const failed = () => result(isAdvisory(c.rfc) ? 'warn' : 'fail');
  if (c.invalid) return result('error', { reason: `runner bug: ${c.invalid}` });
  // Each request has its own timeout; this only stops a check that hangs. It is generous, so that a busy
  // machine or a slow server never turns a check into an error.
  const deadline = c.timeoutMs ?? Math.max(120_000, timeoutMs * 6);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deadline);
  });
  try {
    const outcome = await Promise.race([c.run(t).then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') {
      t.abort();
      return result('error', { reason: `check did not finish within ${deadline} ms` });
    }
    return t.failures.length ? failed() : result('pass');
  } catch (e) {
    if (e instanceof McpEndpointFault) {
      t.failures.push({ message: `the MCP endpoint failed: ${redactText(e.message, secrets)}` });
      return failed();
    }
    if (e instanceof CheckFailure) {
      t.failures.push(e.failure);
      return failed();
    }
    // What the check already found stands, whatever stopped it afterwards.
    if (t.failures.length && !(e instanceof TransportError)) return failed();
    if (e instanceof BlockedSignal)
      return result('blocked', {
        blockedBy: e.by,
        reason: redactText(e.message, secrets),
        ...(e.evidence ? { failures: [e.evidence] } : {}),
      });
    if (e instanceof RateLimitedSignal)
      return result('error', { reason: `${redactText(e.message, secrets)} (curl: ${e.exchange.curl})` });
    if (e instanceof SkipSignal) return result('skip', { skipKind: e.kind, reason: e.message });
    if (e instanceof TransportError)
      return result('error', { reason: `network fault (${e.kind}): ${redactText(e.message, secrets)}` });
    const err = e as Error;
    const where = err?.stack?.split('\n')[1]?.trim() ?? '';
    return result('error', { reason: `runner error: ${err?.message ?? String(e)} ${where}`.trim() });
  } finally {
    clearTimeout(timer);
    await t.dispose();
  }
}

/**
 * Run checks: the non-exclusive ones through a pool of `concurrency` workers (the longest first, so the pool
 * drains evenly behind network latency), then each exclusive check alone, in definition order.
 */
export async function runChecks(
  checks: readonly ResolvedCheck[],
  o: {
    run: RunState;
    concurrency: number;
    timeoutMs: number;
    signal: AbortSignal;
    onStart: (c: ResolvedCheck) => void;
    onEnd: (r: CheckResult) => void;
  },
): Promise<void> {
  const parallel = checks.filter((c) => !c.exclusive);
  const exclusive = checks.filter((c) => c.exclusive);
  let next = 0;
  const worker = async () => {
    while (next < parallel.length && !o.signal.aborted) {
      const c = parallel[next++];
      if (!c) break;
      o.onStart(c);
      o.onEnd(await executeCheck(c, o.run, o.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, parallel.length) }, worker));
  for (const c of exclusive) {
    if (o.signal.aborted) break;
    o.onStart(c);
    o.onEnd(await executeCheck(c, o.run, o.timeoutMs));
  }
}

/**
 * Settle blocked results against the run: a blocker that failed (or warned, or errored) stands; one that was not
 * run is said so; one that passed cannot explain the block, so the result becomes an error of the runner (never
 * an accusation).
 */
export function settleBlocked(results: CheckResult[]): void {
  const byId = new Map<string, CheckResult[]>();
  for (const r of results) {
    for (const k of new Set([r.id, r.requirements[0] ?? r.id])) byId.set(k, [...(byId.get(k) ?? []), r]);
  }
  for (const r of results) {
    if (r.status !== 'blocked' || !r.blockedBy) continue;
    const blockers = byId.get(r.blockedBy) ?? [];
    if (
      blockers.some(
        (b) => b.status === 'fail' || b.status === 'warn' || b.status === 'error' || b.status === 'blocked',
      )
    )
      continue;
    if (blockers.length === 0 || blockers.every((b) => b.status === 'skip')) {
      r.reason = `${r.reason ?? ''} (${r.blockedBy} did not run in this run)`.trim();
      continue;
    }
    r.status = 'error';
    r.reason = `a precondition failed although ${r.blockedBy} passes: ${r.reason ?? ''}`;
    delete r.blockedBy;
  }
}
