/**
 * The five normative MCP tools as the schema `mcp-tools` defines them (SPEC.md §13.2), never restated: tool
 * names come from its `…Input` defs (`addMemoriesInput` → `add_memories`), required arguments and declared
 * members from those defs, and each tool's result schema is its `…Result` def (success output or error envelope).
 */
import { createAjv, getSchema, schemaId } from '@omp-kit/schemas';
import type { ValidateFunction } from 'ajv';

/** One tool of mcp-tools. */
export interface ToolDef {
  name: string;
  /** `$defs` member names, e.g. addMemoriesInput / addMemoriesResult. */
  inputDef: string;
  resultDef: string;
  /** The input def as written (with `$ref`s), for argument derivation. */
  input: Record<string, unknown>;
  /** Members the input declares, and those it requires. */
  members: string[];
  required: string[];
  validateInput: ValidateFunction;
  /** Success output or error envelope. */
  validateResult: ValidateFunction;
  /** The success output alone: valid as a result and not an error envelope (the two shapes are disjoint). */
  isSuccess(value: unknown): boolean;
}

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

let cache: ToolDef[] | undefined;

/** The tools, in the order mcp-tools defines them. */
export function toolDefs(): ToolDef[] {
  if (cache) return cache;
  const ajv = createAjv();
  const id = schemaId('mcp-tools');
  const defs = (getSchema('mcp-tools') as unknown as { $defs: Record<string, Record<string, unknown>> })
    .$defs;
  const compile = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`mcp-tools: ${ref} did not compile`);
    return fn;
  };
  const isError = compile(schemaId('error'));
  cache = Object.keys(defs)
    .filter((k) => k.endsWith('Input'))
    .map((inputDef) => {
      const stem = inputDef.slice(0, -'Input'.length);
      const resultDef = `${stem}Result`;
      if (!defs[resultDef]) throw new Error(`mcp-tools: ${inputDef} has no ${resultDef}`);
      const input = defs[inputDef] as Record<string, unknown>;
      const validateResult = compile(`${id}#/$defs/${resultDef}`);
      return {
        name: snake(stem),
        inputDef,
        resultDef,
        input,
        members: Object.keys((input.properties as object | undefined) ?? {}),
        required: [...((input.required as string[] | undefined) ?? [])],
        validateInput: compile(`${id}#/$defs/${inputDef}`),
        validateResult,
        isSuccess: (v: unknown) => validateResult(v) === true && isError(v) !== true,
      };
    });
  return cache;
}

/** One tool by name (a runner bug when unknown). */
export function toolDef(name: string): ToolDef {
  const t = toolDefs().find((d) => d.name === name);
  if (!t) throw new Error(`runner bug: no tool ${name} in mcp-tools`);
  return t;
}
