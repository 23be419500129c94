/**
 * The dashboard in a real browser: headless Chromium (the system's /usr/bin/chromium) driven by playwright-core
 * against a real server on a real SQLite file. Logs in with a key, finds memories created through the API,
 * searches, filters, pages, bulk-deletes, exports and imports, pauses an app, archives a memory and reads the
 * state history and the access log. Saves screenshots of the main screens to test-artifacts/dashboard (git-ignored) and runs
 * axe-core on every screen at desktop and 360 px widths: no serious or critical violation is allowed.
 * Every wait is for a selector or a condition, never a fixed time.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, startTestServer, type TestServer } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/dashboard/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };
const STEP = 120_000;

let srv: TestServer;
let profile: string;
let context: BrowserContext;
let page: Page;
let dashboard: string;

/** Axe findings of the given impacts on the current page. */
async function axeViolations(p: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await p.evaluate(AXE_SOURCE); // evaluated over CDP, so the page's Content-Security-Policy does not block it
  return p.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected at run time
    const axe = (globalThis as any).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    // A scan that checked nothing proves nothing: it must have applied rules that passed.
    if (r.passes.length === 0) throw new Error('axe applied no rule');
    return r.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: { id: string; impact: string; nodes: { target: string[] }[] }) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** Screenshot at desktop and 360 px, and an axe scan at both widths; `ready` is a selector that must show. */
