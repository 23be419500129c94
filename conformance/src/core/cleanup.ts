/**
 * Cleanup after a run: delete every ledgered memory with the key that created it, sweep memories carrying the
 * run's tag that the ledger missed (e.g. import duplicates), then prove nothing of the run is left. Only
 * memories whose body shows the run's marker are ever swept, so a server with a broken filter cannot make the
 * runner delete data it did not create. Problems are warnings: they never fail an unrelated check. When the
 * residue cannot be verified (listing fails), it is reported as unknown with the reason, never as 0.
 */
import { TransportError } from '../http/client.ts';
import { type KeyRef, keyLabel, PRIMARY, SECOND } from './credentials.ts';
import { BlockedSignal, CheckContext, CheckFailure, type RunState } from './harness.ts';
import type { Api } from './omp-client.ts';
import type { CleanupReport } from './report.ts';
import type { ResolvedCheck } from './types.ts';
import type { Memory } from './wire.ts';

const cleanupCheck: ResolvedCheck = {
  id: 'cleanup',
  title: 'MUST leave nothing behind',
  requirements: [],
  versions: [],
  needs: [],
  exclusive: true,
  run: async () => {},
  area: 'RUNNER',
  rfc: 'MUST',
  level: 'core',
};

/** Delete what the run created and count what is left. */
export async function cleanupRun(run: RunState, o: { keep: boolean }): Promise<CleanupReport> {
  const report: CleanupReport = {
    kept: o.keep,
    created: run.ledger.size,
    deleted: 0,
    alreadyGone: 0,
    swept: 0,
    residue: 0,
    warnings: [],
  };
  const unknown = (why: string) => {
    report.residue = null;
    report.unverified = report.unverified ? `${report.unverified}; ${why}` : why;
  };
  // Cleanup must work even after an interrupt: use a signal of its own.
  const t = new CheckContext(cleanupCheck, { ...run, signal: new AbortController().signal });
  if (o.keep) {
    report.warnings.push(`keepData: ${run.ledger.size} memories kept; they carry the tag ${run.tag}`);
    report.residue = null;
    report.unverified = 'data kept on purpose (keepData)';
    return report;
  }
  const principals = [PRIMARY, SECOND].filter((k) => run.keys.has(k));
  try {
    await pool(run.ledger.all(), 32, async (e) => {
      const keys: KeyRef[] = e.key.role === 'tool' ? [e.key, PRIMARY] : [e.key];
      for (const key of keys) {
        if (!run.keys.has(key)) continue;
        const res = await t.apiFor(key).del(`/v1/memories/${encodeURIComponent(e.id)}`);
        if (res.status === 204) {
          report.deleted++;
          return;
        }
        if (res.status === 404 && key === keys[keys.length - 1]) {
          report.alreadyGone++;
          return;
        }
        if (res.status !== 403 && res.status !== 404) {
          report.warnings.push(`DELETE ${e.id} (${keyLabel(key)}) answered ${res.status}`);
          return;
        }
      }
    });
    for (const key of principals) {
      const mine = await sweepable(t.apiFor(key), run);
      if (typeof mine === 'string') {
        report.warnings.push(
          `could not list the run's memories for ${keyLabel(key)} (${mine}); only ledgered ones were deleted`,
        );
        continue;
      }
      for (const m of mine) {
        const res = await t.apiFor(key).del(`/v1/memories/${encodeURIComponent(m.id)}`);
        if (res.status === 204) report.swept++;
        else report.warnings.push(`sweep: DELETE ${m.id} answered ${res.status}`);
      }
    }
    // Residue: nothing carrying the run's tag may remain, and no ledgered id may still answer 200.
    let residue = 0;
    for (const key of principals) {
      const left = await sweepable(t.apiFor(key), run);
      if (typeof left === 'string') {
        unknown(`the run's memories could not be listed for ${keyLabel(key)}: ${left}`);
        continue;
      }
      residue += left.length;
      if (left.length)
        report.warnings.push(`${left.length} memories of this run still listed for ${keyLabel(key)}`);
    }
    let still = 0;
    await pool(run.ledger.all(), 32, async (e) => {
      const key = run.keys.has(e.key) ? e.key : PRIMARY;
      const res = await t.apiFor(key).get(`/v1/memories/${encodeURIComponent(e.id)}`);
      if (res.status === 200) still++;
    });
    if (still) {
      residue += still;
      report.warnings.push(`${still} ledgered memories still readable after cleanup`);
    }
    if (report.residue !== null) report.residue = residue;
    else if (residue) report.warnings.push(`at least ${residue} memories of this run are left`);
  } catch (e) {
    const what = e instanceof TransportError ? `network fault (${e.kind})` : 'error';
    report.warnings.push(
      `cleanup stopped by ${what}: ${(e as Error).message}; memories of this run carry tag ${run.tag}`,
    );
    unknown(`cleanup stopped by ${what}`);
  }
  return report;
}

/** Memories listed under the run's tag whose own body carries the run's marker; the reason when listing fails. */
async function sweepable(api: Api, run: RunState): Promise<Memory[] | string> {
  let listed: Memory[];
  try {
    listed = await api.listAll({ tags: run.tag });
  } catch (e) {
    if (e instanceof CheckFailure || e instanceof BlockedSignal) return e.message;
    throw e;
  }
  return listed.filter(
    (m) =>
      (Array.isArray(m.tags) && m.tags.includes(run.tag)) ||
      (typeof m.namespace === 'string' && m.namespace.startsWith(run.ns)),
  );
}

async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}
