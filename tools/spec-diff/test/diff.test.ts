/**
 * One fixture pair per kind of change: test/fixtures/<case>/{old,new}/ each hold a tiny openapi.yaml, its
 * schemas/ (with https `$id`s served offline), requirements.json and SPEC.md. Every case lists the exact
 * findings it must produce, as `<severity> <kind> <location>`, so a missed or a spurious finding both fail.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSpecs } from '../src/diff/index.ts';
import { loadSpecVersion } from '../src/load/version.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

type Case = [name: string, { given: string; want: string[] }];

const cases: Case[] = [
  ['identical versions', { given: 'identical', want: [] }],
  ['renamed path parameter is the same operation', { given: 'path-parameter-renamed', want: [] }],
  // Breaking: operations and their parts
  [
    'removed operation',
    { given: 'operation-removed', want: ['breaking operation-removed DELETE /v1/notes/{id}'] },
  ],
  [
    'removed response status code',
    {
      given: 'response-status-removed',
      want: ['breaking response-status-removed DELETE /v1/notes/{id} response 404'],
    },
  ],
  [
    'removed response header',
    {
      given: 'response-header-removed',
      want: ['breaking response-header-removed POST /v1/notes response 201 header Location'],
    },
  ],
  [
    'removed query parameter',
    {
      given: 'parameter-removed',
      want: ['breaking parameter-removed GET /v1/notes query parameter `order`'],
    },
  ],
  [
    'new required query parameter',
    {
      given: 'required-parameter-added',
      want: ['breaking parameter-required GET /v1/notes query parameter `q`'],
    },
  ],
  [
    'array parameter exploded (tags=a,b → tags=a&tags=b)',
    {
      given: 'parameter-style-changed',
      want: ['breaking parameter-style-changed GET /v1/notes query parameter `tags`'],
    },
  ],
  [
    'comma-separated string re-described as an array (same wire form)',
    {
      given: 'parameter-comma-string-to-array',
      want: ['potentially-breaking parameter-representation-changed GET /v1/notes query parameter `tags`'],
    },
  ],
  [
    'open operation now needs a key',
    { given: 'security-added', want: ['breaking security-added GET /v1/health'] },
  ],
  // Breaking: fields
  [
    'removed request field (closed object)',
    {
      given: 'field-removed-request',
      want: ['breaking field-removed POST /v1/notes request body /priority'],
    },
  ],
  [
    'removed request field (object left open)',
    {
      given: 'field-removed-request-open',
      want: [
        'potentially-breaking field-removed POST /v1/notes request body /priority',
        'non-breaking additional-properties-opened POST /v1/notes request body',
      ],
    },
  ],
  [
    'removed response field',
    {
      given: 'field-removed-response',
      want: [
        'breaking field-removed GET /v1/notes response 200 /notes/[]/kind',
        'breaking field-removed POST /v1/notes response 201 /kind',
      ],
    },
  ],
  [
    'response field no longer required',
    {
      given: 'field-optional-response',
      want: [
        'breaking field-optional GET /v1/notes response 200 /notes/[]/tags',
        'breaking field-optional POST /v1/notes response 201 /tags',
      ],
    },
  ],
  [
    'existing request field made required',
    { given: 'field-newly-required', want: ['breaking field-required POST /v1/notes request body /tags'] },
  ],
  [
    'new required request field',
    { given: 'required-field-added', want: ['breaking field-required POST /v1/notes request body /title'] },
  ],
  // Breaking: enum values
  [
    'removed enum value (shared def, request and responses)',
    {
      given: 'enum-value-removed',
      want: [
        'breaking enum-value-removed GET /v1/notes response 200 /notes/[]/kind',
        'breaking enum-value-removed POST /v1/notes request body /kind',
        'breaking enum-value-removed POST /v1/notes response 201 /kind',
      ],
    },
  ],
  [
    'removed enum value of a query parameter',
    {
      given: 'enum-value-removed-parameter',
      want: ['breaking enum-value-removed GET /v1/notes query parameter `order`'],
    },
  ],
  // Breaking: narrowed types and constraints
  [
    'type removed from a union',
    { given: 'type-removed-from-union', want: ['breaking type-narrowed POST /v1/notes request body /due'] },
  ],
  [
    'maxLength lowered',
    { given: 'max-length-lowered', want: ['breaking constraint-narrowed POST /v1/notes request body /text'] },
  ],
  [
    'minLength raised',
    { given: 'min-length-raised', want: ['breaking constraint-narrowed POST /v1/notes request body /text'] },
  ],
  [
    'maxItems lowered',
    { given: 'max-items-lowered', want: ['breaking constraint-narrowed POST /v1/notes request body /tags'] },
  ],
  [
    'minItems added',
    { given: 'min-items-added', want: ['breaking constraint-narrowed POST /v1/notes request body /tags'] },
  ],
  [
    'minimum raised',
    { given: 'minimum-raised', want: ['breaking constraint-narrowed POST /v1/notes request body /priority'] },
  ],
  [
    'maximum of a query parameter lowered',
    {
      given: 'maximum-lowered-parameter',
      want: ['breaking constraint-narrowed GET /v1/notes query parameter `limit`'],
    },
  ],
  [
    'new pattern',
    { given: 'pattern-added', want: ['breaking constraint-narrowed POST /v1/notes request body /text'] },
  ],
  [
    'changed pattern (request breaking, responses potentially)',
    {
      given: 'pattern-changed',
      want: [
        'breaking constraint-changed POST /v1/notes request body /tags/[]',
        'potentially-breaking constraint-changed GET /v1/notes response 200 /notes/[]/tags/[]',
        'potentially-breaking constraint-changed POST /v1/notes response 201 /tags/[]',
      ],
    },
  ],
  [
    'additionalProperties closed',
    {
      given: 'additional-properties-closed',
      want: ['breaking additional-properties-closed POST /v1/notes request body /meta'],
    },
  ],
  // Breaking: error codes
  [
    'error code of an operation changed (openapi examples)',
    {
      given: 'error-code-changed',
      want: [
        'breaking error-code-removed DELETE /v1/notes/{id} response 404',
        'non-breaking error-code-added DELETE /v1/notes/{id} response 404',
      ],
    },
  ],
  [
    'error table of SPEC.md changed',
    {
      given: 'error-table-changed',
      want: [
        'breaking error-code-removed SPEC.md §2.1 error code `note_not_found`',
        'breaking error-code-status-changed SPEC.md §2.1 error code `validation_error`',
        'non-breaking error-code-added SPEC.md §2.1 error code `note_conflict`',
      ],
    },
  ],
  // Breaking: requirements
  [
    'requirement removed',
    { given: 'requirement-removed', want: ['breaking requirement-removed requirement OMP-NOTE-003'] },
  ],
  [
    'requirement retired with the IDs that replace it (SPEC.md §1.2, documented in 0.x)',
    {
      given: 'requirement-replaced',
      want: ['potentially-breaking requirement-replaced requirement OMP-NOTE-003'],
    },
  ],
  [
    'requirement weakened (MUST → SHOULD, SHOULD → MAY)',
    {
      given: 'requirement-weakened',
      want: [
        'breaking requirement-weakened requirement OMP-NOTE-001',
        'breaking requirement-weakened requirement OMP-NOTE-002',
      ],
    },
  ],
  [
    'requirement moved to another compliance level',
    {
      given: 'requirement-compliance-moved',
      want: ['breaking requirement-compliance-moved requirement OMP-NOTE-003'],
    },
  ],
  [
    'requirement no longer testable',
    { given: 'requirement-untestable', want: ['breaking requirement-untestable requirement OMP-NOTE-001'] },
  ],
  // Potentially breaking and non-breaking
  [
    'requirement reworded',
    {
      given: 'requirement-text-changed',
      want: ['potentially-breaking requirement-text-changed requirement OMP-NOTE-001'],
    },
  ],
  [
    'enum value added (request fine, responses potentially breaking)',
    {
      given: 'enum-value-added',
      want: [
        'potentially-breaking enum-value-added GET /v1/notes response 200 /notes/[]/kind',
        'potentially-breaking enum-value-added POST /v1/notes response 201 /kind',
        'non-breaking enum-value-added POST /v1/notes request body /kind',
      ],
    },
  ],
  [
    'integer widened to number',
    {
      given: 'type-widened-integer-to-number',
      want: ['non-breaking type-widened POST /v1/notes request body /priority'],
    },
  ],
  ['new operation', { given: 'operation-added', want: ['non-breaking operation-added GET /v1/notes/{id}'] }],
  [
    'additive changes only',
    {
      given: 'additive',
      want: [
        'non-breaking parameter-added GET /v1/notes query parameter `tag`',
        'non-breaking field-added GET /v1/notes response 200 /notes/[]/color',
        'non-breaking response-status-added GET /v1/notes response 422',
        'non-breaking field-added POST /v1/notes request body /color',
        'non-breaking constraint-widened POST /v1/notes request body /text',
        'non-breaking field-added POST /v1/notes response 201 /color',
        'non-breaking error-code-added SPEC.md §2.1 error code `rate_limited`',
        'non-breaking requirement-added requirement OMP-NOTE-005',
      ],
    },
  ],
];

async function findings(name: string, layout = ''): Promise<string[]> {
  const report = diffSpecs(
    await loadSpecVersion(join(fixtures, name, 'old', layout)),
    await loadSpecVersion(join(fixtures, name, 'new', layout)),
  );
  expect(report.notes).toEqual([]);
  return report.changes.map((c) => `${c.severity} ${c.kind} ${c.location}`);
}

describe('omp-spec-diff findings', () => {
  it.each(cases)('%s', async (_name, { given, want }) => {
    expect(await findings(given)).toEqual(want);
  });

  it('reads the live layout (<dir>/openapi.yaml with <dir>/../schemas)', async () => {
    expect(await findings('live-layout', 'spec')).toEqual([
      'breaking constraint-narrowed POST /v1/notes request body /text',
    ]);
  });

  it('covers every fixture folder with a case', () => {
    const covered = new Set([...cases.map(([, c]) => c.given), 'live-layout']);
    expect(readdirSync(fixtures).filter((d) => !covered.has(d))).toEqual([]);
  });

  it('says what changed, with the old and new bound', async () => {
    const report = diffSpecs(
      await loadSpecVersion(join(fixtures, 'max-length-lowered', 'old')),
      await loadSpecVersion(join(fixtures, 'max-length-lowered', 'new')),
    );
    expect(report.changes[0]).toMatchObject({
      message: 'maxLength lowered: 500 → 200',
      before: 500,
      after: 200,
    });
    expect(report.summary).toEqual({ breaking: 1, 'potentially-breaking': 0, 'non-breaking': 0 });
  });

  it('notes what it could not compare', async () => {
    const old = await loadSpecVersion(join(fixtures, 'identical', 'old'));
    const bare = { ...(await loadSpecVersion(join(fixtures, 'identical', 'new'))), requirements: undefined };
    expect(diffSpecs(old, bare).notes).toEqual([
      'requirements not compared: the new version has no requirements.json',
    ]);
  });
});
