/**
 * omp-import: moves memories from another memory system into OMP. Today one source: `--from openmemory`.
 * Without `--server` it writes an OMP export file (stdout or `--out`), which any OMP server imports
 * (`POST /v1/import`, or the dashboard's Import button). With `--server` and a key it imports directly, in
 * batches, and on a server at the control level also pauses the apps OpenMemory had paused and sets their rules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Conversion, convert, type OmpItem, readBackup } from './openmemory.ts';

const USAGE = `omp-import — move memories from OpenMemory into an Open Memory Protocol server

Usage:
  omp-import --from openmemory <backup.zip | memories.json | memories.jsonl.gz> [--out omp-export.json]
  omp-import --from openmemory <file> --server http://127.0.0.1:3456 --api-key <key> [--conflict skip]

Options:
  --from <system>     the source system: openmemory
  --out <file>        write the OMP export file here (default: standard output)
  --server <url>      import straight into this OMP server (env OMP_SERVER)
  --api-key <key>     its key (env OMP_API_KEY)
  --conflict <how>    skip | overwrite | duplicate, for ids already stored (default: skip)
  --help              this text
`;

/** Items per import request: far below every limit, small enough to report progress. */
const BATCH = 500;

interface Options {
  file: string;
  out?: string | undefined;
  server?: string | undefined;
  apiKey?: string | undefined;
  conflict: string;
}

function parse(argv: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      server: { type: 'string' },
      'api-key': { type: 'string' },
      conflict: { type: 'string', default: 'skip' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  if (values.from !== 'openmemory') throw new Error('--from openmemory is required (the only source so far)');
  if (positionals.length !== 1) throw new Error('give exactly one backup file');
  if (!['skip', 'overwrite', 'duplicate'].includes(values.conflict)) {
    throw new Error('--conflict must be skip, overwrite or duplicate');
  }
  return {
    file: positionals[0] as string,
    out: values.out,
    server: values.server ?? process.env.OMP_SERVER,
    apiKey: values['api-key'] ?? process.env.OMP_API_KEY,
    conflict: values.conflict,
  };
}

async function call(server: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, server), {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok)
    throw new Error(`${method} ${path}: ${res.status} ${parsed?.error ?? ''} ${parsed?.message ?? ''}`);
  return parsed;
}

async function setPaused(server: string, key: string, name: string, paused: boolean): Promise<void> {
  await call(server, key, 'PUT', `/v1/apps/${encodeURIComponent(name)}`, { paused });
}

/** Import the conversion into a server; returns lines to print. */
async function importInto(server: string, key: string, c: Conversion, conflict: string): Promise<string[]> {
  const health = await call(server, key, 'GET', '/v1/health');
  const control: boolean = health.levels?.includes('control') ?? false;
  let items: (OmpItem | Omit<OmpItem, 'state'>)[] = c.file.memories;
  const lines: string[] = [];
  if (!control) {
    // A server without the control level knows no `state`: paused and archived memories would come back
    // as active, which would show what the person had hidden. They are left out, and said so.
    const active = c.file.memories.filter((m) => m.state === 'active');
    const hidden = c.file.memories.length - active.length;
    items = active.map(({ state: _s, ...rest }) => rest);
    if (hidden > 0)
      lines.push(`left out ${hidden} paused or archived memories: the server has no control level`);
  }
  let imported = 0;
  let skipped = 0;
  const errors: unknown[] = [];
  // A paused app's memories are refused by import (OMP-CTRL-020): apps this backup writes as that are paused
  // on the server (a second run, or paused by hand) are resumed for the import and paused again after it.
  const tools = new Set(items.map((m) => m.source.tool));
  const pausedNow: string[] = control
    ? (await call(server, key, 'GET', '/v1/apps')).apps
        .filter((a: { name: string; paused: boolean }) => a.paused && tools.has(a.name))
        .map((a: { name: string }) => a.name)
    : [];
  for (const name of pausedNow) await setPaused(server, key, name, false);
  try {
    for (let i = 0; i < items.length; i += BATCH) {
      const body = { ...c.file, memories: items.slice(i, i + BATCH) };
      const r = await call(server, key, 'POST', `/v1/import?conflict=${conflict}`, body);
      imported += r.imported;
      skipped += r.skipped;
      errors.push(...r.errors);
    }
  } finally {
    for (const name of pausedNow) await setPaused(server, key, name, true);
  }
  lines.push(`imported ${imported}, skipped ${skipped}, errors ${errors.length}`);
  for (const e of errors.slice(0, 20)) lines.push(`  error: ${JSON.stringify(e)}`);
  if (control) {
    for (const app of c.apps) {
      await call(server, key, 'PUT', `/v1/apps/${encodeURIComponent(app.name)}`, {
        paused: app.paused,
        rules: app.rules,
      });
      lines.push(`app ${app.name}: ${app.paused ? 'paused' : 'running'}, ${app.rules.length} rules`);
    }
  } else if (c.apps.length > 0) {
    lines.push(`${c.apps.length} apps with a pause or rules not set: the server has no control level`);
  }
  return lines;
}

/** Run the command with arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parse(argv);
  } catch (err) {
    process.stderr.write(`omp-import: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const c = convert(readBackup(readFileSync(opts.file)));
    const r = c.report;
    const summary = [
      `read ${r.memories} OpenMemory memories from ${r.source}: ${r.converted} converted, ` +
        `${r.skipped_deleted} deleted left out, ${r.skipped_empty} empty left out`,
      ...(r.status_history_not_carried > 0
        ? [`${r.status_history_not_carried} state-history entries not carried (the server keeps its own)`]
        : []),
      ...r.warnings.slice(0, 20).map((w) => `  warning: ${w}`),
    ];
    if (opts.server) {
      if (!opts.apiKey) throw new Error('--server needs --api-key (or OMP_API_KEY)');
      summary.push(...(await importInto(opts.server, opts.apiKey, c, opts.conflict)));
    } else {
      const text = `${JSON.stringify(c.file, null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text);
      if (c.apps.length > 0) {
        summary.push(
          `apps to pause or restrict by hand (PUT /v1/apps/{name}): ${c.apps.map((a) => a.name).join(', ')}`,
        );
      }
    }
    process.stderr.write(`${summary.join('\n')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`omp-import: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
