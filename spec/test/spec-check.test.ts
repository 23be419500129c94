import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relPaths, repoRoot } from '../tools/paths.ts';
import type { SpecIssue } from '../tools/requirements.ts';
import { specCheck } from '../tools/spec-check.ts';
import { type Scratch, scratchCopy } from './scratch.ts';

const key = (i: SpecIssue) => `${i.rule}|${i.file}|${i.message}`;
let baseline: Set<string>;

beforeAll(async () => {
  // Whatever the committed tree reports is the baseline; each case must add its own specific issue.
  const s = scratchCopy();
  try {
    baseline = new Set((await specCheck(s.root)).issues.map(key));
  } finally {
    s.remove();
  }
});

/** Issues a broken scratch copy reports beyond the baseline (catalogue-stale aside: any source edit moves the hash). */
async function newIssues(breakIt: (s: Scratch) => void): Promise<SpecIssue[]> {
  const s = scratchCopy();
  try {
    breakIt(s);
    const { issues } = await specCheck(s.root);
    return issues.filter((i) => !baseline.has(key(i)) && i.rule !== 'catalogue-stale');
  } finally {
    s.remove();
  }
}

const yaml = relPaths.openapi;
const json = (s: Scratch, rel: string, change: (doc: Record<string, unknown>) => void) =>
  s.edit(rel, (t) => {
    const doc = JSON.parse(t);
    change(doc);
    return `${JSON.stringify(doc, null, 2)}\n`;
  });

