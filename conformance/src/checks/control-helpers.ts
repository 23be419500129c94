/** Helpers of the control-level checks (SPEC.md §20): state changes, app names, the OMP-App header, the log. */
import type { SchemaName } from '@omp-kit/schemas';
import type { CheckContext } from '../core/harness.ts';
import type { Api, Query } from '../core/omp-client.ts';
import type { Res } from '../core/response.ts';
import type { Memory } from '../core/wire.ts';
import { memPath } from './helpers.ts';

/** A memory as the control level returns it. */
export type ControlMemory = Memory & { state?: string };

/** One access-log entry (schema `access-log-entry`). */
export interface LogEntry {
  id: string;
  at: string;
  operation: string;
  via: string;
  app: string | null;
  principal: string;
  memory_ids: string[];
  request_id: string;
}

/** One app (schema `app`). */
export interface App {
  name: string;
  paused: boolean;
  first_seen_at: string;
  last_seen_at: string;
  memories_count: number;
  reads_count: number;
  writes_count: number;
  rules: unknown[];
}

/** An app name unique to the check (letters, digits and `-`, so it travels unescaped). */
export function appName(t: CheckContext, n = 0): string {
  return `ctl-${t.tag.replace(/[^a-z0-9-]/gi, '').toLowerCase()}-${n}`;
}

/** Headers naming the app a request acts for (SPEC.md §20.2). */
export function asApp(name: string): Record<string, string> {
  return { 'omp-app': encodeURIComponent(name) };
}

/** A request acting for an app. */
export function appReq(
  api: Api,
  app: string,
  method: string,
  path: string,
  o: { json?: unknown; query?: Query } = {},
): Promise<Res> {
  return api.req(method, path, { ...o, headers: asApp(app) });
}

/** POST /v1/memories/{id}/state. */
export function postState(api: Api, id: string, state: string, reason?: string): Promise<Res> {
  return api.post(`${memPath(id)}/state`, reason === undefined ? { state } : { state, reason });
}

/** Change a memory's state as a precondition: anything but a 200 blocks the check by OMP-CTRL-003. */
export async function setState(t: CheckContext, id: string, state: string): Promise<ControlMemory> {
  const res = await postState(t.api, id, state);
  const m = res.setUp<ControlMemory>('OMP-CTRL-003');
  if (m.state !== state)
    t.block('OMP-CTRL-003', `the state change answered state ${JSON.stringify(m.state)}`, res);
  return m;
}

/** A body valid against a control schema, or the check fails. */
export function valid<T>(t: CheckContext, res: Res, status: number, schema: SchemaName): T {
  const body = res.expect<T>(status);
  t.validate(body, schema, res);
  return body;
}

/** GET /v1/access-log with filters, as a precondition of checks about what the log holds (OMP-CTRL-030). */
export async function logOf(t: CheckContext, query: Query): Promise<{ entries: LogEntry[]; res: Res }> {
  const res = await t.api.get('/v1/access-log', query);
  if (t.area === 'CTRL' && t.check.id.startsWith('OMP-CTRL-030')) res.expect(200);
  const body = res.setUp<{ entries?: unknown }>('OMP-CTRL-030');
  if (!Array.isArray(body.entries)) t.block('OMP-CTRL-030', 'the access-log page has no entries array', res);
  return { entries: body.entries as LogEntry[], res };
}

/** GET /v1/apps/{name} as a precondition (OMP-CTRL-018). */
export async function appOf(t: CheckContext, name: string): Promise<App> {
  const res = await t.api.get(`/v1/apps/${encodeURIComponent(name)}`);
  return res.setUp<App>('OMP-CTRL-018');
}

/** PUT /v1/apps/{name} as a precondition (OMP-CTRL-019). */
export async function putApp(t: CheckContext, name: string, body: Record<string, unknown>): Promise<App> {
  const res = await t.api.put(`/v1/apps/${encodeURIComponent(name)}`, body);
  return res.setUp<App>('OMP-CTRL-019');
}

/** Ids of a list/search/export body. */
export function idsIn(res: Res): string[] {
  const b = res.json as { memories?: { id?: unknown }[] } | undefined;
  return (b?.memories ?? []).map((m) => String(m.id));
}
