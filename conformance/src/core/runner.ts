/**
 * One conformance run: preflight (health, keys), selection, scheduling (bounded concurrency, exclusive checks
 * alone), cleanup with a residue check, verdicts. Each stage lives in its own module; this file wires them.
 */
import { randomBytes } from 'node:crypto';
import { HttpClient, redactText, TransportError } from '../http/client.ts';
import { McpMonitor } from '../mcp/session.ts';
import { commandSets, McpRun, type McpTarget } from '../mcp/target.ts';
import { runnerVersion } from '../version.ts';
import { catalogueFor, certifiableVersions, loadCatalogue } from './catalogue.ts';
import { cleanupRun } from './cleanup.ts';
import { Keyring } from './credentials.ts';
import type { ExpectedFailure } from './expected.ts';
import type { RunState } from './harness.ts';
import { Ledger } from './ledger.ts';
import { ExchangeMonitor } from './monitor.ts';
import { describeKeys, readHealth } from './preflight.ts';
import { resolveChecks } from './registry.ts';
import type { CleanupReport, Report } from './report.ts';
import { notRunResult, runChecks, type Selection, selectionSkip, settleBlocked } from './schedule.ts';
import { ShapeMonitor } from './shapes.ts';
import type { CheckResult, CheckSpec, Level, ResolvedCheck } from './types.ts';
import { applyExpected, buildReport, markDraftChanges, type RunBase } from './verdict.ts';

export { matchesSelector } from './schedule.ts';

/** Progress events for live reporters. */
export type RunEvent =
  | { type: 'preflight'; message: string }
  | { type: 'start'; total: number; runnable: number }
  | { type: 'check-start'; id: string }
  | { type: 'check-end'; result: CheckResult; done: number; total: number }
  | { type: 'cleanup' }
  | { type: 'end'; report: Report };

/** Options of one run (a CLI maps its flags onto these; messages name these fields, never a flag). */
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
  /**
   * The spec version to certify against (one of certifiableVersions()); default: the newest version both the
   * runner and the server speak (health `versions`, else `version`).
   */
  specVersion?: string;
}

const CERTIFIABLE: readonly Level[] = ['core', 'search', 'full', 'mcp', 'control'];

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

/** What the preflight says of the version certified against. */
function versionNote(version: string, listed: readonly string[], byOption: boolean): string {
  const lists = listed.length ? `the server lists ${listed.join(', ')}` : 'the server lists no version';
  if (byOption)
    return `certifying against spec ${version} (chosen by the specVersion option; ${lists}${listed.includes(version) ? '' : `, not ${version}`})`;
  return `certifying against spec ${version}, the newest version both the runner (${certifiableVersions().join(', ')}) and the server speak (${lists}); the checks of requirements ${version} does not hold are not applicable`;
}

/**
 * The OMP-Version header the run's requests carry: only when the version certified is one the server lists in
 * `versions` but not its newest (without the header it would answer under the newest, SPEC.md §1.2).
 */
function versionHeaderFor(h: { negotiates: boolean; versions: string[]; judgedVersion: string }): {
  versionHeader?: string;
} {
  if (!h.negotiates || !h.versions.includes(h.judgedVersion)) return {};
  return h.versions.at(-1) === h.judgedVersion ? {} : { versionHeader: h.judgedVersion };
}

/** Problems with the options themselves (before any request). */
function optionProblems(opts: RunOptions): string[] {
  const out: string[] = [];
  if (!opts.token) out.push('no key given: set the token option');
  if (opts.mcpCommand !== undefined && opts.mcpUrl !== undefined)
    out.push('give either the mcpCommand or the mcpUrl option: a run certifies one MCP endpoint');
  if (opts.mcpUrl !== undefined && !/^https?:\/\/[^/]/.test(opts.mcpUrl))
    out.push(`the mcpUrl option must be an http or https URL, got "${opts.mcpUrl}"`);
  if (opts.specVersion !== undefined && !certifiableVersions().includes(opts.specVersion))
    out.push(
      `the specVersion option must be a version this runner certifies (${certifiableVersions().join(', ')}), got "${opts.specVersion}"`,
    );
  return out;
}

