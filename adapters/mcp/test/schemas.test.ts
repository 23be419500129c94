/**
 * The served schemas are the normative ones: same members and required arguments as `mcp-tools`, every `$ref`
 * resolved, and the same verdicts as the `$ref`-ing originals (also under a draft-07 ajv like MCP clients use).
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { getSchema } from '@omp-kit/schemas';
import { Ajv as Ajv07 } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOOL_NAMES, type ToolName } from '../src/tools/names.ts';
import { toolList } from '../src/tools/register.ts';
import { loadToolSchemas, type ToolSchemas } from '../src/tools/schemas.ts';

let schemas: ReadonlyMap<ToolName, ToolSchemas>;
beforeAll(async () => {
  schemas = await loadToolSchemas();
});

const inputDefs: Record<ToolName, string> = {
  add_memories: 'addMemoriesInput',
  search_memory: 'searchMemoryInput',
  list_memories: 'listMemoriesInput',
  delete_memories: 'deleteMemoriesInput',
  delete_all_memories: 'deleteAllMemoriesInput',
};
const resultDefs: Record<ToolName, string> = {
  add_memories: 'addMemoriesResult',
  search_memory: 'searchMemoryResult',
  list_memories: 'listMemoriesResult',
  delete_memories: 'deleteMemoriesResult',
  delete_all_memories: 'deleteAllMemoriesResult',
};
const defs = (
  getSchema('mcp-tools') as unknown as {
    $defs: Record<string, { properties: object; required?: string[]; title?: string }>;
  }
).$defs;

function compilers() {
  const a20 = new Ajv2020({ strict: false, allErrors: true });
  const a07 = new Ajv07({ strict: false, allErrors: true, validateSchema: false });
  for (const a of [a20, a07]) (addFormats as unknown as (x: unknown) => void)(a);
  // What MCP SDK 1.x `Client.callTool` checks structuredContent with, error results included.
  const sdk = new AjvJsonSchemaValidator();
  return { a20, a07, sdk };
}

const memory = {
  id: 'mem_01j9xk2p3q4r5s6t',
  content: 'Prefers TypeScript',
  type: 'semantic',
  source: { tool: 'claude', timestamp: '2026-06-29T12:00:00Z' },
  tags: ['preferences'],
  namespace: null,
  created_at: '2026-06-29T12:00:00.000Z',
  updated_at: '2026-06-29T12:00:00.000Z',
  expires_at: null,
  metadata: {},
};
const { timestamp: _t, ...sourceWithoutTimestamp } = memory.source;

const envelope = { error: 'forbidden', message: 'This key may not write', details: {} };
const validationEnvelope = {
  error: 'validation_error',
  message: 'Arguments are invalid',
  details: { errors: [{ path: '/limit', message: 'must be <= 100' }] },
};

/**
 * [tool, side, value, valid?]: `output` values are success outputs (valid or not), `error` values are error
 * results' structuredContent, which the declared outputSchema (the `…Result` def) must judge as the schema
 * `error` does, and which the success output alone never admits.
 */
