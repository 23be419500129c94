/**
 * The CLI: parse, start the bundled server when no URL is given, run with live progress, write the reports,
 * exit with 0/1/2/3. SIGINT aborts the run and still cleans up; a second SIGINT exits at once.
 */
import { readExpectedFailures } from '../core/expected.ts';
import type { Report } from '../core/report.ts';
import { runConformance } from '../core/runner.ts';
import { writeReports } from '../reporters/index.ts';
import { PrettyReporter } from '../reporters/pretty.ts';
import { runnerVersion } from '../version.ts';
import { HELP, parseCli, UsageError } from './args.ts';
import { eventInFlags, reportInFlags } from './wording.ts';

/** Streams the CLI writes to. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** Run the CLI; resolves with the exit code (never calls process.exit). */
export async function main(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let cfg: ReturnType<typeof parseCli>;
  try {
    cfg = parseCli(argv, io.env);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`omp-conformance: ${e.message}\nRun omp-conformance --help for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (cfg.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (cfg.version) {
    io.stdout.write(`${runnerVersion}\n`);
    return 0;
  }
  let expectedFailures: ReturnType<typeof readExpectedFailures> = [];
  if (cfg.expectedFailures) {
    try {
      expectedFailures = readExpectedFailures(cfg.expectedFailures);
    } catch (e) {
      io.stderr.write(`omp-conformance: cannot read --expected-failures: ${(e as Error).message}\n`);
      return 2;
    }
  }

  let bundled: Awaited<ReturnType<typeof import('../bundled.ts').startBundled>> | undefined;
  let baseUrl = cfg.baseUrl;
  let token = cfg.token;
  let tokenB = cfg.tokenB;
  let toolTokens = cfg.toolTokens;
  if (baseUrl === null) {
    try {
      const { startBundled } = await import('../bundled.ts');
      bundled = await startBundled();
    } catch (e) {
      io.stderr.write(
        `omp-conformance: could not start the bundled reference server: ${(e as Error).message}\n`,
      );
      return 3;
    }
    baseUrl = bundled.url;
    token = bundled.token;
    tokenB = bundled.tokenB;
    toolTokens = bundled.toolTokens;
    io.stdout.write(`Started the bundled reference server at ${baseUrl} (temporary database)\n`);
  }

  const pretty = cfg.reporters.includes('pretty')
    ? new PrettyReporter(io.stdout, {
        verbose: cfg.verbose,
        ...(cfg.color !== undefined ? { color: cfg.color } : {}),
      })
    : undefined;
  let report: Report;
  try {
    report = await runConformance({
      baseUrl,
      ...(token !== undefined ? { token } : {}),
      ...(tokenB !== undefined ? { tokenB } : {}),
      toolTokens,
      levels: cfg.levels,
      only: cfg.only,
      skip: cfg.skip,
      timeoutMs: cfg.timeoutMs,
      concurrency: cfg.concurrency,
      keepData: cfg.keepData,
      expectedFailures,
      strict: cfg.strict,
      bundled: bundled !== undefined,
      ...(cfg.mcpCommand !== undefined ? { mcpCommand: cfg.mcpCommand } : {}),
      ...(cfg.mcpUrl !== undefined ? { mcpUrl: cfg.mcpUrl } : {}),
      ...(cfg.specVersion !== undefined ? { specVersion: cfg.specVersion } : {}),
      ...(pretty ? { onEvent: (e) => pretty.onEvent(eventInFlags(e)) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    io.stderr.write(`omp-conformance: runner error: ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  } finally {
    await bundled?.close();
  }
  report = reportInFlags(report);
  if (!pretty) io.stderr.write(`${report.verdict}: ${report.message}\n`);
  try {
    const files = writeReports(report, cfg.reporters, cfg.outDir);
    for (const f of files) io.stdout.write(`wrote ${f}\n`);
  } catch (e) {
    io.stderr.write(`omp-conformance: could not write reports to ${cfg.outDir}: ${(e as Error).message}\n`);
    return 3;
  }
  return report.exitCode;
}

/** Entry point used by bin/omp-conformance.js: wires SIGINT and exits with the code. */
export async function cli(): Promise<void> {
  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write('\ninterrupted: cleaning up (press Ctrl-C again to quit at once)\n');
    controller.abort();
  });
  const code = await main(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr, env: process.env },
    controller.signal,
  );
  process.exitCode = interrupted ? Math.max(code, 3) : code;
}
