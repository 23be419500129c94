/**
 * Cost as the store grows: each operation's median p50 at each store size, the ratio of the largest store's to
 * the smallest's, and whether that growth is flat, logarithmic or linear (a bounded page should never be linear).
 */
import type { Row } from './measure.ts';
import { classifyGrowth, fmt, type Growth } from './stats.ts';

/** One line of the growth table. */
export interface GrowthLine {
  operation: string;
  /** Median p50 per store size, ms (NaN where the row failed or was not run). */
  p50: number[];
  ratio: number;
  /** Server CPU µs per request at the smallest and the largest store, a steadier measure on a busy machine. */
  cpuRatio: number;
  growth: Growth | 'n/a';
}

/** Rows name deep pages by their page number, which grows with the store: one line for all sizes. */
const lineName = (operation: string) => operation.replace(/page ~?\d+/, 'last page');

/** The growth table of `rows` (one setup) across `sizes` (ascending). */
export function growthTable(
  rows: readonly Row[],
  sizes: readonly number[],
  label: (n: number) => string,
): GrowthLine[] {
  const names = [...new Set(rows.map((r) => `${lineName(r.operation)}\u0000${r.connections}`))];
  const lines: GrowthLine[] = [];
  for (const key of names) {
    const [name, c] = key.split('\u0000') as [string, string];
    const at = sizes.map((n) =>
      rows.find((r) => r.store === label(n) && lineName(r.operation) === name && String(r.connections) === c),
    );
    const p50 = at.map((r) => r?.p50.median ?? Number.NaN);
    const cpuFirst = at[0]?.cpuUs ?? Number.NaN;
    const cpuLast = at[at.length - 1]?.cpuUs ?? Number.NaN;
    const first = p50[0] as number;
    const last = p50[p50.length - 1] as number;
    const ok = sizes.length > 1 && Number.isFinite(first) && Number.isFinite(last) && first > 0;
    lines.push({
      operation: `${name}, c=${c}`,
      p50,
      ratio: ok ? last / first : Number.NaN,
      cpuRatio: sizes.length > 1 && cpuFirst > 0 ? cpuLast / cpuFirst : Number.NaN,
      growth: ok ? classifyGrowth(first, last, sizes[0] as number, sizes[sizes.length - 1] as number) : 'n/a',
    });
  }
  return lines;
}

/** The growth table as Markdown. */
export function growthMarkdown(
  lines: readonly GrowthLine[],
  sizes: readonly number[],
  label: (n: number) => string,
): string {
  const first = label(sizes[0] as number);
  const last = label(sizes[sizes.length - 1] as number);
  const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '-');
  const out = [
    `| operation | ${sizes.map((n) => `p50 ms at ${label(n)}`).join(' | ')} | p50 ${last} / ${first} | growth of p50 | CPU µs/req ${last} / ${first} |`,
    `|---|${sizes.map(() => '---:').join('|')}|---:|---|---:|`,
  ];
  for (const l of lines)
    out.push(
      `| ${l.operation} | ${l.p50.map(fmt).join(' | ')} | ${ratio(l.ratio)} | ${l.growth === 'linear or worse' ? '**linear or worse**' : l.growth} | ${ratio(l.cpuRatio)} |`,
    );
  return out.join('\n');
}
