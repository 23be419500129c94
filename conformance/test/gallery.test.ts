/**
 * Self-test (gallery): the runner against imperfect servers written by other hands, each a realistic compound of
 * faults with a ground truth of the requirements it breaks (gallery/<name>/truth.json, decided from SPEC.md).
 * Per server: precision (every requirement the runner accuses is truly broken) and recall (every broken
 * requirement is accused) must both be 100%, after the documented exceptions. See gallery/README.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogueFor, loadCatalogue } from '../src/core/catalogue.ts';
import type { RunOutcome } from './gallery/run-server.ts';
import { type Score, score } from './gallery/score.ts';
import type { GalleryTruth } from './gallery/types.ts';

const root = new URL('./gallery/', import.meta.url);
const names = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/truth.json`, root)))
  .filter((d) => existsSync(new URL(`${d.name}/server.ts`, root)))
  .map((d) => d.name)
  .sort();

interface Outcome {
  name: string;
  truth: GalleryTruth;
  report?: RunOutcome;
  score?: Score;
  failure?: string;
  ms: number;
}

const outcomes = new Map<string, Outcome>();

/** Run one server and the suite in a child process (every core in use; a crash stays in its process). */
function runOne(name: string): Promise<Outcome> {
  const truth = JSON.parse(readFileSync(new URL(`${name}/truth.json`, root), 'utf8')) as GalleryTruth;
  const started = performance.now();
  const script = fileURLToPath(new URL('run-server.ts', root));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, name],
      { maxBuffer: 64 << 20, timeout: 280_000 },
      (err, stdout, stderr) => {
        const ms = performance.now() - started;
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          if (err) throw err;
          const report = JSON.parse(line) as RunOutcome;
          resolve({ name, truth, report, score: score(report.checks, truth), ms });
        } catch (e) {
          resolve({ name, truth, failure: `${String(e)}\n${stderr.slice(-2000)}`, ms });
        }
      },
    );
  });
}

function describeOutcome(o: Outcome): string {
  if (!o.score || !o.report) return `${o.name}: could not run: ${o.failure}`;
  const s = o.score;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const lines = [
    `${o.name}: precision ${pct(s.precision)}, recall ${pct(s.recall)} (truth ${s.truth.length}, accused ${s.accused.length}; verdict ${o.report.verdict}; ${(o.ms / 1000).toFixed(1)} s)`,
  ];
  const wanted = o.truth.breaks.length ? 'not_conformant' : 'conformant';
  if (o.report.verdict !== wanted)
    lines.push(`  verdict ${o.report.verdict}, want ${wanted}: ${o.report.message}`);
  for (const f of s.falseAccusations)
    lines.push(`  false accusation ${f.id}`, ...f.evidence.map((e) => `    ${e}`));
  for (const m of s.misses)
    lines.push(
      `  miss ${m.id}`,
      ...(m.evidence.length ? m.evidence : ['no check cites it']).map((e) => `    ${e}`),
    );
  for (const x of s.stale) lines.push(`  stale exception: ${x}`);
  // Errors accuse nothing, but they make a verdict incomplete and can hide a break: show them.
  for (const c of o.report.checks.filter((c) => c.status === 'error'))
    lines.push(`  error ${c.id}: ${(c.reason ?? c.failures[0]?.message ?? '').slice(0, 200)}`);
  return lines.join('\n');
}

