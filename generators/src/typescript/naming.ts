/** TypeScript names for model things: methods camelCase, classes and interfaces PascalCase. */
import type { OperationModel } from '../model.ts';
import { camelCase, pascalCase, words } from '../names.ts';

/** `memories.searchGet` -> `searchGet`. */
export const methodName = (op: OperationModel): string => camelCase(op.name.method);

/** The client property of a group: [memories] -> `memories`. */
export const groupProperty = (group: readonly string[]): string => camelCase(group);

/** The class of a group: [memories] -> `Memories`. */
export const groupClass = (group: readonly string[]): string => pascalCase(group);

/** The query-parameter interface of an operation: listMemories -> `ListMemoriesParams`. */
export const paramsInterface = (op: OperationModel): string => `${pascalCase(words(op.id))}Params`;

/** How user code reaches the method: `client.memories.create` or `client.export`. */
export const callPath = (op: OperationModel, client = 'client'): string =>
  [client, ...(op.name.group ? [groupProperty(op.name.group)] : []), methodName(op)].join('.');

/** A parameter's identifier in a method signature: `memory_id` -> `memoryId`. */
export const argName = (name: string): string => camelCase(words(name));

/** The SDK error class for an HTTP status; must match `errorFromResponse` in sdk-ts/src/core/errors.ts. */
export function errorClass(status: number): string {
  const byStatus: Record<number, string> = {
    400: 'ValidationError',
    401: 'AuthenticationError',
    403: 'PermissionError',
    404: 'NotFoundError',
    413: 'PayloadTooLargeError',
    409: 'ConflictError',
    412: 'PreconditionFailedError',
    415: 'UnsupportedMediaTypeError',
    422: 'ValidationError',
    429: 'RateLimitError',
  };
  return byStatus[status] ?? (status >= 500 ? 'ServerError' : 'OmpError');
}

/** Errors of an operation grouped by SDK class, in status order: [[class, '400 `malformed_json`, 422 ...']]. */
export function errorsByClass(op: OperationModel): [string, string][] {
  const out = new Map<string, string[]>();
  for (const e of op.errors) {
    const cls = errorClass(e.status);
    const codes = e.codes.length > 0 ? e.codes.map((c) => `\`${c}\``).join('/') : '';
    out.set(cls, [...(out.get(cls) ?? []), codes ? `${e.status} ${codes}` : String(e.status)]);
  }
  return [...out].map(([cls, list]) => [cls, list.join(', ')]);
}

/** The retry rule of an operation, in one sentence for docs. */
export function retryNote(op: OperationModel): string {
  if (!op.retrySafe && op.idempotencyKey) {
    return 'Safe to repeat with an `Idempotency-Key`, which the client sends to servers of 0.4 or later (a generated UUID unless `options.idempotencyKey` is given): then retried on 408, 429, 500, 502, 503 and connection failures; without one, only when the connection never opened.';
  }
  if (!op.retrySafe) return 'Not safe to repeat: retried only when the connection never opened.';
  const c = op.retryUnsafeWhen;
  const unless = c
    ? ` unless \`${c.name}\` is \`${c.value}\` (then only when the connection never opened)`
    : '';
  return `Safe to repeat${unless}: retried on 408, 429, 500, 502, 503 and connection failures.`;
}