type Case = [string, { breakIt: (s: Scratch) => void; want: { rule: string; file: string; text: string } }];
const cases: Case[] = [
  [
    'a schema example that violates its schema',
    {
      breakIt: (s) =>
        json(
          s,
          'schemas/memory.schema.json',
          (d) => ((d.examples as Array<{ tags: string[] }>)[0]!.tags = ['Profile']),
        ),
      want: { rule: 'schema-example', file: 'schemas/memory.schema.json', text: '//examples/0 is invalid' },
    },
  ],
  [
    'a $defs example that violates its definition',
    {
      breakIt: (s) =>
        json(
          s,
          'schemas/defs.schema.json',
          (d) => ((d.$defs as Record<string, { examples: unknown[] }>).tag!.examples = ['Bad Tag']),
        ),
      want: {
        rule: 'schema-example',
        file: 'schemas/defs.schema.json',
        text: '/$defs/tag/examples/0 is invalid',
      },
    },
  ],
  [
    'a default that violates its schema',
    {
      breakIt: (s) =>
        json(
          s,
          'schemas/defs.schema.json',
          (d) => ((d.$defs as Record<string, { default: unknown }>).limit!.default = 0),
        ),
      want: {
        rule: 'schema-example',
        file: 'schemas/defs.schema.json',
        text: '/$defs/limit/default is invalid',
      },
    },
  ],
  [
    'a schema that does not compile in strict mode (misspelt keyword)',
    {
      breakIt: (s) =>
        json(
          s,
          'schemas/source.schema.json',
          (d) => ((d.properties as Record<string, object>).session_id = { type: 'string', minLenght: 1 }),
        ),
      want: { rule: 'schema-compile', file: 'schemas/source.schema.json', text: 'minLenght' },
    },
  ],
  [
    'a schema whose $comment links a heading that does not exist',
    {
      breakIt: (s) =>
        json(
          s,
          'schemas/principal.schema.json',
          (d) => (d.$comment = String(d.$comment).replace('#84-', '#85-')),
        ),
      want: {
        rule: 'schema-comment',
        file: 'schemas/principal.schema.json',
        text: 'not the anchor of any SPEC.md heading',
      },
    },
  ],
  [
    'a schema without description',
    {
      breakIt: (s) => json(s, 'schemas/health.schema.json', (d) => delete d.description),
      want: { rule: 'schema-meta', file: 'schemas/health.schema.json', text: 'description is missing' },
    },
  ],
  [
    'a schema citing an undefined requirement',
    {
      breakIt: (s) =>
        json(s, 'schemas/principal.schema.json', (d) => (d.description = `${d.description} (OMP-AUTH-999)`)),
      want: { rule: 'reference-unknown', file: 'schemas/principal.schema.json', text: 'OMP-AUTH-999' },
    },
  ],
  [
    'an OpenAPI request example that violates its schema',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) =>
          t.replace(
            'type: procedural\n                  source: { tool: cursor',
            'type: fact\n                  source: { tool: cursor',
          ),
        ),
      want: {
        rule: 'openapi-example',
        file: yaml,
        text: 'examples/full: example is invalid against its schema: /type must be equal to one of the allowed values',
      },
    },
  ],
  [
    'an OpenAPI parameter example out of range',
    {
      breakIt: (s) => s.edit(yaml, (t) => t.replace(/(\$defs\/limit" }\n\s+example: )20/, '$10')),
      want: {
        rule: 'openapi-example',
        file: yaml,
        text: '#/components/parameters/limit/example: example is invalid',
      },
    },
  ],
  [
    'an OpenAPI response without an example',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) =>
          t.replace(
            /(schema: \{ \$ref: "#\/components\/schemas\/Principal" \}\n)\s+examples:\n(\s+(global|tool|value).*\n)+/,
            '$1',
          ),
        ),
      want: { rule: 'openapi-example-missing', file: yaml, text: 'GET /v1/me 200 has no example' },
    },
  ],
  [
    'an unused components example',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) =>
          t.replace(/\n {2}examples:\n/, '\n  examples:\n    Orphan:\n      value: { q: x }\n'),
        ),
      want: { rule: 'openapi-example-unused', file: yaml, text: 'components/examples/Orphan' },
    },
  ],
  [
    'an operation without operationId',
    {
      breakIt: (s) => s.edit(yaml, (t) => t.replace('      operationId: getMe\n', '')),
      want: { rule: 'openapi-operation-id', file: yaml, text: 'GET /v1/me has no operationId' },
    },
  ],
  [
    'a non-health operation open to anonymous callers',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) =>
          t.replace('      operationId: getMe\n', '      operationId: getMe\n      security: []\n'),
        ),
      want: { rule: 'openapi-security', file: yaml, text: 'GET /v1/me must require bearer authentication' },
    },
  ],
  [
    'health requiring a key',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) => t.replace(/(operationId: getHealth\n(.*\n){0,4}?)\s+security: \[\]\n/, '$1')),
      want: { rule: 'openapi-security', file: yaml, text: 'GET /v1/health must be callable without a key' },
    },
  ],
  [
    'an OpenAPI file without jsonSchemaDialect',
    {
      breakIt: (s) => s.edit(yaml, (t) => t.replace(/^jsonSchemaDialect: .*\n/m, '')),
      want: { rule: 'openapi-dialect', file: yaml, text: 'jsonSchemaDialect' },
    },
  ],
  [
    'an OpenAPI file that is not valid OpenAPI 3.1',
    {
      breakIt: (s) =>
        s.edit(yaml, (t) =>
          t.replace('          description: The stored memory.\n', '          summary: The stored memory.\n'),
        ),
      want: { rule: 'openapi-invalid', file: yaml, text: 'swagger-parser' },
    },
  ],
  [
    'an OpenAPI version that differs from SPEC.md',
    {
      breakIt: (s) => s.edit(yaml, (t) => t.replace(/^ {2}version: "0\.4"$/m, '  version: "0.5"')),
      want: { rule: 'version-mismatch', file: yaml, text: 'info.version is "0.5"' },
    },
  ],
  [
    'a duplicate requirement ID',
    {
      breakIt: (s) =>
        s.edit(relPaths.spec, (t) => t.replace('- **OMP-CRUD-002** [MUST', '- **OMP-CRUD-001** [MUST')),
      want: { rule: 'id-unique', file: relPaths.spec, text: 'OMP-CRUD-001 is already used on line' },
    },
  ],
  [
    'a malformed requirement ID',
    {
      breakIt: (s) =>
        s.edit(relPaths.spec, (t) => t.replace('- **OMP-CRUD-002** [MUST', '- **OMP-CRUD-2** [MUST')),
      want: { rule: 'id-format', file: relPaths.spec, text: '"OMP-CRUD-2" is malformed' },
    },
  ],
  [
    'a requirement removed without retiring its ID',
    {
      breakIt: (s) => s.edit(relPaths.spec, (t) => t.replace(/^- \*\*OMP-CRUD-003\*\*.*\n/m, '')),
      want: {
        rule: 'retired-missing',
        file: relPaths.spec,
        text: 'OMP-CRUD-003 is in spec/requirements.json but no longer in SPEC.md',
      },
    },
  ],
  [
    'a retired ID used again',
    {
      breakIt: (s) =>
        s.write(
          relPaths.retired,
          JSON.stringify([{ id: 'OMP-CRUD-003', retired_in: '0.3', reason: 'test' }]),
        ),
      want: { rule: 'retired-reused', file: relPaths.spec, text: 'OMP-CRUD-003 is retired' },
    },
  ],
  [
    'an RFC 2119 keyword outside a requirement line',
    {
      breakIt: (s) =>
        s.edit(relPaths.spec, (t) =>
          t.replace('## 5. Memory endpoints\n', '## 5. Memory endpoints\n\nServers MUST be quick.\n'),
        ),
      want: { rule: 'keyword-outside', file: relPaths.spec, text: 'MUST outside a requirement line' },
    },
  ],
  [
    'a requirement whose sentence lacks its keyword',
    {
      breakIt: (s) =>
        s.edit(relPaths.spec, (t) =>
          t.replace(/^(- \*\*OMP-CRUD-003\*\* \[SHOULD · Core\] .*)SHOULD/m, '$1should'),
        ),
      want: { rule: 'keyword-missing', file: relPaths.spec, text: 'OMP-CRUD-003 is declared SHOULD' },
    },
  ],
];

