/**
 * spec/dist/openapi.{json,yaml}: self-contained (no external or `$id`-based reference left), the same API as
 * the sources (every schema accepts and rejects what the normative schema does), and loaded offline by the
 * stock tools users point at an OpenAPI document: swagger-parser with default options, the Prism mock and
 * Redocly CLI, each run as shipped (no custom resolver, no plug-in).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { atPointer, getSchema, validatorFor } from '@omp-kit/schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../sdk-ts/test/support/prism.ts';
import { repoRoot } from '../../spec/tools/paths.ts';
import { bundleOpenapi, bundlePaths } from '../src/openapi-bundle.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const require = createRequire(join(repoRoot, 'package.json'));
const jsonPath = join(repoRoot, bundlePaths.json);
const yamlPath = join(repoRoot, bundlePaths.yaml);
const bundle = JSON.parse(readFileSync(jsonPath, 'utf8')) as Obj;
const schemas = (bundle.components as Obj).schemas as Obj;

/** Every `[key, value, pointer]` of a JSON value, depth first. */
function* entries(node: unknown, at = ''): Generator<[string, unknown, string]> {
  if (!isObj(node) && !Array.isArray(node)) return;
  for (const [k, v] of Object.entries(node)) {
    const here = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    yield [k, v, here];
    yield* entries(v, here);
  }
}

