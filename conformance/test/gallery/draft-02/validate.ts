/**
 * Request validation of the draft-0.2 gallery server, written from the draft's tables (omp-v0.2-wire-facts.md):
 * the draft's limits, its lower-case tag pattern, `source.timestamp` required, unknown members ignored (the draft
 * never said otherwise). The defects planted here are listed in truth.json; do not fix them.
 */

/** A validation failure: the draft envelope names one field in `details.field`. */
export class Invalid extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export const TYPES = ['episodic', 'semantic', 'procedural'] as const;
const TAG = /^[a-z0-9_:-]+$/;
// The draft says "ISO 8601 UTC": the form with Z, and a date the calendar has (Date.parse rolls 02-30 over).
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** A plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function codePoints(s: string): number {
  return [...s].length;
}

/** An ISO 8601 UTC timestamp as the draft describes it. */
export function isTimestamp(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO_UTC.test(v)) return false;
  const t = Date.parse(v);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === v.slice(0, 19);
}

export function checkContent(v: unknown, field = 'content'): string {
  if (typeof v !== 'string' || v.trim() === '') throw new Invalid(field, `${field} is required`);
  if (codePoints(v) > 10_000) throw new Invalid(field, `${field} must be at most 10000 characters`);
  return v;
}

export function checkType(v: unknown, field = 'type'): string {
  if (typeof v !== 'string' || !(TYPES as readonly string[]).includes(v))
    throw new Invalid(field, `${field} must be one of episodic, semantic, procedural`);
  return v;
}

export function checkTag(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > 50 || !TAG.test(v))
    throw new Invalid(field, `${field} must be 1 to 50 characters of a-z, 0-9, _, : and -`);
  return v;
}

export function checkTags(v: unknown, field = 'tags'): string[] {
  if (!Array.isArray(v)) throw new Invalid(field, `${field} must be an array`);
  if (v.length > 20) throw new Invalid(field, `${field} must have at most 20 items`);
  v.forEach((t, i) => {
    checkTag(t, `${field}[${i}]`);
  });
  if (new Set(v).size !== v.length) throw new Invalid(field, `${field} must not repeat a tag`);
  return v as string[];
}

export function checkNamespace(v: unknown, field = 'namespace'): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length < 1 || v.length > 100 || !TAG.test(v))
    throw new Invalid(field, `${field} must be 1 to 100 characters of a-z, 0-9, _, : and -`);
  return v;
}

export function checkExpiry(v: unknown, field = 'expires_at'): string | null {
  if (v === null) return null;
  // The draft never said a past expiry is wrong, so it is accepted.
  if (!isTimestamp(v)) throw new Invalid(field, `${field} must be an ISO 8601 UTC timestamp or null`);
  return v;
}

export function checkMetadata(v: unknown, field = 'metadata'): Record<string, unknown> {
  if (!isObject(v)) throw new Invalid(field, `${field} must be an object`);
  const keys = Object.keys(v);
  if (keys.length > 10) throw new Invalid(field, `${field} must have at most 10 keys`);
  if (keys.some((k) => k.length === 0 || codePoints(k) > 64))
    throw new Invalid(field, `${field} keys must be 1 to 64 characters`);
  return v;
}

export function checkEmbedding(v: unknown, field = 'embedding'): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 4096 || v.some((x) => typeof x !== 'number'))
    throw new Invalid(field, `${field} must be an array of 1 to 4096 numbers`);
  return v as number[];
}

function optionalString(v: unknown, field: string, max: number): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || v.length < 1 || codePoints(v) > max)
    throw new Invalid(field, `${field} must be 1 to ${max} characters`);
}

/** The draft's `source`: `tool` and `timestamp` required. */
export function checkSource(v: unknown, field = 'source'): Record<string, unknown> {
  if (!isObject(v)) throw new Invalid(field, `${field} is required`);
  const tool = v.tool;
  if (
    typeof tool !== 'string' ||
    tool.length < 1 ||
    codePoints(tool) > 100 ||
    /[\u0000-\u001f\u007f]/.test(tool)
  )
    throw new Invalid(`${field}.tool`, `${field}.tool must be 1 to 100 printable characters`);
  optionalString(v.session_id, `${field}.session_id`, 255);
  optionalString(v.user_id, `${field}.user_id`, 255);
  if (!isTimestamp(v.timestamp))
    throw new Invalid(`${field}.timestamp`, `${field}.timestamp is required (ISO 8601 UTC)`);
  return v;
}
