/**
 * Preflight: what the run learns before any check. The health body tells levels, capabilities and limits; GET
 * /v1/me tells what the keys are. Neither may block the run because of a server defect: an unusable health body
 * falls back to the spec's minimum limits and the levels requested, and an unusable GET /v1/me leaves the key
 * taken as a global key (OMP-HEALTH-002 and OMP-AUTH-010 report the defects). Only what the user got wrong (a key
 * the server rejects, a tool key given under the wrong name) or an unreachable server stops the run.
 */
import { validatorFor } from '@omp-kit/schemas';
import { type HttpClient, TransportError } from '../http/client.ts';
import { loadCatalogue } from './catalogue.ts';
import { type KeyRef, type Keyring, keyLabel, PRIMARY, SECOND } from './credentials.ts';
import type { Limits, ToolKey } from './harness.ts';
import { levelCapabilities, MINIMUM_LIMITS } from './levels.ts';
import { judgedVersion, listedVersions, validForVersion } from './spec-version.ts';
import { LEVELS, type Level } from './types.ts';
import type { Health, Principal } from './wire.ts';

/** A health body of the published draft (0.1/0.2): `compliance` instead of `levels`, or an old version. */
export interface DraftHealth {
  /** The `version` member as sent. */
  version: string | null;
  /** The `compliance` member as sent (e.g. "OMP-Core"), or null. */
  compliance: string | null;
}

