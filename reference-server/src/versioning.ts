/**
 * Version negotiation (SPEC.md §1.2): the versions this server implements, the `OMP-Version` request header that
 * selects one, and the header every `/v1` response carries. This server implements 0.4 only: answering under 0.3
 * would mean applying 0.3's closed-world request rules and response shapes, which it does not do, so it does not
 * claim 0.3. Clients of 0.3 send no header and are answered under 0.4, whose additions they ignore.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './http/errors.ts';

/** Every MAJOR.MINOR version this server implements completely, ascending (health `versions`). */
export const VERSIONS: readonly string[] = ['0.4'];
/** The newest of them: the health `version` and the version of requests without the header. */
export const NEWEST = VERSIONS[VERSIONS.length - 1] as string;

const VERSION = /^\d+\.\d+$/;

/** The version governing a request, or 400 version_not_supported (OMP-VER-002..004). */
export function negotiate(req: IncomingMessage): string {
  const raw = req.headers['omp-version'];
  if (raw === undefined) return NEWEST;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (VERSION.test(value) && VERSIONS.includes(value)) return value;
  throw new ApiError(
    400,
    'version_not_supported',
    `OMP-Version ${JSON.stringify(value.slice(0, 20))} is not implemented; this server implements ${VERSIONS.join(', ')}`,
    { requested: value.slice(0, 20), supported: [...VERSIONS] },
  );
}

/** Whether the path is governed by a version: everything under /v1 but health (OMP-VER-001, OMP-VER-005). */
export const versioned = (path: string): boolean => path.startsWith('/v1/') && path !== '/v1/health';
