/**
 * `npm run spec:check`: validates the normative spec as a whole and exits non-zero on any failure.
 *  (a) openapi.yaml is valid OpenAPI 3.1 with the 2020-12 dialect;
 *  (b) every schema compiles strict and links an existing SPEC.md section;
 *  (c) every schema example and default is valid;
 *  (d) every OpenAPI example is valid, operations have ids, bearer security and examples;
 *  (e) the requirement rules hold and spec/requirements.json is current;
 *  (f) the SPEC.md tables that restate a schema (members, bounds, defaults, registries) agree with it.
 * `--root DIR` checks another tree (a scratch copy).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { catalogueProducer, generationContext } from './artifacts.ts';
import { checkRequirements } from './catalogue.ts';
import { checkOpenapi } from './check-openapi.ts';
import { checkProse } from './check-prose.ts';
import { ajvFor, checkSchemas } from './check-schemas.ts';
import { relPaths } from './paths.ts';
import { formatIssue, type Requirement, type SpecIssue } from './requirements.ts';

/** What one spec-check run found: the issues, and summary lines for people. */
export interface SpecCheckResult {
  issues: SpecIssue[];
  summary: string[];
}

function tally<T extends string>(items: readonly Requirement[], key: (r: Requirement) => T): string {
  const counts = new Map<T, number>();
  for (const r of items) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(' · ');
}

/** Run every check on the tree at `root` (default: this repository). */
export async function specCheck(root?: string): Promise<SpecCheckResult> {
  const ctx = generationContext(root);
  const { paths, schemas: docs } = ctx;
  const issues: SpecIssue[] = [];
  const summary: string[] = [];

  // (e) requirement rules
  const req = checkRequirements(paths);
  issues.push(...req.issues);
  const reqs = req.parsed.requirements;
  const ids = new Set(reqs.map((r) => r.id));
  summary.push(
    `requirements  ${reqs.length} (${tally(reqs, (r) => r.level)}; ${tally(reqs, (r) => r.compliance)}; ` +
      `${reqs.filter((r) => !r.testable).length} not black-box testable)`,
  );

  // (b), (c) schemas
  const schemaCheck = checkSchemas(docs, req.parsed.headings);
  issues.push(...schemaCheck.issues);
  const s = schemaCheck.stats;
  summary.push(
    `schemas       ${s.schemas} compiled in strict mode; ${s.examples} examples and ${s.defaults} defaults valid`,
  );

  // (f) the prose tables that restate a schema agree with it
  if (existsSync(paths.spec)) {
    const prose = checkProse(readFileSync(paths.spec, 'utf8'), docs, relPaths.spec);
    issues.push(...prose);
    summary.push(`prose         tables compared with their schemas; ${prose.length} disagreement(s)`);
  }

  // (a), (d) OpenAPI
  let apiVersion: unknown;
  if (!existsSync(paths.openapi)) {
    issues.push({
      file: relPaths.openapi,
      line: 0,
      rule: 'openapi-missing',
      message: 'openapi.yaml does not exist',
    });
  } else {
    const openapi = await checkOpenapi(paths.openapi, paths.schemas, docs, ajvFor(docs));
    issues.push(...openapi.issues);
    apiVersion = (openapi.api.info as { version?: unknown } | undefined)?.version;
    summary.push(
      `openapi       ${openapi.stats.operations} operations; ${openapi.stats.examples} examples checked against their schemas`,
    );
  }

  // Requirement IDs cited by the machine-readable parts must exist.
  const cited: Array<[string, string]> = [...docs].map(([name, doc]) => [
    `schemas/${name}.schema.json`,
    JSON.stringify(doc),
  ]);
  if (existsSync(paths.openapi)) cited.push([relPaths.openapi, readFileSync(paths.openapi, 'utf8')]);
  for (const [file, text] of cited) {
    for (const id of new Set(text.match(/\bOMP-[A-Z]+-\d{3}\b/g) ?? [])) {
      if (!ids.has(id)) {
        issues.push({
          file,
          line: 0,
          rule: 'reference-unknown',
          message: `cites ${id}, which SPEC.md does not define`,
        });
      }
    }
  }

  // One version everywhere: SPEC.md, openapi info.version, the schemas' $id path.
  const version = req.parsed.version;
  const idVersions = new Set([...docs.values()].map((d) => /\/schemas\/([^/]+)\//.exec(d.$id)?.[1]));
  if (version && apiVersion !== undefined && apiVersion !== version) {
    issues.push({
      file: relPaths.openapi,
      line: 0,
      rule: 'version-mismatch',
      message: `info.version is ${JSON.stringify(apiVersion)} but SPEC.md is version ${version}`,
    });
  }
  if (version && (idVersions.size !== 1 || !idVersions.has(version))) {
    issues.push({
      file: relPaths.schemas,
      line: 0,
      rule: 'version-mismatch',
      message: `schema $ids carry version(s) ${[...idVersions].join(', ')} but SPEC.md is version ${version}`,
    });
  }

  // (e) the committed catalogue is what SPEC.md says now.
  try {
    const [want] = await catalogueProducer.produce(ctx);
    const have = existsSync(paths.catalogue) ? readFileSync(paths.catalogue, 'utf8') : undefined;
    if (have !== want?.content) {
      issues.push({
        file: relPaths.catalogue,
        line: 0,
        rule: 'catalogue-stale',
        message: 'out of date with SPEC.md (or the spec hash): run npm run generate',
      });
    }
  } catch {
    // The blocking requirement issues are already in the list.
  }
  summary.unshift(`spec ${version ?? '?'} · spec hash ${ctx.specHash}`);
  return { issues, summary };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const result = await specCheck(values.root ? resolve(values.root) : undefined);
  console.log(`spec:check  ${result.summary.join('\n  ')}`);
  if (result.issues.length === 0) {
    console.log('spec:check  OK');
    return 0;
  }
  console.error(`spec:check  FAILED: ${result.issues.length} issue(s)`);
  for (const i of result.issues) console.error(`  ${formatIssue(i)}`);
  return 1;
}

if (import.meta.main) process.exitCode = await main();
