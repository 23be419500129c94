// Generated file — do not edit.
// Generator: generators/src/typescript/sdk-files.ts
// Source hash: d6006bd98d19b7ba (sha256 of spec/openapi.yaml, schemas/*.schema.json)
// Regenerate: npm run generate

import type { ApiPromise } from '../core/api-promise.ts';
import { BaseClient } from '../core/client.ts';
import type { PagePromise, PageSpec } from '../core/pagination.ts';
import type { RequestOptions } from '../core/request.ts';
import type {
  AccessLogPage,
  AiResult,
  App,
  AppList,
  AppUpdateRequest,
  BulkDeleteRequest,
  BulkDeleteResult,
  BulkStateRequest,
  BulkStateResult,
  CategorySuggestRequest,
  CategorySuggestResult,
  CompressRequest,
  ConflictStrategy,
  CreateMemoryRequest,
  Cursor,
  ExportFile,
  ExtractRequest,
  Health,
  ImportResult,
  Limit,
  ListMemoriesResponse,
  Memory,
  MemoryId,
  MemoryType,
  Namespace,
  Offset,
  Principal,
  SearchMode,
  SearchRequest,
  SearchResponse,
  SortOrder,
  StateChangeRequest,
  StateHistory,
  Stats,
  Tag,
  Timestamp,
  ToolName,
  UpdateMemoryRequest,
} from './types.ts';

const listMemoriesPages: PageSpec = {
  items: 'memories',
  total: 'total',
  offset: 'offset',
  in: 'query',
  max: 1000000,
  cursor: { param: 'cursor', field: 'next_cursor' },
};

const searchMemoriesPages: PageSpec = {
  items: 'memories',
  total: 'total',
  offset: 'offset',
  in: 'body',
  max: 1000000,
};

const searchGetMemoriesPages: PageSpec = {
  items: 'memories',
  total: 'total',
  offset: 'offset',
  in: 'query',
  max: 1000000,
};


/** Query parameters of `GET /v1/memories` (listMemories). */
export interface ListMemoriesParams {
  /** Only memories of this type. */
  type?: MemoryType;
  /** Only memories whose `source.tool` equals this. */
  tool?: ToolName;
  /** Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every one (AND). */
  tags?: Tag[];
  /** Only memories in this namespace. */
  namespace?: Namespace;
  /**
   * Page size, 1 to 100 (OMP-LIST-006).
   * @default 20
   */
  limit?: Limit;
  /**
   * Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
   * @default 0
   */
  offset?: Offset;
  /** The `next_cursor` of the previous page, passed back unchanged with the same filters and `sort`; not with `offset` (OMP-LIST-018, OMP-LIST-021). */
  cursor?: Cursor;
  /**
   * Order of the list (OMP-LIST-010).
   * @default "created_at_desc"
   */
  sort?: SortOrder;
  /** Control level. Memory states to include, comma-separated; without it only `active` memories (OMP-CTRL-004, OMP-CTRL-005). */
  state?: string[];
}

/** Query parameters of `GET /v1/memories/search` (searchMemoriesGet). */
export interface SearchMemoriesGetParams {
  /** Query text; quotes and operators are plain text (OMP-SEARCH-006). */
  q: string;
  /** Search mode; unsupported modes fall back to keyword (OMP-SEARCH-015). */
  mode?: SearchMode;
  /** Only memories of this type. */
  type?: MemoryType;
  /** Only memories whose `source.tool` equals this. */
  tool?: ToolName;
  /** Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every one (AND). */
  tags?: Tag[];
  /** Only memories in this namespace. */
  namespace?: Namespace;
  /**
   * Page size, 1 to 100 (OMP-LIST-006).
   * @default 20
   */
  limit?: Limit;
  /**
   * Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
   * @default 0
   */
  offset?: Offset;
  /** Control level. Memory states to include, comma-separated; without it only `active` memories (OMP-CTRL-004, OMP-CTRL-005). */
  state?: string[];
}

/** Query parameters of `POST /v1/import` (importMemories). */
export interface ImportMemoriesParams {
  /**
   * What to do with an item whose id the caller already holds (OMP-IMPORT-004).
   * @default "skip"
   */
  conflict?: ConflictStrategy;
}

