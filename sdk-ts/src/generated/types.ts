// Generated file — do not edit.
// Generator: generators/src/typescript/sdk-files.ts
// Source hash: d6006bd98d19b7ba (sha256 of spec/openapi.yaml, schemas/*.schema.json)
// Regenerate: npm run generate

/**
 * One entry of the access log: one read or write request, without content, tags or keys (OMP-CTRL-026, OMP-CTRL-029).
 * @see https://openmemoryprotocol.org/spec/0.4#204-access-log
 */
export interface AccessLogEntry {
  /** Server-assigned entry identifier. */
  id: string;
  /** When the server answered the request. */
  at: Timestamp;
  operation: 'create' | 'get' | 'update' | 'delete' | 'list' | 'search' | 'export' | 'import' | 'bulk_delete' | 'state_change';
  /** The binding the request came through. */
  via: 'http' | 'mcp';
  /** The app of the request (SPEC.md §20.2); null when it had none. */
  app: ToolName | null;
  /** The principal of the key, as GET /v1/me reports it. */
  principal: string;
  /** Every memory the request returned, stored, changed or deleted. */
  memory_ids: MemoryId[];
  /** The X-Request-Id of the response (OMP-CTRL-028). */
  request_id: string;
}

/**
 * Body of GET /v1/access-log: entries newest first; pass next_cursor back as cursor for the next page, null after the last (OMP-CTRL-030, OMP-CTRL-031).
 * @see https://openmemoryprotocol.org/spec/0.4#204-access-log
 */
export interface AccessLogPage {
  entries: AccessLogEntry[];
  next_cursor: Cursor | null;
}

/**
 * One access rule of an app: allow or deny the app the memories of one namespace or one memory (OMP-CTRL-023). Exactly one of namespace and memory_id.
 * @see https://openmemoryprotocol.org/spec/0.4#203-access-rules
 */
export type AccessRule = unknown & {
  effect: 'allow' | 'deny';
  namespace?: Namespace;
  memory_id?: MemoryId;
};

/**
 * Body of a 201 from POST /v1/extract or POST /v1/compress: the memories created.
 * @see https://openmemoryprotocol.org/spec/0.4#11-ai-extraction-and-compression
 */
export interface AiResult {
  memories: Memory[];
}

/**
 * An app (an AI tool or MCP client) as the control level sees it: every source.tool and every app of a request of the principal (OMP-CTRL-015).
 * @see https://openmemoryprotocol.org/spec/0.4#202-apps
 */
export interface App {
  name: ToolName;
  /** When true, the app's reads and writes are refused with 403 app_paused (OMP-CTRL-020, OMP-CTRL-021). */
  paused: boolean;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  /** Memories of the principal whose source.tool is the app, in every state (OMP-CTRL-017). */
  memories_count: number;
  /** Read requests of the app answered with 2xx since it was first seen. */
  reads_count: number;
  /** Write requests of the app answered with 2xx since it was first seen. */
  writes_count: number;
  /** The app's access rules, at most 100 (SPEC.md §20.3). */
  rules: AccessRule[];
}

/**
 * Body of GET /v1/apps: every app of the caller's principal, ordered by name (OMP-CTRL-015).
 * @see https://openmemoryprotocol.org/spec/0.4#202-apps
 */
export interface AppList {
  apps: App[];
}

/**
 * Body of PUT /v1/apps/{name}: pause or resume the app, replace its access rules whole, or both (OMP-CTRL-019).
 * @see https://openmemoryprotocol.org/spec/0.4#202-apps
 */
export interface AppUpdateRequest {
  paused?: boolean;
  /** The app's access rules, at most 100 (SPEC.md §20.3). */
  rules?: AccessRule[];
}

/**
 * Body of POST /v1/memories/bulk-delete: a filter naming at least one criterion, or exactly {"all": true} (OMP-BULK-002); dry_run counts without deleting (OMP-BULK-003); expected_count guards against deleting what the user did not see (OMP-BULK-004).
 * @see https://openmemoryprotocol.org/spec/0.4#56-bulk-delete
 */
export interface BulkDeleteRequest {
  /** Every criterion given must hold (AND). type, tool, tags and namespace match as in list; created_before matches memories created strictly before the instant; ids names memories directly. */
  filter: {
    /** true: every visible memory the key may delete; not combinable with another criterion. false is the same as absent, so a filter whose only member is all: false is empty (OMP-BULK-002). */
    all?: boolean;
    type?: MemoryType;
    tool?: ToolName;
    tags?: Tags;
    namespace?: Namespace;
    created_before?: Timestamp;
    ids?: string[];
  };
  /** @default false */
  dry_run?: boolean;
  expected_count?: number;
}

