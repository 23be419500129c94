/**
 * Runs every schema fixture in schemas/tests/{pass,fail}/*.json. A pass case must validate; a fail case must
 * fail with every expected (instancePath, keyword) and with no error outside the expected paths, so it can only
 * pass for its stated reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createAjv, schemaId } from '../index.ts';

interface Expected {
  path: string;
  keyword: string;
}
interface Fixture {
  file: string;
  description: string;
  schema: string;
  spec: string;
  why?: string;
  expect?: Expected[];
  data: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', 'tests');

function load(kind: 'pass' | 'fail'): Fixture[] {
  return readdirSync(join(root, kind))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: `${kind}/${f}`, ...JSON.parse(readFileSync(join(root, kind, f), 'utf8')) }));
}

const ajv = createAjv({ allErrors: true });
/** `memory` or `mcp-tools#/$defs/addMemoriesInput`: a schema name, optionally with a JSON Pointer. */
function validatorOf(ref: string) {
  const [name, fragment] = ref.split('#') as [string, string | undefined];
  const fn = ajv.getSchema(fragment === undefined ? schemaId(name) : `${schemaId(name)}#${fragment}`);
  if (!fn) throw new Error(`no schema ${ref}`);
  return fn;
}
const show = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '""'} ${e.keyword}: ${e.message}`).join('\n');

const catalogue = JSON.parse(readFileSync(join(here, '..', '..', 'spec', 'requirements.json'), 'utf8')) as {
  requirements: Array<{ id: string }>;
};
const requirementIds = new Set(catalogue.requirements.map((r) => r.id));

const pass = load('pass');
const fail = load('fail');

describe('schema fixtures: well-formed', () => {
  it.each([...pass, ...fail].map((f) => [f.file, f] as const))('%s', (_file, f) => {
    expect(typeof f.description).toBe('string');
    expect(f.description.length).toBeGreaterThan(5);
    expect(() => validatorOf(f.schema)).not.toThrow();
    expect(f).toHaveProperty('data');
    // `spec` cites requirement IDs (which must exist) or a section (§n.n).
    const ids = f.spec.match(/OMP-[A-Z]+-\d{3}/g) ?? [];
    expect(ids.length > 0 || /^§\d+(\.\d+)*/.test(f.spec), `spec ${f.spec}`).toBe(true);
    for (const id of ids) expect(requirementIds.has(id), `${id} is not in spec/requirements.json`).toBe(true);
    if (f.file.startsWith('fail/')) {
      expect(typeof f.why).toBe('string');
      expect(Array.isArray(f.expect) && f.expect.length > 0).toBe(true);
    } else {
      expect(f.expect).toBeUndefined();
    }
  });
});

describe('schema fixtures: pass', () => {
  it.each(pass.map((f) => [`${f.schema}: ${f.description}`, f] as const))('%s', (_name, f) => {
    const validate = validatorOf(f.schema);
    const ok = validate(f.data);
    expect(ok, `${f.file} should be valid:\n${show(validate.errors)}`).toBe(true);
  });
});

describe('schema fixtures: fail', () => {
  it.each(fail.map((f) => [`${f.schema}: ${f.description}`, f] as const))('%s', (_name, f) => {
    const validate = validatorOf(f.schema);
    const ok = validate(f.data);
    expect(ok, `${f.file} should be invalid (${f.why})`).toBe(false);
    const errors = validate.errors ?? [];
    const expected = f.expect ?? [];
    for (const e of expected) {
      const hit = errors.some((x) => x.instancePath === e.path && x.keyword === e.keyword);
      expect(hit, `${f.file}: want ${e.keyword} at "${e.path}", got:\n${show(errors)}`).toBe(true);
    }
    const paths = new Set(expected.map((e) => e.path));
    const stray = errors.filter((x) => !paths.has(x.instancePath));
    expect(stray, `${f.file}: errors outside the expected paths:\n${show(stray)}`).toEqual([]);
  });
});

describe('schema fixtures: coverage', () => {
  it('has at least 20 pass and 40 fail cases', () => {
    expect(pass.length).toBeGreaterThanOrEqual(20);
    expect(fail.length).toBeGreaterThanOrEqual(40);
  });
  it('has a pass and a fail case for every schema that is a type', () => {
    const covered = (list: Fixture[]) => new Set(list.map((f) => f.schema.split('#')[0]));
    const typed = readdirSync(join(here, '..'))
      .filter((f) => f.endsWith('.schema.json'))
      .map((f) => f.slice(0, -'.schema.json'.length))
      .filter((name) => {
        const doc = JSON.parse(readFileSync(join(here, '..', `${name}.schema.json`), 'utf8')) as object;
        return !Object.keys(doc).every((k) =>
          ['$schema', '$id', '$comment', 'title', 'description', '$defs'].includes(k),
        );
      });
    const missing = typed.filter((n) => !covered(pass).has(n) || !covered(fail).has(n));
    expect(missing).toEqual([]);
  });
});