/** What the health preflight found. */
export interface HealthFindings {
  /** The body when valid against the schema. */
  health?: Health;
  /** Why the body cannot be taken as declared (a server defect, reported by OMP-HEALTH-00x). */
  problem?: string;
  /** The body is not JSON at all: probably not an OMP server (wrong URL or port). */
  notOmp?: boolean;
  /** Levels taken as declared (the body's, else the requested ones). */
  assumed: Set<Level>;
  /** Levels the body itself declares (empty when it declares none validly). */
  declared: Set<Level>;
  capabilities: Set<string>;
  limits: Limits;
  /** The limits the body itself declares (the others are the spec's minimums). */
  limitsDeclared: Set<keyof Limits>;
  draft: DraftHealth | null;
  /** The raw body's server member, when it has a usable one. */
  server: { name: string; version: string } | null;
  /** The raw body's version member, when a string. */
  version: string | null;
  /** The versions the body lists (`versions`, else `[version]`). */
  versions: string[];
  /** Whether the body has a `versions` member (a server of 0.4 or later: it reads the OMP-Version header). */
  negotiates: boolean;
  /** The version the server is judged by (spec-version.ts). */
  judgedVersion: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Levels a draft `compliance` member names (draft 0.2's Full included Search). */
function draftLevels(compliance: string | null): Level[] {
  const c = (compliance ?? '').toLowerCase();
  if (c.includes('full')) return ['core', 'search', 'full'];
  if (c.includes('search')) return ['core', 'search'];
  return ['core'];
}

/**
 * GET /v1/health without a key and read it as leniently as the spec allows: members that are usable are used;
 * the rest fall back to the requested levels and the spec's minimum limits. Throws TransportError when the
 * server cannot be reached.
 */
export async function readHealth(
  client: HttpClient,
  requested: readonly Level[] | undefined,
  signal: AbortSignal,
  specVersion?: string,
): Promise<HealthFindings> {
  const res = await client.send({ method: 'GET', path: '/v1/health', credential: null, signal });
  let body: unknown;
  let notJson = false;
  try {
    body = JSON.parse(res.text);
  } catch {
    notJson = true;
  }
  const f: HealthFindings = {
    assumed: new Set<Level>(['core']),
    declared: new Set<Level>(),
    capabilities: new Set<string>(),
    limits: { ...MINIMUM_LIMITS },
    limitsDeclared: new Set(),
    draft: null,
    server: null,
    version: null,
    versions: [],
    negotiates: false,
    judgedVersion: specVersion ?? loadCatalogue().specVersion,
  };
  if (notJson) {
    const ct = res.headers['content-type'] ?? 'no Content-Type';
    f.problem = `GET /v1/health answered ${res.status} with ${ct}, not JSON: this does not look like an OMP server (wrong URL or port?)`;
    f.notOmp = true;
    for (const l of requested ?? []) f.assumed.add(l);
    return f;
  }
  f.versions = listedVersions(body);
  f.negotiates = isObject(body) && Array.isArray(body.versions);
  f.judgedVersion = judgedVersion(f.versions, specVersion);
  if (res.status !== 200) f.problem = `GET /v1/health answered ${res.status}`;
  else if (!validForVersion(f.judgedVersion, 'health', body))
    f.problem = 'the GET /v1/health body is not valid against the schema health';
  else f.health = body as Health;
  const b = isObject(body) ? body : {};
  if (typeof b.version === 'string') f.version = b.version;
  if (isObject(b.server) && typeof b.server.name === 'string' && typeof b.server.version === 'string')
    f.server = { name: b.server.name, version: b.server.version };
  const compliance = typeof b.compliance === 'string' ? b.compliance : null;
  if (compliance !== null || f.version === '0.1' || f.version === '0.2')
    f.draft = { version: f.version, compliance };
  if (Array.isArray(b.levels))
    for (const l of b.levels) if (LEVELS.includes(l as Level)) f.declared.add(l as Level);
  if (f.health || f.declared.size > 0) for (const l of f.declared) f.assumed.add(l);
  else if (requested?.length) for (const l of requested) f.assumed.add(l);
  else if (f.draft) for (const l of draftLevels(compliance)) f.assumed.add(l);
  if (Array.isArray(b.capabilities)) {
    for (const c of b.capabilities) if (typeof c === 'string') f.capabilities.add(c);
  } else
    for (const l of f.assumed) for (const c of levelCapabilities(l, f.judgedVersion)) f.capabilities.add(c);
  const limits = isObject(b.limits) ? b.limits : {};
  for (const k of ['max_body_bytes', 'max_import_bytes'] as const) {
    const v = limits[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      f.limits[k] = v;
      f.limitsDeclared.add(k);
    }
  }
  return f;
}

/** What the key preflight found. */
export interface KeyFindings {
  /** Mistakes of the user (a rejected key, keys given under the wrong role): the run stops with exit 2. */
  configProblems: string[];
  /** Per-tool keys as GET /v1/me describes them. */
  toolKeys: ToolKey[];
  /** Set when GET /v1/me is unusable: per-tool keys cannot be described, and OMP-AUTH-010 shows why. */
  meUnusable?: string;
  notes: string[];
}

/** Ask GET /v1/me about every key the run was given. */
export async function describeKeys(
  client: HttpClient,
  keys: Keyring,
  signal: AbortSignal,
  versionHeader?: string,
): Promise<KeyFindings> {
  const out: KeyFindings = { configProblems: [], toolKeys: [], notes: [] };
  type Me =
    | { kind: 'ok'; p: Principal }
    | { kind: 'rejected'; why: string }
    | { kind: 'unusable'; why: string };
  const me = async (key: KeyRef): Promise<Me> => {
    const label = keyLabel(key);
    try {
      const r = await client.send({
        method: 'GET',
        path: '/v1/me',
        headers: {
          authorization: `Bearer ${keys.secret(key)}`,
          ...(versionHeader ? { 'omp-version': versionHeader } : {}),
        },
        credential: label,
        signal,
      });
      if (r.status === 401) return { kind: 'rejected', why: `the server rejected ${label} (401)` };
      let body: unknown;
      try {
        body = JSON.parse(r.text);
      } catch {
        body = undefined;
      }
      if (r.status !== 200 || !validatorFor('principal')(body))
        return {
          kind: 'unusable',
          why: `GET /v1/me with ${label} answered ${r.status}${r.status === 200 ? ' with a body that is not a valid principal' : ''}`,
        };
      return { kind: 'ok', p: body as Principal };
    } catch (e) {
      if (e instanceof TransportError) throw e;
      return {
        kind: 'unusable',
        why: `GET /v1/me with ${label} failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  };
  const a = await me(PRIMARY);
  if (a.kind === 'rejected') {
    out.configProblems.push(a.why);
    return out;
  }
  if (a.kind === 'unusable') {
    out.meUnusable = a.why;
    out.notes.push(`${a.why}: OMP-AUTH-010 reports it; the token is taken as a global key`);
  } else if (a.p.tool !== null)
    out.configProblems.push(
      `the token option must be a global key, but the server says it is bound to tool "${a.p.tool}"`,
    );
  if (keys.has(SECOND)) {
    const b = await me(SECOND);
    if (b.kind === 'rejected') out.configProblems.push(b.why);
    else if (b.kind === 'ok' && a.kind === 'ok') {
      if (b.p.principal === a.p.principal)
        out.configProblems.push(
          'the tokenB option belongs to the same principal as token; it must be another user',
        );
      else if (b.p.tool !== null)
        out.configProblems.push('the tokenB option must be a global key of the second principal');
    }
  }
  for (const key of keys.all()) {
    if (key.role !== 'tool') continue;
    const p = await me(key);
    if (p.kind === 'rejected') out.configProblems.push(p.why);
    if (p.kind !== 'ok' || a.kind !== 'ok') continue;
    const name = key.tool;
    if (p.p.principal !== a.p.principal)
      out.configProblems.push(`tool key "${name}" belongs to another principal than token`);
    else if (p.p.tool === null)
      out.configProblems.push(`tool key "${name}" is a global key, not a per-tool key`);
    else if (p.p.tool !== name)
      out.configProblems.push(
        `tool key given as "${name}" is bound to tool "${p.p.tool}"; give it under the name ${p.p.tool}`,
      );
    else out.toolKeys.push({ key, name, me: p.p });
  }
  return out;
}
