// Generated file — do not edit.
// Generator: spec/tools/json-schema-to-ts.ts
// Spec hash: e76b78188d61c343 (sha256 of spec/SPEC.md, spec/openapi.yaml, schemas/*.schema.json)
// Regenerate: npm run generate

/** Arguments of add_memories. 'text' becomes the memory's content; 'type' defaults to semantic. */
export interface AddMemoriesInput {
  text: Content;
  /** @default "semantic" */
  type?: MemoryType;
  tags?: Tags;
  namespace?: Namespace;
  expires_at?: Timestamp;
  metadata?: Metadata;
  session_id?: string;
  /** Accepted for OpenMemory compatibility; servers may ignore it. */
  infer?: boolean;
}

/** The memories add_memories stored (exactly one for OMP servers). */
export interface AddMemoriesOutput {
  memories: Memory[];
}

/** The outputSchema of add_memories: its success output, or the error envelope of a failed call (OMP-MCP-008, OMP-MCP-017). */
export type AddMemoriesResult = AddMemoriesOutput | ErrorEnvelope;

/**
 * Body of a 201 from POST /v1/extract or POST /v1/compress: the memories created.
 * @see https://openmemoryprotocol.org/spec/0.3#11-ai-extraction-and-compression
 */
export interface AiResult {
  memories: Memory[];
}

/**
 * Body of POST /v1/compress (capability 'compress'): memories the server's AI provider summarises into fewer memories.
 * @see https://openmemoryprotocol.org/spec/0.3#11-ai-extraction-and-compression
 */
export interface CompressRequest {
  memory_ids: MemoryId[];
  source: Source;
  /** @default false */
  delete_originals?: boolean;
}

/**
 * What import does with an item whose id the caller already holds: skip it, overwrite the stored memory, or import a duplicate under a new id (OMP-IMPORT-005).
 * @default "skip"
 */
export type ConflictStrategy = 'skip' | 'overwrite' | 'duplicate';

/** Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one of them not white space (OMP-MEM-002). */
export type Content = string;

/**
 * Body of POST /v1/memories. Members other than these, including the server-set 'id', 'created_at' and 'updated_at', are rejected with 422 (OMP-CRUD-004).
 * @see https://openmemoryprotocol.org/spec/0.3#51-create-a-memory
 */
export interface CreateMemoryRequest {
  content: Content;
  type: MemoryType;
  source: Source;
  /** @default [] */
  tags?: Tags;
  /** @default null */
  namespace?: NullableNamespace;
  /**
   * When the memory expires; must lie in the future (OMP-EXP-002). Null or absent: never.
   * @default null
   */
  expires_at?: NullableTimestamp;
  /** @default {} */
  metadata?: Metadata;
  embedding?: Embedding;
}

/** Arguments of delete_all_memories: optionally only one namespace. */
export interface DeleteAllMemoriesInput {
  namespace?: Namespace;
}

/** How many memories delete_all_memories deleted. */
export interface DeleteAllMemoriesOutput {
  deleted: number;
}

/** The outputSchema of delete_all_memories: its success output, or the error envelope of a failed call (OMP-MCP-008, OMP-MCP-017). */
export type DeleteAllMemoriesResult = DeleteAllMemoriesOutput | ErrorEnvelope;

/** Arguments of delete_memories: the ids to delete. */
export interface DeleteMemoriesInput {
  /** Ids to delete. A string that is not a memory id names no memory and is reported in not_found, like an unknown id (OMP-MCP-014). */
  memory_ids: string[];
}

/** Which ids were deleted and which named no visible memory. */
export interface DeleteMemoriesOutput {
  deleted: MemoryId[];
  not_found: string[];
}

/** The outputSchema of delete_memories: its success output, or the error envelope of a failed call (OMP-MCP-008, OMP-MCP-017). */
export type DeleteMemoriesResult = DeleteMemoriesOutput | ErrorEnvelope;

/** Vector embedding of the content: 1 to 4,096 numbers; its model and dimensions are implementation-defined (OMP-MEM-015). */
export type Embedding = number[];

/**
 * The body of every error response (OMP-ERR-001). 'error' is a code from the error table; 'message' is for humans; 'details' is an object, with 'errors' listing every violation for validation_error.
 * @see https://openmemoryprotocol.org/spec/0.3#9-errors
 */
export interface ErrorEnvelope {
  error: string;
  message: string;
  details: Record<string, unknown>;
  request_id?: string;
}

/**
 * The portable OMP export file: the body of GET /v1/export and of POST /v1/import. 'omp_version' versions the format (OMP-EXPORT-003). 'conflict' is only meaningful in an import body (OMP-IMPORT-004); exporters never write it.
 * @see https://openmemoryprotocol.org/spec/0.3#7-export-and-import
 */
export interface ExportFile {
  omp_version: SpecVersion;
  exported_at: Timestamp;
  /** The software that wrote the file. Draft 0.2 files may carry a plain string here. */
  server: {
    name: string;
    version: string;
  } | string;
  memories: Memory[];
  conflict?: ConflictStrategy;
}

