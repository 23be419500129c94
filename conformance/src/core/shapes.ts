/**
 * Whole-body shapes as requirements of their own. A check asserts the members its requirement names; whether a
 * body as a whole is valid against its schema is the business of one requirement per response kind (OMP-MEM-001
 * for every memory, OMP-LIST-001 for the list envelope, …). The run watches every body a check reads, so a shape
 * fault is reported once, under its own requirement, with the exchanges that show it, and fails nothing else.
 */
import { type SchemaName, toViolations } from '@omp-kit/schemas';
import type { Exchange } from '../http/client.ts';
import { schemaValidators } from './spec-version.ts';

/** Response kinds whose shape a requirement of the catalogue names. */
export type ShapeKind =
  | 'memory'
  | 'list-response'
  | 'search-response'
  | 'export-file'
  | 'import-result'
  | 'principal'
  | 'health'
  | 'error'
  | 'bulk-delete-result';

/** The requirement that says "the body is valid against the schema X", per response kind. */
export const SHAPE_REQUIREMENT: Readonly<Record<ShapeKind, string>> = {
  memory: 'OMP-MEM-001',
  'list-response': 'OMP-LIST-001',
  'search-response': 'OMP-SEARCH-001',
  'export-file': 'OMP-EXPORT-001',
  'import-result': 'OMP-IMPORT-001',
  principal: 'OMP-AUTH-010',
  health: 'OMP-HEALTH-002',
  error: 'OMP-ERR-001',
  'bulk-delete-result': 'OMP-BULK-001',
};

/** Kinds whose `memories` items are memories: their envelope is judged without the items (OMP-MEM-001's). */
const CONTAINERS = new Set<ShapeKind>(['list-response', 'search-response', 'export-file']);

/** One shape violation, described for people. */
export interface ShapeProblem {
  kind: ShapeKind;
  /** `/memories/3/tags` style location plus the schema's message. */
  message: string;
}

function violations(value: unknown, schema: SchemaName, version: string, prefix = ''): string[] {
  const [v, ...later] = schemaValidators(version, schema);
  if (!v || v(value) || later.some((l) => l(value) === true)) return [];
  return toViolations(v.errors)
    .slice(0, 5)
    .map((x) => `${prefix}${x.path || '/'} ${x.message}`);
}

/**
 * Shape problems of one body under the schemas of the spec version the server is judged by. A container's
 * envelope (members other than `memories` items) is judged as `kind`; each memory it holds as `memory`.
 */
export function shapeProblems(kind: ShapeKind, body: unknown, version: string): ShapeProblem[] {
  if (!CONTAINERS.has(kind)) return violations(body, kind, version).map((message) => ({ kind, message }));
  const out: ShapeProblem[] = [];
  const items =
    body && typeof body === 'object' && Array.isArray((body as { memories?: unknown }).memories)
      ? ((body as { memories: unknown[] }).memories as unknown[])
      : null;
  const envelope = items ? { ...(body as object), memories: [] } : body;
  for (const message of violations(envelope, kind, version)) out.push({ kind, message });
  items?.forEach((m, i) => {
    for (const message of violations(m, 'memory', version, `/memories/${i}`))
      out.push({ kind: 'memory', message });
  });
  return out;
}

/** One watched body that broke its shape. */
export interface ShapeViolation extends ShapeProblem {
  exchange: Exchange;
}

const KEEP_PER_KIND = 20;

/** Collects shape violations of every body the checks read (at most 20 per kind, plus counts). */
export class ShapeMonitor {
  readonly seen: Record<ShapeKind, number> = {
    memory: 0,
    'list-response': 0,
    'search-response': 0,
    'export-file': 0,
    'import-result': 0,
    principal: 0,
    health: 0,
    error: 0,
    'bulk-delete-result': 0,
  };
  readonly bad: Record<ShapeKind, number> = { ...this.seen };
  private readonly kept: ShapeViolation[] = [];
  private readonly messages = new Set<string>();
  /** Memories the server stored from a request it should have refused: their shape is that request's fault. */
  private readonly tainted = new Set<string>();
  /** The spec version whose schemas judge the bodies (spec-version.ts). */
  readonly version: string;

  constructor(version: string) {
    this.version = version;
  }

  /** Mark a memory as stored from an invalid request (an accepted invalid create, update or import item). */
  taint(id: string): void {
    this.tainted.add(id);
  }

  /** Judge one body a check read as `kind`. */
  observe(kind: ShapeKind, body: unknown, exchange: Exchange): void {
    this.seen[kind]++;
    const idOf = (m: unknown) => (m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined);
    const isTainted = (m: unknown) => {
      const id = idOf(m);
      return typeof id === 'string' && this.tainted.has(id);
    };
    if (kind === 'memory' && isTainted(body)) return;
    const items = (body as { memories?: unknown } | null)?.memories;
    const clean =
      kind !== 'memory' && Array.isArray(items) && items.some(isTainted)
        ? { ...(body as object), memories: items.filter((m) => !isTainted(m)) }
        : body;
    const problems = shapeProblems(kind, clean, this.version);
    const kinds = new Set(problems.map((p) => p.kind));
    for (const k of kinds) this.bad[k]++;
    for (const p of problems) {
      // The same fault shows in many bodies: keep each distinct message once, with its first exchange.
      const key = `${p.kind}\u0000${p.message.replace(/^\/memories\/\d+/, '/memories/*')}`;
      if (this.messages.has(key)) continue;
      if (this.kept.filter((v) => v.kind === p.kind).length >= KEEP_PER_KIND) continue;
      this.messages.add(key);
      this.kept.push({ ...p, exchange });
    }
  }

  /** Distinct violations of one kind, first seen first. */
  violations(kind: ShapeKind): ShapeViolation[] {
    return this.kept.filter((v) => v.kind === kind);
  }
}
