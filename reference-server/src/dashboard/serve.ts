/**
 * Serves the dashboard's static files at the vendor path /x/dashboard/ (SPEC.md §1.4: vendor paths belong to the
 * server), same origin as the API so the page calls /v1 with no CORS. The files are the committed build in
 * dashboard/public (next to src/ in a checkout, next to dist/ in the package), read once and kept in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The dashboard's URL path, with its trailing slash. */
export const DASHBOARD_PATH = '/x/dashboard/';

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/** Only this server's own scripts, styles and API: no inline code, no third-party origin, no framing. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** A request handler that answers the dashboard's paths, with `handles` to tell which requests are its. */
export interface DashboardMount {
  (req: IncomingMessage, res: ServerResponse): void;
  handles(req: IncomingMessage): boolean;
}

/** The folder of the built files: `dashboard/public` beside `src/` (checkout) or `dist/` (package). */
export function dashboardDir(): URL {
  return new URL('../../dashboard/public/', import.meta.url);
}

function loadAssets(dir: URL): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) {
    const file = new URL(name, dir);
    if (!existsSync(file)) continue;
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

/** The mount for GET and HEAD of /x/dashboard, /x/dashboard/ and its files; other requests are not its own. */
export function createDashboardMount(dir: URL = dashboardDir()): DashboardMount {
  let assets: Map<string, Asset> | undefined;
  const pathOf = (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  };
  const nameOf = (path: string): string | undefined => {
    if (path === DASHBOARD_PATH) return 'index.html';
    return path.startsWith(DASHBOARD_PATH) ? path.slice(DASHBOARD_PATH.length) : undefined;
  };
  const mount = ((req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const path = pathOf(req);
    if (path === DASHBOARD_PATH.slice(0, -1)) {
      res.writeHead(308, { Location: DASHBOARD_PATH, 'Content-Length': 0 });
      res.end();
      return;
    }
    assets ??= loadAssets(dir);
    const asset = assets.get(nameOf(path) ?? '') as Asset; // handles() admitted only known files
    const headers = {
      'Content-Type': asset.type,
      'Content-Length': asset.body.length,
      ETag: asset.etag,
      // Revalidate every time: a new server version must never run an old bundle against a new API.
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, { ETag: asset.etag, 'Cache-Control': 'no-cache' });
      res.end();
      return;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }) as DashboardMount;
  mount.handles = (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = pathOf(req);
    if (path === DASHBOARD_PATH.slice(0, -1)) return true;
    const name = nameOf(path);
    if (name === undefined || !(name in FILES)) return false;
    assets ??= loadAssets(dir);
    return assets.has(name); // a missing build falls through to the router's 404
  };
  return mount;
}
