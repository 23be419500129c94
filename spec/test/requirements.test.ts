import { describe, expect, it } from 'vitest';
import {
  checkRetired,
  parseSpec,
  type Requirement,
  requirementSetHash,
  type SpecIssue,
  slugify,
} from '../tools/requirements.ts';

const boilerplate =
  'The key words "MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT", "SHOULD", "SHOULD NOT", "RECOMMENDED",\n' +
  '"NOT RECOMMENDED", "MAY", and "OPTIONAL" in this document are to be interpreted as described in BCP 14.';

/** A minimal SPEC.md around `body`; the body starts on line 9. */
function spec(body: string): string {
  return `# Test spec 0.3\n\n## 1. Conventions\n\n${boilerplate}\n\n## 2. Things\n${body}\n`;
}
const bodyLine = 9;
const ok = '- **OMP-CRUD-001** [MUST · Core] A server MUST answer 201.';

const rules = (issues: SpecIssue[]) => issues.map((i) => `${i.rule}@${i.line}`);

describe('requirement rules: each violation gives its specific error', () => {
  const cases: Array<[string, { given: string; want: string[] }]> = [
    ['a well-formed line', { given: ok, want: [] }],
    [
      'MUST with MUST NOT is one absolute requirement',
      {
        given: '- **OMP-CRUD-001** [MUST · Core] A server MUST set it and MUST NOT change it.',
        want: [],
      },
    ],
    [
      'the not-testable marker',
      {
        given: '- **OMP-SEC-001** [MUST · Core · not black-box testable] A server MUST use HTTPS.',
        want: [],
      },
    ],
    [
      'lower-case area',
      { given: '- **OMP-crud-001** [MUST · Core] A server MUST x.', want: [`id-format@${bodyLine}`] },
    ],
    [
      'two-digit number',
      { given: '- **OMP-CRUD-01** [MUST · Core] A server MUST x.', want: [`id-format@${bodyLine}`] },
    ],
    [
      'missing area',
      { given: '- **OMP-001** [MUST · Core] A server MUST x.', want: [`id-format@${bodyLine}`] },
    ],
    [
      'unknown level',
      {
        given: '- **OMP-CRUD-001** [REQUIRED · Core] A server is REQUIRED to x.',
        want: [`line-format@${bodyLine}`],
      },
    ],
    [
      'unknown compliance',
      { given: '- **OMP-CRUD-001** [MUST · Premium] A server MUST x.', want: [`line-format@${bodyLine}`] },
    ],
    [
      'hyphen instead of middle dot',
      { given: '- **OMP-CRUD-001** [MUST - Core] A server MUST x.', want: [`line-format@${bodyLine}`] },
    ],
    [
      'unknown marker',
      {
        given: '- **OMP-CRUD-001** [MUST · Core · untestable] A server MUST x.',
        want: [`line-format@${bodyLine}`],
      },
    ],
    ['no sentence', { given: '- **OMP-CRUD-001** [MUST · Core]', want: [`line-format@${bodyLine}`] }],
    ['duplicate ID', { given: `${ok}\n${ok.replace('201', '200')}`, want: [`id-unique@${bodyLine + 1}`] }],
    [
      'declared keyword absent',
      {
        given: '- **OMP-CRUD-001** [MUST · Core] A server must answer 201.',
        want: [`keyword-missing@${bodyLine}`],
      },
    ],
    [
      'declared MUST but only MUST NOT',
      {
        given: '- **OMP-CRUD-001** [MUST · Core] A server MUST NOT answer 500.',
        want: [`keyword-missing@${bodyLine}`],
      },
    ],
    [
      'keyword in lower case only',
      {
        given: '- **OMP-CRUD-001** [SHOULD · Core] A server should x.',
        want: [`keyword-missing@${bodyLine}`],
      },
    ],
    [
      'two forces on one line',
      {
        given: '- **OMP-CRUD-001** [MUST · Core] A server MUST answer 201 and SHOULD send Location.',
        want: [`keyword-mixed@${bodyLine}`],
      },
    ],
    ['a keyword in prose', { given: '\nServers MUST be fast.', want: [`keyword-outside@${bodyLine + 1}`] }],
    ['a synonym in prose', { given: '\nThe member is OPTIONAL.', want: [`keyword-outside@${bodyLine + 1}`] }],
    [
      'a keyword in a heading',
      { given: '\n### 2.1 What servers MUST do', want: [`keyword-outside@${bodyLine + 1}`] },
    ],
    [
      'a keyword in a table',
      { given: '\n| a | b |\n|---|---|\n| x | MAY |', want: [`keyword-outside@${bodyLine + 3}`] },
    ],
    [
      'a wrapped requirement',
      {
        given: '- **OMP-CRUD-001** [MUST · Core] A server MUST answer\n  201 and MUST store it.',
        want: [`keyword-outside@${bodyLine + 1}`],
      },
    ],
    ['keywords in fenced code are exempt', { given: '\n```\nMUST SHOULD MAY\n```', want: [] }],
    ['keywords in tilde fences are exempt', { given: '\n~~~text\nMUST NOT\n~~~', want: [] }],
    [
      'keywords in inline code are exempt',
      { given: '\nThe header `X-MAY-Cache` is vendor-defined.', want: [] },
    ],
    [
      'a second boilerplate paragraph, which is not exempt',
      {
        given: `\n${boilerplate}`,
        want: [
          `boilerplate-duplicate@${bodyLine + 1}`,
          `keyword-outside@${bodyLine + 1}`,
          `keyword-outside@${bodyLine + 2}`,
        ],
      },
    ],
    [
      'an undefined ID cited in prose',
      { given: `${ok}\n\nSee OMP-CRUD-002.`, want: [`reference-unknown@${bodyLine + 2}`] },
    ],
    ['an unclosed fence', { given: '\n```\ncode', want: [`fence-unclosed@${bodyLine + 3}`] }],
  ];
  it.each(cases)('%s', (_name, { given, want }) => {
    expect(rules(parseSpec(spec(given)).issues)).toEqual(want);
  });

  it('says where the issue is and what to do', () => {
    const [issue] = parseSpec(spec('- **OMP-CRUD-01** [MUST · Core] A server MUST x.')).issues;
    expect(issue).toMatchObject({ file: 'spec/SPEC.md', line: bodyLine, rule: 'id-format' });
    expect(issue?.message).toContain('OMP-CRUD-01');
    expect(issue?.message).toContain('OMP-<AREA>-<3 digits>');
  });

  it('rejects a requirement before any heading', () => {
    expect(rules(parseSpec(`${ok}\n`).issues)).toEqual(['no-section@1']);
  });
});

