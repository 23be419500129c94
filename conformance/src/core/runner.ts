/**
 * One conformance run: preflight (health, keys), selection (level, capability, credentials, --only/--skip),
 * bounded concurrent execution with exclusive checks alone, cleanup with a residue check, verdicts.
 */
import { randomBytes } from 'node:crypto';
import { validatorFor } from '@omp-kit/schemas';
import { HttpClient, redactText, TransportError } from '../http/client.ts';
import { McpMonitor } from '../mcp/session.ts';
import { commandSets, McpRun, type McpTarget } from '../mcp/target.ts';
import { McpEndpointFault } from '../mcp/transport.ts';
import { runnerVersion } from '../version.ts';
import { loadCatalogue } from './catalogue.ts';
import { cleanupRun } from './cleanup.ts';
import {
  CheckContext,
  CheckFailure,
  describeToolNeed,
  findToolKey,
  type RunState,
  SkipSignal,
  type ToolKey,
} from './context.ts';
import { coverageSummary } from './coverage.ts';
import { type ExpectedFailure, matchExpected } from './expected.ts';
import { Ledger } from './ledger.ts';
import { ExchangeMonitor } from './monitor.ts';
import { isAdvisory, resolveChecks } from './registry.ts';
import {
  type CleanupReport,
  type Counts,
  countResults,
  type LevelReport,
  type Report,
  type Verdict,
} from './report.ts';
import {
  type CheckResult,
  type CheckSpec,
  LEVELS,
  type Level,
  type LevelVerdict,
  type ResolvedCheck,
  type SkipKind,
} from './types.ts';
import type { Health, Principal } from './wire.ts';

/** Progress events for live reporters. */
export type RunEvent =
  | { type: 'preflight'; message: string }
  | { type: 'start'; total: number; runnable: number }
  | { type: 'check-start'; id: string }
  | { type: 'check-end'; result: CheckResult; done: number; total: number }
  | { type: 'cleanup' }
  | { type: 'end'; report: Report };

/** Options of one run (the CLI maps its flags onto these). */
export interface RunOptions {
  baseUrl: string;
  token?: string;
  tokenB?: string;
  /** Per-tool keys: tool name → key. */
  toolTokens?: Record<string, string>;
  /** Levels to certify; default: every level the server declares (core always). */
  levels?: Level[];
  /** Check IDs, requirement IDs or ID prefixes (e.g. OMP-CRUD) to run / leave out. */
  only?: string[];
  skip?: string[];
  timeoutMs?: number;
  concurrency?: number;
  keepData?: boolean;
  expectedFailures?: ExpectedFailure[];
  strict?: boolean;
  /** Set when the target is the bundled reference server (stamped in the report). */
  bundled?: boolean;
  onEvent?: (e: RunEvent) => void;
  signal?: AbortSignal;
  /** Checks to run instead of the built-in suite (tests). */
  checks?: readonly CheckSpec[];
  /** Certify a stdio MCP adapter: this command line, started with OMP_SERVER and OMP_API_KEY set. */
  mcpCommand?: string;
  /** Certify an MCP endpoint over Streamable HTTP at this URL (with the same keys as bearer tokens). */
  mcpUrl?: string;
}

const CERTIFIABLE: readonly Level[] = ['core', 'search', 'full', 'mcp'];

/** The MCP endpoint a run certifies: the adapter given, else the server's own /mcp when it declares mcp. */
function mcpTargetOf(opts: RunOptions, baseUrl: string, declared: ReadonlySet<Level>): McpTarget | null {
  if (opts.mcpCommand !== undefined)
    return {
      kind: 'stdio',
      command: opts.mcpCommand,
      fixedKey: commandSets(opts.mcpCommand, 'OMP_API_KEY'),
      fixedTool: commandSets(opts.mcpCommand, 'OMP_TOOL'),
    };
  if (opts.mcpUrl !== undefined) return { kind: 'http', url: opts.mcpUrl };
  if (declared.has('mcp')) return { kind: 'server', url: `${baseUrl}/mcp` };
  return null;
}

