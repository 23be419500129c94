/**
 * The Python emitter: determinism, committed files equal to the rendering (the drift check), headers, and
 * the type mapping rules on small synthetic schemas (nullable vs optional, reshaped refs, inline objects,
 * literals, keyword-safe names, comma-separated list parameters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../spec/tools/paths.ts';
import { loadModelOf } from '../src/context.ts';
import type { ParamModel } from '../src/model.ts';
import { isCommaList } from '../src/python/derived.ts';
import { docstring, pyLiteral, pyName } from '../src/python/py-syntax.ts';
import { PyTypes } from '../src/python/py-types.ts';
import { renderPythonSdk } from '../src/python/sdk-files.ts';
import { computeSourceHash } from '../src/source-hash.ts';

const first = renderPythonSdk(await loadModelOf());
const second = renderPythonSdk(await loadModelOf());

describe('generated Python SDK files', () => {
  it('are deterministic: two runs render identical bytes', () => {
    expect(second).toEqual(first);
  });

  it.each(first.map((f) => [f.path, f] as const))(
    '%s is committed as generated (npm run generate)',
    (path, f) => {
      expect(readFileSync(join(repoRoot, path), 'utf8')).toBe(f.content);
    },
  );

  it.each(first.map((f) => [f.path, f] as const))('%s carries the header', (_p, f) => {
    const head = f.content.split('\n').slice(0, 4).join('\n');
    for (const line of [
      '# Generated file — do not edit.',
      '# Generator: generators/src/python/sdk-files.ts',
      `# Source hash: ${computeSourceHash(repoRoot)}`,
      '# Regenerate: npm run generate',
    ]) {
      expect(head).toContain(line);
    }
  });

  it('keeps the retry rules of SPEC.md §9.3 in the generated methods', () => {
    const client = first.find((f) => f.path.endsWith('client.py'))?.content ?? '';
    const safeOf = (opId: string) =>
      new RegExp(`id="${opId}",\\n\\s+method="\\w+",\\n\\s+path="[^"]+",\\n\\s+safe=([^\\n]+),`).exec(
        client,
      )?.[1];
    expect(safeOf('createMemory')).toBe('False');
    expect(safeOf('searchMemories')).toBe('True');
    expect(safeOf('getMemory')).toBe('True');
    expect(safeOf('importMemories')).toBe(
      'conflict != "duplicate" and export_file.get("conflict") != "duplicate"',
    );
  });
});

const base = 'https://example.test/s.schema.json';
const doc = {
  $id: base,
  title: 'Thing',
  type: 'object',
  required: ['id', 'gone', 'src'],
  properties: {
    id: { type: 'string' },
    gone: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    maybe: { type: ['integer', 'null'] },
    kind: { enum: ['a', "it's"] },
    src: { $ref: '#/$defs/source', required: ['at'] },
    box: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    bag: { type: 'object' },
    list: { type: 'array', items: { $ref: '#/$defs/source' } },
    from: { type: 'boolean' },
  },
  $defs: {
    source: {
      title: 'Source',
      type: 'object',
      required: ['tool'],
      properties: { tool: { type: 'string' }, at: { type: 'string' } },
    },
  },
};

describe('PyTypes', () => {
  const types = new PyTypes(new Map([[base, doc]]), [
    { name: 'Thing', uri: base },
    { name: 'Source', uri: `${base}#/$defs/source` },
  ]);
  const decls = new Map(types.declarations().map((d) => [d.name, d]));
  const thing = decls.get('Thing');
  const field = (name: string) =>
    thing?.kind === 'typeddict' ? thing.fields.find((f) => f.name === name) : undefined;

  it.each([
    ['required, never null', 'id', 'str', true],
    ['required, may be null', 'gone', 'str | None', true],
    ['optional and nullable', 'maybe', 'int | None', false],
    ['enum', 'kind', `Literal['a', 'it\\'s']`, false],
    ['a $ref reshaped by siblings', 'src', 'ThingSrc', true],
    ['an inline object', 'box', 'ThingBox', false],
    ['an object without properties', 'bag', 'dict[str, Any]', false],
    ['an array of a named type', 'list', 'list[Source]', false],
    ['a keyword member name', 'from', 'bool', false],
  ])('%s', (_name, member, type, required) => {
    expect(field(member)).toMatchObject({ type, required });
  });

  it('declares the reshaped ref with the tightened required list, leaving the named type alone', () => {
    const reshaped = decls.get('ThingSrc');
    const named = decls.get('Source');
    expect(reshaped?.kind === 'typeddict' && reshaped.fields.map((f) => [f.name, f.required])).toEqual([
      ['tool', true],
      ['at', true],
    ]);
    expect(named?.kind === 'typeddict' && named.fields.map((f) => [f.name, f.required])).toEqual([
      ['tool', true],
      ['at', false],
    ]);
  });

  it('sorts declarations by name', () => {
    const names = types.declarations().map((d) => d.name);
    expect(names).toEqual([...names].sort());
  });
});

describe('Python spelling', () => {
  it.each([
    [['import'], 'import_'],
    [['search', 'get'], 'search_get'],
    [['list'], 'list'],
  ])('%j -> %s', (ws, want) => {
    expect(pyName(ws)).toBe(want);
  });

  it('writes literals and docstrings Python can parse', () => {
    expect(pyLiteral('a"b')).toBe(`'a"b'`);
    expect(pyLiteral(null)).toBe('None');
    expect(docstring('say """hi"""', '')).toBe('"""say \\"\\"\\"hi\\"\\"\\""""\n');
    expect(docstring('', '    ')).toBe('');
  });

  it('recognises comma-separated list parameters by their pattern', () => {
    const param = (pattern: string): ParamModel =>
      ({ constraints: { type: 'string', pattern } }) as unknown as ParamModel;
    expect(isCommaList(param('^[a-z0-9_:-]{1,50}(,[a-z0-9_:-]{1,50}){0,19}$'))).toBe(true);
    expect(isCommaList(param('^[a-z]+$'))).toBe(false);
    expect(isCommaList(param('^[a-z]+(,[0-9]+){0,3}$'))).toBe(false);
  });
});