describe('the imperfect-server gallery', () => {
  beforeAll(async () => {
    // Each server in its own process, a few at a time: the longest first (they mostly wait), then the others as cores free
    // up. More at once only adds per-request latency (and check timeouts) on a busy machine.
    const longest = ['slow', 'reordered']; // 200 ms per request; a new connection per request
    const rank = (n: string) => (longest.includes(n) ? longest.indexOf(n) : longest.length);
    const queue = [...names].sort((a, b) => rank(a) - rank(b));
    const width = Math.max(2, availableParallelism()) + 1;
    await Promise.all(
      Array.from({ length: width }, async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift())
          outcomes.set(name, await runOne(name));
      }),
    );
    console.log(`gallery:\n${names.map((n) => describeOutcome(outcomes.get(n) as Outcome)).join('\n')}`);
  }, 600_000);

  it('has at least six servers, each with a truth.json of the documented shape', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const t = JSON.parse(readFileSync(new URL(`${name}/truth.json`, root), 'utf8')) as GalleryTruth;
      // The truth names the requirements of the version the server is certified against.
      const catalogue = catalogueFor(t.specVersion ?? loadCatalogue().specVersion)?.entries;
      expect(catalogue, `${name}: no catalogue of spec ${t.specVersion}`).toBeDefined();
      if (!catalogue) continue;
      expect(typeof t.description, `${name}: description`).toBe('string');
      expect(t.levels.length, `${name}: levels`).toBeGreaterThan(0);
      const ids = [...t.breaks.map((b) => b.id)];
      expect(new Set(ids).size, `${name}: a requirement listed twice`).toBe(ids.length);
      for (const b of t.breaks) {
        const r = catalogue.get(b.id);
        expect(r, `${name}: ${b.id} is not a requirement of the spec`).toBeDefined();
        expect(r?.testable, `${name}: ${b.id} is not black-box testable`).toBe(true);
        expect(t.levels, `${name}: ${b.id} is a ${r?.compliance} requirement`).toContain(
          r?.compliance.toLowerCase(),
        );
        expect(b.why.length, `${name}: ${b.id} needs a why`).toBeGreaterThan(20);
      }
      for (const e of t.exceptions) {
        expect(['missed', 'extra'], `${name}: exception kind`).toContain(e.kind);
        expect(e.reason.length, `${name}: exception ${e.id} needs a reason`).toBeGreaterThan(20);
      }
    }
  });

  for (const name of names)
    it(`${name}: the runner accuses exactly the requirements the server breaks`, () => {
      const o = outcomes.get(name);
      expect(o?.failure, 'the run itself failed').toBeUndefined();
      const s = o?.score as Score;
      expect(['not_conformant', 'conformant', 'incomplete'], 'verdict').toContain(o?.report?.verdict);
      expect(o?.report?.specVersion, 'the version certified against').toBe(
        o?.truth.specVersion ?? loadCatalogue().specVersion,
      );
      expect(
        { falseAccusations: s.falseAccusations, misses: s.misses, stale: s.stale },
        describeOutcome(o as Outcome),
      ).toEqual({ falseAccusations: [], misses: [], stale: [] });
      expect(o?.report?.verdict, `verdict: ${o?.report?.message}`).toBe(
        o?.truth.breaks.length ? 'not_conformant' : 'conformant',
      );
    });
});

describe('gallery scoring', () => {
  const truth: GalleryTruth = {
    description: 'synthetic',
    levels: ['core'],
    breaks: [
      { id: 'OMP-A-001', why: 'broken on purpose' },
      { id: 'OMP-B-001', why: 'broken on purpose' },
    ],
    exceptions: [{ id: 'OMP-D-001', kind: 'extra', reason: 'a known runner bug, tolerated here' }],
  };
  const chk = (id: string, status: string, requirements = [id]) => ({
    id,
    status,
    requirements,
    failures: [{ message: `${id} said no` }],
  });

  it('accuses every requirement of a fail or warn, nothing for blocked, skip or error', () => {
    const s = score(
      [
        chk('OMP-A-001', 'fail', ['OMP-A-001', 'OMP-C-001']),
        chk('OMP-B-001', 'blocked'),
        chk('OMP-B-001.x', 'error', ['OMP-B-001']),
        chk('OMP-D-001', 'warn'),
        chk('OMP-E-001', 'skip'),
      ],
      truth,
    );
    expect(s.accused).toEqual(['OMP-A-001', 'OMP-C-001']);
    expect(s.falseAccusations.map((f) => f.id)).toEqual(['OMP-C-001']);
    expect(s.misses.map((m) => m.id)).toEqual(['OMP-B-001']);
    expect(s.misses[0]?.evidence).toEqual([
      'OMP-B-001 blocked: OMP-B-001 said no',
      'OMP-B-001.x error: OMP-B-001.x said no',
    ]);
    expect([s.precision, s.recall]).toEqual([0.5, 0.5]);
    expect(s.stale).toEqual([]);
  });

  it('reports an exception that no longer matches a discrepancy as stale', () => {
    const s = score([chk('OMP-A-001', 'fail'), chk('OMP-B-001', 'fail')], truth);
    expect([s.precision, s.recall, s.stale]).toEqual([1, 1, ['extra OMP-D-001']]);
  });
});