/** Query parameters of `GET /v1/access-log` (listAccessLog). */
export interface ListAccessLogParams {
  /** Only entries whose `memory_ids` contain this id. */
  memory_id?: MemoryId;
  /** Only entries of this app. */
  app?: ToolName;
  /** Only entries of this operation. */
  operation?: ('create' | 'get' | 'update' | 'delete' | 'list' | 'search' | 'export' | 'import' | 'bulk_delete' | 'state_change');
  /** Only entries at or after this time. */
  since?: Timestamp;
  /** Only entries before this time. */
  until?: Timestamp;
  /**
   * Page size, 1 to 100 (OMP-LIST-006).
   * @default 20
   */
  limit?: Limit;
  /** The `next_cursor` of the previous page, passed back unchanged with the same filters (OMP-CTRL-031). No example is given on purpose - only a cursor the server issued is valid. */
  cursor?: Cursor;
}

/** Create, read, update, delete, list and search memories. */
export class Memories {
  readonly #client: BaseClient;

  constructor(client: BaseClient) {
    this.#client = client;
  }

  /**
   * Create a memory.
   *
   * Stores a new memory for the caller's principal (SPEC.md §5.1, OMP-CRUD-001). An `expires_at` not later than the server's clock is a 422 (OMP-EXP-002), a rule JSON Schema cannot express. With an `Idempotency-Key`, a retry returns the first response (SPEC.md §5.9).
   *
   * `POST /v1/memories` → 201 {@link Memory}. Safe to repeat with an `Idempotency-Key`, which the client sends to servers of 0.4 or later (a generated UUID unless `options.idempotencyKey` is given): then retried on 408, 429, 500, 502, 503 and connection failures; without one, only when the connection never opened.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {ConflictError} 409 `idempotency_key_in_use`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  create(body: CreateMemoryRequest, options?: RequestOptions): ApiPromise<Memory> {
    return this.#client.request<Memory>(
      {
        id: 'createMemory',
        method: 'POST',
        path: '/v1/memories',
        body,
        safe: false,
        idempotencyKey: true,
      },
      options,
    );
  }

  /**
   * List memories.
   *
   * One page of the caller's visible memories; `total` counts every match before `limit` and `offset`; `next_cursor` continues the walk without skipping or repeating under concurrent writes (SPEC.md §5.2).
   *
   * `GET /v1/memories` → 200 {@link ListMemoriesResponse}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * Await it for the first page; `for await` over it for every Memory of every page.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {ValidationError} 422 `validation_error`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  list(params?: ListMemoriesParams, options?: RequestOptions): PagePromise<ListMemoriesResponse, Memory> {
    return this.#client.requestPage<ListMemoriesResponse, Memory>(
      {
        id: 'listMemories',
        method: 'GET',
        path: '/v1/memories',
        query: params,
        safe: true,
      },
      listMemoriesPages,
      options,
    );
  }

  /**
   * Search memories.
   *
   * Keyword search (every server) or semantic/hybrid search (Search level), best match first (SPEC.md §6).
   *
   * `POST /v1/memories/search` → 200 {@link SearchResponse}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * Await it for the first page; `for await` over it for every Memory of every page.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  search(body: SearchRequest, options?: RequestOptions): PagePromise<SearchResponse, Memory> {
    return this.#client.requestPage<SearchResponse, Memory>(
      {
        id: 'searchMemories',
        method: 'POST',
        path: '/v1/memories/search',
        body,
        safe: true,
      },
      searchMemoriesPages,
      options,
    );
  }

  /**
   * Search memories (query-string form).
   *
   * The same search with its members as query parameters, `tags` comma-separated (SPEC.md §6, OMP-SEARCH-002).
   *
   * `GET /v1/memories/search` → 200 {@link SearchResponse}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * Await it for the first page; `for await` over it for every Memory of every page.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {ValidationError} 422 `validation_error`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  searchGet(params: SearchMemoriesGetParams, options?: RequestOptions): PagePromise<SearchResponse, Memory> {
    return this.#client.requestPage<SearchResponse, Memory>(
      {
        id: 'searchMemoriesGet',
        method: 'GET',
        path: '/v1/memories/search',
        query: params,
        safe: true,
      },
      searchGetMemoriesPages,
      options,
    );
  }

  /**
   * Delete every memory matching a filter.
   *
   * Deletes and erases, in one transaction, every visible memory matching a non-empty filter (or `{"all": true}`) that the key may delete; `dry_run` counts only; `expected_count` guards against surprises (SPEC.md §5.6).
   *
   * `POST /v1/memories/bulk-delete` → 200 {@link BulkDeleteResult}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {PreconditionFailedError} 412 `precondition_failed`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  bulkDelete(body: BulkDeleteRequest, options?: RequestOptions): ApiPromise<BulkDeleteResult> {
    return this.#client.request<BulkDeleteResult>(
      {
        id: 'bulkDeleteMemories',
        method: 'POST',
        path: '/v1/memories/bulk-delete',
        body,
        safe: true,
        idempotencyKey: true,
      },
      options,
    );
  }

  /**
   * Get a memory.
   *
   * One visible memory, with its embedding when stored (SPEC.md §5.3).
   *
   * `GET /v1/memories/{id}` → 200 {@link Memory}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `memory_not_found`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  get(id: string, options?: RequestOptions): ApiPromise<Memory> {
    return this.#client.request<Memory>(
      {
        id: 'getMemory',
        method: 'GET',
        path: '/v1/memories/{id}',
        params: { id },
        safe: true,
      },
      options,
    );
  }

  /**
   * Update a memory.
   *
   * Partial update; absent members are kept, null clears `namespace`, `expires_at` and `embedding`, `tags` and `metadata` are replaced whole (SPEC.md §5.4). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).
   *
   * `PUT /v1/memories/{id}` → 200 {@link Memory}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `memory_not_found`
   * @throws {PreconditionFailedError} 412 `precondition_failed`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  update(id: string, body: UpdateMemoryRequest, options?: RequestOptions): ApiPromise<Memory> {
    return this.#client.request<Memory>(
      {
        id: 'updateMemory',
        method: 'PUT',
        path: '/v1/memories/{id}',
        params: { id },
        body,
        safe: true,
        conditional: true,
      },
      options,
    );
  }

  /**
   * Delete a memory.
   *
   * Deletes and erases one visible memory (SPEC.md §5.5, §5.7). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).
   *
   * `DELETE /v1/memories/{id}` → 204 (no body). Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `memory_not_found`
   * @throws {PreconditionFailedError} 412 `precondition_failed`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  delete(id: string, options?: RequestOptions): ApiPromise<void> {
    return this.#client.request<void>(
      {
        id: 'deleteMemory',
        method: 'DELETE',
        path: '/v1/memories/{id}',
        params: { id },
        safe: true,
        conditional: true,
      },
      options,
    );
  }

  /**
   * Change a memory's state.
   *
   * Sets the memory's state (`active`, `paused` or `archived`) with an optional reason and records the change in its history; needs what an update needs (SPEC.md §20.1, OMP-CTRL-003). Control level.
   *
   * `POST /v1/memories/{id}/state` → 200 {@link Memory}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `memory_not_found`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  setState(id: string, body: StateChangeRequest, options?: RequestOptions): ApiPromise<Memory> {
    return this.#client.request<Memory>(
      {
        id: 'setMemoryState',
        method: 'POST',
        path: '/v1/memories/{id}/state',
        params: { id },
        body,
        safe: true,
      },
      options,
    );
  }

  /**
   * A memory's state history.
   *
   * Every state change of the memory, oldest first, with who, when and why (SPEC.md §20.1, OMP-CTRL-006). Control level.
   *
   * `GET /v1/memories/{id}/history` → 200 {@link StateHistory}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `memory_not_found`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  getHistory(id: string, options?: RequestOptions): ApiPromise<StateHistory> {
    return this.#client.request<StateHistory>(
      {
        id: 'getMemoryHistory',
        method: 'GET',
        path: '/v1/memories/{id}/history',
        params: { id },
        safe: true,
      },
      options,
    );
  }

  /**
   * Change the state of several memories.
   *
   * Sets the state of 1 to 100 memories named by id, in one transaction; ids of no visible memory the key may update are reported in `not_found` (SPEC.md §20.1, OMP-CTRL-008). Control level.
   *
   * `POST /v1/memories/bulk-state` → 200 {@link BulkStateResult}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  bulkSetState(body: BulkStateRequest, options?: RequestOptions): ApiPromise<BulkStateResult> {
    return this.#client.request<BulkStateResult>(
      {
        id: 'bulkSetMemoryState',
        method: 'POST',
        path: '/v1/memories/bulk-state',
        body,
        safe: true,
      },
      options,
    );
  }
}

/** The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log, stats and categories. */
export class Apps {
  readonly #client: BaseClient;

