import type { Violation } from '@omp-kit/schemas';
import type { Credential } from '../auth/keys.ts';
import type { GenerationCache } from '../cache.ts';
import { forbidden, validationError } from '../http/errors.ts';
import { parseQuery } from '../http/query.ts';
import type { RequestContext } from '../http/router.ts';
import type { Store, Visibility } from '../storage/store.ts';

/** What every route handler shares. */
export interface AppContext {
  store: Store;
  /** Rendered list and search pages, per store generation. */
  cache: GenerationCache<string>;
  limits: { maxBodyBytes: number; maxImportBytes: number };
  server: { name: string; version: string };
  /** The control level (SPEC.md §20), for health's declaration. */
  control?: import('../control/control.ts').Control | undefined;
  /** Declaring only 0.3 (legacy-0-3.ts): streamed bodies leave out what 0.4 added, as JSON replies do. */
  legacy03?: boolean | undefined;
}

/** The authenticated caller (endpoints with auth `required` always have one). */
export function caller(ctx: RequestContext): Credential {
  if (!ctx.credential) throw new Error('endpoint without authentication asked for the caller');
  return ctx.credential;
}

/** The memories a credential sees. */
export function visibilityOf(c: Credential): Visibility {
  return {
    principal: c.principal,
    ownTool: c.readScope === 'own' ? c.tool : null,
    rules: c.rules,
    paused: c.paused,
  };
}

/** 403 unless the key has the read scope (OMP-AUTH-014). */
export function requireRead(c: Credential): void {
  if (!c.canRead) throw forbidden('This key has no read scope', { required_scope: 'read' });
}

/** 403 unless the key has the write scope (OMP-AUTH-013). */
export function requireWrite(c: Credential): void {
  if (!c.canWrite) throw forbidden('This key has no write scope', { required_scope: 'write' });
}

/** Parse the query against the endpoint's parameter names; violations are returned, not thrown. */
export function queryOf(ctx: RequestContext, allowed: readonly string[]): ReturnType<typeof parseQuery> {
  return parseQuery(ctx.query, allowed);
}

/** Throw 422 if there is any violation. */
export function rejectIf(violations: readonly Violation[]): void {
  if (violations.length > 0) throw validationError(violations);
}

/** A JSON reply. */
export const json = (status: number, body: string, headers?: Record<string, string>) =>
  headers === undefined ? { status, body } : { status, body, headers };
