/**
 * The OpenAPI -> model transform, table-driven over small synthetic specs (each case names the rule it
 * pins), then over the real spec/openapi.yaml: the operations and SDK names the SDKs are built from.
 */
import { describe, expect, it } from 'vitest';
import { loadModelOf } from '../src/context.ts';
import type { OperationModel } from '../src/model.ts';
import { openapiToModel, SpecError } from '../src/openapi-to-model.ts';

type Obj = Record<string, unknown>;
const base = 'https://example.test/s/';
const schemas = new Map<string, Obj & { $id: string }>([
  [
    'defs',
    {
      $id: `${base}defs.schema.json`,
      $defs: {
        limit: { title: 'Limit', type: 'integer', minimum: 1, maximum: 50, default: 10 },
        offset: { title: 'Offset', type: 'integer', minimum: 0, maximum: 9000 },
        color: { title: 'Color', type: 'string', enum: ['red', 'blue'] },
      },
    },
  ],
  [
    'thing',
    {
      $id: `${base}thing.schema.json`,
      title: 'Thing',
      type: 'object',
      properties: { id: { type: 'string' } },
    },
  ],
  [
    'page',
    {
      $id: `${base}page.schema.json`,
      title: 'ThingPage',
      type: 'object',
      properties: {
        things: { type: 'array', items: { $ref: './thing.schema.json' } },
        total: { type: 'integer' },
        limit: { $ref: './defs.schema.json#/$defs/limit' },
        offset: { $ref: './defs.schema.json#/$defs/offset' },
      },
    },
  ],
  [
    'find',
    {
      $id: `${base}find.schema.json`,
      title: 'FindRequest',
      type: 'object',
      properties: {
        q: { type: 'string' },
        limit: { $ref: './defs.schema.json#/$defs/limit' },
        offset: { $ref: './defs.schema.json#/$defs/offset' },
      },
    },
  ],
  ['unused', { $id: `${base}unused.schema.json`, title: 'Unused', type: 'string' }],
]);

const json = (schema: Obj, extra: Obj = {}) => ({ content: { 'application/json': { schema, ...extra } } });
const ok = (ref: string, status = '200') => ({ [status]: { description: 'ok', ...json({ $ref: ref }) } });
const limitOffset = [
  { name: 'limit', in: 'query', schema: { $ref: '../schemas/defs.schema.json#/$defs/limit' } },
  { name: 'offset', in: 'query', schema: { $ref: '../schemas/defs.schema.json#/$defs/offset' } },
];