describe('spec:check catches each kind of defect (scratch copies)', () => {
  it.each(cases)('%s', async (_name, { breakIt, want }) => {
    const found = await newIssues(breakIt);
    const match = found.filter(
      (i) => i.rule === want.rule && i.file === want.file && i.message.includes(want.text),
    );
    expect(
      match,
      `want ${want.rule} in ${want.file} containing "${want.text}"; got:\n${found.map(key).join('\n')}`,
    ).not.toEqual([]);
  });

  it('gives OpenAPI issues a line number', async () => {
    const found = await newIssues((s) => s.edit(yaml, (t) => t.replace('      operationId: getMe\n', '')));
    expect(found[0]?.line).toBeGreaterThan(1);
  });

  it('reports a stale catalogue when only the wording changed', async () => {
    const s = scratchCopy();
    try {
      s.edit(relPaths.spec, (t) =>
        t.replace('A valid create request MUST', 'A valid create request to the server MUST'),
      );
      const { issues } = await specCheck(s.root);
      const stale = issues.filter((i) => i.rule === 'catalogue-stale');
      expect(stale.map((i) => i.message)).toEqual([
        'out of date with SPEC.md (or the spec hash): run npm run generate',
      ]);
    } finally {
      s.remove();
    }
  });
});

describe('spec:check CLI', () => {
  let s: Scratch;
  beforeAll(() => {
    s = scratchCopy();
  });
  afterAll(() => s.remove());

  it('exits 1 and names the broken example', () => {
    s.edit('schemas/source.schema.json', (t) =>
      t.replace('"tool": "claude", "session_id"', '"tool": "", "session_id"'),
    );
    const run = spawnSync(process.execPath, [join(repoRoot, 'spec/tools/spec-check.ts'), '--root', s.root], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/requirements {2}\d+ \(/);
    expect(run.stderr).toContain('schemas/source.schema.json: [schema-example] //examples/0 is invalid');
  });
});
