/** The dashboard's only way to the server: same-origin fetch with the key kept in sessionStorage. */

const KEY_SLOT = 'omp.dashboard.key';

/** The key entered at login, kept for this browser tab only. */
export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_SLOT);
}

/** Remember the key for this tab (sessionStorage: gone when the tab closes). */
export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_SLOT, key);
}

/** Forget the key (log out, or the server refused it). */
export function forgetKey(): void {
  sessionStorage.removeItem(KEY_SLOT);
}

/** A non-2xx answer, with the error envelope's code and message. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Called when the server answers 401, so the shell can return to the login screen. */
let onUnauthorized: () => void = () => {};
/** Set the 401 handler. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/** Send a request to the API with the stored key (or the one given) and return the parsed JSON body. */
export async function api<T>(method: string, path: string, body?: unknown, key = storedKey()): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload });
  const text = await res.text();
  const parsed = text === '' ? undefined : safeJson(text);
  if (!res.ok) {
    // The OMP error envelope: { error: code, message, details, request_id }.
    const env = parsed as { error?: unknown; message?: unknown } | undefined;
    const code = typeof env?.error === 'string' ? env.error : 'http_error';
    const message = typeof env?.message === 'string' ? env.message : `HTTP ${res.status}`;
    if (res.status === 401) onUnauthorized();
    throw new ApiFailure(res.status, code, message);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A query string from the defined, non-empty values (arrays comma-separated, as OMP sends them). */
export function query(params: Record<string, string | number | string[] | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length > 0) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** The shapes the dashboard reads (a subset of schemas/; the server validates the rest). */
export interface Memory {
  id: string;
  content: string;
  type: string;
  tags: string[];
  namespace: string | null;
  source: { tool?: string | null; user_id?: string | null } & Record<string, unknown>;
  created_at: string;
  updated_at: string;
  state?: 'active' | 'paused' | 'archived';
  metadata: Record<string, unknown> | null;
}
export interface ListPage {
  memories: Memory[];
  total: number;
  next_cursor: string | null;
}
export interface SearchPage {
  memories: Memory[];
  total: number;
  mode_used: string;
  limit: number;
  offset: number;
}
export interface Health {
  version: string;
  levels: string[];
  capabilities: string[];
  memories_count: number | null;
  server?: { name?: string; version?: string };
  capability_details?: { control?: { access_log_retention_seconds: number } };
}
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
export interface LogPage {
  entries: LogEntry[];
  next_cursor: string | null;
}
export interface HistoryEntry {
  from: string;
  to: string;
  at: string;
  app: string | null;
  principal: string;
  reason?: string | null;
}
export interface Stats {
  total: number;
  by_state: Record<string, number>;
  by_type: Record<string, number>;
  by_app: { app: string; count: number }[];
  by_category: { category: string; count: number }[];
  apps_count: number;
}

/** Search modes the server runs, from its capabilities (OMP-HEALTH-011). */
export function searchModes(h: Health): string[] {
  const modes = ['keyword', 'semantic', 'hybrid'];
  return modes.filter((m) => h.capabilities.includes(`${m}_search`) || m === 'keyword');
}

/** Whether the server offers the control profile (states, apps, access log, stats). */
export function hasControl(h: Health): boolean {
  return h.levels.includes('control') || h.capabilities.includes('control');
}