/** A spec with the given paths, components pointing at the synthetic schema files. */
function spec(paths: Obj, extra: Obj = {}): Obj {
  return {
    openapi: '3.1.0',
    info: { title: 'T', version: '1' },
    security: [{ bearer: [] }],
    components: {
      schemas: {
        Thing: { $ref: '../schemas/thing.schema.json' },
        ThingPage: { $ref: '../schemas/page.schema.json' },
        FindRequest: { $ref: '../schemas/find.schema.json' },
      },
    },
    paths,
    ...extra,
  };
}
const thingRef = '#/components/schemas/Thing';
const model = (paths: Obj, extra?: Obj) => openapiToModel(spec(paths, extra), { schemas, sourceHash: 'h' });
const op = (paths: Obj, id: string, extra?: Obj): OperationModel => {
  const found = model(paths, extra).operations.find((o) => o.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe('retry safety', () => {
  const table: [string, { method: string; ext?: boolean; want: boolean }][] = [
    ['GET is idempotent', { method: 'get', want: true }],
    ['PUT is idempotent', { method: 'put', want: true }],
    ['DELETE is idempotent', { method: 'delete', want: true }],
    ['POST is not', { method: 'post', want: false }],
    ['POST marked x-omp-idempotent: true is', { method: 'post', ext: true, want: true }],
    ['DELETE marked x-omp-idempotent: false is not', { method: 'delete', ext: false, want: false }],
  ];
  it.each(table)('%s', (_n, { method, ext, want }) => {
    const o = {
      operationId: 'doThing',
      responses: ok(thingRef),
      ...(ext === undefined ? {} : { 'x-omp-idempotent': ext }),
    };
    expect(op({ '/v1/things': { [method]: o } }, 'doThing').retrySafe).toBe(want);
  });
});

describe('retry conditions', () => {
  const body = { required: true, ...json({ $ref: '#/components/schemas/FindRequest' }) };
  it('x-omp-idempotent: { unless } makes a POST safe except for one value, found in query and body', () => {
    const o = op(
      {
        '/v1/find': {
          post: {
            operationId: 'findThings',
            'x-omp-idempotent': { unless: { param: 'q', value: 'again' } },
            parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
            requestBody: body,
            responses: ok(thingRef),
          },
        },
      },
      'findThings',
    );
    expect(o.retrySafe).toBe(true);
    expect(o.retryUnsafeWhen).toEqual({ name: 'q', inQuery: true, inBody: true, value: 'again' });
  });

  it('refuses a condition on a parameter the operation lacks', () => {
    const bad = {
      '/v1/find': {
        post: {
          operationId: 'findThings',
          'x-omp-idempotent': { unless: { param: 'nope', value: 'x' } },
          requestBody: body,
          responses: ok(thingRef),
        },
      },
    };
    expect(() => model(bad)).toThrow(/nope/);
  });
});

describe('SDK names', () => {
  const paths = {
    '/v1/things': {
      post: { operationId: 'createThing', responses: ok(thingRef, '201') },
      get: { operationId: 'listThings', responses: ok(thingRef) },
    },
    '/v1/things/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'getThing', responses: ok(thingRef) },
    },
    '/v1/things/search': { get: { operationId: 'searchThingsGet', responses: ok(thingRef) } },
    '/v1/export': { get: { operationId: 'exportThings', responses: ok(thingRef) } },
    '/v1/me': { get: { operationId: 'getMe', responses: ok(thingRef) } },
  };
  it.each([
    ['createThing', { group: ['things'], method: ['create'] }],
    ['listThings', { group: ['things'], method: ['list'] }],
    ['getThing', { group: ['things'], method: ['get'] }],
    ['searchThingsGet', { group: ['things'], method: ['search', 'get'] }],
    ['exportThings', { group: undefined, method: ['export'] }],
    ['getMe', { group: undefined, method: ['me'] }],
  ])('%s', (id, want) => expect(op(paths, id).name).toEqual(want));

  it('groups list their operations in spec order', () => {
    expect(model(paths).groups).toEqual([
      {
        name: ['things'],
        description: '',
        operations: ['createThing', 'listThings', 'getThing', 'searchThingsGet'],
      },
    ]);
  });

  it('refuses two operations with one SDK name', () => {
    const clash = {
      '/v1/things': { get: { operationId: 'listThings', responses: ok(thingRef) } },
      '/v1/things/all': {
        get: { operationId: 'listAllThings', responses: ok(thingRef) },
        post: { operationId: 'listThing', responses: ok(thingRef) },
      },
    };
    expect(() => model(clash)).toThrow(SpecError);
  });
});

describe('parameters', () => {
  it('keeps named types, flattens constraints, and applies OpenAPI serialisation defaults', () => {
    const o = op(
      {
        '/v1/things': {
          get: {
            operationId: 'listThings',
            parameters: [
              {
                name: 'color',
                in: 'query',
                description: 'Tint',
                schema: { $ref: '../schemas/defs.schema.json#/$defs/color' },
                example: 'red',
              },
              { name: 'q', in: 'query', required: true, schema: { type: 'string', maxLength: 9 } },
              ...limitOffset,
            ],
            responses: ok(thingRef),
          },
        },
      },
      'listThings',
    );
    const [color, q, limit] = o.queryParams;
    expect(color).toMatchObject({
      name: 'color',
      required: false,
      description: 'Tint',
      type: { name: 'Color', uri: `${base}defs.schema.json#/$defs/color` },
      constraints: { type: 'string', enum: ['red', 'blue'] },
      style: 'form',
      explode: true,
      example: 'red',
    });
    expect(q).toMatchObject({
      required: true,
      type: undefined,
      constraints: { type: 'string', maxLength: 9 },
    });
    expect(limit?.constraints).toEqual({ type: 'integer', minimum: 1, maximum: 50, default: 10 });
  });

  it('refuses an exploded array parameter (the runtime sends lists comma-separated)', () => {
    const paths = {
      '/v1/things': {
        get: {
          operationId: 'listThings',
          parameters: [{ name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } }],
          responses: ok(thingRef),
        },
      },
    };
    expect(() => model(paths)).toThrow(/explode false/);
  });

  it('leaves header parameters to the SDK core (If-Match, Idempotency-Key are per-call options)', () => {
    const paths = {
      '/v1/things': {
        get: {
          operationId: 'listThings',
          parameters: [{ name: 'x', in: 'header', schema: { type: 'string' } }],
          responses: ok(thingRef),
        },
      },
    };
    expect(model(paths).operations[0]?.queryParams).toEqual([]);
  });
});