describe('catalogue entries', () => {
  it('parses every field of a requirement line', () => {
    const parsed = parseSpec(
      spec(
        '\n### 5.1 Create a `memory`\n\n' +
          '- **OMP-CRUD-003** [SHOULD · Full · not black-box testable] A create response SHOULD carry `Location`.',
      ),
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.requirements).toEqual<Requirement[]>([
      {
        id: 'OMP-CRUD-003',
        area: 'CRUD',
        level: 'SHOULD',
        compliance: 'Full',
        testable: false,
        section: '5.1 Create a memory',
        anchor: '51-create-a-memory',
        text: 'A create response SHOULD carry `Location`.',
      },
    ]);
  });

  it('reads every level and compliance', () => {
    const lines = [
      '- **OMP-A-001** [MUST · Core] X MUST y.',
      '- **OMP-A-002** [MUST NOT · Search] X MUST NOT y.',
      '- **OMP-A-003** [SHOULD · Full] X SHOULD y.',
      '- **OMP-A-004** [SHOULD NOT · MCP] X SHOULD NOT y.',
      '- **OMP-A-005** [MAY · Core] X MAY y.',
    ];
    const parsed = parseSpec(spec(lines.join('\n')));
    expect(parsed.issues).toEqual([]);
    expect(parsed.requirements.map((r) => `${r.level}/${r.compliance}`)).toEqual([
      'MUST/Core',
      'MUST NOT/Search',
      'SHOULD/Full',
      'SHOULD NOT/MCP',
      'MAY/Core',
    ]);
  });

  it.each([
    ['title', '# Open Memory Protocol — Specification 0.3\n', '0.3'],
    ['Version line', '# OMP\n\nVersion: 1.2\n', '1.2'],
    ['bold Version line', '# OMP\n\n**Version:** 0.4\n', '0.4'],
    ['metadata table row', '# OMP 9.9\n\n| | |\n|---|---|\n| Version | 0.3 (draft) |\n', '0.3'],
  ])('finds the version in a %s', (_name, given, want) => {
    expect(parseSpec(given).version).toBe(want);
  });
});

describe('GitHub heading anchors', () => {
  it.each([
    ['5.1 Create a memory', '51-create-a-memory'],
    ['2. Compliance levels', '2-compliance-levels'],
    ['13. MCP binding', '13-mcp-binding'],
    ['`GET /v1/me` — who am I?', 'get-v1me--who-am-i'],
    ['Tags & namespaces (3.5)', 'tags--namespaces-35'],
    ['snake_case_member', 'snake_case_member'],
    ['Café **bold** [link](https://x)', 'café-bold-link'],
  ])('%s -> %s', (given, want) => {
    expect(slugify(given)).toBe(want);
  });

  it('de-duplicates like GitHub', () => {
    const seen = new Map<string, number>();
    expect(['Errors', 'Errors', 'Errors', 'Errors 1'].map((h) => slugify(h, seen))).toEqual([
      'errors',
      'errors-1',
      'errors-2',
      'errors-1-1',
    ]);
  });
});