describe('the bundled OpenAPI document', () => {
  it('is one self-contained file: every $ref internal and resolvable, no $id or $schema left', () => {
    const refs: string[] = [];
    for (const [k, v, at] of entries(bundle)) {
      if (k === '$ref') {
        expect(typeof v === 'string' && v.startsWith('#/'), `${at}: ${String(v)}`).toBe(true);
        expect(atPointer(bundle, v as string), `${at}: ${String(v)} dangles`).toBeDefined();
        refs.push(v as string);
      }
      expect(k === '$id' || k === '$schema' || k === '$defs', `${at} is left in`).toBe(false);
    }
    expect(refs.length).toBeGreaterThan(50);
    expect(JSON.stringify(bundle)).not.toMatch(/"\$ref":\s*"https?:/);
    expect(bundle.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('the YAML and the JSON files hold the same document, with the generated header', () => {
    const text = readFileSync(yamlPath, 'utf8');
    expect(parse(text)).toEqual(bundle);
    expect(text.split('\n').slice(0, 4)).toEqual([
      '# Generated file — do not edit.',
      '# Generator: generators/src/openapi-bundle.ts',
      expect.stringMatching(
        /^# Source hash: [0-9a-f]{16} \(sha256 of spec\/openapi\.yaml, schemas\/\*\.schema\.json\)$/,
      ),
      '# Regenerate: npm run generate',
    ]);
    expect(bundle['x-omp-generated']).toContain('do not edit');
  });

  it('keeps the names openapi.yaml gives its schemas, and names every shared definition by its title', () => {
    for (const name of [
      'Memory',
      'CreateMemoryRequest',
      'ErrorEnvelope',
      'Health',
      'Tag',
      'Timestamp',
      'Limit',
    ])
      expect(Object.keys(schemas)).toContain(name);
    expect((schemas.Memory as Obj).title).toBe('Memory');
    // 0.4: a memory is an export item with namespace and metadata required; the members live on ExportItem.
    expect((schemas.Memory as Obj).$ref).toBe('#/components/schemas/ExportItem');
    expect(((schemas.ExportItem as Obj).properties as Obj).tags).toEqual({
      $ref: '#/components/schemas/Tags',
    });
  });

  it('means what the sources mean: each schema accepts and rejects as the normative one does', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (formatsPlugin as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ ...bundle, $id: 'bundle:' }, 'bundle');
    let compared = 0;
    const stems = new Map(
      Object.entries({
        Memory: 'memory',
        CreateMemoryRequest: 'create-request',
        UpdateMemoryRequest: 'update-request',
        SearchRequest: 'search-request',
        SearchResponse: 'search-response',
        ListMemoriesResponse: 'list-response',
        ExportFile: 'export-file',
        ImportResult: 'import-result',
        ErrorEnvelope: 'error',
        Health: 'health',
        Principal: 'principal',
        Source: 'source',
        ExtractRequest: 'extract-request',
        CompressRequest: 'compress-request',
        AiResult: 'ai-result',
      }),
    );
    for (const [name, stem] of stems) {
      const inBundle = ajv.getSchema(`bundle:#/components/schemas/${name}`);
      const normative = validatorFor(stem);
      expect(inBundle, name).toBeDefined();
      const samples: unknown[] = [];
      for (const ex of (getSchema(stem).examples ?? []) as unknown[]) {
        samples.push(ex);
        if (!isObj(ex)) continue;
        samples.push({ ...ex, x_unknown_member: 1 });
        for (const key of Object.keys(ex)) {
          const { [key]: _dropped, ...rest } = ex;
          samples.push(rest, { ...ex, [key]: null }, { ...ex, [key]: 'x'.repeat(20_000) });
        }
      }
      for (const sample of samples) {
        expect(inBundle?.(sample), `${name} ${JSON.stringify(sample).slice(0, 200)}`).toBe(normative(sample));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});

describe('stock tools load it offline', () => {
  it('swagger-parser (default options, no resolver) validates and dereferences both files', async () => {
    for (const file of [jsonPath, yamlPath]) {
      const api = (await SwaggerParser.validate(file)) as unknown as Obj;
      expect(Object.keys((api.components as Obj).schemas as Obj)).toContain('Memory');
      const deref = (await SwaggerParser.dereference(file)) as unknown as Obj;
      const created = atPointer(
        deref,
        '/paths/~1v1~1memories/post/responses/201/content/application~1json/schema',
      );
      expect((created as Obj).title).toBe('Memory');
    }
  });

  it('Redocly CLI lints it valid, every example checked against its schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omp-redocly-'));
    try {
      // `minimal` plus both example rules as errors. allowAdditionalProperties: true keeps the schemas as
      // written; Redocly's default closes every object it checks examples against (if/then branches too).
      writeFileSync(
        join(dir, 'redocly.yaml'),
        [
          'extends: [minimal]',
          'rules:',
          '  no-invalid-media-type-examples: { severity: error, allowAdditionalProperties: true }',
          '  no-invalid-schema-examples: { severity: error, allowAdditionalProperties: true }',
          '',
        ].join('\n'),
      );
      const bin = require.resolve('@redocly/cli/bin/cli.js');
      for (const file of [jsonPath, yamlPath]) {
        const run = spawnSync(process.execPath, [bin, 'lint', file, '--config', join(dir, 'redocly.yaml')], {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            REDOCLY_TELEMETRY: 'off',
            REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            CI: 'true',
          },
        });
        const out = `${run.stdout}\n${run.stderr}`;
        expect(run.status, out).toBe(0);
        expect(out).toContain('Your API description is valid');
        expect(out).not.toMatch(/errored|can't resolve/i);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('Prism mocks it, validating requests against the bundled schemas', () => {
    let url = '';
    let stop: () => Promise<void> = async () => {};
    let log = '';

    beforeAll(async () => {
      const port = await freePort();
      const bin = require.resolve('@stoplight/prism-cli/dist/index.js');
      const child = spawn(
        process.execPath,
        [bin, 'mock', jsonPath, '--host', '127.0.0.1', '--port', String(port)],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const keep = (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      stop = () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
      url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) throw new Error(`prism exited with ${child.exitCode}:\n${log}`);
        const up = await fetch(`${url}/v1/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`prism did not start:\n${log}`);
    }, 90_000);
    afterAll(() => stop());

    const post = (body: unknown) =>
      fetch(`${url}/v1/memories`, {
        method: 'POST',
        headers: { authorization: 'Bearer omp_test_key', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('answers a valid create with the documented 201 Memory', async () => {
      const res = await post({ content: 'Prefers dark mode', type: 'semantic', source: { tool: 'vitest' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('sl-violations')).toBeNull();
      expect(validatorFor('memory')(await res.json())).toBe(true);
    });

    it('rejects a body that breaks a referenced schema (memory-type enum, through two $refs) with 422', async () => {
      const res = await post({ content: 'x', type: 'not-a-type', source: { tool: 'vitest' } });
      expect(res.status).toBe(422);
      expect(res.headers.get('sl-violations') ?? '').toContain('type');
    });
  });
});

describe('bundleOpenapi on a small spec', () => {
  const src = (openapi: Obj, docs: Array<Obj & { $id: string }>) => ({
    openapiPath: '/x/spec/openapi.yaml',
    openapiText: JSON.stringify(openapi),
    schemas: new Map(docs.map((d) => [d.$id.split('/').pop()!.replace('.schema.json', ''), d])),
    sourceHash: '0123456789abcdef',
  });
  const base = 'https://example.org/s/';
  const defs = {
    $id: `${base}defs.schema.json`,
    $defs: { tag: { title: 'Tag', type: 'string' }, raw: { type: 'integer' } },
  };
  const thing = {
    $id: `${base}thing.schema.json`,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Thing',
    type: 'object',
    properties: {
      tag: { $ref: 'defs.schema.json#/$defs/tag' },
      n: { $ref: 'defs.schema.json#/$defs/raw' },
      self: { $ref: '#/properties/tag' },
      $ref: { type: 'string' },
    },
  };
  const api = (schema: Obj) => ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: { '/t': { get: { responses: { 200: { content: { 'application/json': { schema } } } } } } },
  });

  it('hoists shared definitions, names documents by title and rewrites relative and internal refs', () => {
    const out = bundleOpenapi(src(api({ $ref: '../schemas/thing.schema.json' }), [defs, thing]));
    const s = (out.components as Obj).schemas as Obj;
    expect(Object.keys(s)).toEqual(['Raw', 'Tag', 'Thing']);
    expect(s.Thing).toEqual({
      title: 'Thing',
      type: 'object',
      properties: {
        tag: { $ref: '#/components/schemas/Tag' },
        n: { $ref: '#/components/schemas/Raw' },
        self: { $ref: '#/components/schemas/Thing/properties/tag' },
        $ref: { type: 'string' },
      },
    });
    expect(atPointer(out, '/paths/~1t/get/responses/200/content/application~1json/schema')).toEqual({
      $ref: '#/components/schemas/Thing',
    });
  });

  it('keeps a component that names part of a file as an alias, and nested $defs in place', () => {
    const nested = {
      ...thing,
      properties: { ...thing.properties, deep: { $ref: '#/properties/box/$defs/inner' } },
      $defs: { box: { title: 'Box', type: 'object' } },
    };
    (nested.properties as Obj).box = { type: 'object', $defs: { inner: { type: 'boolean' } } };
    const spec = {
      ...api({ $ref: '#/components/schemas/TagAlias' }),
      components: { schemas: { TagAlias: { $ref: '../schemas/defs.schema.json#/$defs/tag' } } },
    };
    const out = bundleOpenapi(src(spec, [defs, nested]));
    const s = (out.components as Obj).schemas as Obj;
    expect(s.TagAlias).toEqual({ $ref: '#/components/schemas/Tag' });
    expect(Object.keys(s)).toEqual(['TagAlias', 'Raw', 'Tag']);
    const withThing = bundleOpenapi(src(api({ $ref: '../schemas/thing.schema.json' }), [defs, nested]));
    const t = ((withThing.components as Obj).schemas as Obj).Thing as Obj;
    expect(t.$defs).toBeUndefined();
    expect(atPointer(t, '/properties/deep')).toEqual({
      $ref: '#/components/schemas/Thing/properties/box/$defs/inner',
    });
    expect(atPointer(withThing, '/components/schemas/Thing/properties/box/$defs/inner')).toEqual({
      type: 'boolean',
    });
    expect(((withThing.components as Obj).schemas as Obj).Box).toEqual({ title: 'Box', type: 'object' });
  });

  it('refuses a reference to a file that is not a schema, and two schemas claiming one name', () => {
    expect(() => bundleOpenapi(src(api({ $ref: '../schemas/nope.schema.json' }), [defs, thing]))).toThrow(
      /names no schema/,
    );
    const clash = { ...thing, $id: `${base}other.schema.json`, title: 'Tag' };
    expect(() => bundleOpenapi(src(api({ $ref: '../schemas/other.schema.json' }), [defs, clash]))).toThrow(
      /component name Tag is claimed by both/,
    );
  });
});
