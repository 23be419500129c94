/** The dashboard's static files: where they are served, their headers, and the committed bundle's freshness. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, buildDashboard } from '../dashboard/build.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

describe('dashboard files', () => {
  it('serves index.html, the bundle and the stylesheet at the vendor path /x/dashboard/', async () => {
    for (const [path, type] of [
      ['/x/dashboard/', 'text/html'],
      ['/x/dashboard/app.js', 'text/javascript'],
      ['/x/dashboard/dashboard.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${srv.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = res.headers.get('etag') as string;
      const again = await fetch(`${srv.url}${path}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    }
    const html = await (await fetch(`${srv.url}/x/dashboard/`)).text();
    // No CDN: every script and stylesheet is a relative URL on this server.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('redirects /x/dashboard to the folder URL and answers HEAD without a body', async () => {
    const res = await fetch(`${srv.url}/x/dashboard?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/x/dashboard/');
    const head = await fetch(`${srv.url}/x/dashboard/app.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 not_found for other files under the vendor path and for other methods', async () => {
    for (const path of ['/x/dashboard/missing.js', '/x/dashboard/../package.json', '/x/other']) {
      const res = await srv.as().get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
    const post = await srv.as().post('/x/dashboard/', {});
    expect(post.status).toBe(404);
  });

  it('is not served when the server is started with dashboard: false', async () => {
    const off = await startTestServer({ dashboard: false });
    try {
      expect((await fetch(`${off.url}/x/dashboard/`)).status).toBe(404);
    } finally {
      await off.stop();
    }
  });

  it('has a committed bundle identical to a fresh deterministic build (npm run build:dashboard)', async () => {
    const fresh = await buildDashboard();
    expect(await buildDashboard()).toBe(fresh);
    expect(readFileSync(BUNDLE, 'utf8') === fresh, 'dashboard/public/app.js is stale: rebuild it').toBe(true);
  });
});