  constructor(client: BaseClient) {
    this.#client = client;
  }

  /**
   * Every app of the caller's principal.
   *
   * Every `source.tool` of the principal's memories and every app of its requests, by name, with first and last seen, counts, `paused` and rules (SPEC.md §20.2, OMP-CTRL-015). Control level; needs a key not bound to a tool.
   *
   * `GET /v1/apps` → 200 {@link AppList}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  list(options?: RequestOptions): ApiPromise<AppList> {
    return this.#client.request<AppList>(
      {
        id: 'listApps',
        method: 'GET',
        path: '/v1/apps',
        safe: true,
      },
      options,
    );
  }

  /**
   * One app.
   *
   * The app, or 404 `not_found` for a name the principal has not seen (SPEC.md §20.2, OMP-CTRL-018). Control level; needs a key not bound to a tool.
   *
   * `GET /v1/apps/{name}` → 200 {@link App}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `not_found`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  get(name: ToolName, options?: RequestOptions): ApiPromise<App> {
    return this.#client.request<App>(
      {
        id: 'getApp',
        method: 'GET',
        path: '/v1/apps/{name}',
        params: { name },
        safe: true,
      },
      options,
    );
  }

  /**
   * Pause or resume an app, or replace its rules.
   *
   * Sets `paused`, replaces `rules` whole, or both; a name not yet seen creates the app (SPEC.md §20.2, OMP-CTRL-019). A paused app's reads and writes are refused with 403 `app_paused` (OMP-CTRL-020, OMP-CTRL-021). Control level; needs a key not bound to a tool.
   *
   * `PUT /v1/apps/{name}` → 200 {@link App}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `not_found`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  update(name: ToolName, body: AppUpdateRequest, options?: RequestOptions): ApiPromise<App> {
    return this.#client.request<App>(
      {
        id: 'updateApp',
        method: 'PUT',
        path: '/v1/apps/{name}',
        params: { name },
        body,
        safe: true,
      },
      options,
    );
  }
}

/**
 * Client of the Open Memory Protocol 0.4 HTTP API.
 *
 * ```ts
 * const client = new OmpClient({ baseUrl: 'http://127.0.0.1:3456', apiKey: process.env.OMP_API_KEY });
 * ```
 */
export class OmpClient extends BaseClient {
  /** Create, read, update, delete, list and search memories. */
  readonly memories: Memories = new Memories(this);

