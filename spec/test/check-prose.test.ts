/** The schema/prose agreement check: the real SPEC.md agrees, and each kind of disagreement is caught. */
import { readFileSync } from 'node:fs';
import { loadSchemas, type SchemaDocument } from '@omp-kit/schemas';
import { describe, expect, it } from 'vitest';
import { checkProse, proseBounds } from '../tools/check-prose.ts';
import { specPaths } from '../tools/paths.ts';

const text = readFileSync(specPaths().spec, 'utf8');
const docs = loadSchemas() as ReadonlyMap<string, SchemaDocument>;
const messages = (md: string, d: ReadonlyMap<string, SchemaDocument> = docs) =>
  checkProse(md, d, 'spec/SPEC.md').map((i) => i.message);

function withSchema(name: string, change: (d: Record<string, unknown>) => void) {
  const copy = new Map(docs);
  const doc = structuredClone(docs.get(name)) as SchemaDocument;
  change(doc);
  copy.set(name, doc);
  return copy;
}

describe('schema/prose agreement', () => {
  it('holds for the committed SPEC.md and schemas', () => {
    expect(messages(text)).toEqual([]);
  });
  it('parses bounds', () => {
    expect(proseBounds('1 to 10,000 code points')).toEqual([1, 10000]);
    expect(proseBounds('at most 20 distinct tags')).toEqual([undefined, 20]);
    expect(proseBounds('free-form')).toBeUndefined();
  });
  it('catches a bound the prose changed', () => {
    const md = text.replace('| client | 1 to 10,000 code points', '| client | 1 to 9,000 code points');
    expect(md).not.toBe(text);
    expect(messages(md).join('\n')).toMatch(
      /`content` is "1 to 9,000 code points[^"]*".*upper bound is 10000/,
    );
  });
  it('catches a member the schema makes optional but the table requires', () => {
    const d = withSchema('memory', (m) => {
      m.required = (m.required as string[]).filter((r) => r !== 'metadata');
    });
    expect(messages(text, d).join('\n')).toMatch(/`metadata` is required in the table but optional/);
  });
  it('catches a default that differs', () => {
    const d = withSchema('defs', (m) => {
      ((m.$defs as Record<string, Record<string, unknown>>).limit as Record<string, unknown>).default = 10;
    });
    expect(messages(text, d).join('\n')).toMatch(/`limit` defaults to 20 in the table but 10/);
  });
  it('catches a member of the table that the schema lacks', () => {
    const md = text.replace(
      '| `namespace` | string or null | client |',
      '| `namespaces` | string or null | client |',
    );
    expect(messages(md).join('\n')).toMatch(/`namespaces` is in the table but not in the schema memory/);
  });
  it('catches a capability missing from the registry and a code with two statuses', () => {
    const md = text
      .replace('| `multi_user` | full | none | 0.3 |\n', '')
      .replace('| 409 | `idempotency_key_in_use` |', '| 409 | `validation_error` |');
    const found = messages(md).join('\n');
    expect(found).toMatch(/capability `multi_user` of the levels table is not in the registry/);
    expect(found).toMatch(/error code `validation_error` has two statuses/);
  });
});
