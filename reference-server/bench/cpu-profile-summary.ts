/**
 * Summarise a `node --cpu-prof` profile: the functions with the most self time and the most total (inclusive)
 * time, in ms and % of the sampled time (bench/WRITES.md).
 *
 *   node bench/cpu-profile-summary.ts <file.cpuprofile> [--top 30] [--filter text]
 *
 * `--filter` keeps the inclusive list to functions whose name or file contains the text.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, filter: { type: 'string' } },
});
const profile = JSON.parse(readFileSync(positionals[0] as string, 'utf8')) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode): string => {
  const f = n.callFrame;
  const file = f.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let sampled = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  sampled += dt;
  const leaf = byId.get(id) as ProfileNode;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  // Each function once per sample, however often it recurs on the stack.
  const seen = new Set<string>();
  for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});

const print = (title: string, m: Map<string, number>, keep: (l: string) => boolean) => {
  console.log(`\n${title}`);
  for (const [l, ms] of [...m]
    .filter(([l]) => keep(l))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / sampled).toFixed(1).padStart(5)} %  ${l}`);
  }
};
const idle = self.get('(idle)') ?? 0;
console.log(
  `sampled ${sampled.toFixed(0)} ms, idle ${idle.toFixed(0)} ms, busy ${(sampled - idle).toFixed(0)} ms`,
);
print('self time', self, () => true);
const filter = values.filter;
print('total time', total, (l) => filter === undefined || l.includes(filter));
