/**
 * Every scenario in scenarios/cases is valid against scenario.schema.json, cites only requirement IDs that
 * exist in spec/requirements.json, and uses saved values only after a step saved them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const casesDir = join(root, 'cases');

const schema = JSON.parse(readFileSync(join(root, 'scenario.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
const catalogue = JSON.parse(readFileSync(join(root, '..', 'spec', 'requirements.json'), 'utf8')) as {
  requirements: { id: string }[];
};
const knownIds = new Set(catalogue.requirements.map((r) => r.id));

const files = readdirSync(casesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Step {
  call: string;
  args?: unknown;
  save?: string;
  save_etag?: string;
  expect: unknown;
}

/** Names referenced by `${name...}` placeholders anywhere inside a value (`run` is built in). */
function referencedNames(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([a-z_][a-z0-9_]*)/g)) if (m[1] !== 'run') out.add(m[1] as string);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedNames(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) referencedNames(v, out);
  }
  return out;
}

describe('scenario cases', () => {
  it('has cases to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(files)('%s', (file) => {
    const scenario = JSON.parse(readFileSync(join(casesDir, file), 'utf8')) as {
      requirements: string[];
      steps: Step[];
    };

    it('is valid against scenario.schema.json', () => {
      const ok = validate(scenario);
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
      expect(ok).toBe(true);
    });

    it('cites only requirement IDs of spec/requirements.json', () => {
      const unknown = scenario.requirements.filter((id) => !knownIds.has(id));
      expect(unknown).toEqual([]);
    });

    it('uses a saved value only after the step that saves it', () => {
      const saved = new Set<string>();
      scenario.steps.forEach((step, i) => {
        const missing = [...referencedNames([step.args, step.expect])].filter((n) => !saved.has(n));
        expect(missing, `step ${i} (${step.call})`).toEqual([]);
        if (step.save) saved.add(step.save);
        if (step.save_etag) saved.add(step.save_etag);
      });
    });
  });
});

describe('the schema rejects what runners could not run', () => {
  const base = { description: 'x', requirements: ['OMP-CRUD-001'] };
  it.each([
    ['an unknown call', { ...base, steps: [{ call: 'dropTables', expect: { ok: true } }] }],
    ['a step without expect', { ...base, steps: [{ call: 'getHealth' }] }],
    [
      'ok and error together',
      { ...base, steps: [{ call: 'getHealth', expect: { ok: true, error: 'ServerError' } }] },
    ],
    ['an unknown error kind', { ...base, steps: [{ call: 'getHealth', expect: { error: 'OopsError' } }] }],
    ['an unknown expectation', { ...base, steps: [{ call: 'getHealth', expect: { ok: true, roughly: 1 } }] }],
    ['a malformed requirement ID', { ...base, requirements: ['CRUD-1'], steps: [] }],
    ['an unknown step token', { ...base, steps: [{ call: 'getMe', token: 'c', expect: { ok: true } }] }],
    ['an unknown server', { ...base, server: '0.2', steps: [{ call: 'getMe', expect: { ok: true } }] }],
  ])('%s', (_name, value) => {
    expect(validate(value)).toBe(false);
  });
});
