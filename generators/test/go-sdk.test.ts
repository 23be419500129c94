/**
 * The Go emitter: Go naming and syntax helpers, the member rules (required / optional / nullable / partial
 * update) over small synthetic specs, and the real spec's files: deterministic, identical to the committed
 * sdk-go/*_gen.go, gofmt-clean (when gofmt is installed) and stamped with the headers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../spec/tools/paths.ts';
import { loadModelOf } from '../src/context.ts';
import { goSdkPaths, renderGoSdk } from '../src/go/go-files.ts';
import { alignRows, goDoc, goLocalName, goName, goNameOf, goString } from '../src/go/go-syntax.ts';
import { GoTypes } from '../src/go/go-types.ts';
import type { ApiModel } from '../src/model.ts';
import { openapiToModel } from '../src/openapi-to-model.ts';

type Obj = Record<string, unknown>;

const hasGofmt = spawnSync('gofmt', ['-h'], { encoding: 'utf8' }).error === undefined;

/** gofmt's rendering of Go source (throws on a syntax error). */
function gofmt(src: string): string {
  const r = spawnSync('gofmt', [], { input: src, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('Go names', () => {
  it.each([
    [['session', 'id'], 'SessionID'],
    [['memory', 'ids'], 'MemoryIDs'],
    [['ai', 'result'], 'AIResult'],
    [['omp', 'version'], 'OMPVersion'],
    [['created', 'at', 'desc'], 'CreatedAtDesc'],
    [['ok'], 'OK'],
  ])('%j -> %s', (given, want) => expect(goName(given)).toBe(want));

  it.each([
    ['searchMemoriesGet', 'SearchMemoriesGet'],
    ['read_scope', 'ReadScope'],
    ['AiResult', 'AIResult'],
    ['mcp', 'MCP'],
  ])('goNameOf(%s) = %s', (given, want) => expect(goNameOf(given)).toBe(want));

  it.each([
    ['id', 'id'],
    ['memory_id', 'memoryID'],
    ['url', 'urlArg'],
    ['type', 'typeArg'],
  ])('goLocalName(%s) = %s', (given, want) => expect(goLocalName(given)).toBe(want));

  it('refuses what cannot be an identifier', () => expect(() => goName(['9lives'])).toThrow());

  it.each([
    ['plain', '"plain"'],
    ['a "q" \\ b', '"a \\"q\\" \\\\ b"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    ['\u0001', '"\\x01"'],
    ['café §', '"café §"'],
  ])('goString(%j)', (given, want) => expect(goString(given)).toBe(want));
});

describe('Go syntax', () => {
  it('wraps doc comments and never starts a line with what gofmt reads as a list', () => {
    const text = `${'word '.repeat(20)}- not a list 1. nor this ${'x '.repeat(30)}`;
    const doc = goDoc(text, '\t', 60);
    for (const line of doc.split('\n')) {
      expect(line.startsWith('\t// ')).toBe(true);
      expect(line.slice(4)).not.toMatch(/^([-+*]|\d+\.) /);
    }
    expect(doc.replace(/\n\t\/\/ /g, ' ').replace(/^\t\/\/ /, '')).toBe(text.trim().replace(/\s+/g, ' '));
  });

  it('keeps paragraphs', () => expect(goDoc('a\n\nb')).toBe('// a\n//\n// b'));

  it.skipIf(!hasGofmt)('aligns struct fields in blocks as gofmt does', () => {
    const lines = alignRows(
      [
        '// doc',
        { cells: ['ID', 'string'], rest: '`json:"id"`' },
        '// doc2',
        { cells: ['Content', 'string'], rest: '`json:"content"`' },
        { cells: ['X', 'int'], rest: '`json:"x"`' },
        { cells: ['LongerName', 'map[string]any'], rest: '`json:"longer_name,omitzero"`' },
        '',
        { cells: ['Y', 'int'], rest: '`json:"y"`' },
      ],
      '\t',
    );
    const src = `package a\n\ntype A struct {\n${lines.join('\n')}\n}\n`;
    expect(gofmt(src)).toBe(src);
  });
});

const base = 'https://example.test/s/';

/** A model of one PUT and one GET over the given schema documents (stem -> document). */
function modelOf(
  docs: Record<string, Obj>,
  bodyStem: string,
  resultStem: string,
  query: Obj[] = [],
): ApiModel {
  const schemas = new Map<string, Obj & { $id: string }>(
    Object.entries(docs).map(([stem, d]) => [stem, { $id: `${base}${stem}.schema.json`, ...d }]),
  );
  const ref = (stem: string) => ({ $ref: `../schemas/${stem}.schema.json` });
  const api = {
    openapi: '3.1.0',
    info: { title: 'T', version: '1' },
    security: [{ bearer: [] }],
    paths: {
      '/v1/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        put: {
          operationId: 'updateThing',
          requestBody: { required: true, content: { 'application/json': { schema: ref(bodyStem) } } },
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: ref(resultStem) } } },
          },
        },
        get: {
          operationId: 'getThing',
          parameters: query,
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: ref(resultStem) } } },
          },
        },
      },
    },
  };
  return openapiToModel(api, { schemas, sourceHash: '0123456789abcdef' });
}

