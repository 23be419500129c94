# Generated file — do not edit.
# Generator: generators/src/python/sdk-files.ts
# Source hash: d6006bd98d19b7ba (sha256 of spec/openapi.yaml, schemas/*.schema.json)
# Regenerate: npm run generate
"""The Open Memory Protocol API 0.4 as Python methods: `OmpClient` (sync) and `AsyncOmpClient` (asyncio).

Generated from spec/openapi.yaml; the transport, retries and pagination are in omp_sdk/_core.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

from .._core.client import AsyncBaseClient, SyncBaseClient
from .._core.operation import Operation, PageSpec
from .._core.pagination import AsyncPagePromise, SyncPage
from .._core.types import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given
from .models import (
    AccessLogPage,
    AccessRule,
    AiResult,
    App,
    AppList,
    BulkDeleteRequestFilter,
    BulkDeleteResult,
    BulkStateResult,
    CategorySuggestResult,
    ConflictStrategy,
    Content,
    Cursor,
    Embedding,
    ExportFile,
    Health,
    ImportResult,
    Limit,
    ListMemoriesResponse,
    Memory,
    MemoryId,
    MemoryState,
    MemoryType,
    Metadata,
    Namespace,
    NullableNamespace,
    NullableTimestamp,
    Offset,
    Principal,
    SearchMode,
    SearchResponse,
    SortOrder,
    Source,
    StateFilter,
    StateHistory,
    Stats,
    Tag,
    TagFilter,
    Tags,
    Timestamp,
    ToolName,
)

__all__ = [
    "AppsResource",
    "AsyncAppsResource",
    "AsyncMemoriesResource",
    "AsyncOmpClient",
    "MemoriesResource",
    "OmpClient",
]

_LIST_MEMORIES_PAGES = PageSpec(
    items="memories",
    total="total",
    offset="offset",
    location="query",
    max_offset=1000000,
    cursor="cursor",
    next_cursor="next_cursor",
)

_SEARCH_MEMORIES_PAGES = PageSpec(
    items="memories",
    total="total",
    offset="offset",
    location="body",
    max_offset=1000000,
)

_SEARCH_MEMORIES_GET_PAGES = PageSpec(
    items="memories",
    total="total",
    offset="offset",
    location="query",
    max_offset=1000000,
)


class MemoriesResource:
    """Create, read, update, delete, list and search memories.

    Reached as `client.memories`.
    """

    def __init__(self, client: SyncBaseClient) -> None:
        self._client = client

    def create(
        self,
        *,
        content: Content,
        type: MemoryType,
        source: Source,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        expires_at: NullableTimestamp | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven = NOT_GIVEN,
        embedding: Embedding | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Create a memory.

        `POST /v1/memories` (createMemory) -> 201 Memory. Stores a new memory for the caller's principal
            (SPEC.md §5.1, OMP-CRUD-001). An `expires_at` not later than the server's clock is a 422
            (OMP-EXP-002), a rule JSON Schema cannot express. With an `Idempotency-Key`, a retry returns the
            first response (SPEC.md §5.9).

        Retry-safe with an `Idempotency-Key`, which the client sends to servers of 0.4 or later (a generated
            UUID unless `request_options["idempotency_key"]` is given); without one, retried only when the
            connection could not be opened (SPEC.md §5.9, §16).

        Args:
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
            expires_at: When the memory expires; must lie in the future (OMP-EXP-002). Null or absent: never.
            metadata: Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any
                JSON (OMP-MEM-013).
            embedding: Vector embedding of the content: 1 to 4,096 numbers; its model and dimensions are
                implementation-defined (OMP-MEM-015).
        """
        return cast(
            "Memory",
            self._client._request(
                Operation(
                    id="createMemory",
                    method="POST",
                    path="/v1/memories",
                    safe=False,
                    idempotency_key=True,
                    body=omit_not_given(
                        {
                            "content": content,
                            "type": type,
                            "source": source,
                            "tags": tags,
                            "namespace": namespace,
                            "expires_at": expires_at,
                            "metadata": metadata,
                            "embedding": embedding,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def list(
        self,
        *,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: Sequence[Tag] | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        cursor: Cursor | NotGiven = NOT_GIVEN,
        sort: SortOrder | NotGiven = NOT_GIVEN,
        state: Sequence[str] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> SyncPage[ListMemoriesResponse, Memory]:
        """List memories.

        `GET /v1/memories` (listMemories) -> 200 ListMemoriesResponse. One page of the caller's visible
            memories; `total` counts every match before `limit` and `offset`; `next_cursor` continues the walk
            without skipping or repeating under concurrent writes (SPEC.md §5.2).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Returns the first page; iterating it walks every item of every page.

        Args:
            type: Only memories of this type.
            tool: Only memories whose `source.tool` equals this.
            tags: Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every
                one (AND).
            namespace: Only memories in this namespace.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            offset: Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
            cursor: The `next_cursor` of the previous page, passed back unchanged with the same filters and
                `sort`; not with `offset` (OMP-LIST-018, OMP-LIST-021).
            sort: Order of the list (OMP-LIST-010).
            state: Control level. Memory states to include, comma-separated; without it only `active` memories
                (OMP-CTRL-004, OMP-CTRL-005).
        """
        return self._client._request_page(
            Operation(
                id="listMemories",
                method="GET",
                path="/v1/memories",
                safe=True,
                query=omit_not_given(
                    {
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "cursor": cursor,
                        "sort": sort,
                        "state": state,
                    }
                ),
            ),
            _LIST_MEMORIES_PAGES,
            request_options,
        )

    def search(
        self,
        *,
        q: str,
        mode: SearchMode | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: TagFilter | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        state: StateFilter | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> SyncPage[SearchResponse, Memory]:
        """Search memories.

        `POST /v1/memories/search` (searchMemories) -> 200 SearchResponse. Keyword search (every server) or
            semantic/hybrid search (Search level), best match first (SPEC.md §6).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Returns the first page; iterating it walks every item of every page.

        Args:
            q: Query text, 1 to 1,000 code points, at least one not white space.
            mode: Search mode: keyword (every server), semantic and hybrid (OMP-Search) (OMP-SEARCH-003).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            tool: Name of the tool that wrote a memory (source.tool): 1 to 100 characters, no control
                characters (OMP-MEM-010).
            tags: Only memories carrying every one of these tags.
            namespace: Grouping label such as 'project:myapp': 1 to 100 characters, same alphabet as tags
                (OMP-MEM-008).
            limit: Page size: an integer from 1 to 100; 20 when absent (OMP-LIST-006).
            offset: Number of matching items to skip: an integer from 0 to 1,000,000; 0 when absent
                (OMP-LIST-007).
            state: Control level: search memories in these states; without it only active memories
                (OMP-CTRL-004).
        """
        return self._client._request_page(
            Operation(
                id="searchMemories",
                method="POST",
                path="/v1/memories/search",
                safe=True,
                body=omit_not_given(
                    {
                        "q": q,
                        "mode": mode,
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "state": state,
                    }
                ),
                has_body=True,
            ),
            _SEARCH_MEMORIES_PAGES,
            request_options,
        )

    def search_get(
        self,
        *,
        q: str,
        mode: SearchMode | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: Sequence[Tag] | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        state: Sequence[str] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> SyncPage[SearchResponse, Memory]:
        """Search memories (query-string form).

        `GET /v1/memories/search` (searchMemoriesGet) -> 200 SearchResponse. The same search with its members
            as query parameters, `tags` comma-separated (SPEC.md §6, OMP-SEARCH-002).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Returns the first page; iterating it walks every item of every page.

        Args:
            q: Query text; quotes and operators are plain text (OMP-SEARCH-006).
            mode: Search mode; unsupported modes fall back to keyword (OMP-SEARCH-015).
            type: Only memories of this type.
            tool: Only memories whose `source.tool` equals this.
            tags: Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every
                one (AND).
            namespace: Only memories in this namespace.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            offset: Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
            state: Control level. Memory states to include, comma-separated; without it only `active` memories
                (OMP-CTRL-004, OMP-CTRL-005).
        """
        return self._client._request_page(
            Operation(
                id="searchMemoriesGet",
                method="GET",
                path="/v1/memories/search",
                safe=True,
                query=omit_not_given(
                    {
                        "q": q,
                        "mode": mode,
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "state": state,
                    }
                ),
            ),
            _SEARCH_MEMORIES_GET_PAGES,
            request_options,
        )

    def bulk_delete(
        self,
        *,
        filter: BulkDeleteRequestFilter,
        dry_run: bool | NotGiven = NOT_GIVEN,
        expected_count: int | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> BulkDeleteResult:
        """Delete every memory matching a filter.

        `POST /v1/memories/bulk-delete` (bulkDeleteMemories) -> 200 BulkDeleteResult. Deletes and erases, in
            one transaction, every visible memory matching a non-empty filter (or `{"all": true}`) that the
            key may delete; `dry_run` counts only; `expected_count` guards against surprises (SPEC.md §5.6).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            filter: Every criterion given must hold (AND). type, tool, tags and namespace match as in list;
                created_before matches memories created strictly before the instant; ids names memories
                directly.
        """
        return cast(
            "BulkDeleteResult",
            self._client._request(
                Operation(
                    id="bulkDeleteMemories",
                    method="POST",
                    path="/v1/memories/bulk-delete",
                    safe=True,
                    idempotency_key=True,
                    body=omit_not_given(
                        {
                            "filter": filter,
                            "dry_run": dry_run,
                            "expected_count": expected_count,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def get(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Get a memory.

        `GET /v1/memories/{id}` (getMemory) -> 200 Memory. One visible memory, with its embedding when stored
            (SPEC.md §5.3).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        return cast(
            "Memory",
            self._client._request(
                Operation(
                    id="getMemory",
                    method="GET",
                    path="/v1/memories/{id}",
                    safe=True,
                    params={"id": id},
                ),
                request_options,
            ),
        )

    def update(
        self,
        id: str,
        *,
        content: Content | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        expires_at: NullableTimestamp | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven = NOT_GIVEN,
        embedding: Embedding | None | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Update a memory.

        `PUT /v1/memories/{id}` (updateMemory) -> 200 Memory. Partial update; absent members are kept, null
            clears `namespace`, `expires_at` and `embedding`, `tags` and `metadata` are replaced whole
            (SPEC.md §5.4). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
            expires_at: A new expiry; must lie in the future (OMP-EXP-002). Null: never.
            metadata: Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any
                JSON (OMP-MEM-013).
            embedding: A new embedding, or null to remove the stored one.
        """
        return cast(
            "Memory",
            self._client._request(
                Operation(
                    id="updateMemory",
                    method="PUT",
                    path="/v1/memories/{id}",
                    safe=True,
                    conditional=True,
                    params={"id": id},
                    body=omit_not_given(
                        {
                            "content": content,
                            "type": type,
                            "tags": tags,
                            "namespace": namespace,
                            "expires_at": expires_at,
                            "metadata": metadata,
                            "embedding": embedding,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def delete(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> None:
        """Delete a memory.

        `DELETE /v1/memories/{id}` (deleteMemory) -> 204 (no body). Deletes and erases one visible memory
            (SPEC.md §5.5, §5.7). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        self._client._request(
            Operation(
                id="deleteMemory",
                method="DELETE",
                path="/v1/memories/{id}",
                safe=True,
                conditional=True,
                params={"id": id},
            ),
            request_options,
        )

    def set_state(
        self,
        id: str,
        *,
        state: MemoryState,
        reason: str | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Change a memory's state.

        `POST /v1/memories/{id}/state` (setMemoryState) -> 200 Memory. Sets the memory's state (`active`,
            `paused` or `archived`) with an optional reason and records the change in its history; needs what
            an update needs (SPEC.md §20.1, OMP-CTRL-003). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
            state: State of a memory at the control level: active (seen by every read), paused or archived
                (left out of search, of lists without a state filter and of MCP tools) (OMP-CTRL-004).
            reason: Why the state changes, for the person reading the history; 1 to 500 code points.
        """
        return cast(
            "Memory",
            self._client._request(
                Operation(
                    id="setMemoryState",
                    method="POST",
                    path="/v1/memories/{id}/state",
                    safe=True,
                    params={"id": id},
                    body=omit_not_given(
                        {
                            "state": state,
                            "reason": reason,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def get_history(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> StateHistory:
        """A memory's state history.

        `GET /v1/memories/{id}/history` (getMemoryHistory) -> 200 StateHistory. Every state change of the
            memory, oldest first, with who, when and why (SPEC.md §20.1, OMP-CTRL-006). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        return cast(
            "StateHistory",
            self._client._request(
                Operation(
                    id="getMemoryHistory",
                    method="GET",
                    path="/v1/memories/{id}/history",
                    safe=True,
                    params={"id": id},
                ),
                request_options,
            ),
        )

    def bulk_set_state(
        self,
        *,
        ids: Sequence[MemoryId],
        state: MemoryState,
        reason: str | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> BulkStateResult:
        """Change the state of several memories.

        `POST /v1/memories/bulk-state` (bulkSetMemoryState) -> 200 BulkStateResult. Sets the state of 1 to 100
            memories named by id, in one transaction; ids of no visible memory the key may update are reported
            in `not_found` (SPEC.md §20.1, OMP-CTRL-008). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            state: State of a memory at the control level: active (seen by every read), paused or archived
                (left out of search, of lists without a state filter and of MCP tools) (OMP-CTRL-004).
            reason: Why the state changes, for the person reading the history; 1 to 500 code points.
        """
        return cast(
            "BulkStateResult",
            self._client._request(
                Operation(
                    id="bulkSetMemoryState",
                    method="POST",
                    path="/v1/memories/bulk-state",
                    safe=True,
                    body=omit_not_given(
                        {
                            "ids": ids,
                            "state": state,
                            "reason": reason,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )


class AsyncMemoriesResource:
    """Create, read, update, delete, list and search memories.

    Reached as `client.memories`.
    """

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        content: Content,
        type: MemoryType,
        source: Source,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        expires_at: NullableTimestamp | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven = NOT_GIVEN,
        embedding: Embedding | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Create a memory.

        `POST /v1/memories` (createMemory) -> 201 Memory. Stores a new memory for the caller's principal
            (SPEC.md §5.1, OMP-CRUD-001). An `expires_at` not later than the server's clock is a 422
            (OMP-EXP-002), a rule JSON Schema cannot express. With an `Idempotency-Key`, a retry returns the
            first response (SPEC.md §5.9).

        Retry-safe with an `Idempotency-Key`, which the client sends to servers of 0.4 or later (a generated
            UUID unless `request_options["idempotency_key"]` is given); without one, retried only when the
            connection could not be opened (SPEC.md §5.9, §16).

        Args:
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
            expires_at: When the memory expires; must lie in the future (OMP-EXP-002). Null or absent: never.
            metadata: Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any
                JSON (OMP-MEM-013).
            embedding: Vector embedding of the content: 1 to 4,096 numbers; its model and dimensions are
                implementation-defined (OMP-MEM-015).
        """
        return cast(
            "Memory",
            await self._client._request(
                Operation(
                    id="createMemory",
                    method="POST",
                    path="/v1/memories",
                    safe=False,
                    idempotency_key=True,
                    body=omit_not_given(
                        {
                            "content": content,
                            "type": type,
                            "source": source,
                            "tags": tags,
                            "namespace": namespace,
                            "expires_at": expires_at,
                            "metadata": metadata,
                            "embedding": embedding,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def list(
        self,
        *,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: Sequence[Tag] | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        cursor: Cursor | NotGiven = NOT_GIVEN,
        sort: SortOrder | NotGiven = NOT_GIVEN,
        state: Sequence[str] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AsyncPagePromise[ListMemoriesResponse, Memory]:
        """List memories.

        `GET /v1/memories` (listMemories) -> 200 ListMemoriesResponse. One page of the caller's visible
            memories; `total` counts every match before `limit` and `offset`; `next_cursor` continues the walk
            without skipping or repeating under concurrent writes (SPEC.md §5.2).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Await the result for the first page, or `async for` over it for every item of every page.

        Args:
            type: Only memories of this type.
            tool: Only memories whose `source.tool` equals this.
            tags: Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every
                one (AND).
            namespace: Only memories in this namespace.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            offset: Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
            cursor: The `next_cursor` of the previous page, passed back unchanged with the same filters and
                `sort`; not with `offset` (OMP-LIST-018, OMP-LIST-021).
            sort: Order of the list (OMP-LIST-010).
            state: Control level. Memory states to include, comma-separated; without it only `active` memories
                (OMP-CTRL-004, OMP-CTRL-005).
        """
        return self._client._request_page(
            Operation(
                id="listMemories",
                method="GET",
                path="/v1/memories",
                safe=True,
                query=omit_not_given(
                    {
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "cursor": cursor,
                        "sort": sort,
                        "state": state,
                    }
                ),
            ),
            _LIST_MEMORIES_PAGES,
            request_options,
        )

    def search(
        self,
        *,
        q: str,
        mode: SearchMode | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: TagFilter | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        state: StateFilter | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AsyncPagePromise[SearchResponse, Memory]:
        """Search memories.

        `POST /v1/memories/search` (searchMemories) -> 200 SearchResponse. Keyword search (every server) or
            semantic/hybrid search (Search level), best match first (SPEC.md §6).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Await the result for the first page, or `async for` over it for every item of every page.

        Args:
            q: Query text, 1 to 1,000 code points, at least one not white space.
            mode: Search mode: keyword (every server), semantic and hybrid (OMP-Search) (OMP-SEARCH-003).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            tool: Name of the tool that wrote a memory (source.tool): 1 to 100 characters, no control
                characters (OMP-MEM-010).
            tags: Only memories carrying every one of these tags.
            namespace: Grouping label such as 'project:myapp': 1 to 100 characters, same alphabet as tags
                (OMP-MEM-008).
            limit: Page size: an integer from 1 to 100; 20 when absent (OMP-LIST-006).
            offset: Number of matching items to skip: an integer from 0 to 1,000,000; 0 when absent
                (OMP-LIST-007).
            state: Control level: search memories in these states; without it only active memories
                (OMP-CTRL-004).
        """
        return self._client._request_page(
            Operation(
                id="searchMemories",
                method="POST",
                path="/v1/memories/search",
                safe=True,
                body=omit_not_given(
                    {
                        "q": q,
                        "mode": mode,
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "state": state,
                    }
                ),
                has_body=True,
            ),
            _SEARCH_MEMORIES_PAGES,
            request_options,
        )

    def search_get(
        self,
        *,
        q: str,
        mode: SearchMode | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tool: ToolName | NotGiven = NOT_GIVEN,
        tags: Sequence[Tag] | NotGiven = NOT_GIVEN,
        namespace: Namespace | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        offset: Offset | NotGiven = NOT_GIVEN,
        state: Sequence[str] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AsyncPagePromise[SearchResponse, Memory]:
        """Search memories (query-string form).

        `GET /v1/memories/search` (searchMemoriesGet) -> 200 SearchResponse. The same search with its members
            as query parameters, `tags` comma-separated (SPEC.md §6, OMP-SEARCH-002).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Await the result for the first page, or `async for` over it for every item of every page.

        Args:
            q: Query text; quotes and operators are plain text (OMP-SEARCH-006).
            mode: Search mode; unsupported modes fall back to keyword (OMP-SEARCH-015).
            type: Only memories of this type.
            tool: Only memories whose `source.tool` equals this.
            tags: Tags, comma-separated on the wire (`tags=preferences,coding`); only memories carrying every
                one (AND).
            namespace: Only memories in this namespace.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            offset: Matches to skip, 0 to 1,000,000 (OMP-LIST-007).
            state: Control level. Memory states to include, comma-separated; without it only `active` memories
                (OMP-CTRL-004, OMP-CTRL-005).
        """
        return self._client._request_page(
            Operation(
                id="searchMemoriesGet",
                method="GET",
                path="/v1/memories/search",
                safe=True,
                query=omit_not_given(
                    {
                        "q": q,
                        "mode": mode,
                        "type": type,
                        "tool": tool,
                        "tags": tags,
                        "namespace": namespace,
                        "limit": limit,
                        "offset": offset,
                        "state": state,
                    }
                ),
            ),
            _SEARCH_MEMORIES_GET_PAGES,
            request_options,
        )

    async def bulk_delete(
        self,
        *,
        filter: BulkDeleteRequestFilter,
        dry_run: bool | NotGiven = NOT_GIVEN,
        expected_count: int | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> BulkDeleteResult:
        """Delete every memory matching a filter.

        `POST /v1/memories/bulk-delete` (bulkDeleteMemories) -> 200 BulkDeleteResult. Deletes and erases, in
            one transaction, every visible memory matching a non-empty filter (or `{"all": true}`) that the
            key may delete; `dry_run` counts only; `expected_count` guards against surprises (SPEC.md §5.6).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            filter: Every criterion given must hold (AND). type, tool, tags and namespace match as in list;
                created_before matches memories created strictly before the instant; ids names memories
                directly.
        """
        return cast(
            "BulkDeleteResult",
            await self._client._request(
                Operation(
                    id="bulkDeleteMemories",
                    method="POST",
                    path="/v1/memories/bulk-delete",
                    safe=True,
                    idempotency_key=True,
                    body=omit_not_given(
                        {
                            "filter": filter,
                            "dry_run": dry_run,
                            "expected_count": expected_count,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def get(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Get a memory.

        `GET /v1/memories/{id}` (getMemory) -> 200 Memory. One visible memory, with its embedding when stored
            (SPEC.md §5.3).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        return cast(
            "Memory",
            await self._client._request(
                Operation(
                    id="getMemory",
                    method="GET",
                    path="/v1/memories/{id}",
                    safe=True,
                    params={"id": id},
                ),
                request_options,
            ),
        )

    async def update(
        self,
        id: str,
        *,
        content: Content | NotGiven = NOT_GIVEN,
        type: MemoryType | NotGiven = NOT_GIVEN,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        expires_at: NullableTimestamp | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven = NOT_GIVEN,
        embedding: Embedding | None | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Update a memory.

        `PUT /v1/memories/{id}` (updateMemory) -> 200 Memory. Partial update; absent members are kept, null
            clears `namespace`, `expires_at` and `embedding`, `tags` and `metadata` are replaced whole
            (SPEC.md §5.4). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
            type: Kind of memory: episodic (an event that happened), semantic (a fact or preference),
                procedural (how to do something).
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
            expires_at: A new expiry; must lie in the future (OMP-EXP-002). Null: never.
            metadata: Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any
                JSON (OMP-MEM-013).
            embedding: A new embedding, or null to remove the stored one.
        """
        return cast(
            "Memory",
            await self._client._request(
                Operation(
                    id="updateMemory",
                    method="PUT",
                    path="/v1/memories/{id}",
                    safe=True,
                    conditional=True,
                    params={"id": id},
                    body=omit_not_given(
                        {
                            "content": content,
                            "type": type,
                            "tags": tags,
                            "namespace": namespace,
                            "expires_at": expires_at,
                            "metadata": metadata,
                            "embedding": embedding,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def delete(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> None:
        """Delete a memory.

        `DELETE /v1/memories/{id}` (deleteMemory) -> 204 (no body). Deletes and erases one visible memory
            (SPEC.md §5.5, §5.7). With `If-Match`, only if the memory is unchanged (SPEC.md §5.8).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        await self._client._request(
            Operation(
                id="deleteMemory",
                method="DELETE",
                path="/v1/memories/{id}",
                safe=True,
                conditional=True,
                params={"id": id},
            ),
            request_options,
        )

    async def set_state(
        self,
        id: str,
        *,
        state: MemoryState,
        reason: str | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> Memory:
        """Change a memory's state.

        `POST /v1/memories/{id}/state` (setMemoryState) -> 200 Memory. Sets the memory's state (`active`,
            `paused` or `archived`) with an optional reason and records the change in its history; needs what
            an update needs (SPEC.md §20.1, OMP-CTRL-003). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
            state: State of a memory at the control level: active (seen by every read), paused or archived
                (left out of search, of lists without a state filter and of MCP tools) (OMP-CTRL-004).
            reason: Why the state changes, for the person reading the history; 1 to 500 code points.
        """
        return cast(
            "Memory",
            await self._client._request(
                Operation(
                    id="setMemoryState",
                    method="POST",
                    path="/v1/memories/{id}/state",
                    safe=True,
                    params={"id": id},
                    body=omit_not_given(
                        {
                            "state": state,
                            "reason": reason,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def get_history(
        self,
        id: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> StateHistory:
        """A memory's state history.

        `GET /v1/memories/{id}/history` (getMemoryHistory) -> 200 StateHistory. Every state change of the
            memory, oldest first, with who, when and why (SPEC.md §20.1, OMP-CTRL-006). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            id: A memory id. A value that is not an id is answered 404 `memory_not_found` (OMP-ID-004).
        """
        return cast(
            "StateHistory",
            await self._client._request(
                Operation(
                    id="getMemoryHistory",
                    method="GET",
                    path="/v1/memories/{id}/history",
                    safe=True,
                    params={"id": id},
                ),
                request_options,
            ),
        )

    async def bulk_set_state(
        self,
        *,
        ids: Sequence[MemoryId],
        state: MemoryState,
        reason: str | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> BulkStateResult:
        """Change the state of several memories.

        `POST /v1/memories/bulk-state` (bulkSetMemoryState) -> 200 BulkStateResult. Sets the state of 1 to 100
            memories named by id, in one transaction; ids of no visible memory the key may update are reported
            in `not_found` (SPEC.md §20.1, OMP-CTRL-008). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            state: State of a memory at the control level: active (seen by every read), paused or archived
                (left out of search, of lists without a state filter and of MCP tools) (OMP-CTRL-004).
            reason: Why the state changes, for the person reading the history; 1 to 500 code points.
        """
        return cast(
            "BulkStateResult",
            await self._client._request(
                Operation(
                    id="bulkSetMemoryState",
                    method="POST",
                    path="/v1/memories/bulk-state",
                    safe=True,
                    body=omit_not_given(
                        {
                            "ids": ids,
                            "state": state,
                            "reason": reason,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )


class AppsResource:
    """The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log,
        stats and categories.

    Reached as `client.apps`.
    """

    def __init__(self, client: SyncBaseClient) -> None:
        self._client = client

    def list(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> AppList:
        """Every app of the caller's principal.

        `GET /v1/apps` (listApps) -> 200 AppList. Every `source.tool` of the principal's memories and every
            app of its requests, by name, with first and last seen, counts, `paused` and rules (SPEC.md §20.2,
            OMP-CTRL-015). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "AppList",
            self._client._request(
                Operation(
                    id="listApps",
                    method="GET",
                    path="/v1/apps",
                    safe=True,
                ),
                request_options,
            ),
        )

    def get(
        self,
        name: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> App:
        """One app.

        `GET /v1/apps/{name}` (getApp) -> 200 App. The app, or 404 `not_found` for a name the principal has
            not seen (SPEC.md §20.2, OMP-CTRL-018). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            name: An app's name (a `source.tool`), percent-encoded.
        """
        return cast(
            "App",
            self._client._request(
                Operation(
                    id="getApp",
                    method="GET",
                    path="/v1/apps/{name}",
                    safe=True,
                    params={"name": name},
                ),
                request_options,
            ),
        )

    def update(
        self,
        name: str,
        *,
        paused: bool | NotGiven = NOT_GIVEN,
        rules: Sequence[AccessRule] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> App:
        """Pause or resume an app, or replace its rules.

        `PUT /v1/apps/{name}` (updateApp) -> 200 App. Sets `paused`, replaces `rules` whole, or both; a name
            not yet seen creates the app (SPEC.md §20.2, OMP-CTRL-019). A paused app's reads and writes are
            refused with 403 `app_paused` (OMP-CTRL-020, OMP-CTRL-021). Control level; needs a key not bound
            to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            name: An app's name (a `source.tool`), percent-encoded.
            rules: The app's access rules, at most 100 (SPEC.md §20.3).
        """
        return cast(
            "App",
            self._client._request(
                Operation(
                    id="updateApp",
                    method="PUT",
                    path="/v1/apps/{name}",
                    safe=True,
                    params={"name": name},
                    body=omit_not_given(
                        {
                            "paused": paused,
                            "rules": rules,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )


class AsyncAppsResource:
    """The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log,
        stats and categories.

    Reached as `client.apps`.
    """

    def __init__(self, client: AsyncBaseClient) -> None:
        self._client = client

    async def list(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> AppList:
        """Every app of the caller's principal.

        `GET /v1/apps` (listApps) -> 200 AppList. Every `source.tool` of the principal's memories and every
            app of its requests, by name, with first and last seen, counts, `paused` and rules (SPEC.md §20.2,
            OMP-CTRL-015). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "AppList",
            await self._client._request(
                Operation(
                    id="listApps",
                    method="GET",
                    path="/v1/apps",
                    safe=True,
                ),
                request_options,
            ),
        )

    async def get(
        self,
        name: str,
        *,
        request_options: RequestOptions | None = None,
    ) -> App:
        """One app.

        `GET /v1/apps/{name}` (getApp) -> 200 App. The app, or 404 `not_found` for a name the principal has
            not seen (SPEC.md §20.2, OMP-CTRL-018). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            name: An app's name (a `source.tool`), percent-encoded.
        """
        return cast(
            "App",
            await self._client._request(
                Operation(
                    id="getApp",
                    method="GET",
                    path="/v1/apps/{name}",
                    safe=True,
                    params={"name": name},
                ),
                request_options,
            ),
        )

    async def update(
        self,
        name: str,
        *,
        paused: bool | NotGiven = NOT_GIVEN,
        rules: Sequence[AccessRule] | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> App:
        """Pause or resume an app, or replace its rules.

        `PUT /v1/apps/{name}` (updateApp) -> 200 App. Sets `paused`, replaces `rules` whole, or both; a name
            not yet seen creates the app (SPEC.md §20.2, OMP-CTRL-019). A paused app's reads and writes are
            refused with 403 `app_paused` (OMP-CTRL-020, OMP-CTRL-021). Control level; needs a key not bound
            to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            name: An app's name (a `source.tool`), percent-encoded.
            rules: The app's access rules, at most 100 (SPEC.md §20.3).
        """
        return cast(
            "App",
            await self._client._request(
                Operation(
                    id="updateApp",
                    method="PUT",
                    path="/v1/apps/{name}",
                    safe=True,
                    params={"name": name},
                    body=omit_not_given(
                        {
                            "paused": paused,
                            "rules": rules,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )


class OmpClient(SyncBaseClient):
    """Client of the Open Memory Protocol API 0.4.

    Example::

        with OmpClient(base_url="http://127.0.0.1:3456", api_key=key) as client:
            memory = client.memories.create(content="...", type="semantic", source={"tool": "claude"})
            for m in client.memories.list(limit=50):
                print(m["id"], m["content"])
    """

    memories: MemoriesResource
    """Create, read, update, delete, list and search memories."""
    apps: AppsResource
    """The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log,
        stats and categories.
    """

    def _init_resources(self) -> None:
        self.memories = MemoriesResource(self)
        self.apps = AppsResource(self)

    def export(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> ExportFile:
        """Export every visible memory.

        `GET /v1/export` (exportMemories) -> 200 ExportFile. The portable export file, oldest memory first
            (SPEC.md §7.2).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "ExportFile",
            self._request(
                Operation(
                    id="exportMemories",
                    method="GET",
                    path="/v1/export",
                    safe=True,
                ),
                request_options,
            ),
        )

    def import_(
        self,
        export_file: ExportFile,
        *,
        conflict: ConflictStrategy | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> ImportResult:
        """Import an export file.

        `POST /v1/import` (importMemories) -> 200 ImportResult. Stores the file's memories for the caller,
            item by item in one transaction, with per-item errors (SPEC.md §7.3).

        Retry-safe unless `conflict` is `duplicate`, which is then retried only when the connection could not
            be opened (SPEC.md §9.3).

        Args:
            export_file: The request body (ExportFile).
            conflict: What to do with an item whose id the caller already holds (OMP-IMPORT-004).
        """
        return cast(
            "ImportResult",
            self._request(
                Operation(
                    id="importMemories",
                    method="POST",
                    path="/v1/import",
                    safe=conflict != "duplicate" and export_file.get("conflict") != "duplicate",
                    idempotency_key=True,
                    query=omit_not_given(
                        {
                            "conflict": conflict,
                        }
                    ),
                    body=export_file,
                    has_body=True,
                ),
                request_options,
            ),
        )

    def health(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Health:
        """Health, version, levels, capabilities and limits.

        `GET /v1/health` (getHealth) -> 200 Health. Open to everyone; `memories_count` is null without a valid
            key (SPEC.md §10).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Health",
            self._request(
                Operation(
                    id="getHealth",
                    method="GET",
                    path="/v1/health",
                    safe=True,
                ),
                request_options,
            ),
        )

    def me(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Principal:
        """What the presented key may do.

        `GET /v1/me` (getMe) -> 200 Principal. The key's principal, tool, scopes and read scope (SPEC.md
            §8.4).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Principal",
            self._request(
                Operation(
                    id="getMe",
                    method="GET",
                    path="/v1/me",
                    safe=True,
                ),
                request_options,
            ),
        )

    def extract(
        self,
        *,
        text: str,
        source: Source,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AiResult:
        """Extract memories from a transcript.

        `POST /v1/extract` (extractMemories) -> 201 AiResult. Optional capability `extract` (SPEC.md §11). A
            server that does not offer it answers 404 `not_found`, with or without a key; one that offers it
            requires a bearer key (401 without).

        Not idempotent: retried only when the connection could not be opened, never after a response (SPEC.md
            §9.3).

        Args:
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
        """
        return cast(
            "AiResult",
            self._request(
                Operation(
                    id="extractMemories",
                    method="POST",
                    path="/v1/extract",
                    safe=False,
                    body=omit_not_given(
                        {
                            "text": text,
                            "source": source,
                            "tags": tags,
                            "namespace": namespace,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def compress(
        self,
        *,
        memory_ids: Sequence[MemoryId],
        source: Source,
        delete_originals: bool | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AiResult:
        """Compress several memories into fewer.

        `POST /v1/compress` (compressMemories) -> 201 AiResult. Optional capability `compress` (SPEC.md §11).
            A server that does not offer it answers 404 `not_found`, with or without a key; one that offers it
            requires a bearer key (401 without).

        Not idempotent: retried only when the connection could not be opened, never after a response (SPEC.md
            §9.3).

        Args:
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
        """
        return cast(
            "AiResult",
            self._request(
                Operation(
                    id="compressMemories",
                    method="POST",
                    path="/v1/compress",
                    safe=False,
                    body=omit_not_given(
                        {
                            "memory_ids": memory_ids,
                            "source": source,
                            "delete_originals": delete_originals,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    def access_log(
        self,
        *,
        memory_id: MemoryId | NotGiven = NOT_GIVEN,
        app: ToolName | NotGiven = NOT_GIVEN,
        operation: Literal['create', 'get', 'update', 'delete', 'list', 'search', 'export', 'import', 'bulk_delete', 'state_change'] | NotGiven = NOT_GIVEN,
        since: Timestamp | NotGiven = NOT_GIVEN,
        until: Timestamp | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        cursor: Cursor | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AccessLogPage:
        """The access log.

        `GET /v1/access-log` (listAccessLog) -> 200 AccessLogPage. One entry per read and write of memories,
            newest first, without content or keys, filtered by memory, app, operation and time, paged by
            cursor (SPEC.md §20.4, OMP-CTRL-030). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            memory_id: Only entries whose `memory_ids` contain this id.
            app: Only entries of this app.
            operation: Only entries of this operation.
            since: Only entries at or after this time.
            until: Only entries before this time.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            cursor: The `next_cursor` of the previous page, passed back unchanged with the same filters
                (OMP-CTRL-031). No example is given on purpose - only a cursor the server issued is valid.
        """
        return cast(
            "AccessLogPage",
            self._request(
                Operation(
                    id="listAccessLog",
                    method="GET",
                    path="/v1/access-log",
                    safe=True,
                    query=omit_not_given(
                        {
                            "memory_id": memory_id,
                            "app": app,
                            "operation": operation,
                            "since": since,
                            "until": until,
                            "limit": limit,
                            "cursor": cursor,
                        }
                    ),
                ),
                request_options,
            ),
        )

    def stats(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Stats:
        """Counts by state, type, app and category.

        `GET /v1/stats` (getStats) -> 200 Stats. Counts of the caller's visible memories in every state
            (SPEC.md §20.5, OMP-CTRL-035). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Stats",
            self._request(
                Operation(
                    id="getStats",
                    method="GET",
                    path="/v1/stats",
                    safe=True,
                ),
                request_options,
            ),
        )

    def category_suggestions(
        self,
        *,
        content: Content,
        request_options: RequestOptions | None = None,
    ) -> CategorySuggestResult:
        """Suggest categories for a text.

        `POST /v1/category-suggestions` (suggestCategories) -> 200 CategorySuggestResult. Categories a client
            may add to a memory as tags `category:<name>`, by a rule that runs on the server; stores nothing
            (SPEC.md §20.5, OMP-CTRL-037). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
        """
        return cast(
            "CategorySuggestResult",
            self._request(
                Operation(
                    id="suggestCategories",
                    method="POST",
                    path="/v1/category-suggestions",
                    safe=True,
                    body=omit_not_given(
                        {
                            "content": content,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )


class AsyncOmpClient(AsyncBaseClient):
    """Asyncio client of the Open Memory Protocol API 0.4.

    Example::

        async with AsyncOmpClient(base_url="http://127.0.0.1:3456", api_key=key) as client:
            memory = await client.memories.create(content="...", type="semantic", source={"tool": "claude"})
            async for m in client.memories.list(limit=50):
                print(m["id"], m["content"])
    """

    memories: AsyncMemoriesResource
    """Create, read, update, delete, list and search memories."""
    apps: AsyncAppsResource
    """The control level (SPEC.md §20): memory states and their history, apps, access rules, the access log,
        stats and categories.
    """

    def _init_resources(self) -> None:
        self.memories = AsyncMemoriesResource(self)
        self.apps = AsyncAppsResource(self)

    async def export(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> ExportFile:
        """Export every visible memory.

        `GET /v1/export` (exportMemories) -> 200 ExportFile. The portable export file, oldest memory first
            (SPEC.md §7.2).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "ExportFile",
            await self._request(
                Operation(
                    id="exportMemories",
                    method="GET",
                    path="/v1/export",
                    safe=True,
                ),
                request_options,
            ),
        )

    async def import_(
        self,
        export_file: ExportFile,
        *,
        conflict: ConflictStrategy | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> ImportResult:
        """Import an export file.

        `POST /v1/import` (importMemories) -> 200 ImportResult. Stores the file's memories for the caller,
            item by item in one transaction, with per-item errors (SPEC.md §7.3).

        Retry-safe unless `conflict` is `duplicate`, which is then retried only when the connection could not
            be opened (SPEC.md §9.3).

        Args:
            export_file: The request body (ExportFile).
            conflict: What to do with an item whose id the caller already holds (OMP-IMPORT-004).
        """
        return cast(
            "ImportResult",
            await self._request(
                Operation(
                    id="importMemories",
                    method="POST",
                    path="/v1/import",
                    safe=conflict != "duplicate" and export_file.get("conflict") != "duplicate",
                    idempotency_key=True,
                    query=omit_not_given(
                        {
                            "conflict": conflict,
                        }
                    ),
                    body=export_file,
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def health(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Health:
        """Health, version, levels, capabilities and limits.

        `GET /v1/health` (getHealth) -> 200 Health. Open to everyone; `memories_count` is null without a valid
            key (SPEC.md §10).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Health",
            await self._request(
                Operation(
                    id="getHealth",
                    method="GET",
                    path="/v1/health",
                    safe=True,
                ),
                request_options,
            ),
        )

    async def me(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Principal:
        """What the presented key may do.

        `GET /v1/me` (getMe) -> 200 Principal. The key's principal, tool, scopes and read scope (SPEC.md
            §8.4).

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Principal",
            await self._request(
                Operation(
                    id="getMe",
                    method="GET",
                    path="/v1/me",
                    safe=True,
                ),
                request_options,
            ),
        )

    async def extract(
        self,
        *,
        text: str,
        source: Source,
        tags: Tags | NotGiven = NOT_GIVEN,
        namespace: NullableNamespace | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AiResult:
        """Extract memories from a transcript.

        `POST /v1/extract` (extractMemories) -> 201 AiResult. Optional capability `extract` (SPEC.md §11). A
            server that does not offer it answers 404 `not_found`, with or without a key; one that offers it
            requires a bearer key (401 without).

        Not idempotent: retried only when the connection could not be opened, never after a response (SPEC.md
            §9.3).

        Args:
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
            tags: At most 20 distinct tags; order is preserved as written (OMP-MEM-006).
            namespace: A Namespace, or null for no namespace.
        """
        return cast(
            "AiResult",
            await self._request(
                Operation(
                    id="extractMemories",
                    method="POST",
                    path="/v1/extract",
                    safe=False,
                    body=omit_not_given(
                        {
                            "text": text,
                            "source": source,
                            "tags": tags,
                            "namespace": namespace,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def compress(
        self,
        *,
        memory_ids: Sequence[MemoryId],
        source: Source,
        delete_originals: bool | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AiResult:
        """Compress several memories into fewer.

        `POST /v1/compress` (compressMemories) -> 201 AiResult. Optional capability `compress` (SPEC.md §11).
            A server that does not offer it answers 404 `not_found`, with or without a key; one that offers it
            requires a bearer key (401 without).

        Not idempotent: retried only when the connection could not be opened, never after a response (SPEC.md
            §9.3).

        Args:
            source: Provenance of a memory: which tool observed it, in which session, for which user of that
                tool, and when. In a create request 'timestamp' may be omitted (the server then uses the time
                of creation); in a stored memory it is always present.
        """
        return cast(
            "AiResult",
            await self._request(
                Operation(
                    id="compressMemories",
                    method="POST",
                    path="/v1/compress",
                    safe=False,
                    body=omit_not_given(
                        {
                            "memory_ids": memory_ids,
                            "source": source,
                            "delete_originals": delete_originals,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )

    async def access_log(
        self,
        *,
        memory_id: MemoryId | NotGiven = NOT_GIVEN,
        app: ToolName | NotGiven = NOT_GIVEN,
        operation: Literal['create', 'get', 'update', 'delete', 'list', 'search', 'export', 'import', 'bulk_delete', 'state_change'] | NotGiven = NOT_GIVEN,
        since: Timestamp | NotGiven = NOT_GIVEN,
        until: Timestamp | NotGiven = NOT_GIVEN,
        limit: Limit | NotGiven = NOT_GIVEN,
        cursor: Cursor | NotGiven = NOT_GIVEN,
        request_options: RequestOptions | None = None,
    ) -> AccessLogPage:
        """The access log.

        `GET /v1/access-log` (listAccessLog) -> 200 AccessLogPage. One entry per read and write of memories,
            newest first, without content or keys, filtered by memory, app, operation and time, paged by
            cursor (SPEC.md §20.4, OMP-CTRL-030). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            memory_id: Only entries whose `memory_ids` contain this id.
            app: Only entries of this app.
            operation: Only entries of this operation.
            since: Only entries at or after this time.
            until: Only entries before this time.
            limit: Page size, 1 to 100 (OMP-LIST-006).
            cursor: The `next_cursor` of the previous page, passed back unchanged with the same filters
                (OMP-CTRL-031). No example is given on purpose - only a cursor the server issued is valid.
        """
        return cast(
            "AccessLogPage",
            await self._request(
                Operation(
                    id="listAccessLog",
                    method="GET",
                    path="/v1/access-log",
                    safe=True,
                    query=omit_not_given(
                        {
                            "memory_id": memory_id,
                            "app": app,
                            "operation": operation,
                            "since": since,
                            "until": until,
                            "limit": limit,
                            "cursor": cursor,
                        }
                    ),
                ),
                request_options,
            ),
        )

    async def stats(
        self,
        *,
        request_options: RequestOptions | None = None,
    ) -> Stats:
        """Counts by state, type, app and category.

        `GET /v1/stats` (getStats) -> 200 Stats. Counts of the caller's visible memories in every state
            (SPEC.md §20.5, OMP-CTRL-035). Control level; needs a key not bound to a tool.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).
        """
        return cast(
            "Stats",
            await self._request(
                Operation(
                    id="getStats",
                    method="GET",
                    path="/v1/stats",
                    safe=True,
                ),
                request_options,
            ),
        )

    async def category_suggestions(
        self,
        *,
        content: Content,
        request_options: RequestOptions | None = None,
    ) -> CategorySuggestResult:
        """Suggest categories for a text.

        `POST /v1/category-suggestions` (suggestCategories) -> 200 CategorySuggestResult. Categories a client
            may add to a memory as tags `category:<name>`, by a rule that runs on the server; stores nothing
            (SPEC.md §20.5, OMP-CTRL-037). Control level.

        Retry-safe: retried on 408, 429, 500, 502, 503 and connection failures (SPEC.md §9.3).

        Args:
            content: Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one
                of them not white space (OMP-MEM-002).
        """
        return cast(
            "CategorySuggestResult",
            await self._request(
                Operation(
                    id="suggestCategories",
                    method="POST",
                    path="/v1/category-suggestions",
                    safe=True,
                    body=omit_not_given(
                        {
                            "content": content,
                        }
                    ),
                    has_body=True,
                ),
                request_options,
            ),
        )