  /** The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log, stats and categories. */
  readonly apps: Apps = new Apps(this);

  /**
   * Export every visible memory.
   *
   * The portable export file, oldest memory first (SPEC.md §7.2).
   *
   * `GET /v1/export` → 200 {@link ExportFile}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  export(options?: RequestOptions): ApiPromise<ExportFile> {
    return this.request<ExportFile>(
      {
        id: 'exportMemories',
        method: 'GET',
        path: '/v1/export',
        safe: true,
      },
      options,
    );
  }

  /**
   * Import an export file.
   *
   * Stores the file's memories for the caller, item by item in one transaction, with per-item errors (SPEC.md §7.3).
   *
   * `POST /v1/import` → 200 {@link ImportResult}. Safe to repeat unless `conflict` is `duplicate` (then only when the connection never opened): retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `unsupported_version`/`validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  import(body: ExportFile, params?: ImportMemoriesParams, options?: RequestOptions): ApiPromise<ImportResult> {
    return this.request<ImportResult>(
      {
        id: 'importMemories',
        method: 'POST',
        path: '/v1/import',
        body,
        query: params,
        safe: params?.conflict !== 'duplicate' && body.conflict !== 'duplicate',
        idempotencyKey: true,
      },
      options,
    );
  }

  /**
   * Health, version, levels, capabilities and limits.
   *
   * Open to everyone; `memories_count` is null without a valid key (SPEC.md §10).
   *
   * `GET /v1/health` → 200 {@link Health}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  health(options?: RequestOptions): ApiPromise<Health> {
    return this.request<Health>(
      {
        id: 'getHealth',
        method: 'GET',
        path: '/v1/health',
        safe: true,
      },
      options,
    );
  }

  /**
   * What the presented key may do.
   *
   * The key's principal, tool, scopes and read scope (SPEC.md §8.4).
   *
   * `GET /v1/me` → 200 {@link Principal}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  me(options?: RequestOptions): ApiPromise<Principal> {
    return this.request<Principal>(
      { id: 'getMe', method: 'GET', path: '/v1/me', safe: true },
      options,
    );
  }

  /**
   * Extract memories from a transcript.
   *
   * Optional capability `extract` (SPEC.md §11). A server that does not offer it answers 404 `not_found`, with or without a key; one that offers it requires a bearer key (401 without).
   *
   * `POST /v1/extract` → 201 {@link AiResult}. Not safe to repeat: retried only when the connection never opened.
   * @throws {ValidationError} 400 `malformed_json`, 422 `no_api_key`/`validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `not_found`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 502 `ai_error`, 503 `unavailable`
   */
  extract(body: ExtractRequest, options?: RequestOptions): ApiPromise<AiResult> {
    return this.request<AiResult>(
      {
        id: 'extractMemories',
        method: 'POST',
        path: '/v1/extract',
        body,
        safe: false,
      },
      options,
    );
  }

