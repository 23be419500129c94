/**
 * Converts an OpenMemory backup into an OMP export file (SPEC.md §7.1), so that `POST /v1/import` (or the
 * dashboard's Import button) moves an OpenMemory user's memories into any OMP server.
 *
 * The format is OpenMemory's own backup (openmemory/api/app/routers/backup.py, `POST /api/v1/backup/export`):
 * a zip holding `memories.json` (the relational export: user, apps, categories, memories, memory_categories,
 * status_history, access_controls, export_meta) and `memories.jsonl.gz` (one memory per line with its app and
 * category names). Either file, or the zip, is accepted; `memories.json` is preferred because only it carries
 * the apps' paused flags and the access rules.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

/** One memory as OpenMemory's `memories.json` writes it. */
interface OmMemory {
  id: string;
  app_id?: string | null;
  content?: string | null;
  metadata?: Record<string, unknown> | null;
  state?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  category_ids?: string[];
}
/** One line of OpenMemory's `memories.jsonl.gz`. */
interface OmLogical {
  id: string;
  content?: string | null;
  metadata?: Record<string, unknown> | null;
  state?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  app?: string | null;
  categories?: string[];
}
/** OpenMemory's relational export (`memories.json`). */
interface OmRelational {
  apps?: { id: string; name: string; is_active?: boolean }[];
  categories?: { id: string; name: string }[];
  memories?: OmMemory[];
  memory_categories?: { memory_id: string; category_id: string }[];
  status_history?: unknown[];
  access_controls?: {
    subject_type?: string;
    subject_id?: string | null;
    object_type?: string;
    object_id?: string | null;
    effect?: string;
  }[];
  export_meta?: { version?: string };
}

/** An OMP export item (the subset of fields this converter writes). */
export interface OmpItem {
  id: string;
  content: string;
  type: 'semantic';
  source: { tool: string; timestamp: string };
  tags: string[];
  namespace: null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  expires_at: null;
  state: 'active' | 'paused' | 'archived';
}

/** An app as the control profile's `PUT /v1/apps/{name}` takes it. */
export interface OmpApp {
  name: string;
  paused: boolean;
  rules: { effect: 'allow' | 'deny'; memory_id: string }[];
}

/** The conversion's outcome: the export file, the apps to set up, and what could not be carried. */
export interface Conversion {
  file: {
    omp_version: string;
    exported_at: string;
    server: { name: string; version: string };
    memories: OmpItem[];
  };
  apps: OmpApp[];
  report: {
    source: 'memories.json' | 'memories.jsonl.gz';
    memories: number;
    converted: number;
    /** OpenMemory's `deleted` state is a soft delete: the person asked to forget them, so they are left out. */
    skipped_deleted: number;
    skipped_empty: number;
    /** State changes cannot be written through the API: the server writes history itself. */
    status_history_not_carried: number;
    warnings: string[];
  };
}

/** The tool name OpenMemory's own import gives memories without an app. */
const DEFAULT_APP = 'openmemory';
const STATES = new Set(['active', 'paused', 'archived']);

/** A deterministic OMP id for an OpenMemory UUID, so that importing the same backup twice skips, not doubles. */
export function ompIdFor(uuid: string): string {
  const hex = uuid.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 32) throw new Error(`not an OpenMemory id (a UUID): ${uuid}`);
  // Hashed, not truncated: time-ordered UUIDs (v1, v7) share their leading digits.
  return `mem_${createHash('sha256').update(hex).digest('hex').slice(0, 16)}`;
}

/** An OpenMemory category name as an OMP tag `category:<name>` (lower-case, OMP's tag alphabet, 50 chars). */
export function categoryTag(name: string): string | null {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_:-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? null : `category:${slug}`.slice(0, 50);
}

/** An ISO timestamp as OMP writes it (UTC, `Z`); OpenMemory writes `+00:00` offsets. */
function timestamp(value: string | null | undefined, fallback: string): string {
  if (!value) return fallback;
  const t = Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/** Read the backup: a zip, `memories.json`, or `memories.jsonl(.gz)`, told apart by their first bytes. */
export function readBackup(bytes: Uint8Array): { relational?: OmRelational; logical?: OmLogical[] } {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const entries = unzipSync(bytes);
    const find = (name: string) =>
      Object.entries(entries).find(([path]) => !path.endsWith('/') && path.split('/').pop() === name)?.[1];
    const json = find('memories.json');
    const gz = find('memories.jsonl.gz');
    if (!json && !gz) throw new Error('the zip holds neither memories.json nor memories.jsonl.gz');
    return {
      relational: json ? (JSON.parse(new TextDecoder().decode(json)) as OmRelational) : undefined,
      logical: gz ? parseJsonl(gunzipSync(gz)) : undefined,
    };
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { logical: parseJsonl(gunzipSync(bytes)) };
  const text = new TextDecoder().decode(bytes).trim();
  if (text.startsWith('{') && !text.includes('\n{')) {
    const parsed = JSON.parse(text) as OmRelational;
    if (!Array.isArray(parsed.memories))
      throw new Error('not an OpenMemory memories.json: no "memories" array');
    return { relational: parsed };
  }
  return { logical: parseJsonl(Buffer.from(text)) };
}

function parseJsonl(buf: Uint8Array): OmLogical[] {
  return new TextDecoder()
    .decode(buf)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as OmLogical;
      } catch {
        throw new Error(`memories.jsonl line ${i + 1} is not JSON`);
      }
    });
}