describe('pagination', () => {
  const pageRef = '#/components/schemas/ThingPage';
  it.each([
    [
      'limit/offset in the query and total + one array in the response',
      { get: { operationId: 'listThings', parameters: limitOffset, responses: ok(pageRef) } },
      {
        style: 'offset',
        in: 'query',
        maxOffset: 9000,
        maxLimit: 50,
        itemsField: 'things',
        totalField: 'total',
        itemType: { name: 'Thing', uri: `${base}thing.schema.json` },
      },
    ],
    [
      'limit/offset in the body',
      {
        post: {
          operationId: 'findThings',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/FindRequest' }) },
          responses: ok(pageRef),
        },
      },
      { in: 'body', maxOffset: 9000 },
    ],
    [
      'no limit/offset: not paginated',
      { get: { operationId: 'listThings', responses: ok(pageRef) } },
      undefined,
    ],
    [
      'response without total: not paginated',
      { get: { operationId: 'listThings', parameters: limitOffset, responses: ok(thingRef) } },
      undefined,
    ],
  ])('%s', (_n, item, want) => {
    const o = model({ '/v1/things': item }).operations[0] as OperationModel;
    if (want === undefined) expect(o.pagination).toBeUndefined();
    else expect(o.pagination).toMatchObject(want);
  });
});