  /**
   * Compress several memories into fewer.
   *
   * Optional capability `compress` (SPEC.md §11). A server that does not offer it answers 404 `not_found`, with or without a key; one that offers it requires a bearer key (401 without).
   *
   * `POST /v1/compress` → 201 {@link AiResult}. Not safe to repeat: retried only when the connection never opened.
   * @throws {ValidationError} 400 `malformed_json`, 422 `no_api_key`/`validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {NotFoundError} 404 `not_found`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 502 `ai_error`, 503 `unavailable`
   */
  compress(body: CompressRequest, options?: RequestOptions): ApiPromise<AiResult> {
    return this.request<AiResult>(
      {
        id: 'compressMemories',
        method: 'POST',
        path: '/v1/compress',
        body,
        safe: false,
      },
      options,
    );
  }

  /**
   * The access log.
   *
   * One entry per read and write of memories, newest first, without content or keys, filtered by memory, app, operation and time, paged by cursor (SPEC.md §20.4, OMP-CTRL-030). Control level; needs a key not bound to a tool.
   *
   * `GET /v1/access-log` → 200 {@link AccessLogPage}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {ValidationError} 422 `validation_error`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  accessLog(params?: ListAccessLogParams, options?: RequestOptions): ApiPromise<AccessLogPage> {
    return this.request<AccessLogPage>(
      {
        id: 'listAccessLog',
        method: 'GET',
        path: '/v1/access-log',
        query: params,
        safe: true,
      },
      options,
    );
  }

  /**
   * Counts by state, type, app and category.
   *
   * Counts of the caller's visible memories in every state (SPEC.md §20.5, OMP-CTRL-035). Control level; needs a key not bound to a tool.
   *
   * `GET /v1/stats` → 200 {@link Stats}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  stats(options?: RequestOptions): ApiPromise<Stats> {
    return this.request<Stats>(
      {
        id: 'getStats',
        method: 'GET',
        path: '/v1/stats',
        safe: true,
      },
      options,
    );
  }

  /**
   * Suggest categories for a text.
   *
   * Categories a client may add to a memory as tags `category:<name>`, by a rule that runs on the server; stores nothing (SPEC.md §20.5, OMP-CTRL-037). Control level.
   *
   * `POST /v1/category-suggestions` → 200 {@link CategorySuggestResult}. Safe to repeat: retried on 408, 429, 500, 502, 503 and connection failures.
   * @throws {ValidationError} 400 `malformed_json`, 422 `validation_error`
   * @throws {AuthenticationError} 401 `unauthorized`
   * @throws {PermissionError} 403 `app_paused`/`forbidden`
   * @throws {PayloadTooLargeError} 413 `payload_too_large`
   * @throws {UnsupportedMediaTypeError} 415 `unsupported_media_type`
   * @throws {RateLimitError} 429 `rate_limited`
   * @throws {ServerError} 500 `internal_error`, 503 `unavailable`
   */
  categorySuggestions(body: CategorySuggestRequest, options?: RequestOptions): ApiPromise<CategorySuggestResult> {
    return this.request<CategorySuggestResult>(
      {
        id: 'suggestCategories',
        method: 'POST',
        path: '/v1/category-suggestions',
        body,
        safe: true,
      },
      options,
    );
  }
}