/** The Go type of each member of the struct `name` in a model. */
function fieldTypes(model: ApiModel, name: string): Record<string, string> {
  const types = new GoTypes(model);
  return Object.fromEntries(
    types.fieldsOf(name).map((f) => [f.json, `${f.type} ${f.required ? 'required' : 'omitzero'}`]),
  );
}

describe('member rules', () => {
  const defs = {
    $defs: {
      ns: { title: 'Ns', type: 'string', minLength: 1 },
      nullableNs: { title: 'NullableNs', anyOf: [{ $ref: '#/$defs/ns' }, { type: 'null' }] },
      ts: { title: 'Ts', type: 'string', format: 'date-time' },
      kind: { title: 'Kind', type: 'string', enum: ['a', 'b'] },
    },
  };
  const members = {
    req: { type: 'string' },
    reqNullable: { anyOf: [{ $ref: './defs.schema.json#/$defs/ts' }, { type: 'null' }] },
    reqNullableList: { type: ['array', 'null'], items: { type: 'string' } },
    optNonEmpty: { $ref: './defs.schema.json#/$defs/ns' },
    optMayBeEmpty: { type: 'string' },
    optZeroDefault: { type: 'integer', minimum: 0, default: 0 },
    optZeroValid: { type: 'integer', minimum: 0 },
    optPositive: { type: 'integer', minimum: 1 },
    optBoolDefaultFalse: { type: 'boolean', default: false },
    optBool: { type: 'boolean' },
    optEnum: { $ref: './defs.schema.json#/$defs/kind' },
    optList: { type: 'array', items: { type: 'string' } },
    optMap: { type: 'object' },
    optNullableDefaultNull: { $ref: './defs.schema.json#/$defs/nullableNs', default: null },
    optNullable: { $ref: './defs.schema.json#/$defs/nullableNs' },
    optInline: { type: 'object', properties: { n: { type: 'number' } } },
  };
  const docs = {
    defs,
    thing: {
      title: 'Thing',
      type: 'object',
      required: ['req', 'reqNullable', 'reqNullableList'],
      properties: members,
    },
    patch: { title: 'ThingPatch', type: 'object', properties: members },
  };
  const model = modelOf(docs, 'patch', 'thing');

  it.each([
    ['req', 'string required'],
    ['reqNullable', '*Timestamp required'],
    ['reqNullableList', '[]string required'],
    ['optNonEmpty', '*string omitzero'],
    ['optMayBeEmpty', '*string omitzero'],
    ['optZeroDefault', 'int omitzero'],
    ['optZeroValid', '*int omitzero'],
    ['optPositive', '*int omitzero'],
    ['optBoolDefaultFalse', 'bool omitzero'],
    ['optBool', '*bool omitzero'],
    ['optEnum', '*Kind omitzero'],
    ['optList', '[]string omitzero'],
    ['optMap', 'map[string]any omitzero'],
    ['optNullableDefaultNull', '*string omitzero'],
    ['optNullable', '*string omitzero'],
    ['optInline', '*ThingOptInline omitzero'],
  ])('Thing.%s: %s', (member, want) => expect(fieldTypes(model, 'Thing')[member]).toBe(want));

  it.each([
    ['optNullableDefaultNull', 'Nullable[string] omitzero'],
    ['optNullable', 'Nullable[string] omitzero'],
    ['optNonEmpty', '*string omitzero'],
  ])('in a partial update (PUT body) ThingPatch.%s: %s', (member, want) =>
    expect(fieldTypes(model, 'ThingPatch')[member]).toBe(want),
  );

  it('declares inline types after their parent, enums with constants, unions with JSON methods', () => {
    const m = modelOf(
      {
        thing: {
          title: 'Thing',
          type: 'object',
          required: ['levels', 'who'],
          properties: {
            levels: { type: 'array', items: { type: 'string', enum: ['low', 'high_ok'] } },
            who: {
              anyOf: [{ type: 'object', properties: { name: { type: 'string' } } }, { type: 'string' }],
            },
          },
        },
      },
      'thing',
      'thing',
    );
    const src = new GoTypes(m);
    expect(src.fieldsOf('Thing').map((f) => f.type)).toEqual(['[]ThingLevel', 'ThingWho']);
    const out = src.render();
    expect(out).toContain('ThingLevelHighOK ThingLevel = "high_ok"');
    expect(out).toContain('type ThingWho struct {\n\tObject *ThingWhoObject\n\tString *string\n}');
    expect(out).toContain('func (u *ThingWho) UnmarshalJSON(data []byte) error');
    expect(out.indexOf('type Thing struct')).toBeLessThan(out.indexOf('type ThingLevel string'));
  });

  it.each([
    ['oneOf', { oneOf: [{ type: 'string' }, { type: 'integer' }] }, /keyword oneOf/],
    ['allOf', { allOf: [{ type: 'string' }] }, /keyword allOf/],
    ['numeric enum', { type: 'integer', enum: [1, 2] }, /only string enums/],
    [
      'two union strings',
      { anyOf: [{ type: 'string' }, { type: 'string', minLength: 2 }] },
      /two union alternatives/,
    ],
  ])('refuses %s', (_name, schema, want) => {
    const m = modelOf(
      { thing: { title: 'Thing', type: 'object', properties: { x: schema } } },
      'thing',
      'thing',
    );
    expect(() => new GoTypes(m).fieldsOf('Thing')).toThrow(want);
  });
});