describe('responses, bodies, auth and paths', () => {
  const paths = {
    '/things/{id}': {
      put: {
        operationId: 'updateThing',
        security: [],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          ...json(
            { $ref: thingRef },
            { examples: { a: { summary: 'A', value: { id: 'x' } }, b: { $ref: '#/components/examples/B' } } },
          ),
        },
        responses: {
          '204': { description: 'gone' },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
  };
  const extra = {
    servers: [{ url: 'https://api.example.test/base/' }],
    components: {
      schemas: { Thing: { $ref: '../schemas/thing.schema.json' } },
      examples: { B: { value: { id: 'y' } } },
      responses: {
        NotFound: {
          description: 'missing',
          ...json(
            { $ref: thingRef },
            {
              examples: {
                one: { value: { error: 'thing_not_found' } },
                two: { value: { error: 'not_found' } },
              },
            },
          ),
        },
      },
    },
  };
  const o = () => op(paths, 'updateThing', extra);
  it('prefixes the server path', () => expect(o().path).toBe('/base/things/{id}'));
  it('security: [] means no key', () => expect(o().auth).toBe('none'));
  it('reads the body with its examples, following $refs', () =>
    expect(o().body).toEqual({
      type: { name: 'Thing', uri: `${base}thing.schema.json` },
      required: true,
      mediaType: 'application/json',
      examples: [
        { name: 'a', summary: 'A', value: { id: 'x' } },
        { name: 'b', summary: undefined, value: { id: 'y' } },
      ],
    }));
  it('a 204 has no type', () =>
    expect(o().success).toMatchObject({ status: 204, type: undefined, headers: [] }));
  it('collects error codes from the examples', () =>
    expect(o().errors).toMatchObject([
      { status: 404, description: 'missing', codes: ['not_found', 'thing_not_found'] },
    ]));
  it('lists only the schema types the operations reach', () =>
    expect(model(paths, extra).types.map((t) => t.name)).toEqual(['Thing']));
  it('refuses an inline body schema', () => {
    const bad = {
      '/v1/x': { post: { operationId: 'x', requestBody: json({ type: 'object' }), responses: ok(thingRef) } },
    };
    expect(() => model(bad)).toThrow(/titled schema/);
  });
  it('refuses an operation without a 2xx', () => {
    const bad = { '/v1/x': { get: { operationId: 'x', responses: { '404': { description: 'no' } } } } };
    expect(() => model(bad)).toThrow(/no 2xx/);
  });
});

describe('the real spec/openapi.yaml', async () => {
  const real = await loadModelOf();
  const sdkName = (o: OperationModel) => [...(o.name.group ?? []), ...o.name.method].join('.');
  it('has the operations and SDK names the SDKs promise', () => {
    expect(Object.fromEntries(real.operations.map((o) => [o.id, sdkName(o)]))).toEqual({
      createMemory: 'memories.create',
      listMemories: 'memories.list',
      searchMemories: 'memories.search',
      searchMemoriesGet: 'memories.search.get',
      getMemory: 'memories.get',
      updateMemory: 'memories.update',
      deleteMemory: 'memories.delete',
      bulkDeleteMemories: 'memories.bulk.delete',
      exportMemories: 'export',
      importMemories: 'import',
      getHealth: 'health',
      getMe: 'me',
      extractMemories: 'extract',
      compressMemories: 'compress',
      setMemoryState: 'memories.set.state',
      getMemoryHistory: 'memories.get.history',
      bulkSetMemoryState: 'memories.bulk.set.state',
      listApps: 'apps.list',
      getApp: 'apps.get',
      updateApp: 'apps.update',
      listAccessLog: 'access.log',
      getStats: 'stats',
      suggestCategories: 'category.suggestions',
    });
  });
  it('paginates list and both searches', () => {
    expect(real.operations.filter((o) => o.pagination).map((o) => `${o.id}:${o.pagination?.in}`)).toEqual([
      'listMemories:query',
      'searchMemories:body',
      'searchMemoriesGet:query',
    ]);
  });
  it('only list walks by cursor; create, import and bulk delete take Idempotency-Key; update and delete If-Match', () => {
    expect(real.operations.filter((o) => o.pagination?.cursor).map((o) => o.id)).toEqual(['listMemories']);
    expect(real.operations.find((o) => o.id === 'listMemories')?.pagination?.cursor).toEqual({
      param: 'cursor',
      field: 'next_cursor',
    });
    expect(real.operations.filter((o) => o.idempotencyKey).map((o) => o.id)).toEqual([
      'createMemory',
      'bulkDeleteMemories',
      'importMemories',
    ]);
    expect(real.operations.filter((o) => o.conditional).map((o) => o.id)).toEqual([
      'updateMemory',
      'deleteMemory',
    ]);
  });
  it('retry safety follows SPEC.md §9.3: search and import (unless duplicate) are safe, create and AI are not', () => {
    const safety = Object.fromEntries(
      real.operations.map((o) => [
        o.id,
        o.retryUnsafeWhen ? `unless ${o.retryUnsafeWhen.name}=${o.retryUnsafeWhen.value}` : o.retrySafe,
      ]),
    );
    expect(safety).toEqual({
      createMemory: false,
      listMemories: true,
      searchMemories: true,
      searchMemoriesGet: true,
      getMemory: true,
      updateMemory: true,
      deleteMemory: true,
      bulkDeleteMemories: true,
      exportMemories: true,
      importMemories: 'unless conflict=duplicate',
      getHealth: true,
      getMe: true,
      extractMemories: false,
      compressMemories: false,
      setMemoryState: true,
      getMemoryHistory: true,
      bulkSetMemoryState: true,
      listApps: true,
      getApp: true,
      updateApp: true,
      listAccessLog: true,
      getStats: true,
      suggestCategories: true,
    });
  });

  it('health needs no key; everything else does', () => {
    expect(real.operations.filter((o) => o.auth === 'none').map((o) => o.id)).toEqual(['getHealth']);
  });
});