/** Run the suite against one server and return the report (never throws for server behaviour). */
export async function runConformance(opts: RunOptions): Promise<Report> {
  const started = Date.now();
  const specs = opts.checks ?? (await import('../checks/index.ts')).allChecks();
  const optionVersion =
    opts.specVersion && certifiableVersions().includes(opts.specVersion) ? opts.specVersion : undefined;
  let catalogue = catalogueFor(optionVersion ?? loadCatalogue().specVersion) ?? loadCatalogue();
  let checks = resolveChecks(specs, catalogue.specVersion);
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const runId = randomBytes(4).toString('hex');
  const keys = new Keyring(opts);
  const secrets = keys.byLabel();
  const monitor = new ExchangeMonitor();
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const client = new HttpClient({
    baseUrl: opts.baseUrl,
    timeoutMs,
    maxConnections: concurrency * 2,
    secrets: () => secrets,
    onExchange: (e) => monitor.observe(e),
  });
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  const base: RunBase = {
    runId,
    startedAt: new Date(started).toISOString(),
    catalogue,
    checks,
    baseUrl: opts.baseUrl,
    bundled: opts.bundled ?? false,
    only: opts.only ?? [],
    skip: opts.skip ?? [],
    strict: opts.strict ?? false,
    keepData: opts.keepData ?? false,
    expectedFailures: opts.expectedFailures?.length ?? 0,
    concurrency,
    timeoutMs,
    secrets,
    versionChosen: optionVersion ? 'option' : 'declared',
  };
  const finish = (o: Parameters<typeof buildReport>[1]): Report => {
    const report = buildReport(base, o);
    emit({ type: 'end', report });
    return report;
  };
  const stopAll = (reason: string) => checks.map((c) => notRunResult(c, { kind: 'not-run', reason }));

  try {
    // Preflight 1: the health body tells levels, capabilities and limits, as far as it is usable.
    emit({ type: 'preflight', message: `GET ${client.baseUrl}/v1/health` });
    let health: Awaited<ReturnType<typeof readHealth>>;
    try {
      health = await readHealth(client, opts.levels, controller.signal, optionVersion);
    } catch (e) {
      const msg = e instanceof TransportError ? `${e.kind}: ${e.message}` : String(e);
      return finish({
        verdict: 'unreachable',
        message: `server unreachable at ${client.baseUrl}: ${msg}`,
        results: stopAll('server unreachable'),
      });
    }
    // Certified against the version chosen: its catalogue decides which checks apply and what they cite.
    catalogue = catalogueFor(health.judgedVersion) ?? catalogue;
    checks = resolveChecks(specs, catalogue.specVersion);
    base.catalogue = catalogue;
    base.checks = checks;
    const requested = new Set<Level>(opts.levels?.length ? ['core', ...opts.levels] : ['core']);
    if (!opts.levels?.length) for (const l of health.assumed) if (CERTIFIABLE.includes(l)) requested.add(l);
    const mcpTarget = health.notOmp ? null : mcpTargetOf(opts, client.baseUrl, health.assumed);
    // An adapter given in the options is there to be certified, whatever the levels say.
    if (opts.mcpCommand !== undefined || opts.mcpUrl !== undefined) requested.add('mcp');
    const target: Partial<Report['target']> = {
      server: health.server,
      specVersion: health.version,
      versions: health.versions,
      declaredLevels: health.health ? [...health.health.levels] : [...health.declared],
      capabilities: [...health.capabilities],
      mcp: describeMcpTarget(mcpTarget, (s) => redactText(s, secrets)),
      draft: health.draft,
    };

    // Preflight 2: keys. A key the server rejects is the user's mistake; a missing GET /v1/me is a defect.
    const configProblems = optionProblems(opts);
    const found =
      configProblems.length === 0 && !health.notOmp
        ? await describeKeys(client, keys, controller.signal, versionHeaderFor(health).versionHeader).catch(
            (e: unknown) => {
              if (e instanceof TransportError)
                return { configProblems: [`GET /v1/me failed: ${e.message}`], toolKeys: [], notes: [] };
              throw e;
            },
          )
        : { configProblems: [], toolKeys: [], notes: [] };
    configProblems.push(...found.configProblems);
    for (const n of found.notes) emit({ type: 'preflight', message: n });
    if (health.problem) emit({ type: 'preflight', message: health.problem });
    emit({ type: 'preflight', message: versionNote(health.judgedVersion, health.versions, !!optionVersion) });
    if (configProblems.length > 0)
      return finish({
        verdict: 'config_error',
        message: configProblems.join('; '),
        results: stopAll('configuration error'),
        declared: health.declared,
        requested,
        target,
      });
    const mcp = mcpTarget
      ? new McpRun({
          target: mcpTarget,
          baseUrl: client.baseUrl,
          keys,
          monitor: new McpMonitor(),
          timeoutMs,
          signal: controller.signal,
          redact: (s) => redactText(s, secrets),
          clientVersion: runnerVersion,
        })
      : null;

    const run: RunState = {
      runId,
      tag: `omp-conf-${runId}`,
      ns: `omp-conf-${runId}`,
      tool: 'omp-conformance',
      client,
      keys,
      toolKeys: found.toolKeys,
      ...('meUnusable' in found && found.meUnusable
        ? {
            toolKeysBlocked: {
              by: 'OMP-AUTH-010',
              reason: `per-tool keys cannot be described: ${found.meUnusable}`,
            },
          }
        : {}),
      versions: health.versions,
      judgedVersion: health.judgedVersion,
      ...versionHeaderFor(health),
      declared: health.assumed,
      capabilities: health.capabilities,
      limits: health.limits,
      limitsDeclared: health.limitsDeclared,
      ...('meUnusable' in found && found.meUnusable ? { meUnusable: found.meUnusable } : {}),
      ledger: new Ledger(),
      fixtures: new Map(),
      signal: controller.signal,
      clock: [],
      monitor,
      shapes: new ShapeMonitor(health.judgedVersion),
      mcp,
    };

    const selection: Selection = {
      only: opts.only,
      skip: opts.skip,
      requested,
      healthBlocks: health.notOmp
        ? { by: 'OMP-HEALTH-002', reason: `no health body: ${health.problem ?? ''}` }
        : undefined,
    };
    const plan = checks.map((c) => ({ check: c, notRun: selectionSkip(c, selection, run) }));
    const runnable = plan.filter((p) => !p.notRun).map((p) => p.check);
    emit({ type: 'start', total: checks.length, runnable: runnable.length });

    const results = new Map<string, CheckResult>();
    let done = 0;
    const record = (r: CheckResult) => {
      results.set(r.id, r);
      done++;
      emit({ type: 'check-end', result: r, done, total: checks.length });
    };
    for (const p of plan) if (p.notRun) record(notRunResult(p.check, p.notRun));

    let cleanup: CleanupReport | null = null;
    monitor.active = true;
    try {
      await runChecks(runnable, {
        run,
        concurrency,
        timeoutMs,
        signal: controller.signal,
        onStart: (c: ResolvedCheck) => emit({ type: 'check-start', id: c.id }),
        onEnd: record,
      });
      for (const c of runnable)
        if (!results.has(c.id))
          record(notRunResult(c, { kind: 'not-run', reason: 'run interrupted before this check' }));
    } finally {
      monitor.active = false;
      await mcp?.closeAll();
      emit({ type: 'cleanup' });
      cleanup = await cleanupRun(run, { keep: opts.keepData ?? false });
    }

    const ordered = checks.map((c) => results.get(c.id)).filter((r): r is CheckResult => r !== undefined);
    settleBlocked(ordered);
    applyExpected(ordered, opts.expectedFailures ?? []);
    if (health.draft) markDraftChanges(ordered);
    return finish({
      results: ordered,
      declared: health.declared,
      assumed: health.assumed,
      requested,
      target,
      cleanup,
      interrupted: controller.signal.aborted,
      mcpAdapter: mcpTarget?.kind === 'stdio' || mcpTarget?.kind === 'http',
      ...(health.problem ? { healthProblem: health.problem } : {}),
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
