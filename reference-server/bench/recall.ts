/**
 * `npm run bench:recall`: search quality of the reference server on the recall collection (scenarios/recall).
 * Starts the real server (bin, child process, a fresh temporary database, response cache off), creates every
 * persona's memories under its own principal over HTTP, runs every query in each mode and prints recall@5, MRR
 * and nDCG@10 per mode and language (and per query kind). The tables go into bench/RECALL.md under the run's
 * label; sections with other labels are kept, so the file holds the history of configurations measured.
 *
 *   npm run bench:recall                                  # label "default"
 *   npm run bench:recall -- --label "minilm" -- --embedder <…>   # everything after a second -- goes to the server
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  loadCollection,
  type QueryKind,
  type RecallQuery,
  summarise,
} from '../../scenarios/recall/collection.ts';
import { generateKey } from '../src/index.ts';
import { describeMachine } from './machine.ts';
import { type Server, spawnServer } from './server-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '../bin/omp-reference-server.js');
const OUT = join(here, 'RECALL.md');
const MODES = ['keyword', 'semantic', 'hybrid'] as const;
type Mode = (typeof MODES)[number];

const split = process.argv.indexOf('--', 2);
const ownArgs = split < 0 ? process.argv.slice(2) : process.argv.slice(2, split);
const serverArgs = split < 0 ? [] : process.argv.slice(split + 1);
const { values: opts } = parseArgs({
  args: ownArgs,
  options: { label: { type: 'string', default: 'default' }, 'no-write': { type: 'boolean' } },
});

function startServer(db: string, keysFile: string): Promise<Server> {
  return spawnServer([
    BIN,
    '--db',
    db,
    '--port',
    '0',
    '--keys-file',
    keysFile,
    '--no-cache',
    '--quiet',
    ...serverArgs,
  ]);
}

async function call(url: string, key: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

interface Run {
  query: RecallQuery;
  mode: Mode;
  modeUsed: string;
  ranked: string[];
  ms: number;
}

const pct = (x: number) => x.toFixed(3);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.floor((s.length - 1) / 2)] as number);
};

function table(runs: Run[], groupBy: (r: Run) => string, groupName: string): string {
  const lines = [
    `| mode | ${groupName} | queries | recall@5 | MRR | nDCG@10 | median ms |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const mode of MODES) {
    const ofMode = runs.filter((r) => r.mode === mode);
    if (ofMode.length === 0) continue;
    const used = new Set(ofMode.map((r) => r.modeUsed));
    const label = used.size === 1 && used.has(mode) ? mode : `${mode} (answered as ${[...used].join(', ')})`;
    const groups = [...new Set(ofMode.map(groupBy))].sort();
    for (const g of [...groups, 'all']) {
      const rs = g === 'all' ? ofMode : ofMode.filter((r) => groupBy(r) === g);
      const s = summarise(rs);
      const row = [label, g === 'all' ? '**all**' : g, s.n, pct(s.recall5), pct(s.mrr), pct(s.ndcg10)];
      lines.push(`| ${row.join(' | ')} | ${median(rs.map((r) => r.ms)).toFixed(1)} |`);
    }
  }
  return lines.join('\n');
}

function upsertSection(label: string, body: string): void {
  const header =
    '# Recall of the reference server on the recall collection\n\n' +
    'Written by `npm run bench:recall` (reference-server/bench/recall.ts); one section per measured configuration\n' +
    '(`--label`), the newest run of each label replacing the previous one. Collection: scenarios/recall (3 personas,\n' +
    'English, German, Japanese). recall@5 = an answering memory in the top 5; MRR over the top 10; nDCG@10 with\n' +
    'graded gains. Latency is the client-side time of one search over loopback, response cache off.\n';
  const old = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  const sections = new Map<string, string>();
  for (const part of old.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf('\n'));
    sections.set(title, `## ${part.trimEnd()}\n`);
  }
  sections.set(label, `## ${label}\n\n${body.trimEnd()}\n`);
  writeFileSync(OUT, `${header}\n${[...sections.values()].join('\n')}`);
}

async function main(): Promise<void> {
  const personas = loadCollection();
  const dir = mkdtempSync(join(tmpdir(), 'omp-recall-'));
  const keys = new Map(personas.map((p) => [p.persona.id, generateKey()]));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify([...keys].map(([principal, key]) => ({ key, principal }))));
  const server = await startServer(join(dir, 'recall.db'), keysFile);
  try {
    const health = (await (await fetch(`${server.url}/v1/health`)).json()) as Record<string, unknown>;
    const runs: Run[] = [];
    const t0 = performance.now();
    const byServerId = new Map<string, string>();
    for (const p of personas) {
      const key = keys.get(p.persona.id) as string;
      for (const m of p.memories) {
        const created = (await call(server.url, key, '/v1/memories', {
          content: m.content,
          type: m.type,
          tags: m.tags,
          source: { tool: 'bench-recall' },
        })) as { id: string };
        byServerId.set(created.id, m.id);
      }
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    for (const mode of MODES) {
      for (const p of personas) {
        const key = keys.get(p.persona.id) as string;
        for (const query of p.queries) {
          const t = performance.now();
          const res = (await call(server.url, key, '/v1/memories/search', {
            q: query.q,
            mode,
            limit: 10,
          })) as {
            memories: { id: string }[];
            mode_used: string;
          };
          const ms = performance.now() - t;
          const ranked = res.memories.map((m) => byServerId.get(m.id) ?? m.id);
          runs.push({ query, mode, modeUsed: res.mode_used, ranked, ms });
        }
      }
    }
    const byLanguage = table(runs, (r) => r.query.language, 'language');
    const byKind = table(runs, (r) => r.query.kind as QueryKind, 'kind');
    const missed = runs
      .filter((r) => r.mode === 'keyword' && summarise([r]).recall5 === 0)
      .map((r) => `${r.query.id} (${r.query.kind}) "${r.query.q}" → ${r.ranked.slice(0, 3).join(' ')}`);
    const machine = describeMachine(dir);
    const body = [
      `Run ${new Date().toISOString()}; server: ${JSON.stringify(health.server)}, levels ${JSON.stringify(health.levels)}, capabilities ${JSON.stringify(health.capabilities)}${serverArgs.length ? `; server args \`${serverArgs.join(' ')}\`` : ''}.`,
      `Loaded ${byServerId.size} memories by POST /v1/memories in ${loadSeconds.toFixed(1)} s (${((loadSeconds * 1000) / byServerId.size).toFixed(1)} ms per create, embedding included); server RSS after loading ${rssMiB.toFixed(0)} MiB. Machine: ${machine.nproc} cores (${machine.cpu}), load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}, Node ${machine.node}.`,
      '',
      '### Per language',
      '',
      byLanguage,
      '',
      '### Per query kind',
      '',
      byKind,
      '',
      `### Keyword misses (${missed.length})`,
      '',
      missed.length ? missed.map((m) => `- ${m}`).join('\n') : 'none',
    ].join('\n');
    console.log(`${byLanguage}\n\n${byKind}\n\nkeyword misses (${missed.length}):\n${missed.join('\n')}`);
    if (!opts['no-write']) {
      upsertSection(opts.label as string, body);
      console.log(`written to ${OUT} (section "${opts.label}")`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