const samples: [ToolName, 'input' | 'output' | 'error', unknown, boolean][] = [
  ['add_memories', 'input', { text: 'x' }, true],
  [
    'add_memories',
    'input',
    { text: 'x', type: 'episodic', tags: ['a', 'b:c'], namespace: 'p:q', infer: false },
    true,
  ],
  [
    'add_memories',
    'input',
    { text: 'x', expires_at: '2030-01-01T00:00:00Z', metadata: { a: 1 }, session_id: 's' },
    true,
  ],
  ['add_memories', 'input', { text: '   ' }, false],
  ['add_memories', 'input', { text: 'x', type: 'fact' }, false],
  ['add_memories', 'input', { text: 'x', tags: ['a', 'a'] }, false],
  ['add_memories', 'input', { text: 'x', expires_at: '2030-01-01T00:00:00+02:00' }, false],
  ['add_memories', 'input', { text: 'x', metadata: [] }, false],
  ['add_memories', 'input', { text: 'x', session_id: '' }, false],
  ['add_memories', 'input', { content: 'x' }, false],
  ['search_memory', 'input', { query: 'q', mode: 'hybrid', limit: 100, offset: 0 }, true],
  ['search_memory', 'input', { query: 'q', limit: 0 }, false],
  ['search_memory', 'input', { query: 'q', tool: 'bad\u0001tool' }, false],
  ['list_memories', 'input', {}, true],
  ['list_memories', 'input', { sort: 'updated_at_asc', offset: 1_000_000 }, true],
  ['list_memories', 'input', { offset: 1_000_001 }, false],
  ['list_memories', 'input', { cursor: 'eyJrIjoxfQ', limit: 5 }, true],
  ['list_memories', 'input', { cursor: 'not a cursor!' }, false],
  ['list_memories', 'input', { cursor: '' }, false],
  ['list_memories', 'input', { q: 'x' }, false],
  ['delete_memories', 'input', { memory_ids: ['mem_01j9xk2p3q4r5s6t'] }, true],
  ['delete_memories', 'input', { memory_ids: [] }, false],
  // A malformed id names no memory: it is accepted and reported in not_found (OMP-ID-004, OMP-MCP-014).
  ['delete_memories', 'input', { memory_ids: ['MEM_01J9XK2P3Q4R5S6T'] }, true],
  ['delete_memories', 'input', { memory_ids: [''] }, false],
  ['delete_all_memories', 'input', { namespace: 'proj' }, true],
  ['delete_all_memories', 'input', { namespace: null }, false],
  ['add_memories', 'output', { memories: [memory] }, true],
  // memory.source tightens source.schema.json with `required` beside its `$ref`: must survive resolution.
  ['add_memories', 'output', { memories: [{ ...memory, source: sourceWithoutTimestamp }] }, false],
  ['add_memories', 'output', { memories: [{ ...memory, extra: 1 }] }, false],
  [
    'search_memory',
    'output',
    { memories: [memory], total: 1, mode_used: 'keyword', limit: 20, offset: 0 },
    true,
  ],
  ['search_memory', 'output', { memories: [], total: 0, limit: 20, offset: 0 }, false],
  [
    'list_memories',
    'output',
    { memories: [memory], total: 1, limit: 20, offset: 0, next_cursor: null },
    true,
  ],
  ['list_memories', 'output', { memories: [memory], total: -1, limit: 20, offset: 0 }, false],
  ['delete_memories', 'output', { deleted: ['mem_01j9xk2p3q4r5s6t'], not_found: ['whatever'] }, true],
  ['delete_memories', 'output', { deleted: ['nope'], not_found: [] }, false],
  ['delete_all_memories', 'output', { deleted: 3 }, true],
  ['delete_all_memories', 'output', { deleted: -1 }, false],
  ...TOOL_NAMES.flatMap((tool): [ToolName, 'error', unknown, boolean][] => [
    [tool, 'error', envelope, true],
    [tool, 'error', validationEnvelope, true],
    [tool, 'error', { ...validationEnvelope, details: {} }, false],
    [tool, 'error', { error: 'Forbidden', message: 'x', details: {} }, false],
    [tool, 'error', { ...envelope, extra: 1 }, false],
  ]),
];

describe('tool schemas', () => {
  it('serve exactly the members and required arguments of mcp-tools, without any $ref or document keyword', () => {
    for (const name of TOOL_NAMES) {
      const s = schemas.get(name)!;
      const def = defs[inputDefs[name]]!;
      expect(Object.keys(s.inputSchema.properties as object), name).toEqual(Object.keys(def.properties));
      expect(s.inputSchema.required ?? [], name).toEqual(def.required ?? []);
      expect(s.inputSchema.additionalProperties, name).toBe(false);
      for (const wire of [s.inputSchema, s.outputSchema]) {
        expect(JSON.stringify(wire), name).not.toMatch(/"\$(ref|id|schema|defs)"/);
      }
    }
  });

  it('leave the output schemas out of tools/list on request, and keep them by default', () => {
    expect(toolList(schemas).every((t) => t.outputSchema?.type === 'object')).toBe(true);
    expect(toolList(schemas, false).every((t) => t.outputSchema === undefined)).toBe(true);
  });

  it('accept every example of mcp-tools', () => {
    for (const name of TOOL_NAMES) {
      const examples = (defs[inputDefs[name]] as { examples?: unknown[] }).examples ?? [];
      for (const example of examples) expect(schemas.get(name)!.validateInput(example), name).toBe(true);
    }
  });

  it('declare as outputSchema the …Result def of mcp-tools: success output or error envelope', () => {
    for (const name of TOOL_NAMES) {
      const wire = schemas.get(name)!.outputSchema;
      expect(wire.title, name).toBe(defs[resultDefs[name]]!.title);
      expect((wire.anyOf as unknown[]).length, name).toBe(2);
    }
  });

  for (const [tool, side, value, valid] of samples) {
    it(`${tool} ${side} ${JSON.stringify(value).slice(0, 70)}: ${valid ? 'valid' : 'invalid'} everywhere`, () => {
      const s = schemas.get(tool)!;
      const wire = side === 'input' ? s.inputSchema : s.outputSchema;
      const { a20, a07, sdk } = compilers();
      if (side === 'input') expect(s.validateInput(value), 'original input schema').toBe(valid);
      else expect(s.validateResult(value), 'original result schema').toBe(valid);
      // A success output is judged by the output alone as by the result; an error envelope never passes as one.
      if (side === 'output') expect(s.validateOutput(value), 'original output schema').toBe(valid);
      if (side === 'error') expect(s.validateOutput(value), 'original output schema').toBe(false);
      expect(a20.compile(wire)(value), 'served schema, 2020-12').toBe(valid);
      expect(a07.compile(wire)(value), 'served schema, draft-07').toBe(valid);
      if (side !== 'input')
        expect(sdk.getValidator(wire)(value).valid, 'MCP SDK client validator').toBe(valid);
    });
  }
});