describe('operations', () => {
  const docs = {
    defs: { $defs: { mode: { title: 'Mode', type: 'string', enum: ['keep', 'dup'], default: 'keep' } } },
    thing: { title: 'Thing', type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
  };
  const query = [
    {
      name: 'tags',
      in: 'query',
      style: 'form',
      explode: false,
      schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    },
    { name: 'n', in: 'query', schema: { type: 'integer', minimum: 1 } },
    { name: 'flag', in: 'query', schema: { type: 'boolean' } },
    { name: 'mode', in: 'query', schema: { $ref: '../schemas/defs.schema.json#/$defs/mode' } },
  ];
  const files = renderGoSdk(modelOf(docs, 'thing', 'thing', query));
  const ops = files.find((f) => f.path === goSdkPaths.operations)?.content ?? '';

  it('names methods from operationIds and escapes path parameters', () => {
    expect(ops).toContain(
      'func (c *Client) UpdateThing(ctx context.Context, id string, body Thing) (*Thing, error) {',
    );
    expect(ops).toContain('idSeg, err := pathSegment("updateThing", "id", id)');
    expect(ops).toContain('path: "/v1/things/" + idSeg');
  });

  it('sends a comma-separated list from a []string and optional values only when set', () => {
    expect(ops).toContain('Tags []string `json:"tags,omitzero"`');
    expect(ops).toContain('q.Set("tags", strings.Join(p.Tags, ","))');
    expect(ops).toContain('if p.N != nil {\n\t\tq.Set("n", strconv.Itoa(*p.N))');
    expect(ops).toContain('if p.Flag != nil {\n\t\tq.Set("flag", strconv.FormatBool(*p.Flag))');
    expect(ops).toContain('if p.Mode != nil {\n\t\tq.Set("mode", string(*p.Mode))');
  });

  it('marks PUT and GET retry-safe', () => {
    expect(ops.match(/retrySafe: true/g)).toHaveLength(2);
  });

  it.skipIf(!hasGofmt)('is gofmt-clean', () => {
    for (const f of files) expect(gofmt(f.content)).toBe(f.content);
  });
});

describe('the real spec', async () => {
  const model = await loadModelOf();
  const files = renderGoSdk(model);

  it('renders deterministically', () => {
    expect(renderGoSdk(model)).toEqual(files);
  });

  it('matches the committed files (run npm run generate after changing the spec or the emitter)', () => {
    for (const f of files) expect(readFileSync(join(repoRoot, f.path), 'utf8')).toBe(f.content);
  });

  it('stamps the Go marker line and the repository header on every file', () => {
    for (const f of files) {
      const [first, ...rest] = f.content.split('\n');
      expect(first).toMatch(/^\/\/ Code generated .* DO NOT EDIT\.$/);
      expect(rest.join('\n')).toContain(`// Source hash: ${model.sourceHash}`);
      expect(rest.join('\n')).toContain('// Regenerate: npm run generate');
    }
  });

  it('has one method per operation, named from its operationId', () => {
    const ops = files.find((f) => f.path === goSdkPaths.operations)?.content ?? '';
    for (const op of model.operations)
      expect(ops).toContain(`func (c *Client) ${goNameOf(op.id)}(ctx context.Context`);
    expect(ops).toContain(
      'safe := (body.Conflict == nil || *body.Conflict != ConflictStrategyDuplicate) && (params == nil || params.Conflict == nil || *params.Conflict != ConflictStrategyDuplicate)',
    );
  });

  it('keeps null meaningful where the spec gives it a meaning', () => {
    const types = files.find((f) => f.path === goSdkPaths.types)?.content ?? '';
    expect(types).toContain('Namespace Nullable[string] `json:"namespace,omitzero"`');
    expect(types).toContain('ExpiresAt Nullable[Timestamp] `json:"expires_at,omitzero"`');
    expect(types).toContain('ExpiresAt *Timestamp `json:"expires_at"`');
  });

  it.skipIf(!hasGofmt)('is gofmt-clean', () => {
    for (const f of files) expect(gofmt(f.content)).toBe(f.content);
  });
});
