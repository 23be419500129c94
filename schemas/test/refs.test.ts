/** The kit's one JSON Pointer / `$ref` helper (schemas/refs.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import Pointer from '@apidevtools/json-schema-ref-parser/dist/lib/pointer.js';
import { describe, expect, it } from 'vitest';
import {
  absoluteRef,
  atPointer,
  documentOf,
  fragmentOf,
  ompSchemaResolver,
  pointerOf,
  pointerTokens,
  schemaAt,
  schemaDir,
  schemaDirResolver,
  schemaId,
} from '../index.ts';

describe('JSON Pointer (RFC 6901)', () => {
  const doc = { a: { 'b/c': 1, 'm~n': 2, '': 3, 'x y': 4, list: [10, 20] }, '%41': 5 };

  it('parses plain pointers as written and URI fragments percent-decoded, undoing ~1 and ~0', () => {
    expect(pointerTokens('')).toEqual([]);
    expect(pointerTokens('#')).toEqual([]);
    expect(pointerTokens('/a/b~1c')).toEqual(['a', 'b/c']);
    expect(pointerTokens('#/a/m~0n')).toEqual(['a', 'm~n']);
    expect(pointerTokens('#/a/x%20y')).toEqual(['a', 'x y']);
    expect(pointerTokens('/a/x%20y')).toEqual(['a', 'x%20y']); // plain: % is a character like any other
    expect(pointerTokens('#/100%')).toEqual(['100%']); // a stray % stays literal
    expect(pointerTokens('/a/')).toEqual(['a', '']);
    expect(() => pointerTokens('#a')).toThrow(/invalid JSON Pointer/);
    expect(() => pointerTokens('a')).toThrow(/invalid JSON Pointer/);
  });

  const awkward = [
    ['$defs', 'a/b'],
    ['m~n'],
    ['~1'],
    ['%41'],
    ['x y'],
    [''],
    ['é', '日本'],
    ['a', 'b', 'c'],
    ['100%'],
  ];

  it('writes tokens back so that they parse to the same tokens, plain and as a fragment', () => {
    for (const tokens of awkward) {
      expect(pointerTokens(pointerOf(tokens))).toEqual(tokens);
      expect(pointerTokens(fragmentOf(tokens))).toEqual(tokens);
    }
    expect(pointerOf(['$defs', 'a/b'])).toBe('/$defs/a~1b');
    expect(fragmentOf(['components', 'schemas', 'x y'])).toBe('#/components/schemas/x%20y');
    expect(fragmentOf(['$defs', 'tag'])).toBe('#/$defs/tag');
  });

  it("agrees token for token with json-schema-ref-parser's Pointer", () => {
    for (const tokens of awkward) {
      expect(Pointer.parse(fragmentOf(tokens))).toEqual(tokens);
      expect(pointerTokens(Pointer.join('#', tokens))).toEqual(tokens);
    }
    for (const fragment of ['#', '#/a/x%20y', '#/a~1b/~0', '#/100%', '#/%41']) {
      expect(pointerTokens(fragment), fragment).toEqual(Pointer.parse(fragment));
    }
  });

  it('finds values, and undefined (not a crash) for what is not there', () => {
    expect(atPointer(doc, '')).toBe(doc);
    expect(atPointer(doc, '/a/b~1c')).toBe(1);
    expect(atPointer(doc, '#/a/m~0n')).toBe(2);
    expect(atPointer(doc, '/a/')).toBe(3);
    expect(atPointer(doc, '#/a/x%20y')).toBe(4);
    expect(atPointer(doc, '/a/list/1')).toBe(20);
    expect(atPointer(doc, fragmentOf(['%41']))).toBe(5);
    expect(atPointer(doc, '/%41')).toBe(5);
    expect(atPointer(doc, '/a/nope')).toBeUndefined();
    expect(atPointer(doc, '/a/b~1c/deeper')).toBeUndefined();
    expect(atPointer(doc, '/a/toString')).toBeUndefined(); // own members only
  });
});

describe('references between schema documents', () => {
  const base = 'https://example.org/s/0.3/';
  const docs = new Map<string, unknown>([
    [`${base}memory.schema.json`, { properties: { id: { $ref: 'defs.schema.json#/$defs/id' } } }],
    [`${base}defs.schema.json`, { $defs: { id: { type: 'string' } } }],
  ]);

  it('makes refs absolute against the document $id, `doc#` being `doc`', () => {
    expect(absoluteRef('defs.schema.json#/$defs/id', `${base}memory.schema.json`)).toBe(
      `${base}defs.schema.json#/$defs/id`,
    );
    expect(absoluteRef('#/properties/id', `${base}memory.schema.json`)).toBe(
      `${base}memory.schema.json#/properties/id`,
    );
    expect(absoluteRef(`${base}defs.schema.json#`, '')).toBe(`${base}defs.schema.json`);
    expect(documentOf(`${base}defs.schema.json#/$defs/id`)).toBe(`${base}defs.schema.json`);
  });

  it('finds a schema by absolute URI with the base its own refs resolve against', () => {
    expect(schemaAt(docs, `${base}defs.schema.json#/$defs/id`)).toEqual({
      schema: { type: 'string' },
      base: `${base}defs.schema.json`,
    });
    expect(schemaAt(docs, `${base}defs.schema.json#/$defs/nope`)).toBeUndefined();
    expect(schemaAt(docs, `${base}other.schema.json`)).toBeUndefined();
  });
});

describe('the offline resolver', () => {
  it('serves the live schemas by $id to json-schema-ref-parser, with http off', async () => {
    const memory = await $RefParser.dereference(schemaId('memory'), {
      resolve: { omp: ompSchemaResolver, http: false },
    } as never);
    expect(atPointer(memory, '/properties/id/pattern')).toBeTypeOf('string');
    expect(ompSchemaResolver.canRead({ url: 'https://example.org/elsewhere.json' })).toBe(false);
  });

  it('serves any folder by the $ids it finds, and says which URL it cannot serve', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omp-refs-'));
    try {
      writeFileSync(join(dir, 'a.schema.json'), JSON.stringify({ $id: 'https://x.test/v/a.schema.json' }));
      writeFileSync(join(dir, 'b.schema.json'), '{}');
      writeFileSync(join(dir, 'broken.json'), '{');
      const r = schemaDirResolver(dir);
      expect(r.canRead({ url: 'https://x.test/v/a.schema.json#/x' })).toBe(true);
      expect(r.canRead({ url: 'https://x.test/v/b.schema.json' })).toBe(true); // sibling under a known base
      expect(r.canRead({ url: 'https://x.test/v/c.schema.json' })).toBe(false);
      expect(r.canRead({ url: 'https://x.test/v/../../etc/passwd.json' })).toBe(false);
      expect(() => r.read({ url: 'https://y.test/a.json' })).toThrow(/no schema in/);
      expect(schemaDirResolver(schemaDir).canRead({ url: schemaId('defs') })).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
