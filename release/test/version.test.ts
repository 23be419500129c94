/**
 * The release machinery stays consistent: one version everywhere, and the release workflow names only scripts
 * that exist (it runs release/publish.sh, whose npm part the packaging test runs as a dry run).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { statedVersions } from '../version.ts';
import { ROOT } from './helpers.ts';

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};

it('one version everywhere (npm run release:version -- <version> sets it)', () => {
  const stated = statedVersions();
  expect(stated.length).toBeGreaterThan(10);
  expect(stated.filter((s) => s.version !== rootPackage.version)).toEqual([]);
});

it('the release workflow runs npm scripts and files that exist', () => {
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')) as {
    on: { push: { tags: string[] } };
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  expect(workflow.on.push.tags).toEqual(['v*']);
  const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
  const scripts = runs.flatMap((r) => [...r.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1] as string));
  expect(scripts).toEqual(expect.arrayContaining(['release:dry-run']));
  for (const s of scripts) expect(Object.keys(rootPackage.scripts), `npm run ${s}`).toContain(s);
  for (const f of runs.flatMap((r) => [...r.matchAll(/\bbash (\S+)/g)].map((m) => m[1] as string))) {
    expect(existsSync(join(ROOT, f)), f).toBe(true);
  }
});
