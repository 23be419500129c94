/**
 * What the tool layer needs from an OMP server: the five HTTP operations it maps onto, with the caller's
 * key already bound. One implementation calls a server over HTTP (sdk-backend.ts); a server that mounts the
 * tool layer passes one per caller key.
 */
import type {
  CreateMemoryRequest,
  Health,
  ListMemoriesInput,
  ListMemoriesResponse,
  Memory,
  Principal,
  SearchRequest,
  SearchResponse,
} from '@omp-kit/schemas/types';

/** Query of `GET /v1/memories`: the list filters, exactly the arguments of `list_memories`. */
export type ListQuery = ListMemoriesInput;

/** Per-call options: the MCP request's cancellation signal. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** The app the call acts for (the MCP client), sent as `OMP-App` (SPEC.md §20.2). */
  app?: string | undefined;
}

/** Options of a bulk delete: cancellation, and progress as memories go. */
export interface BulkDeleteOptions extends CallOptions {
  onProgress?: ((deleted: number, total: number) => void) | undefined;
}

/**
 * The OMP HTTP API for one key. Methods reject with an `OmpError` (from omp-sdk) or a `ToolFailure` whose
 * envelope is the server's error body.
 */
export interface OmpBackend {
  /** `GET /v1/me`: the key's principal, tool, scopes and read scope. */
  me(options?: CallOptions): Promise<Principal>;
  /** `POST /v1/memories`. */
  create(body: CreateMemoryRequest, options?: CallOptions): Promise<Memory>;
  /** `GET /v1/memories`. */
  list(query: ListQuery, options?: CallOptions): Promise<ListMemoriesResponse>;
  /** `POST /v1/memories/search`. */
  search(body: SearchRequest, options?: CallOptions): Promise<SearchResponse>;
  /** `DELETE /v1/memories/{id}`. */
  delete(id: string, options?: CallOptions): Promise<void>;
  /** `GET /v1/health`: what the server offers (search_memory picks its default mode from it). */
  health?(options?: CallOptions): Promise<Health>;
  /**
   * Delete, as one operation, every memory the key may delete (only its tool's for a per-tool key), within
   * `namespace` when given; resolves with the count. Optional: without it, delete_all_memories lists and
   * deletes one by one, which needs the read scope.
   */
  deleteAll?(filter: { namespace?: string | undefined }, options?: BulkDeleteOptions): Promise<number>;
}
