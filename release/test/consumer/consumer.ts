// A strict TypeScript user of every package, type-checked (not run) by the packaging test under
// "moduleResolution": "nodenext" and "bundler". The @ts-expect-error lines prove the types are real, not any.
import { toViolations, validatorFor } from '@omp-kit/schemas';
import type { CreateMemoryRequest, Memory } from '@omp-kit/schemas/types';
import { getRequirement, type Requirement, requirements, specVersion } from '@omp-kit/spec';
import { type Report, runConformance } from 'omp-conformance';
import { createOmpMcpServer, TOOL_NAMES } from 'omp-mcp';
import { type RunningServer, startServer } from 'omp-reference-server';
import { OmpClient, type OmpError } from 'omp-sdk';

const request: CreateMemoryRequest = { content: 'typed', type: 'semantic', source: { tool: 'consumer' } };
// @ts-expect-error content must be a string
const wrong: CreateMemoryRequest = { content: 1, type: 'semantic', source: { tool: 'consumer' } };

export async function use(server: RunningServer): Promise<Report> {
  const client = new OmpClient({ baseUrl: server.url, apiKey: 'key' });
  const memory: Memory = await client.memories.create(request);
  const id: string = memory.id;
  // @ts-expect-error a memory has no such member
  memory.nonexistent;
  const first: Requirement = getRequirement(requirements[0]?.id ?? 'OMP-CRUD-001');
  const valid: boolean = validatorFor('memory')(memory) === true;
  const problems: { path: string; message: string }[] = toViolations(null);
  const tools: readonly string[] = TOOL_NAMES;
  void [id, first, valid, problems, tools, specVersion, wrong, createOmpMcpServer];
  return runConformance({ baseUrl: server.url, token: 'key' });
}

export async function start(): Promise<RunningServer> {
  return startServer({ dbPath: ':memory:' });
}

export function isOmpError(e: unknown): e is OmpError {
  return e instanceof Error && 'status' in e;
}