describe('never reuse an ID', () => {
  const parsed = parseSpec(spec(`${ok}\n- **OMP-CRUD-002** [MAY · Core] A server MAY x.`));
  const retiredEntry = { id: 'OMP-CRUD-009', retired_in: '0.3', reason: 'merged into OMP-CRUD-001' };
  const cases: Array<[string, { retired: unknown; committed: string[]; text?: string; want: string[] }]> = [
    [
      'nothing retired, nothing dropped',
      { retired: [], committed: ['OMP-CRUD-001', 'OMP-CRUD-002'], want: [] },
    ],
    [
      'an ID dropped without retiring it',
      {
        retired: [],
        committed: ['OMP-CRUD-001', 'OMP-CRUD-002', 'OMP-CRUD-009'],
        want: ['retired-missing@0'],
      },
    ],
    [
      'an ID dropped and retired',
      {
        retired: [retiredEntry],
        committed: ['OMP-CRUD-001', 'OMP-CRUD-009'],
        want: [],
      },
    ],
    [
      'a retired ID used again',
      {
        retired: [retiredEntry],
        committed: [],
        text: `${ok}\n- **OMP-CRUD-009** [MAY · Core] A server MAY x.`,
        want: [`retired-reused@${bodyLine + 1}`],
      },
    ],
    [
      'a retired ID cited in prose (a changes section names what it replaced)',
      {
        retired: [retiredEntry],
        committed: [],
        text: `${ok}\n\nFormerly OMP-CRUD-009.`,
        want: [],
      },
    ],
    [
      'a malformed entry',
      {
        retired: [{ id: 'OMP-CRUD-9', retired_in: '0.3', reason: 'x' }],
        committed: [],
        want: ['retired-format@0'],
      },
    ],
    [
      'an entry without reason',
      { retired: [{ id: 'OMP-CRUD-009', retired_in: '0.3' }], committed: [], want: ['retired-format@0'] },
    ],
    [
      'an entry listed twice',
      { retired: [retiredEntry, retiredEntry], committed: [], want: ['retired-format@0'] },
    ],
    ['not an array', { retired: {}, committed: [], want: ['retired-format@0'] }],
    [
      'a gap in the numbering that is not listed as retired',
      {
        retired: [],
        committed: [],
        text: `${ok}\n- **OMP-CRUD-003** [MAY · Core] A server MAY x.`,
        want: ['id-gap@0'],
      },
    ],
    [
      'a gap in the numbering listed as retired',
      {
        retired: [{ id: 'OMP-CRUD-002', retired_in: '0.3', reason: 'never assigned' }],
        committed: [],
        text: `${ok}\n- **OMP-CRUD-003** [MAY · Core] A server MAY x.`,
        want: [],
      },
    ],
    [
      'an entry replaced by a defined requirement',
      {
        retired: [{ id: 'OMP-CRUD-009', retired_in: '0.4', reason: 'x', replaced_by: ['OMP-CRUD-001'] }],
        committed: [],
        want: [],
      },
    ],
    [
      'an entry replaced by an undefined requirement',
      {
        retired: [{ id: 'OMP-CRUD-009', retired_in: '0.4', reason: 'x', replaced_by: ['OMP-CRUD-077'] }],
        committed: [],
        want: ['retired-format@0'],
      },
    ],
  ];
  it.each(cases)('%s', (_name, { retired, committed, text, want }) => {
    const doc = text ? parseSpec(spec(text)) : parsed;
    expect(rules(checkRetired(doc, retired, committed))).toEqual(want);
  });
});

describe('requirement set hash', () => {
  const base: Requirement[] = parseSpec(
    spec(
      `${ok}\n- **OMP-CRUD-002** [MAY · Core] A server MAY x.\n- **OMP-CRUD-003** [SHOULD · Full] Y SHOULD z.`,
    ),
  ).requirements;
  it('ignores order and wording', () => {
    const reworded = [...base]
      .reverse()
      .map((r) => ({ ...r, text: `${r.text} (reworded)`, section: 'moved' }));
    expect(requirementSetHash(reworded)).toBe(requirementSetHash(base));
  });
  it.each([
    ['level', (r: Requirement) => ({ ...r, level: 'SHOULD' as const })],
    ['compliance', (r: Requirement) => ({ ...r, compliance: 'Search' as const })],
    ['testable', (r: Requirement) => ({ ...r, testable: false })],
    ['id', (r: Requirement) => ({ ...r, id: 'OMP-CRUD-099' })],
  ])('changes with the %s', (_name, change) => {
    const changed = base.map((r, i) => (i === 0 ? change(r) : r));
    expect(requirementSetHash(changed)).not.toBe(requirementSetHash(base));
  });
  it('changes when a requirement is added or removed', () => {
    expect(requirementSetHash(base.slice(1))).not.toBe(requirementSetHash(base));
  });
  it('is a full sha256', () => {
    expect(requirementSetHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
