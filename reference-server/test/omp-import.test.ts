/**
 * omp-import --from openmemory: a fixture written in OpenMemory's backup format (the zip that
 * openmemory/api/app/routers/backup.py writes: memories.json + memories.jsonl.gz), converted and imported into a
 * real server through the real bin.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { validatorFor } from '@omp-kit/schemas';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryTag, convert, ompIdFor, readBackup } from '../src/migrate/openmemory.ts';
import { startTestServer, type TestServer } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/omp-import.js', import.meta.url));
const USER = '7d9f7a52-3b4e-4a59-9d0c-2f1c6b1e0a11';
const APP_CLAUDE = 'a1b2c3d4-0000-4000-8000-000000000001';
const APP_CURSOR = 'a1b2c3d4-0000-4000-8000-000000000002';
const CAT_WORK = 'c0000000-0000-4000-8000-000000000001';
const CAT_PREFS = 'c0000000-0000-4000-8000-000000000002';
const M = (n: number) => `e0000000-0000-4000-8000-00000000000${n}`;

/** memories.json exactly as OpenMemory's _export_sqlite lays it out (ISO times with +00:00 offsets). */
function relational() {
  const t = (d: number) => `2026-03-0${d}T10:00:00.123456+00:00`;
  const mem = (n: number, app: string, state: string, content: string, cats: string[]) => ({
    id: M(n),
    user_id: USER,
    app_id: app,
    content,
    metadata: n === 1 ? { source_app: 'openmemory', mcp_client: 'claude' } : {},
    state,
    created_at: t(n),
    updated_at: t(n),
    archived_at: state === 'archived' ? t(n) : null,
    deleted_at: state === 'deleted' ? t(n) : null,
    category_ids: cats,
  });
  return {
    user: {
      id: USER,
      user_id: 'alice',
      name: null,
      email: null,
      metadata: {},
      created_at: t(1),
      updated_at: t(1),
    },
    apps: [
      { id: APP_CLAUDE, owner_id: USER, name: 'claude', description: null, metadata: {}, is_active: true },
      { id: APP_CURSOR, owner_id: USER, name: 'cursor', description: null, metadata: {}, is_active: false },
    ],
    categories: [
      { id: CAT_WORK, name: 'work', description: null, created_at: t(1), updated_at: t(1) },
      { id: CAT_PREFS, name: 'Personal Preferences', description: null, created_at: t(1), updated_at: t(1) },
    ],
    memories: [
      mem(1, APP_CLAUDE, 'active', 'Prefers dark mode in every editor', [CAT_PREFS]),
      mem(2, APP_CURSOR, 'paused', 'Project Atlas ships in May', [CAT_WORK]),
      mem(3, APP_CLAUDE, 'archived', 'Used to live in Lisbon', []),
      mem(4, APP_CLAUDE, 'deleted', 'Asked to forget this', []),
    ],
    memory_categories: [
      { memory_id: M(1), category_id: CAT_PREFS },
      { memory_id: M(2), category_id: CAT_WORK },
    ],
    status_history: [
      {
        id: 'f0000000-0000-4000-8000-000000000001',
        memory_id: M(3),
        changed_by: USER,
        old_state: 'active',
        new_state: 'archived',
        changed_at: t(5),
      },
    ],
    access_controls: [
      {
        id: 'ac000000-0000-4000-8000-000000000001',
        subject_type: 'app',
        subject_id: APP_CLAUDE,
        object_type: 'memory',
        object_id: M(2),
        effect: 'deny',
        created_at: t(1),
      },
    ],
    export_meta: { app_id_filter: null, from_date: null, to_date: null, version: '1', generated_at: t(9) },
  };
}