/**
 * Answer of a bulk delete: how many visible memories matched and how many were deleted (0 for a dry run) (OMP-BULK-001).
 * @see https://openmemoryprotocol.org/spec/0.4#56-bulk-delete
 */
export interface BulkDeleteResult {
  matched: number;
  deleted: number;
  dry_run: boolean;
}

/**
 * Body of POST /v1/memories/bulk-state: set the state of 1 to 100 memories, named by id, in one transaction (OMP-CTRL-008).
 * @see https://openmemoryprotocol.org/spec/0.4#201-memory-states
 */
export interface BulkStateRequest {
  ids: MemoryId[];
  state: MemoryState;
  /** Why the state changes, for the person reading the history; 1 to 500 code points. */
  reason?: string;
}

/**
 * Answer of a bulk state change: how many memories changed state, how many were already in it, and the ids that name no visible memory the key may write (OMP-CTRL-008).
 * @see https://openmemoryprotocol.org/spec/0.4#201-memory-states
 */
export interface BulkStateResult {
  changed: number;
  unchanged: number;
  not_found: MemoryId[];
}

/** A category: the part after 'category:' of a tag, 1 to 41 characters of lower-case ASCII letters, digits, '_' and '-' (SPEC.md §20.5). */
export type CategoryName = string;

/**
 * Body of POST /v1/category-suggestions: a text to categorise (OMP-CTRL-037).
 * @see https://openmemoryprotocol.org/spec/0.4#205-stats-and-categories
 */
export interface CategorySuggestRequest {
  content: Content;
}

/**
 * Answer of POST /v1/category-suggestions: category names a client may add to a memory as tags category:<name>, best first (OMP-CTRL-037).
 * @see https://openmemoryprotocol.org/spec/0.4#205-stats-and-categories
 */
export interface CategorySuggestResult {
  categories: CategoryName[];
}

/**
 * Body of POST /v1/compress (capability 'compress'): memories the server's AI provider summarises into fewer memories.
 * @see https://openmemoryprotocol.org/spec/0.4#11-ai-extraction-and-compression
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
 * @see https://openmemoryprotocol.org/spec/0.4#51-create-a-memory
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

/** An opaque position in an ordered list result (OMP-LIST-017); clients pass it back unchanged (OMP-CLIENT-011). */
export type Cursor = string;

/** Vector embedding of the content: 1 to 4,096 numbers; its model and dimensions are implementation-defined (OMP-MEM-015). */
export type Embedding = number[];

/** The embedding model a server uses: its identifier and the dimensions of its vectors (OMP-EMB-001). */
export interface EmbeddingsCapability {
  model: string;
  dimensions: number;
}

/** The object of a capability without sub-fields: empty, apart from extension members. */
export type EmptyCapability = Record<string, never>;

/**
 * The body of every error response (OMP-ERR-001). 'error' is a code from the error table; 'message' is for humans; 'details' is an object, with 'errors' listing every violation for validation_error.
 * @see https://openmemoryprotocol.org/spec/0.4#9-errors
 */
export interface ErrorEnvelope {
  error: string;
  message: string;
  details: Record<string, unknown>;
  request_id?: string;
}

/**
 * The portable OMP export file: the body of GET /v1/export and of POST /v1/import. 'omp_version' versions the format (OMP-EXPORT-007). 'conflict' is only meaningful in an import body (OMP-IMPORT-004); exporters never write it.
 * @see https://openmemoryprotocol.org/spec/0.4#7-export-and-import
 */
export interface ExportFile {
  omp_version: SpecVersion;
  exported_at: Timestamp;
  /** The software that wrote the file. Draft 0.2 files may carry a plain string here. */
  server: {
    name: string;
    version: string;
  } | string;
  memories: ExportItem[];
  conflict?: ConflictStrategy;
  /** The model that computed the items' embeddings, as the exporting server declares it in health (OMP-EXPORT-009); an importer with another model recomputes them (OMP-EMB-003). */
  embeddings?: EmbeddingsCapability;
}

/**
 * One memory as an export file carries it. Identical to the schema 'memory' except that 'namespace' and 'metadata' may be absent, as in files written by draft 0.2 servers; an importer stores them as null and {} (OMP-IMPORT-015).
 * @see https://openmemoryprotocol.org/spec/0.4#71-the-export-file
 */
export interface ExportItem {
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
  /** The memory's state at the control level (OMP-CTRL-002); an importer stores an item without it as active (OMP-CTRL-012). */
  state?: MemoryState;
}

/**
 * Body of POST /v1/extract (capability 'extract'): a transcript from which the server's configured AI provider extracts memories.
 * @see https://openmemoryprotocol.org/spec/0.4#11-ai-extraction-and-compression
 */
