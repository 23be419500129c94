import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../spec/tools/paths.ts';
import { readSchemaDocs } from '../../spec/tools/schema-files.ts';
import { generatedHeader } from '../src/header.ts';
import { createTypeEmitter, emitTypeScript } from '../src/typescript/json-schema-to-ts.ts';

const base = 'https://example.test/s/';
/** A schema document with an `$id` under the test base. */
const doc = (name: string, body: Record<string, unknown>) => ({ $id: `${base}${name}.schema.json`, ...body });

const cases: Array<[string, { given: Record<string, object>; want: string }]> = [
  [
    'string enum -> literal union, JSDoc from description',
    {
      given: { color: doc('color', { title: 'Color', description: 'A colour.', enum: ['red', "it's"] }) },
      want: "/** A colour. */\nexport type Color = 'red' | 'it\\'s';\n",
    },
  ],
  [
    'closed object: required, optional, nullable and optional-nullable stay distinct',
    {
      given: {
        thing: doc('thing', {
          title: 'Thing',
          type: 'object',
          required: ['a', 'n'],
          properties: {
            a: { type: 'string', description: 'The a.' },
            b: { type: 'integer' },
            n: { type: ['string', 'null'] },
            o: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            'x-y': { type: 'boolean' },
          },
          additionalProperties: false,
        }),
      },
      want:
        'export interface Thing {\n  /** The a. */\n  a: string;\n  b?: number;\n  n: string | null;\n' +
        "  o?: string | null;\n  'x-y'?: boolean;\n}\n",
    },
  ],
  [
    'open objects: a record, or an index signature beside declared members',
    {
      given: {
        bag: doc('bag', { title: 'Bag', type: 'object', maxProperties: 3 }),
        open: doc('open', { title: 'Open', type: 'object', properties: { a: { type: 'number' } } }),
      },
      want:
        'export type Bag = Record<string, unknown>;\n\n' +
        'export interface Open {\n  a?: number;\n  [member: string]: unknown;\n}\n',
    },
  ],
  [
    'arrays stay T[] whatever maxItems says; union items get parentheses',
    {
      given: {
        vec: doc('vec', {
          title: 'Vec',
          type: 'object',
          required: ['v', 'u'],
          properties: {
            v: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
            u: { type: 'array', items: { enum: ['a', 1, true, null] } },
            w: { type: 'array' },
          },
          additionalProperties: false,
        }),
      },
      want: "export interface Vec {\n  v: number[];\n  u: ('a' | 1 | true | null)[];\n  w?: unknown[];\n}\n",
    },
  ],
  [
    '$ref to another document and to $defs emits the names; const is a literal',
    {
      given: {
        defs: doc('defs', {
          title: 'Shared definitions',
          $defs: {
            id: { title: 'Id', type: 'string', pattern: '^x' },
            maybeId: { title: 'MaybeId', anyOf: [{ $ref: '#/$defs/id' }, { type: 'null' }] },
            inline: { type: 'integer' },
          },
        }),
        item: doc('item', {
          title: 'Item',
          type: 'object',
          required: ['id', 'kind'],
          properties: {
            id: { $ref: './defs.schema.json#/$defs/id', description: 'Its id.' },
            parent: { $ref: 'defs.schema.json#/$defs/maybeId' },
            kind: { const: 'item' },
            n: { $ref: './defs.schema.json#/$defs/inline' },
          },
          additionalProperties: false,
        }),
      },
      want:
        'export type Id = string;\n\n' +
        "export interface Item {\n  /** Its id. */\n  id: Id;\n  parent?: MaybeId;\n  kind: 'item';\n  n?: number;\n}\n\n" +
        'export type MaybeId = Id | null;\n',
    },
  ],
  [
    '$ref beside required tightens the referenced type (memory.source)',
    {
      given: {
        source: doc('source', {
          title: 'Source',
          type: 'object',
          required: ['tool'],
          properties: { tool: { type: 'string' }, timestamp: { type: 'string' } },
          additionalProperties: false,
        }),
        memory: doc('memory', {
          title: 'Memory',
          type: 'object',
          required: ['source'],
          properties: {
            source: { $ref: './source.schema.json', type: 'object', required: ['tool', 'timestamp'] },
          },
          additionalProperties: false,
        }),
      },
      want:
        "export interface Memory {\n  source: Source & Required<Pick<Source, 'tool' | 'timestamp'>>;\n}\n\n" +
        'export interface Source {\n  tool: string;\n  timestamp?: string;\n}\n',
    },
  ],
  [
    'nested inline objects are indented; unions of objects stay readable',
    {
      given: {
        outer: doc('outer', {
          title: 'Outer',
          type: 'object',
          required: ['inner'],
          properties: {
            inner: {
              type: 'object',
              required: ['x'],
              properties: {
                x: { type: 'object', properties: { y: { type: 'string' } }, additionalProperties: false },
              },
              additionalProperties: false,
            },
            either: { anyOf: [{ type: 'object', additionalProperties: false }, { type: 'string' }] },
          },
          additionalProperties: false,
        }),
      },
      want:
        'export interface Outer {\n  inner: {\n    x: {\n      y?: string;\n    };\n  };\n' +
        '  either?: Record<string, never> | string;\n}\n',
    },
  ],
  [
    'multi-line JSDoc with @default and @see from $comment; */ is escaped',
    {
      given: {
        lim: doc('lim', {
          $comment: 'SPEC.md §5.2 List (https://example.test/spec#52-list)',
          title: 'Limit',
          description: 'Page size.\nSee */ here.',
          type: 'integer',
          default: 20,
        }),
      },
      want:
        '/**\n * Page size.\n * See *\\/ here.\n * @default 20\n * @see https://example.test/spec#52-list\n */\n' +
        'export type Limit = number;\n',
    },
  ],
  [
    'named types are sorted by name, whatever the input order',
    {
      given: {
        z: doc('z', { title: 'Zeta', type: 'boolean' }),
        a: doc('a', { title: 'Alpha', type: 'null' }),
        m: doc('m', { title: 'Mu', type: ['string', 'integer'] }),
      },
      want: 'export type Alpha = null;\n\nexport type Mu = string | number;\n\nexport type Zeta = boolean;\n',
    },
  ],
];