/**
 * Body of POST /v1/extract (capability 'extract'): a transcript from which the server's configured AI provider extracts memories.
 * @see https://openmemoryprotocol.org/spec/0.3#11-ai-extraction-and-compression
 */
export interface ExtractRequest {
  text: string;
  source: Source;
  tags?: Tags;
  namespace?: NullableNamespace;
}

/**
 * Body of GET /v1/health (no authentication). Declares the spec version, the compliance levels the server claims, its capabilities and its limits (OMP-HEALTH-002).
 * @see https://openmemoryprotocol.org/spec/0.3#10-health-and-declared-levels
 */
export interface Health {
  status: 'ok' | 'degraded';
  /** The OMP specification version the server implements. */
  version: SpecVersion;
  /** Memories visible to the caller's credentials; null when the request carries no valid key (OMP-HEALTH-004). */
  memories_count: number | null;
  /** Compliance levels claimed. 'core' is always present; 'search', 'full' and 'mcp' are independent profiles on top of it (OMP-LEVEL-002). */
  levels: ('core' | 'search' | 'full' | 'mcp')[];
  /** Optional features offered, from the capability table (OMP-HEALTH-006); names starting 'x_' are vendor extensions. */
  capabilities: string[];
  limits: {
    /** Largest accepted body for every endpoint but import. */
    max_body_bytes: number;
    /** Largest accepted import body. */
    max_import_bytes: number;
  };
  server: {
    name: string;
    version: string;
  };
}

/**
 * Outcome of POST /v1/import: how many items were stored, how many were skipped, and one entry per rejected item (OMP-IMPORT-009). imported + skipped + errors.length equals the number of items in the file.
 * @see https://openmemoryprotocol.org/spec/0.3#73-import
 */
export interface ImportResult {
  /** Items stored, whether new, overwriting or duplicated. */
  imported: number;
  /** Items left out: id conflicts under 'skip', and items already expired. */
  skipped: number;
  errors: {
    /** Position of the item in the file's 'memories' array. */
    index: number;
    /** The item's id when it has one. */
    id?: string | null;
    /** An error code from the error table. */
    error: string;
    message: string;
    details?: Record<string, unknown>;
  }[];
}

/**
 * Page size: an integer from 1 to 100; 20 when absent (OMP-LIST-006).
 * @default 20
 */
export type Limit = number;

/** Arguments of list_memories: the list filters, all optional. */
export interface ListMemoriesInput {
  type?: MemoryType;
  tool?: ToolName;
  tags?: Tags;
  namespace?: Namespace;
  limit?: Limit;
  offset?: Offset;
  sort?: SortOrder;
}

/**
 * One page of GET /v1/memories. 'total' counts every memory matching the filters, before limit and offset are applied (OMP-LIST-012).
 * @see https://openmemoryprotocol.org/spec/0.3#52-list-memories
 */
export interface ListMemoriesResponse {
  memories: Memory[];
  total: number;
  limit: Limit;
  offset: Offset;
}

/** The outputSchema of list_memories: its success output, or the error envelope of a failed call (OMP-MCP-008, OMP-MCP-017). */
export type ListMemoriesResult = ListMemoriesResponse | ErrorEnvelope;

/**
 * One memory as stored and returned by an OMP server. Servers always include 'namespace' (null when none) and 'metadata' ({} when none) (OMP-MEM-017); both may be absent in files written by draft 0.2 servers.
 * @see https://openmemoryprotocol.org/spec/0.3#3-the-memory-object
 */
export interface Memory {
  id: MemoryId;
  content: Content;
  type: MemoryType;
  source: Source & Required<Pick<Source, 'tool' | 'timestamp'>>;
  tags: Tags;
  namespace?: NullableNamespace;
  /** When the server stored the memory; never changes (OMP-TIME-004). */
  created_at: Timestamp;
  /** When the memory last changed; moves forward on every successful update (OMP-TIME-005). */
  updated_at: Timestamp;
  /** When the memory stops existing for clients; null for never (OMP-EXP-001). */
  expires_at: NullableTimestamp;
  embedding?: Embedding;
  metadata?: Metadata;
}

/** Server-assigned memory identifier: 'mem_' followed by 16 characters of [a-z0-9] (OMP-ID-001). */
export type MemoryId = string;

/**
 * Kind of memory: episodic (an event that happened), semantic (a fact or preference), procedural (how to do something).
 * @see https://openmemoryprotocol.org/spec/0.3#33-memory-types
 */
export type MemoryType = 'episodic' | 'semantic' | 'procedural';

/** Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any JSON (OMP-MEM-013). */
export type Metadata = Record<string, unknown>;

/** Grouping label such as 'project:myapp': 1 to 100 characters, same alphabet as tags (OMP-MEM-008). */
export type Namespace = string;

/** A Namespace, or null for no namespace. */
export type NullableNamespace = Namespace | null;