export interface ExtractRequest {
  text: string;
  source: Source;
  tags?: Tags;
  namespace?: NullableNamespace;
}

/**
 * Body of GET /v1/health (no authentication). Declares the spec version, the compliance levels the server claims, its capabilities and its limits (OMP-HEALTH-002).
 * @see https://openmemoryprotocol.org/spec/0.4#10-health-and-declared-levels
 */
export interface Health {
  status: 'ok' | 'degraded';
  /** The newest OMP specification version the server implements: the last item of versions (OMP-HEALTH-008). */
  version: SpecVersion;
  /** Every MAJOR.MINOR version of the specification the server implements, ascending (OMP-HEALTH-008); a client picks the newest it shares and may name it in the OMP-Version header (OMP-VER-003). */
  versions: SpecVersion[];
  /** Memories visible to the caller's credentials; null when the request carries no valid key (OMP-HEALTH-004). */
  memories_count: number | null;
  /** Compliance levels claimed. 'core' is always present; 'search', 'full', 'mcp' and 'control' are independent profiles on top of it (OMP-LEVEL-002). */
  levels: ('core' | 'search' | 'full' | 'mcp' | 'control')[];
  /** Capability names from the registry (SPEC.md §19.1) the server offers (OMP-HEALTH-009); names starting 'x_' are vendor extensions. */
  capabilities: string[];
  /** One object per listed capability, with the sub-fields the registry defines (OMP-HEALTH-010). */
  capability_details: {
    embeddings?: EmbeddingsCapability;
    control?: {
      /** How long access-log entries are kept, at least 24 hours (OMP-CTRL-001, OMP-CTRL-034). */
      access_log_retention_seconds: number;
      /** Names the local rule that POST /v1/category-suggestions applies (OMP-CTRL-037). */
      category_rule?: string;
    };
    rate_limiting?: {
      /** The limit per key. */
      requests_per_minute?: number;
    };
    [member: string]: unknown;
  };
  limits: {
    /** Largest accepted body for every endpoint but import. */
    max_body_bytes: number;
    /** Largest accepted import body. */
    max_import_bytes: number;
    /** How long an Idempotency-Key is remembered, at least 24 hours (OMP-IDEM-006). */
    idempotency_retention_seconds: number;
  };
  /** How long erased data may remain in storage and in backups (OMP-ERASE-004). */
  retention: {
    /** Longest time between erasure and the removal of the data from live storage and indexes (OMP-ERASE-002). */
    erasure_seconds: number;
    /** Longest time a backup may hold an erased memory; null when the server keeps no backups (OMP-ERASE-003). */
    backup_seconds: number | null;
  };
  server: {
    name: string;
    version: string;
  };
  /** Draft 0.2 member, tolerated and deprecated (SPEC.md §1.5, §10): clients read levels instead. */
  compliance?: string;
}

/**
 * Outcome of POST /v1/import: how many items were stored, how many were skipped, and one entry per rejected item (OMP-IMPORT-009). imported + skipped + errors.length equals the number of items in the file.
 * @see https://openmemoryprotocol.org/spec/0.4#73-import
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

/**
 * One page of GET /v1/memories. 'total' counts every memory matching the filters, before limit and offset are applied (OMP-LIST-012).
 * @see https://openmemoryprotocol.org/spec/0.4#52-list-memories
 */
export interface ListMemoriesResponse {
  memories: Memory[];
  total: number;
  limit: Limit;
  offset: Offset;
  /** Pass back as cursor to get the next page; null when this page ends the result (OMP-LIST-017). */
  next_cursor: Cursor | null;
}

/**
 * One memory as stored and returned by an OMP server: an export item with every member a server always writes, 'namespace' (null when none) and 'metadata' ({} when none) included (OMP-MEM-017).
 * @see https://openmemoryprotocol.org/spec/0.4#3-the-memory-object
 */
export type Memory = ExportItem & Required<Pick<ExportItem, 'id' | 'content' | 'type' | 'source' | 'tags' | 'created_at' | 'updated_at' | 'expires_at' | 'namespace' | 'metadata'>>;

/** Server-assigned memory identifier: 'mem_' followed by 16 characters of [a-z0-9] (OMP-ID-001). */
export type MemoryId = string;

/**
 * State of a memory at the control level: active (seen by every read), paused or archived (left out of search, of lists without a state filter and of MCP tools) (OMP-CTRL-004).
 * @see https://openmemoryprotocol.org/spec/0.4#201-memory-states
 */
export type MemoryState = 'active' | 'paused' | 'archived';