describe('json-schema-to-ts: given schema -> wanted TypeScript', () => {
  it.each(cases)('%s', (_name, { given, want }) => {
    expect(emitTypeScript(given)).toBe(want);
  });

  it('puts the header first', () => {
    const header = generatedHeader({ generator: 'x/gen.ts', sourceHash: '0123456789abcdef' });
    const out = emitTypeScript({ a: doc('a', { title: 'A', type: 'string' }) }, { header });
    expect(out.startsWith(`${header}\n`)).toBe(true);
    expect(header).toContain('Generated file — do not edit.');
    expect(header).toContain('Regenerate: npm run generate');
    expect(header).toContain('0123456789abcdef');
    expect(header).toContain('x/gen.ts');
  });

  it('accepts a Map as well as a record and gives the same output', () => {
    const a = doc('a', { title: 'A', type: 'string' });
    const b = doc('b', { title: 'B', type: 'object', properties: { a: { $ref: './a.schema.json' } } });
    expect(
      emitTypeScript(
        new Map([
          ['b', b],
          ['a', a],
        ]),
      ),
    ).toBe(emitTypeScript({ a, b }));
  });

  it('exposes typeOf for single expressions (SDK parameters)', () => {
    const emitter = createTypeEmitter({ a: doc('a', { title: 'A', type: 'string' }) });
    expect(emitter.typeOf({ $ref: 'a.schema.json' }, `${base}x.schema.json`)).toBe('A');
    expect(
      emitter.typeOf({ type: 'array', items: { $ref: './a.schema.json' } }, `${base}x.schema.json`),
    ).toBe('A[]');
    expect(emitter.nameOf(`${base}a.schema.json`)).toBe('A');
    expect(emitter.namedTypes.map((n) => n.name)).toEqual(['A']);
  });

  it.each([
    [
      'a title that is not an identifier',
      { a: doc('a', { title: 'Not an identifier', type: 'string' }) },
      /identifier/,
    ],
    [
      'two schemas with one title',
      { a: doc('a', { title: 'A', type: 'string' }), b: doc('b', { title: 'A', type: 'number' }) },
      /used by both/,
    ],
    ['a dangling $ref', { a: doc('a', { title: 'A', $ref: './missing.schema.json' }) }, /unknown document/],
    ['a document without $id', { a: { title: 'A', type: 'string' } }, /absolute \$id/],
    ['an unknown type', { a: doc('a', { title: 'A', type: 'decimal' }) }, /unknown type/],
  ])('refuses %s', (_name, given, want) => {
    expect(() => emitTypeScript(given)).toThrow(want);
  });
});

describe('json-schema-to-ts on the OMP schemas', () => {
  const docs = readSchemaDocs(join(repoRoot, 'schemas'));
  const out = emitTypeScript(docs);

  it('names every type the other packages import', () => {
    for (const name of [
      'Memory',
      'CreateMemoryRequest',
      'UpdateMemoryRequest',
      'ListMemoriesResponse',
      'SearchRequest',
      'SearchResponse',
      'ExportFile',
      'ImportResult',
      'ErrorEnvelope',
      'Health',
      'Principal',
      'Source',
    ]) {
      expect(out).toMatch(new RegExp(`^export (interface|type) ${name}\\b`, 'm'));
    }
    expect(out).toContain("source: Source & Required<Pick<Source, 'tool' | 'timestamp'>>;");
  });

  it('gives types that every schema example satisfies (checked by tsc)', () => {
    // Examples are the spec's own sample data: a generated type that rejects one is too strict.
    const dir = mkdtempSync(join(tmpdir(), 'omp-types-'));
    try {
      writeFileSync(join(dir, 'types.ts'), out);
      let probe = "import type * as T from './types.ts';\n";
      let n = 0;
      for (const d of docs.values()) {
        const title = d.title as string;
        if (!/^[A-Za-z]\w*$/.test(title)) continue;
        for (const ex of d.examples ?? [])
          probe += `export const e${n++}: T.${title} = ${JSON.stringify(ex)};\n`;
      }
      writeFileSync(join(dir, 'probe.ts'), probe);
      const program = ts.createProgram([join(dir, 'probe.ts')], {
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2023,
        types: [],
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(n).toBeGreaterThan(10);
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