/** A Timestamp, or null. */
export type NullableTimestamp = Timestamp | null;

/**
 * Number of matching items to skip: an integer from 0 to 1,000,000; 0 when absent (OMP-LIST-007).
 * @default 0
 */
export type Offset = number;

/**
 * Body of GET /v1/me: what the presented key may do. A global key has tool null, both scopes and read_scope 'all'; a per-tool key names its tool (OMP-AUTH-010).
 * @see https://openmemoryprotocol.org/spec/0.3#84-who-am-i
 */
export interface Principal {
  /** Opaque, stable identifier of the user who owns the key's memories. */
  principal: string;
  /** The source.tool a per-tool key is bound to; null for a global key. */
  tool: ToolName | null;
  scopes: ('read' | 'write')[];
  /** 'all': reads see every memory of the principal; 'own': only memories whose source.tool is the key's tool. */
  read_scope: 'all' | 'own';
}

/** Arguments of search_memory: 'query' is the search request's q; the other members as in search. */
export interface SearchMemoryInput {
  query: string;
  mode?: SearchMode;
  type?: MemoryType;
  tool?: ToolName;
  tags?: Tags;
  namespace?: Namespace;
  limit?: Limit;
  offset?: Offset;
}

/** The outputSchema of search_memory: its success output, or the error envelope of a failed call (OMP-MCP-008, OMP-MCP-017). */
export type SearchMemoryResult = SearchResponse | ErrorEnvelope;

/** Search mode: keyword (every server), semantic and hybrid (OMP-Search) (OMP-SEARCH-003). */
export type SearchMode = 'keyword' | 'semantic' | 'hybrid';

/**
 * Body of POST /v1/memories/search. 'q' is plain text: quotes and operator characters carry no meaning (OMP-SEARCH-006). The filters combine with AND.
 * @see https://openmemoryprotocol.org/spec/0.3#6-search
 */
export interface SearchRequest {
  /** Query text, 1 to 1,000 code points, at least one not white space. */
  q: string;
  /** @default "keyword" */
  mode?: SearchMode;
  type?: MemoryType;
  tool?: ToolName;
  /** Only memories carrying every one of these tags. */
  tags?: Tags;
  namespace?: Namespace;
  limit?: Limit;
  offset?: Offset;
}

/**
 * Search results, best match first. 'total' counts every match before limit and offset; 'mode_used' says which mode actually ran (OMP-SEARCH-014).
 * @see https://openmemoryprotocol.org/spec/0.3#6-search
 */
export interface SearchResponse {
  memories: Memory[];
  total: number;
  mode_used: SearchMode;
  limit: Limit;
  offset: Offset;
}

/**
 * List order; ties on the timestamp are broken by id in the same direction (OMP-LIST-010).
 * @default "created_at_desc"
 */
export type SortOrder = 'created_at_desc' | 'created_at_asc' | 'updated_at_desc' | 'updated_at_asc';

/**
 * Provenance of a memory: which tool observed it, in which session, for which user of that tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time of creation); in a stored memory it is always present.
 * @see https://openmemoryprotocol.org/spec/0.3#34-source
 */
export interface Source {
  tool: ToolName;
  /** The tool's own session identifier, 1 to 255 characters. */
  session_id?: string;
  /** The tool's own identifier for its user, 1 to 255 characters; informational, unrelated to the authenticated principal. */
  user_id?: string;
  /** When the tool observed what the memory records (UTC). */
  timestamp?: Timestamp;
}

/** An OMP specification version as MAJOR.MINOR. */
export type SpecVersion = string;

/** One tag: 1 to 50 characters of lower-case ASCII letters, digits, '_', ':' and '-' (OMP-MEM-005). */
export type Tag = string;

/** At most 20 distinct tags; order is preserved as written (OMP-MEM-006). */
export type Tags = Tag[];

/** RFC 3339 date-time in UTC, written with an upper-case 'Z' offset; fractional seconds optional (1 to 9 digits) (OMP-TIME-001). */
export type Timestamp = string;

/** Name of the tool that wrote a memory (source.tool): 1 to 100 characters, no control characters (OMP-MEM-010). */
export type ToolName = string;

/**
 * Body of PUT /v1/memories/{id}: a partial update. An absent member is left unchanged; null clears a nullable member; 'tags' and 'metadata' replace the stored value whole. 'id', 'source', 'created_at' and 'updated_at' are not updatable and are rejected with 422 (OMP-CRUD-017).
 * @see https://openmemoryprotocol.org/spec/0.3#54-update-a-memory
 */
export interface UpdateMemoryRequest {
  content?: Content;
  type?: MemoryType;
  tags?: Tags;
  namespace?: NullableNamespace;
  /** A new expiry; must lie in the future (OMP-EXP-002). Null: never. */
  expires_at?: NullableTimestamp;
  metadata?: Metadata;
  /** A new embedding, or null to remove the stored one. */
  embedding?: Embedding | null;
}