/** Up to 10 metadata members (OMP-MEM-013), the OpenMemory id first so the origin stays traceable. */
function metadataFor(
  id: string,
  meta: Record<string, unknown> | null | undefined,
  warn: (s: string) => void,
) {
  const out: Record<string, unknown> = { openmemory_id: id };
  const entries = Object.entries(meta ?? {}).filter(([k]) => k.length >= 1 && k.length <= 64);
  for (const [k, v] of entries.slice(0, 9)) out[k] = v;
  if (entries.length > 9) warn(`${id}: metadata had ${entries.length} members; kept the first 9`);
  return out;
}

/** Convert a read backup to an OMP export file plus the apps to pause and their rules. */
export function convert(
  backup: { relational?: OmRelational; logical?: OmLogical[] },
  now: string = new Date().toISOString(),
  server: { name: string; version: string } = { name: 'omp-import', version: '0.4' },
): Conversion {
  const warnings: string[] = [];
  const warn = (s: string): void => {
    warnings.push(s);
  };
  const rel = backup.relational;
  const appName = new Map((rel?.apps ?? []).map((a) => [a.id, a.name] as const));
  const catName = new Map((rel?.categories ?? []).map((c) => [c.id, c.name] as const));
  const catsOf = new Map<string, Set<string>>();
  for (const link of rel?.memory_categories ?? []) {
    const name = catName.get(link.category_id);
    if (!name) continue;
    const set = catsOf.get(link.memory_id) ?? new Set<string>();
    set.add(name);
    catsOf.set(link.memory_id, set);
  }
  const logical: OmLogical[] = rel
    ? (rel.memories ?? []).map((m) => ({
        id: m.id,
        content: m.content,
        metadata: m.metadata,
        state: m.state,
        created_at: m.created_at,
        updated_at: m.updated_at,
        app: m.app_id ? (appName.get(m.app_id) ?? null) : null,
        categories: [
          ...new Set([
            ...(m.category_ids ?? []).map((c) => catName.get(c)).filter((c): c is string => !!c),
            ...(catsOf.get(m.id) ?? []),
          ]),
        ],
      }))
    : (backup.logical ?? []);

  let deleted = 0;
  let empty = 0;
  const items: OmpItem[] = [];
  const idMap = new Map<string, string>();
  for (const m of logical) {
    const state = m.state ?? 'active';
    if (state === 'deleted') {
      deleted++;
      continue;
    }
    const content = (m.content ?? '').slice(0, 10_000);
    if (content.trim() === '') {
      empty++;
      continue;
    }
    if (!STATES.has(state)) warn(`${m.id}: unknown state "${state}", imported as active`);
    const created = timestamp(m.created_at, now);
    const tags = [
      ...new Set((m.categories ?? []).map(categoryTag).filter((t): t is string => t !== null)),
    ].slice(0, 20);
    const id = ompIdFor(m.id);
    idMap.set(m.id, id);
    items.push({
      id,
      content,
      type: 'semantic',
      source: { tool: (m.app ?? DEFAULT_APP).slice(0, 100) || DEFAULT_APP, timestamp: created },
      tags,
      namespace: null,
      metadata: metadataFor(m.id, m.metadata, warn),
      created_at: created,
      updated_at: timestamp(m.updated_at, created),
      expires_at: null,
      state: STATES.has(state) ? (state as OmpItem['state']) : 'active',
    });
  }

  // Apps: OpenMemory's is_active=false is a paused app; its memory-level access controls become rules.
  const apps = new Map<string, OmpApp>();
  for (const a of rel?.apps ?? []) apps.set(a.id, { name: a.name, paused: a.is_active === false, rules: [] });
  for (const ac of rel?.access_controls ?? []) {
    const app = ac.subject_type === 'app' && ac.subject_id ? apps.get(ac.subject_id) : undefined;
    const memoryId = ac.object_type === 'memory' && ac.object_id ? idMap.get(ac.object_id) : undefined;
    const effect = ac.effect === 'allow' || ac.effect === 'deny' ? ac.effect : undefined;
    if (app && memoryId && effect) app.rules.push({ effect, memory_id: memoryId });
    else
      warn(
        `access control ${ac.subject_type}:${ac.subject_id} → ${ac.object_type}:${ac.object_id} not carried`,
      );
  }

  return {
    file: { omp_version: '0.4', exported_at: now, server, memories: items },
    apps: [...apps.values()].filter((a) => a.paused || a.rules.length > 0),
    report: {
      source: rel ? 'memories.json' : 'memories.jsonl.gz',
      memories: logical.length,
      converted: items.length,
      skipped_deleted: deleted,
      skipped_empty: empty,
      status_history_not_carried: rel?.status_history?.length ?? 0,
      warnings,
    },
  };
}
