/**
 * Cleanup after a run: delete every ledgered memory with the key that created it, sweep memories carrying the
 * run's tag that the ledger missed (e.g. import duplicates), then prove nothing of the run is left. Only
 * memories whose body shows the run's marker are ever swept, so a server with a broken filter cannot make the
 * runner delete data it did not create. Problems are warnings: they never fail an unrelated check.
 */
import { TransportError } from '../http/client.ts';
import { type Api, CheckContext, type RunState } from './context.ts';
import type { CleanupReport } from './report.ts';
import type { ResolvedCheck } from './types.ts';
import type { Memory } from './wire.ts';

const cleanupCheck: ResolvedCheck = {
  id: 'cleanup',
  title: 'MUST leave nothing behind',
  requirements: [],
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
  // Cleanup must work even after an interrupt: use a signal of its own.
  const t = new CheckContext(cleanupCheck, { ...run, signal: new AbortController().signal });
  if (o.keep) {
    report.warnings.push(`--keep-data: ${run.ledger.size} memories kept; they carry the tag ${run.tag}`);
    return report;
  }
  const principals = ['token-a', 'token-b'].filter((l) => run.credentials.has(l));
  try {
    await pool(run.ledger.all(), 8, async (e) => {
      const labels =
        e.credential === 'token-a' || e.credential === 'token-b' ? [e.credential] : [e.credential, 'token-a'];
      for (const label of labels) {
        if (!run.credentials.has(label)) continue;
        const res = await t.apiFor(label).del(`/v1/memories/${encodeURIComponent(e.id)}`);
        if (res.status === 204) {
          report.deleted++;
          return;
        }
        if (res.status === 404 && label === labels[labels.length - 1]) {
          report.alreadyGone++;
          return;
        }
        if (res.status !== 403 && res.status !== 404) {
          report.warnings.push(`DELETE ${e.id} (${label}) answered ${res.status}`);
          return;
        }
      }
    });
    for (const label of principals) {
      const mine = await sweepable(t.apiFor(label), run);
      if (mine === null) {
        report.warnings.push(
          `could not list the run's memories for ${label}; only ledgered ones were deleted`,
        );
        continue;
      }
      for (const m of mine) {
        const res = await t.apiFor(label).del(`/v1/memories/${encodeURIComponent(m.id)}`);
        if (res.status === 204) report.swept++;
        else report.warnings.push(`sweep: DELETE ${m.id} answered ${res.status}`);
      }
    }
    // Residue: nothing carrying the run's tag may remain, and no ledgered id may still answer 200.
    for (const label of principals) {
      const left = await sweepable(t.apiFor(label), run);
      if (left === null) {
        report.warnings.push(
          `residue for ${label} could not be verified by listing (the list request failed)`,
        );
        continue;
      }
      report.residue += left.length;
      if (left.length) report.warnings.push(`${left.length} memories of this run still listed for ${label}`);
    }
    let still = 0;
    await pool(run.ledger.all(), 8, async (e) => {
      const label = run.credentials.has(e.credential) ? e.credential : 'token-a';
      const res = await t.apiFor(label).get(`/v1/memories/${encodeURIComponent(e.id)}`);
      if (res.status === 200) still++;
    });
    if (still) {
      report.residue += still;
      report.warnings.push(`${still} ledgered memories still readable after cleanup`);
    }
  } catch (e) {
    const what = e instanceof TransportError ? `network fault (${e.kind})` : 'error';
    report.warnings.push(
      `cleanup stopped by ${what}: ${(e as Error).message}; memories of this run carry tag ${run.tag}`,
    );
    report.residue = Math.max(report.residue, 1);
  }
  return report;
}

/** Memories listed under the run's tag whose own body carries the run's marker; null when listing fails. */
async function sweepable(api: Api, run: RunState): Promise<Memory[] | null> {
  let listed: Memory[];
  try {
    listed = await api.listAll({ tags: run.tag });
  } catch (e) {
    if (e instanceof TransportError) throw e;
    return null;
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