async function capture(name: string, ready: string): Promise<void> {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['360', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${size}.png`), fullPage: true });
    expect(JSON.stringify(await axeViolations(page)), `${name} at ${size}`).toBe('[]');
    if (size === '360') {
      // Usable at 360 px: the page itself does not scroll sideways (wide tables scroll inside their frame).
      // Measured once the screen has settled: data still arriving may lay out a transient state.
      await page.waitForLoadState('networkidle');
      const { overflow, wide } = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - innerWidth,
        // What sticks out, for the failure message: the deepest elements past the right edge.
        wide: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > innerWidth && e.children.length === 0)
          .slice(0, 5)
          .map(
            (e) => `<${e.tagName.toLowerCase()} class="${e.className}">${(e.textContent ?? '').slice(0, 60)}`,
          ),
      }));
      expect(overflow, `${name} overflows at 360 px: ${wide.join(' | ')}`).toBeLessThanOrEqual(0);
    }
  }
  await page.setViewportSize(DESKTOP);
}

async function go(hash: string, ready: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.locator(ready).first().waitFor();
}

/** Apply the memory filters with the given field values (others cleared). */
async function filter(values: { q?: string; type?: string; tags?: string; app?: string }): Promise<void> {
  await page.fill('#f-q', values.q ?? '');
  await page.selectOption('#f-type', values.type ?? '');
  await page.fill('#f-tags', values.tags ?? '');
  await page.fill('#f-app', values.app ?? '');
  await page.click('form.filters button[type=submit]');
}

const row = (text: string) => page.locator('table.memories tbody tr', { hasText: text });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  srv = await startTestServer();
  dashboard = `${srv.url}/x/dashboard/`;
  const health = await srv.as().get('/v1/health');
  // The reference server is at the control level (SPEC.md §20): the Apps, Access log and Stats screens exist.
  if (!health.body.levels.includes('control'))
    throw new Error('the reference server does not list `control`');
  profile = mkdtempSync(join(tmpdir(), 'omp-dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
}, STEP);

afterAll(async () => {
  await context?.close();
  await srv?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  let darkId = '';

  it(
    'is served at /x/dashboard/ with no CDN and logs in with a key kept in sessionStorage',
    async () => {
      const html = await fetch(dashboard);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(dashboard);
      await page.locator('#key').waitFor();
      await capture('login', '#key');
      await page.fill('#key', 'omp_not-a-key');
      await page.click('button[type=submit]');
      await page.getByRole('alert').waitFor();
      // Keyboard only: Tab reaches the key field, Enter submits.
      await page.fill('#key', '');
      await page.getByRole('heading', { name: 'OMP dashboard' }).click(); // focus starts from the heading
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('key');
      await page.keyboard.type(srv.token);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Memories' }).waitFor();
      // The search modes offered are exactly those the server declares (OMP-HEALTH-011).
      const caps: string[] = (await srv.as().get('/v1/health')).body.capabilities;
      const declared = ['keyword', 'semantic', 'hybrid'].filter((m) => caps.includes(`${m}_search`));
      expect(await page.locator('#f-mode option').allInnerTexts()).toEqual(declared);
      expect(await page.evaluate(() => sessionStorage.getItem('omp.dashboard.key'))).toBe(srv.token);
      // Same origin only: no request left for a CDN or any other host.
      expect(requests.filter((u) => !u.startsWith(srv.url))).toEqual([]);
      // The key survives a reload of the tab (entered once).
      await page.reload();
      await page.getByRole('heading', { name: 'Memories' }).waitFor();
    },
    STEP,
  );

  it(
    'finds memories created through the API, searches and filters them',
    async () => {
      const c = srv.as();
      darkId = (
        await create(c, {
          content: 'Prefers dark mode in every editor',
          tags: ['ui', 'category:preferences'],
          source: { tool: 'cursor' },
        })
      ).id;
      await create(c, {
        content: 'Deploys happen on Fridays after review',
        type: 'episodic',
        tags: ['work'],
        source: { tool: 'claude' },
      });
      await filter({});
      await row('Prefers dark mode').waitFor();
      await row('Deploys happen on Fridays').waitFor();
      await capture('memories', 'table.memories tbody tr');

      await filter({ q: 'dark mode' });
      await page.locator('p.summary', { hasText: 'found' }).waitFor();
      await row('Prefers dark mode').waitFor();
      await row('Deploys happen').waitFor({ state: 'detached' });
      await capture('search', 'table.memories tbody tr');

      await filter({ type: 'episodic' });
      await row('Deploys happen on Fridays').waitFor();
      await row('Prefers dark mode').waitFor({ state: 'detached' });

      await filter({ tags: 'ui' });
      await row('Prefers dark mode').waitFor();
      await row('Deploys happen').waitFor({ state: 'detached' });

      await filter({ app: 'claude' });
      await row('Deploys happen on Fridays').waitFor();
      await row('Prefers dark mode').waitFor({ state: 'detached' });

      await filter({});
      await page.click(`a[href="#/memory/${darkId}"]`);
      await page.locator('blockquote.memory-content', { hasText: 'Prefers dark mode' }).waitFor();
    },
    STEP,
  );

  it(
    'shows the MCP config lines with the server URL, and the import/export screen',
    async () => {
      await go('#/connect', '#cfg-claude-desktop');
      for (const id of ['#cfg-claude-desktop', '#cfg-cursor', '#cfg-windsurf', '#cfg-cline']) {
        const line = await page.locator(id).innerText();
        expect(JSON.parse(line).mcpServers.omp).toBeTruthy();
        expect(line).toContain(srv.url);
      }
      await capture('connect', '#cfg-cline');
      await go('#/transfer', '#import-file');
      await capture('transfer', '#import-file');
    },
    STEP,
  );

  describe('control profile', () => {
    it(
      'pauses an app from the Apps screen, and the app is then refused',
      async () => {
        await go('#/apps', 'tr[data-app="cursor"]');
        await capture('apps', 'tr[data-app="cursor"]');
        await page.getByLabel('Pause cursor').check();
        // The status line appears once the server has answered the PUT (the switch itself moves at once).
        await page.getByRole('status').filter({ hasText: 'cursor paused' }).waitFor();
        const refused = await srv
          .as()
          .post(
            '/v1/memories',
            { content: 'written by a paused app', type: 'semantic', source: { tool: 'notes' } },
            { 'OMP-App': 'cursor' },
          );
        expect(refused.status).toBe(403);
        expect(refused.body.error).toBe('app_paused');
        const asTool = await srv
          .as()
          .post('/v1/memories', { content: 'as cursor', type: 'semantic', source: { tool: 'cursor' } });
        expect(asTool.body?.error).toBe('app_paused');
        await page.getByLabel('Pause cursor').uncheck();
        await page.getByRole('status').filter({ hasText: 'cursor resumed' }).waitFor();
        expect((await srv.as().get('/v1/apps/cursor')).body.paused).toBe(false);
      },
      STEP,
    );

    it(
      'archives a memory with confirmation, and it leaves search',
      async () => {
        await go('#/memories', '#f-q');
        await filter({ q: 'dark mode' });
        await row('Prefers dark mode').waitFor();
        await page.getByLabel(`Select memory ${darkId}`).check();
        await page.getByRole('button', { name: 'Archive' }).click();
        await page.getByRole('dialog').waitFor();
        await capture('confirm-archive', 'dialog[open]');
        await page.getByRole('button', { name: 'Set 1 to archived' }).click();
        await page.getByRole('status').filter({ hasText: '1 changed to archived' }).waitFor();
        await row('Prefers dark mode').waitFor({ state: 'detached' });
        const search = await srv.as().get('/v1/memories/search?q=dark%20mode');
        expect(search.body.memories.map((m: { id: string }) => m.id)).not.toContain(darkId);
        // Still reachable with an explicit state filter.
        await page.getByLabel('archived').check();
        await page.click('form.filters button[type=submit]');
        await row('Prefers dark mode').waitFor();
        // Category facet (a `category:` tag) together with the state filter.
        await page.fill('#f-q', '');
        await page.selectOption('#f-category', 'preferences');
        await page.click('form.filters button[type=submit]');
        await page.locator('p.summary', { hasText: '1 memories' }).waitFor();
        await row('Prefers dark mode').waitFor();
      },
      STEP,
    );

    it(
      "reads a memory's state history and access log, the log screen and the stats",
      async () => {
        await go(`#/memory/${darkId}`, 'table.access-log');
        await page.locator('table.access-log tbody tr', { hasText: 'state_change' }).first().waitFor();
        await page.locator('table.access-log tbody tr', { hasText: 'create' }).first().waitFor();
        await page.locator('tr', { hasText: 'archived' }).first().waitFor();
        await capture('detail', 'table.access-log');
        await go('#/log', 'table.access-log tbody tr');
        await capture('access-log', 'table.access-log tbody tr');
        await go('#/stats', '#stats-by-state');
        await capture('stats', '#stats-by-category');
        expect(await page.locator('.card', { hasText: 'By category' }).innerText()).toContain('preferences');
      },
      STEP,
    );
  });

  it(
    'pages by cursor, and bulk-deletes a page after confirmation',
    async () => {
      const c = srv.as();
      const made = await c.post('/v1/import', {
        omp_version: '0.4',
        exported_at: new Date().toISOString(),
        server: { name: 'test', version: '1' },
        memories: Array.from({ length: 23 }, (_, i) => ({
          id: `mem_pagetest${String(i).padStart(8, '0')}`,
          content: `Paging fixture number ${i}`,
          type: 'semantic',
          source: { tool: 'pager', timestamp: '2026-01-01T00:00:00Z' },
          tags: ['paging'],
          created_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
          updated_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
          expires_at: null,
        })),
      });
      expect(made.status, made.text).toBe(200);
      await go('#/memories', '#f-q');
      await filter({ tags: 'paging' });
      const rows = page.locator('table.memories tbody tr');
      await row('Paging fixture number 22').waitFor();
      await page.locator('p.summary', { hasText: '23 memories · page 1' }).waitFor();
      expect(await rows.count()).toBe(20);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.locator('p.summary', { hasText: 'page 2' }).waitFor();
      await row('Paging fixture number 0').waitFor();
      expect(await rows.count()).toBe(3);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await row('Paging fixture number 22').waitFor();
      await page.getByRole('button', { name: 'Next page' }).click();
      await row('Paging fixture number 0').waitFor();
      await page.getByLabel('Select every memory on this page').check();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByRole('button', { name: 'Delete for good' }).click();
      await page.getByRole('status').filter({ hasText: 'Deleted 3 memories' }).waitFor();
      const left = await c.get('/v1/memories?tags=paging&limit=100');
      expect(left.body.total).toBe(20);
      expect(left.body.memories.map((m: { content: string }) => m.content)).not.toContain(
        'Paging fixture number 0',
      );
    },
    STEP,
  );

  it(
    'exports every memory to a file and imports a file from the Import / export screen',
    async () => {
      await go('#/transfer', '#import-file');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export all memories' }).click(),
      ]);
      const file = join(ARTIFACTS, 'export.json');
      await download.saveAs(file);
      const exported = JSON.parse(readFileSync(file, 'utf8'));
      const total = (await srv.as().get('/v1/memories?state=active,paused,archived&limit=1')).body.total;
      expect(exported.memories.length).toBe(total);
      expect(exported.memories.length).toBeGreaterThan(20);
      await page.setInputFiles('#import-file', file);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Imported 0, skipped ${exported.memories.length}, 0 errors` })
        .waitFor();
    },
    STEP,
  );

  it(
    'shows a memory detail at both widths',
    async () => {
      await go(`#/memory/${darkId}`, 'blockquote.memory-content');
      await capture('detail-core', 'blockquote.memory-content');
    },
    STEP,
  );
});