/**
 * Kind of memory: episodic (an event that happened), semantic (a fact or preference), procedural (how to do something).
 * @see https://openmemoryprotocol.org/spec/0.4#33-memory-types
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
 * @see https://openmemoryprotocol.org/spec/0.4#84-who-am-i
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

/** Search mode: keyword (every server), semantic and hybrid (OMP-Search) (OMP-SEARCH-003). */
export type SearchMode = 'keyword' | 'semantic' | 'hybrid';

/**
 * Body of POST /v1/memories/search. 'q' is plain text: quotes and operator characters carry no meaning (OMP-SEARCH-006). The filters combine with AND.
 * @see https://openmemoryprotocol.org/spec/0.4#6-search
 */
export interface SearchRequest {
  /** Query text, 1 to 1,000 code points, at least one not white space. */
  q: string;
  /** @default "keyword" */
  mode?: SearchMode;
  type?: MemoryType;
  tool?: ToolName;
  /** Only memories carrying every one of these tags. */
  tags?: TagFilter;
  namespace?: Namespace;
  limit?: Limit;
  offset?: Offset;
  /** Control level: search memories in these states; without it only active memories (OMP-CTRL-004). */
  state?: StateFilter;
}

/**
 * Search results, best match first. 'total' counts every match before limit and offset; 'mode_used' says which mode actually ran (OMP-SEARCH-014).
 * @see https://openmemoryprotocol.org/spec/0.4#6-search
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
 * @see https://openmemoryprotocol.org/spec/0.4#34-source
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

/**
 * Body of POST /v1/memories/{id}/state: the new state and, optionally, why (OMP-CTRL-003).
 * @see https://openmemoryprotocol.org/spec/0.4#201-memory-states
 */
export interface StateChangeRequest {
  state: MemoryState;
  /** Why the state changes, for the person reading the history; 1 to 500 code points. */
  reason?: string;
}

/** Memory states a list or search includes (control level, SPEC.md §20.1); without it only active memories. */
export type StateFilter = MemoryState[];

/**
 * Body of GET /v1/memories/{id}/history: every state change of the memory, oldest first: who (app and principal), when and why (OMP-CTRL-006).
 * @see https://openmemoryprotocol.org/spec/0.4#201-memory-states
 */
export interface StateHistory {
  memory_id: MemoryId;
  entries: {
    from: MemoryState;
    to: MemoryState;
    /** When the change was made (server clock). */
    at: Timestamp;
    /** The app of the request that made the change; null when the request had none (SPEC.md §20.2). */
    app: ToolName | null;
    /** The principal of the key that made the change, as GET /v1/me reports it. */
    principal: string;
    /** The reason given with the change; null when none was given. */
    reason: string | null;
  }[];
}

/**
 * Body of GET /v1/stats: counts of the caller's visible memories, in every state, by state, type, app (source.tool) and category (OMP-CTRL-035, OMP-CTRL-036).
 * @see https://openmemoryprotocol.org/spec/0.4#205-stats-and-categories
 */
export interface Stats {
  total: number;
  by_state: {
    active: number;
    paused: number;
    archived: number;
  };
  by_type: {
    episodic: number;
    semantic: number;
    procedural: number;
  };
  /** One item per source.tool with at least one memory, ordered by app name. */
  by_app: {
    app: ToolName;
    count: number;
  }[];
  /** One item per category with at least one memory, ordered by category name. */
  by_category: {
    category: CategoryName;
    count: number;
  }[];
  /** The number of apps GET /v1/apps lists. */
  apps_count: number;
}

/** One tag: 1 to 50 characters of lower-case ASCII letters, digits, '_', ':' and '-' (OMP-MEM-005). */
export type Tag = string;

/** Tags a memory must all carry (AND), as list and search filters take them: at most 20; naming a tag twice is the same as naming it once (OMP-LIST-016). */
export type TagFilter = Tag[];

/** At most 20 distinct tags; order is preserved as written (OMP-MEM-006). */
export type Tags = Tag[];

/** RFC 3339 date-time in UTC, written with an upper-case 'Z' offset; fractional seconds optional (1 to 9 digits) (OMP-TIME-001). 'format' is asserted (SPEC.md §1.3): calendar-impossible dates such as 2026-02-30 are invalid. */
export type Timestamp = string;

/** Name of the tool that wrote a memory (source.tool): 1 to 100 characters, no control characters (OMP-MEM-010). */
export type ToolName = string;

/**
 * Body of PUT /v1/memories/{id}: a partial update. An absent member is left unchanged; null clears a nullable member; 'tags' and 'metadata' replace the stored value whole. 'id', 'source', 'created_at' and 'updated_at' are not updatable and are rejected with 422 (OMP-CRUD-017).
 * @see https://openmemoryprotocol.org/spec/0.4#54-update-a-memory
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
