/**
 * The language-neutral model of the OMP API that every SDK emitter reads. It holds facts about the HTTP
 * API only (no TypeScript, Python or Go notions): names are word lists each emitter cases its own way, and
 * types are JSON Schema URIs each emitter maps with its own JSON Schema converter.
 */

/** A JSON Schema value, with every `$ref` made absolute (`https://…/memory.schema.json#/…`). */
export type Schema = boolean | { [keyword: string]: unknown };

/** A named schema (a document's or a `$defs` entry's `title`) referenced by its absolute URI. */
export interface TypeRef {
  /** The schema's `title`, e.g. `Memory`. */
  name: string;
  /** Absolute URI, e.g. `https://openmemoryprotocol.org/schemas/0.3/memory.schema.json`. */
  uri: string;
}

/** Value constraints of a parameter, flattened from its schema (for docs and client-side checks). */
export interface Constraints {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

/** A path or query parameter. */
export interface ParamModel {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  /** The parameter's schema, refs absolute. */
  schema: Schema;
  /** Set when the schema is a named type. */
  type: TypeRef | undefined;
  constraints: Constraints;
  /** OpenAPI serialisation: `form` + `explode: true` is the default for query parameters. */
  style: string;
  explode: boolean;
  example: unknown;
}

/** A named example of a request body or response. */
export interface ExampleModel {
  name: string;
  summary: string | undefined;
  value: unknown;
}

/** The request body. */
export interface BodyModel {
  type: TypeRef;
  required: boolean;
  mediaType: string;
  examples: ExampleModel[];
}

/** The success response. */
export interface SuccessModel {
  status: number;
  /** Undefined for a response without a body (204). */
  type: TypeRef | undefined;
  description: string;
  /** Response header names, as written in the spec. */
  headers: string[];
  examples: ExampleModel[];
}

/** One documented error response. */
export interface ErrorModel {
  status: number;
  description: string;
  /** Error codes (`error` member) its examples show, sorted, deduplicated. */
  codes: string[];
  type: TypeRef | undefined;
  examples: ExampleModel[];
}

/** Offset pagination of a list-like operation. */
export interface PaginationModel {
  style: 'offset';
  /** Where limit and offset travel. */
  in: 'query' | 'body';
  limitParam: string;
  offsetParam: string;
  /** Largest offset the server accepts (from the offset schema's `maximum`). */
  maxOffset: number;
  /** Largest page size (from the limit schema's `maximum`). */
  maxLimit: number;
  /** Response member holding the items, and the member counting all matches. */
  itemsField: string;
  totalField: string;
  itemType: TypeRef;
  /**
   * Cursor pagination (SPEC.md §5.2, since 0.4), when the operation has a `cursor` query parameter and its
   * response a `next_cursor` member: clients walk by cursor when a page carries one, by offset otherwise.
   */
  cursor: { param: string; field: string } | undefined;
}

/** A request value: the query parameter and/or body member `name` equal to `value`. */
export interface RetryCondition {
  name: string;
  /** The operation has a query parameter of that name. */
  inQuery: boolean;
  /** The operation's body schema has a member of that name. */
  inBody: boolean;
  value: string;
}

/** How to name an operation in an SDK: an optional resource group and the method's words. */
export interface OperationName {
  /** Resource group words (e.g. ['memories']); undefined for a method on the client itself. */
  group: string[] | undefined;
  /** Method words, e.g. ['create'], ['search', 'get'], ['export']. */
  method: string[];
}

/** One HTTP operation. */
export interface OperationModel {
  id: string;
  name: OperationName;
  tag: string;
  summary: string;
  description: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Full path template, base path included: `/v1/memories/{id}`. */
  path: string;
  pathParams: ParamModel[];
  queryParams: ParamModel[];
  body: BodyModel | undefined;
  success: SuccessModel;
  errors: ErrorModel[];
  /** Whether the operation needs a key (`security: []` says it does not). */
  auth: 'bearer' | 'none';
  /**
   * True when repeating the request cannot change the outcome (SPEC.md §9.3): GET, PUT, DELETE, an
   * operation marked `x-omp-idempotent` in openapi.yaml.
   */
  retrySafe: boolean;
  /** When `retrySafe`, a request value that nevertheless makes a repeat unsafe (import `conflict=duplicate`). */
  retryUnsafeWhen: RetryCondition | undefined;
  pagination: PaginationModel | undefined;
  /** Accepts an `Idempotency-Key` header (SPEC.md §5.9): clients send one so that retries are safe. */
  idempotencyKey: boolean;
  /** Accepts an `If-Match` header (SPEC.md §5.8): clients offer it as a per-call option. */
  conditional: boolean;
}

/** A group of operations sharing a resource (a path prefix). */
export interface GroupModel {
  name: string[];
  description: string;
  /** operationIds, in spec order. */
  operations: string[];
}

/** The whole API. */
export interface ApiModel {
  title: string;
  version: string;
  description: string;
  /** `computeSourceHash` of the sources (openapi.yaml + schemas), stamped into every generated file. */
  sourceHash: string;
  operations: OperationModel[];
  groups: GroupModel[];
  /** Tag name -> description, in spec order. */
  tags: { name: string; description: string }[];
  /** Every named schema type the operations reach, sorted by name. */
  types: TypeRef[];
  /** The schema documents, keyed by `$id`, for the emitters' JSON Schema converters. */
  schemas: ReadonlyMap<string, Record<string, unknown>>;
}