/** memories.jsonl.gz as _export_logical_memories_gz writes it. */
function logicalGz(): Buffer {
  const r = relational();
  const lines = r.memories.map((m) => ({
    id: m.id,
    content: m.content,
    metadata: m.metadata,
    created_at: m.created_at,
    updated_at: m.updated_at,
    state: m.state,
    app: m.app_id === APP_CLAUDE ? 'claude' : 'cursor',
    categories: m.category_ids.map((c) => (c === CAT_WORK ? 'work' : 'Personal Preferences')),
  }));
  return gzipSync(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

function backupZip(): Uint8Array {
  return zipSync({
    'memories.json': new TextEncoder().encode(JSON.stringify(relational(), null, 2)),
    'memories.jsonl.gz': new Uint8Array(logicalGz()),
  });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let zipPath: string;
let srv: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omp-import-'));
  zipPath = join(dir, 'memories_export_alice.zip');
  writeFileSync(zipPath, backupZip());
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenMemory backup conversion', () => {
  it('maps states, apps and categories, leaves deleted memories out, and writes a valid OMP export file', () => {
    const c = convert(readBackup(backupZip()), '2026-12-01T00:00:00.000Z');
    expect(c.report).toMatchObject({
      source: 'memories.json',
      memories: 4,
      converted: 3,
      skipped_deleted: 1,
      status_history_not_carried: 1,
    });
    const byContent = new Map(c.file.memories.map((m) => [m.content, m]));
    expect(byContent.get('Prefers dark mode in every editor')).toMatchObject({
      id: ompIdFor(M(1)),
      state: 'active',
      source: { tool: 'claude', timestamp: '2026-03-01T10:00:00.123Z' },
      tags: ['category:personal-preferences'],
      created_at: '2026-03-01T10:00:00.123Z',
      metadata: { openmemory_id: M(1), source_app: 'openmemory', mcp_client: 'claude' },
    });
    expect(byContent.get('Project Atlas ships in May')).toMatchObject({
      state: 'paused',
      source: { tool: 'cursor' },
      tags: ['category:work'],
    });
    expect(byContent.get('Used to live in Lisbon')?.state).toBe('archived');
    expect(byContent.has('Asked to forget this')).toBe(false);
    expect(c.apps).toEqual([
      { name: 'claude', paused: false, rules: [{ effect: 'deny', memory_id: ompIdFor(M(2)) }] },
      { name: 'cursor', paused: true, rules: [] },
    ]);
    const validate = validatorFor('export-file');
    expect(validate(c.file), JSON.stringify(validate.errors)).toBe(true);
  });

  it('reads memories.json alone and memories.jsonl.gz alone to the same memories', () => {
    const fromJson = convert(readBackup(new TextEncoder().encode(JSON.stringify(relational()))), 'x');
    const fromGz = convert(readBackup(logicalGz()), 'x');
    expect(fromGz.report.source).toBe('memories.jsonl.gz');
    const strip = (c: typeof fromJson) => c.file.memories.map(({ metadata: _m, ...rest }) => rest);
    expect(strip(fromGz)).toEqual(strip(fromJson));
  });

  it('refuses what is not an OpenMemory backup, with a message', () => {
    expect(() => readBackup(zipSync({ 'other.txt': new Uint8Array([1]) }))).toThrow(/memories\.json/);
    expect(() => readBackup(new TextEncoder().encode('{"memories": 3}'))).toThrow(/memories/);
    expect(() => ompIdFor('not-a-uuid')).toThrow(/UUID/);
    expect(new Set([1, 2, 3, 4].map((n) => ompIdFor(M(n)))).size).toBe(4);
    expect(categoryTag('  ')).toBeNull();
    expect(categoryTag('Health & Fitness')).toBe('category:health-fitness');
  });
});

describe('omp-import --from openmemory (the bin)', () => {
  it('writes an OMP export file that the server imports', async () => {
    const out = join(dir, 'omp.json');
    const r = await run(['--from', 'openmemory', zipPath, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('3 converted, 1 deleted left out');
    const file = JSON.parse(readFileSync(out, 'utf8'));
    const imported = await srv.as().post('/v1/import?conflict=skip', file);
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.imported).toBe(file.memories.length);
  });

  it('imports straight into a control-level server, idempotently, with states, apps and rules', async () => {
    const fresh = await startTestServer();
    try {
      const args = ['--from', 'openmemory', zipPath, '--server', fresh.url, '--api-key', fresh.token];
      const first = await run(args);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain('imported 3, skipped 0, errors 0');
      const dark = await fresh.as().get(`/v1/memories/${ompIdFor(M(1))}`);
      expect(dark.status).toBe(200);
      expect(dark.body.source.tool).toBe('claude');
      expect(dark.body.tags).toEqual(['category:personal-preferences']);
      expect((await fresh.as().get(`/v1/memories/${ompIdFor(M(2))}`)).body.state).toBe('paused');
      expect((await fresh.as().get(`/v1/memories/${ompIdFor(M(3))}`)).body.state).toBe('archived');
      expect((await fresh.as().get(`/v1/memories/${ompIdFor(M(4))}`)).status).toBe(404);
      expect((await fresh.as().get('/v1/apps/cursor')).body.paused).toBe(true);
      expect((await fresh.as().get('/v1/apps/claude')).body.rules).toEqual([
        { effect: 'deny', memory_id: ompIdFor(M(2)) },
      ]);
      // A second run skips what the first stored, even though cursor is now paused, and leaves it paused.
      const again = await run(args);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('imported 0, skipped 3, errors 0');
      expect((await fresh.as().get('/v1/apps/cursor')).body.paused).toBe(true);
    } finally {
      await fresh.stop();
    }
  });

  it('into a server without the control level, leaves paused and archived memories out instead of reviving them', async () => {
    const legacy = await startTestServer({ specVersions: ['0.3'] });
    try {
      const r = await run([
        '--from',
        'openmemory',
        zipPath,
        '--server',
        legacy.url,
        '--api-key',
        legacy.token,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('left out 2 paused or archived memories');
      expect(r.stderr).toContain('imported 1, skipped 0, errors 0');
      expect((await legacy.as().get(`/v1/memories/${ompIdFor(M(1))}`)).status).toBe(200);
      expect((await legacy.as().get(`/v1/memories/${ompIdFor(M(2))}`)).status).toBe(404);
    } finally {
      await legacy.stop();
    }
  });

  it('exits 2 with the usage on bad arguments, and 1 on an unreadable file', async () => {
    const noFrom = await run([zipPath]);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain('--from openmemory');
    const missing = await run(['--from', 'openmemory', join(dir, 'absent.zip')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('omp-import:');
  });
});
