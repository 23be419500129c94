/**
 * Runs the conformance suite against one gallery server in its own process and prints the outcome as one JSON
 * line on stdout, so that the gallery test can run every server at once on every core.
 * Usage: node conformance/test/gallery/run-server.ts <name>
 */
import { readFileSync } from 'node:fs';
import { runConformance } from '../../src/core/runner.ts';
import type { Level } from '../../src/core/types.ts';
import type { GalleryModule, GalleryTruth } from './types.ts';

/** What the gallery test needs of a run: verdict and, per check, status, requirements and first message. */
export interface RunOutcome {
  verdict: string;
  /** The spec version the run certified against. */
  specVersion: string;
  message: string;
  durationMs: number;
  checks: Array<{
    id: string;
    status: string;
    requirements: string[];
    blockedBy?: string;
    reason?: string;
    failures: Array<{ message: string }>;
    expectedFailure?: unknown;
    durationMs: number;
    requests: number;
  }>;
}

const name = process.argv[2] ?? '';
const root = new URL(`./${name}/`, import.meta.url);
const truth = JSON.parse(readFileSync(new URL('truth.json', root), 'utf8')) as GalleryTruth;
const mod = (await import(new URL('server.ts', root).href)) as GalleryModule;
const srv = await mod.start();
try {
  const report = await runConformance({
    baseUrl: srv.url,
    token: srv.token,
    ...(srv.tokenB ? { tokenB: srv.tokenB } : {}),
    ...(srv.toolTokens ? { toolTokens: srv.toolTokens } : {}),
    levels: (srv.levels ?? truth.levels) as Level[],
  });
  const out: RunOutcome = {
    verdict: report.verdict,
    specVersion: report.spec.version,
    message: report.message,
    durationMs: report.durationMs,
    checks: report.checks.map((c) => ({
      id: c.id,
      status: c.status,
      requirements: c.requirements,
      ...(c.blockedBy ? { blockedBy: c.blockedBy } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      failures: c.failures.slice(0, 3).map((f) => ({ message: f.message })),
      ...(c.expectedFailure ? { expectedFailure: c.expectedFailure } : {}),
      durationMs: Math.round(c.durationMs),
      requests: c.requests,
    })),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await srv.close();
}