/** What the report says of the MCP endpoint under test (keys written on a command line are redacted). */
export function describeMcpTarget(
  t: McpTarget | null,
  redact: (s: string) => string,
): Report['target']['mcp'] {
  if (!t) return null;
  if (t.kind === 'stdio')
    return {
      transport: 'stdio',
      endpoint: redact(t.command).replace(/(OMP_API_KEY=)("[^"]*"|'[^']*'|[^\s<]\S*)/g, '$1<redacted>'),
      adapter: true,
    };
  return { transport: 'streamable-http', endpoint: redact(t.url), adapter: t.kind === 'http' };
}

/** Run the suite against one server and return the report (never throws for server behaviour). */
export async function runConformance(opts: RunOptions): Promise<Report> {
  const started = Date.now();
  const catalogue = loadCatalogue();
  const specs = opts.checks ?? (await import('../checks/index.ts')).allChecks();
  const checks = resolveChecks(specs, catalogue.entries);
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const runId = randomBytes(4).toString('hex');
  const credentials = new Map<string, string>();
  if (opts.token) credentials.set('token-a', opts.token);
  if (opts.tokenB) credentials.set('token-b', opts.tokenB);
  for (const [name, token] of Object.entries(opts.toolTokens ?? {})) credentials.set(`tool:${name}`, token);
  const monitor = new ExchangeMonitor();
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const client = new HttpClient({
    baseUrl: opts.baseUrl,
    timeoutMs,
    maxConnections: concurrency * 2,
    secrets: () => credentials,
    onExchange: (e) => monitor.observe(e),
  });
  const emit = (e: RunEvent) => opts.onEvent?.(e);

  const base = {
    runId,
    startedAt: new Date(started).toISOString(),
    catalogue,
    checks,
    opts,
    concurrency,
    timeoutMs,
    credentials,
  };

  try {
    // Preflight 1: the health body tells levels, capabilities and limits; without it nothing else is meaningful.
    emit({ type: 'preflight', message: `GET ${client.baseUrl}/v1/health` });
    let healthRes: Awaited<ReturnType<HttpClient['send']>>;
    try {
      healthRes = await client.send({
        method: 'GET',
        path: '/v1/health',
        credential: null,
        signal: controller.signal,
      });
    } catch (e) {
      const msg = e instanceof TransportError ? `${e.kind}: ${e.message}` : String(e);
      return finish(base, {
        verdict: 'unreachable',
        message: `server unreachable at ${client.baseUrl}: ${msg}`,
        results: skipAll(checks, 'blocked', 'server unreachable'),
      });
    }
    let health: Health | undefined;
    let healthProblem: string | undefined;
    try {
      const body = JSON.parse(healthRes.text) as unknown;
      if (healthRes.status !== 200) healthProblem = `GET /v1/health answered ${healthRes.status}`;
      else if (!validatorFor('health')(body))
        healthProblem = 'GET /v1/health body is not a valid OMP health body';
      else health = body as Health;
    } catch {
      const ct = healthRes.headers['content-type'] ?? 'no Content-Type';
      healthProblem = `GET /v1/health answered ${healthRes.status} with ${ct}, not JSON: this does not look like an OMP server (wrong URL or port?)`;
    }

    const declared = new Set<Level>((health?.levels ?? []) as Level[]);
    const capabilities = new Set<string>(health?.capabilities ?? []);
    const requested = new Set<Level>(opts.levels?.length ? ['core', ...opts.levels] : ['core']);
    if (!opts.levels?.length) for (const l of declared) if (CERTIFIABLE.includes(l)) requested.add(l);
    const mcpTarget = health ? mcpTargetOf(opts, client.baseUrl, declared) : null;
    // An adapter given on the command line is there to be certified, whatever --level says.
    if (opts.mcpCommand !== undefined || opts.mcpUrl !== undefined) requested.add('mcp');

    // Preflight 2: keys. A key the server rejects is a configuration error, not a server failure.
    const me = async (label: string, token: string): Promise<Principal | string> => {
      try {
        const r = await client.send({
          method: 'GET',
          path: '/v1/me',
          headers: { authorization: `Bearer ${token}` },
          credential: label,
          signal: controller.signal,
        });
        if (r.status === 401) return `the server rejected ${label} (401)`;
        const body = JSON.parse(r.text) as unknown;
        if (r.status !== 200 || !validatorFor('principal')(body))
          return `GET /v1/me with ${label} answered ${r.status}`;
        return body as Principal;
      } catch (e) {
        return `GET /v1/me with ${label} failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    };
    const configProblems: string[] = [];
    const notes: string[] = [];
    if (!opts.token) configProblems.push('no key given: pass --token KEY or set OMP_TOKEN');
    if (opts.mcpCommand !== undefined && opts.mcpUrl !== undefined)
      configProblems.push('give either --mcp-command or --mcp-url: a run certifies one MCP endpoint');
    if (opts.mcpUrl !== undefined && !/^https?:\/\/[^/]/.test(opts.mcpUrl))
      configProblems.push(`--mcp-url must be an http or https URL, got "${opts.mcpUrl}"`);
    const toolKeys: ToolKey[] = [];
    if (health && opts.token) {
      const a = await me('token-a', opts.token);
      if (typeof a === 'string') configProblems.push(a);
      else {
        if (a.tool !== null)
          configProblems.push(
            `--token must be a global key, but the server says it is bound to tool "${a.tool}"`,
          );
        if (opts.tokenB) {
          const b = await me('token-b', opts.tokenB);
          if (typeof b === 'string') configProblems.push(b);
          else if (b.principal === a.principal)
            configProblems.push(
              '--token-b belongs to the same principal as --token; it must be another user',
            );
          else if (b.tool !== null)
            configProblems.push('--token-b must be a global key of the second principal');
        }
        for (const [name, token] of Object.entries(opts.toolTokens ?? {})) {
          const label = `tool:${name}`;
          const p = await me(label, token);
          if (typeof p === 'string') configProblems.push(p);
          else if (p.principal !== a.principal)
            configProblems.push(`tool key "${name}" belongs to another principal than --token`);
          else if (p.tool === null)
            configProblems.push(`tool key "${name}" is a global key, not a per-tool key`);
          else if (p.tool !== name)
            configProblems.push(
              `tool key given as "${name}" is bound to tool "${p.tool}"; pass it as ${p.tool}=KEY`,
            );
          else toolKeys.push({ label, name, token, me: p });
        }
      }
    }
    if (configProblems.length > 0) {
      return finish(base, {
        verdict: 'config_error',
        message: configProblems.join('; '),
        results: skipAll(checks, 'blocked', 'configuration error'),
        health,
        mcpTarget,
      });
    }
    const mcp = mcpTarget
      ? new McpRun({
          target: mcpTarget,
          baseUrl: client.baseUrl,
          credentials,
          monitor: new McpMonitor(),
          timeoutMs,
          signal: controller.signal,
          redact: (s) => redactText(s, credentials),
          clientVersion: runnerVersion,
        })
      : null;

    const run: RunState = {
      runId,
      tag: `omp-conf-${runId}`,
      ns: `omp-conf-${runId}`,
      tool: 'omp-conformance',
      client,
      credentials,
      toolKeys,
      health: health ?? ({} as Health),
      declared,
      capabilities,
      ledger: new Ledger(),
      fixtures: new Map(),
      signal: controller.signal,
      skews: [],
      monitor,
      mcp,
    };

    // Selection.
    const plan = checks.map((c) => ({
      check: c,
      skip: selectionSkip(c, opts, requested, run, healthProblem),
    }));
    const runnable = plan.filter((p) => !p.skip);
    emit({ type: 'start', total: checks.length, runnable: runnable.length });

    const results = new Map<string, CheckResult>();
    let done = 0;
    const record = (r: CheckResult) => {
      results.set(r.id, r);
      done++;
      emit({ type: 'check-end', result: r, done, total: checks.length });
    };
    for (const p of plan) if (p.skip) record(skipResult(p.check, p.skip.kind, p.skip.reason));

    let cleanup: CleanupReport | null = null;
    monitor.active = true;
    try {
      const parallel = runnable.filter((p) => !p.check.exclusive);
      const exclusive = runnable.filter((p) => p.check.exclusive);
      let next = 0;
      const worker = async () => {
        while (next < parallel.length && !controller.signal.aborted) {
          const p = parallel[next++];
          if (!p) break;
          emit({ type: 'check-start', id: p.check.id });
          record(await executeCheck(p.check, run, timeoutMs));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, parallel.length) }, worker));
      for (const p of exclusive) {
        if (controller.signal.aborted) break;
        emit({ type: 'check-start', id: p.check.id });
        record(await executeCheck(p.check, run, timeoutMs));
      }
      for (const p of runnable)
        if (!results.has(p.check.id))
          record(skipResult(p.check, 'blocked', 'run interrupted before this check'));
    } finally {
      monitor.active = false;
      await mcp?.closeAll();
      emit({ type: 'cleanup' });
      cleanup = await cleanupRun(run, { keep: opts.keepData ?? false });
    }

    const ordered = checks.map((c) => results.get(c.id)).filter((r): r is CheckResult => r !== undefined);
    applyExpected(ordered, opts.expectedFailures ?? []);
    return finish(base, {
      results: ordered,
      health,
      requested,
      declared,
      cleanup,
      notes,
      interrupted: controller.signal.aborted,
      mcpTarget,
      ...(healthProblem ? { healthProblem } : {}),
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}

type SkipReason = { kind: SkipKind; reason: string };

/** Why a check does not run, or undefined when it does. */
function selectionSkip(
  c: ResolvedCheck,
  opts: RunOptions,
  requested: Set<Level>,
  run: RunState,
  healthProblem: string | undefined,
): SkipReason | undefined {
  if (opts.only?.length && !opts.only.some((p) => matchesSelector(c, p)))
    return { kind: 'deselected', reason: 'not selected by --only' };
  if (opts.skip?.some((p) => matchesSelector(c, p)))
    return { kind: 'deselected', reason: 'left out by --skip' };
  if (!requested.has(c.level)) return { kind: 'not-requested', reason: `level ${c.level} not requested` };
  if (healthProblem && c.area !== 'HEALTH' && c.area !== 'LEVEL')
    return { kind: 'blocked', reason: `no usable health body: ${healthProblem}` };
  if (c.level === 'mcp') {
    if (!run.mcp)
      return {
        kind: 'not-applicable',
        reason: 'the server does not declare level mcp and no adapter was given (--mcp-command / --mcp-url)',
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
        reason: 'the MCP endpoint under test is not a stdio adapter (--mcp-command)',
      };
    if (n.kind === 'capability' && !run.capabilities.has(n.name))
      return { kind: 'not-applicable', reason: `the server does not declare capability ${n.name}` };
    if (n.kind === 'credential' && !run.credentials.has(n.name))
      return { kind: 'missing-input', reason: 'needs a key of a second principal (--token-b / OMP_TOKEN_B)' };
    if (n.kind === 'tool-key') {
      if (!findToolKey(run.toolKeys, n))
        return {
          kind: 'missing-input',
          reason: `needs a per-tool key ${describeToolNeed(n)} (--tool-token name=KEY)`,
        };
    }
    if (n.kind === 'limit') {
      const v = run.health.limits?.[n.name];
      if (typeof v === 'number' && v > n.atMost)
        return {
          kind: 'not-applicable',
          reason: `declared ${n.name} ${v} is above what this check sends (${n.atMost})`,
        };
    }
  }
  return undefined;
}

/** Whether `--only/--skip` selector `p` names this check (check ID, requirement ID or prefix). */
export function matchesSelector(c: ResolvedCheck, p: string): boolean {
  const s = p.trim();
  if (!s) return false;
  if (c.id === s || c.requirements.includes(s)) return true;
  return c.id.startsWith(s.endsWith('-') || s.endsWith('.') ? s : `${s}-`) || c.id.startsWith(`${s}.`);
}

/** Run one check with its deadline; classify the outcome. */
async function executeCheck(c: ResolvedCheck, run: RunState, timeoutMs: number): Promise<CheckResult> {
  const t = new CheckContext(c, run);
  const startedAt = performance.now();
  const result = (status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    area: c.area,
    rfc: c.rfc,
    level: c.level,
    status,
    failures: t.failures,
    notes: t.notes,
    durationMs: Math.round(performance.now() - startedAt),
    requests: t.requests,
    ...extra,
  });
  if (c.invalid) return result('error', { reason: `runner bug: ${c.invalid}` });
  const deadline = c.timeoutMs ?? Math.max(30_000, timeoutMs * 3);
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
    if (t.failures.length) return result(isAdvisory(c.rfc) ? 'warn' : 'fail');
    return result('pass');
  } catch (e) {
    if (e instanceof McpEndpointFault) {
      t.failures.push({ message: `the MCP endpoint failed: ${redactText(e.message, run.credentials)}` });
      return result(isAdvisory(c.rfc) ? 'warn' : 'fail');
    }
    if (e instanceof CheckFailure) {
      t.failures.push(e.failure);
      return result(isAdvisory(c.rfc) ? 'warn' : 'fail');
    }
    if (t.failures.length && !(e instanceof TransportError))
      return result(isAdvisory(c.rfc) ? 'warn' : 'fail', { notes: [...t.notes, `then: ${String(e)}`] });
    if (e instanceof SkipSignal) return result('skip', { skipKind: e.kind, reason: e.message });
    if (e instanceof TransportError)
      return result('error', {
        reason: `network fault (${e.kind}): ${redactText(e.message, run.credentials)}`,
      });
    const err = e as Error;
    const where = err?.stack?.split('\n')[1]?.trim() ?? '';
    return result('error', { reason: `runner error: ${err?.message ?? String(e)} ${where}`.trim() });
  } finally {
    clearTimeout(timer);
    await t.dispose();
  }
}

function skipResult(c: ResolvedCheck, kind: SkipKind, reason: string): CheckResult {
  return {
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    area: c.area,
    rfc: c.rfc,
    level: c.level,
    status: 'skip',
    skipKind: kind,
    reason,
    failures: [],
    notes: [],
    durationMs: 0,
    requests: 0,
  };
}

function skipAll(checks: readonly ResolvedCheck[], kind: SkipKind, reason: string): CheckResult[] {
  return checks.map((c) => skipResult(c, kind, reason));
}

function applyExpected(results: CheckResult[], expected: readonly ExpectedFailure[]): void {
  for (const r of results) {
    const e = matchExpected(expected, r);
    if (!e) continue;
    if (r.status === 'fail' || r.status === 'warn') r.expectedFailure = { reason: e.reason, stale: false };
    else if (r.status === 'pass') r.expectedFailure = { reason: e.reason, stale: true };
  }
}

/** Whether a result counts against conformance. */
function counts(r: CheckResult, strict: boolean): boolean {
  if (r.expectedFailure) return r.expectedFailure.stale;
  return r.status === 'fail' || (strict && r.status === 'warn');
}

interface Outcome {
  results: CheckResult[];
  verdict?: Verdict;
  message?: string;
  health?: Health | undefined;
  requested?: Set<Level>;
  declared?: Set<Level>;
  cleanup?: CleanupReport | null;
  notes?: string[];
  interrupted?: boolean;
  healthProblem?: string;
  mcpTarget?: McpTarget | null;
}

function finish(
  base: {
    runId: string;
    startedAt: string;
    catalogue: ReturnType<typeof loadCatalogue>;
    checks: ResolvedCheck[];
    opts: RunOptions;
    concurrency: number;
    timeoutMs: number;
    credentials: Map<string, string>;
  },
  o: Outcome,
): Report {
  const { opts } = base;
  const strict = opts.strict ?? false;
  const declared = o.declared ?? new Set<Level>((o.health?.levels ?? []) as Level[]);
  const requested = o.requested ?? new Set<Level>(['core', ...(opts.levels ?? [])]);
  const levels: LevelReport[] = LEVELS.map((level) => {
    const rs = o.results.filter((r) => r.level === level);
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
    // An adapter is certified at level mcp whatever the server declares.
    const adapter = level === 'mcp' && (o.mcpTarget?.kind === 'stdio' || o.mcpTarget?.kind === 'http');
    if (!declared.has(level) && !adapter) {
      lr.verdict = 'not_declared';
      lr.reason =
        level === 'mcp'
          ? 'the server does not list "mcp" in health.levels and no adapter was given (--mcp-command / --mcp-url)'
          : `the server does not list "${level}" in health.levels`;
      return lr;
    }
    const failing = rs.filter((r) => counts(r, strict));
    const errors = rs.filter((r) => r.status === 'error');
    const missing = rs.filter(
      (r) => r.status === 'skip' && (r.skipKind === 'missing-input' || r.skipKind === 'blocked'),
    );
    const deselected = rs.filter((r) => r.status === 'skip' && r.skipKind === 'deselected');
    let v: LevelVerdict = 'conformant';
    if (failing.length) {
      v = 'not_conformant';
      lr.reason = `${failing.length} failing check(s): ${failing
        .slice(0, 5)
        .map((r) => r.id)
        .join(', ')}${failing.length > 5 ? ', …' : ''}`;
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
      lr.reason = `partial run: ${rs.length - deselected.length} of ${rs.length} checks selected (--only/--skip)`;
    }
    lr.verdict = v;
    return lr;
  });

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
    if (o.healthProblem) {
      verdict = 'not_conformant';
      exitCode = 1;
      message = o.healthProblem;
    } else if (bad.length) {
      verdict = 'not_conformant';
      exitCode = 1;
      message = `not conformant at ${names(bad)}`;
    } else if (incomplete.length) {
      verdict = 'incomplete';
      const mine = (l: LevelReport) => o.results.filter((r) => r.level === l.level);
      const errors = incomplete.some((l) => mine(l).some((r) => r.status === 'error'));
      const missing = incomplete.some((l) =>
        mine(l).some(
          (r) => r.status === 'skip' && (r.skipKind === 'missing-input' || r.skipKind === 'blocked'),
        ),
      );
      // A partial run (--only/--skip) whose selected checks all pass exits 0, but certifies nothing.
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
  const report: Report = {
    reportVersion: '1',
    runner: { name: 'omp-conformance', version: runnerVersion },
    spec: { version: base.catalogue.specVersion, requirementSetHash: base.catalogue.requirementSetHash },
    target: {
      baseUrl: opts.baseUrl,
      bundled: opts.bundled ?? false,
      server: o.health?.server ?? null,
      specVersion: o.health?.version ?? null,
      declaredLevels: [...(o.health?.levels ?? [])],
      capabilities: [...(o.health?.capabilities ?? [])],
      mcp: describeMcpTarget(o.mcpTarget ?? null, (s) => redactText(s, base.credentials)),
    },
    options: {
      levels: [...requested],
      only: opts.only ?? [],
      skip: opts.skip ?? [],
      concurrency: base.concurrency,
      timeoutMs: base.timeoutMs,
      strict,
      keepData: opts.keepData ?? false,
      credentials: [...base.credentials.keys()],
      expectedFailures: opts.expectedFailures?.length ?? 0,
    },
    runId: base.runId,
    startedAt: base.startedAt,
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - Date.parse(base.startedAt),
    verdict,
    exitCode,
    message: redactText(message, base.credentials),
    levels,
    summary,
    checks: o.results,
    cleanup: o.cleanup ?? null,
    coverage: coverageSummary(base.checks, base.catalogue),
  };
  opts.onEvent?.({ type: 'end', report });
  return report;
}
