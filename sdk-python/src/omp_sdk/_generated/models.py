# Generated file — do not edit.
# Generator: generators/src/python/sdk-files.ts
# Source hash: d6006bd98d19b7ba (sha256 of spec/openapi.yaml, schemas/*.schema.json)
# Regenerate: npm run generate
"""Typed shapes of the OMP API, one per JSON Schema type (schemas/*.schema.json).

TypedDicts, so a response is the plain dict the server sent (members a newer server adds are kept, nothing
is copied or validated at run time) and a request may be written as a dict literal that mypy checks.
`NotRequired[X]` means "may be absent"; `X | None` means "may be null": the two are never merged.
Spec: Open Memory Protocol 0.4.
"""

from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "AccessLogEntry",
    "AccessLogPage",
    "AccessRule",
    "AiResult",
    "App",
    "AppList",
    "AppUpdateRequest",
    "BulkDeleteRequest",
    "BulkDeleteRequestFilter",
    "BulkDeleteResult",
    "BulkStateRequest",
    "BulkStateResult",
    "CategoryName",
    "CategorySuggestRequest",
    "CategorySuggestResult",
    "CompressRequest",
    "ConflictStrategy",
    "Content",
    "CreateMemoryRequest",
    "Cursor",
    "Embedding",
    "EmbeddingsCapability",
    "EmptyCapability",
    "ErrorEnvelope",
    "ExportFile",
    "ExportFileServer",
    "ExportItem",
    "ExportItemSource",
    "ExtractRequest",
    "Health",
    "HealthCapabilityDetails",
    "HealthCapabilityDetailsControl",
    "HealthCapabilityDetailsRateLimiting",
    "HealthLimits",
    "HealthRetention",
    "HealthServer",
    "ImportResult",
    "ImportResultErrorsItem",
    "Limit",
    "ListMemoriesResponse",
    "Memory",
    "MemoryId",
    "MemorySource",
    "MemoryState",
    "MemoryType",
    "Metadata",
    "Namespace",
    "NullableNamespace",
    "NullableTimestamp",
    "Offset",
    "Principal",
    "SearchMode",
    "SearchRequest",
    "SearchResponse",
    "SortOrder",
    "Source",
    "SpecVersion",
    "StateChangeRequest",
    "StateFilter",
    "StateHistory",
    "StateHistoryEntriesItem",
    "Stats",
    "StatsByAppItem",
    "StatsByCategoryItem",
    "StatsByState",
    "StatsByType",
    "Tag",
    "TagFilter",
    "Tags",
    "Timestamp",
    "ToolName",
    "UpdateMemoryRequest",
]


class AccessLogEntry(TypedDict):
    """One entry of the access log: one read or write request, without content, tags or keys (OMP-CTRL-026,
        OMP-CTRL-029).
    """

    id: "str"
    """Server-assigned entry identifier."""
    at: "Timestamp"
    """When the server answered the request."""
    operation: "Literal['create', 'get', 'update', 'delete', 'list', 'search', 'export', 'import', 'bulk_delete', 'state_change']"
    via: "Literal['http', 'mcp']"
    """The binding the request came through."""
    app: "ToolName | None"
    """The app of the request (SPEC.md §20.2); null when it had none."""
    principal: "str"
    """The principal of the key, as GET /v1/me reports it."""
    memory_ids: "list[MemoryId]"
    """Every memory the request returned, stored, changed or deleted."""
    request_id: "str"
    """The X-Request-Id of the response (OMP-CTRL-028)."""


class AccessLogPage(TypedDict):
    """Body of GET /v1/access-log: entries newest first; pass next_cursor back as cursor for the next page, null
        after the last (OMP-CTRL-030, OMP-CTRL-031).
    """

    entries: "list[AccessLogEntry]"
    next_cursor: "Cursor | None"


AccessRule: TypeAlias = "Any"
"""One access rule of an app: allow or deny the app the memories of one namespace or one memory (OMP-CTRL-023).
    Exactly one of namespace and memory_id.
"""


class AiResult(TypedDict):
    """Body of a 201 from POST /v1/extract or POST /v1/compress: the memories created."""

    memories: "list[Memory]"


class App(TypedDict):
    """An app (an AI tool or MCP client) as the control level sees it: every source.tool and every app of a
        request of the principal (OMP-CTRL-015).
    """

    name: "ToolName"
    paused: "bool"
    """When true, the app's reads and writes are refused with 403 app_paused (OMP-CTRL-020, OMP-CTRL-021)."""
    first_seen_at: "Timestamp"
    last_seen_at: "Timestamp"
    memories_count: "int"
    """Memories of the principal whose source.tool is the app, in every state (OMP-CTRL-017)."""
    reads_count: "int"
    """Read requests of the app answered with 2xx since it was first seen."""
    writes_count: "int"
    """Write requests of the app answered with 2xx since it was first seen."""
    rules: "list[AccessRule]"
    """The app's access rules, at most 100 (SPEC.md §20.3)."""


class AppList(TypedDict):
    """Body of GET /v1/apps: every app of the caller's principal, ordered by name (OMP-CTRL-015)."""

    apps: "list[App]"


class AppUpdateRequest(TypedDict):
    """Body of PUT /v1/apps/{name}: pause or resume the app, replace its access rules whole, or both
        (OMP-CTRL-019).
    """

    paused: NotRequired["bool"]
    rules: NotRequired["list[AccessRule]"]
    """The app's access rules, at most 100 (SPEC.md §20.3)."""


class BulkDeleteRequest(TypedDict):
    """Body of POST /v1/memories/bulk-delete: a filter naming at least one criterion, or exactly {"all": true}
        (OMP-BULK-002); dry_run counts without deleting (OMP-BULK-003); expected_count guards against deleting
        what the user did not see (OMP-BULK-004).
    """

    filter: "BulkDeleteRequestFilter"
    """Every criterion given must hold (AND). type, tool, tags and namespace match as in list; created_before
        matches memories created strictly before the instant; ids names memories directly.
    """
    dry_run: NotRequired["bool"]
    expected_count: NotRequired["int"]


class BulkDeleteRequestFilter(TypedDict):
    """Every criterion given must hold (AND). type, tool, tags and namespace match as in list; created_before
        matches memories created strictly before the instant; ids names memories directly.
    """

    all: NotRequired["bool"]
    """true: every visible memory the key may delete; not combinable with another criterion. false is the same as
        absent, so a filter whose only member is all: false is empty (OMP-BULK-002).
    """
    type: NotRequired["MemoryType"]
    tool: NotRequired["ToolName"]
    tags: NotRequired["Tags"]
    namespace: NotRequired["Namespace"]
    created_before: NotRequired["Timestamp"]
    ids: NotRequired["list[str]"]


class BulkDeleteResult(TypedDict):
    """Answer of a bulk delete: how many visible memories matched and how many were deleted (0 for a dry run)
        (OMP-BULK-001).
    """

    matched: "int"
    deleted: "int"
    dry_run: "bool"


class BulkStateRequest(TypedDict):
    """Body of POST /v1/memories/bulk-state: set the state of 1 to 100 memories, named by id, in one transaction
        (OMP-CTRL-008).
    """

    ids: "list[MemoryId]"
    state: "MemoryState"
    reason: NotRequired["str"]
    """Why the state changes, for the person reading the history; 1 to 500 code points."""


class BulkStateResult(TypedDict):
    """Answer of a bulk state change: how many memories changed state, how many were already in it, and the ids
        that name no visible memory the key may write (OMP-CTRL-008).
    """

    changed: "int"
    unchanged: "int"
    not_found: "list[MemoryId]"


CategoryName: TypeAlias = "str"
"""A category: the part after 'category:' of a tag, 1 to 41 characters of lower-case ASCII letters, digits, '_'
    and '-' (SPEC.md §20.5).
"""


class CategorySuggestRequest(TypedDict):
    """Body of POST /v1/category-suggestions: a text to categorise (OMP-CTRL-037)."""

    content: "Content"


class CategorySuggestResult(TypedDict):
    """Answer of POST /v1/category-suggestions: category names a client may add to a memory as tags
        category:<name>, best first (OMP-CTRL-037).
    """

    categories: "list[CategoryName]"


class CompressRequest(TypedDict):
    """Body of POST /v1/compress (capability 'compress'): memories the server's AI provider summarises into fewer
        memories.
    """

    memory_ids: "list[MemoryId]"
    source: "Source"
    delete_originals: NotRequired["bool"]


ConflictStrategy: TypeAlias = "Literal['skip', 'overwrite', 'duplicate']"
"""What import does with an item whose id the caller already holds: skip it, overwrite the stored memory, or
    import a duplicate under a new id (OMP-IMPORT-005).
"""


Content: TypeAlias = "str"
"""Plain natural-language text of the memory: 1 to 10,000 Unicode code points, at least one of them not white
    space (OMP-MEM-002).
"""


class CreateMemoryRequest(TypedDict):
    """Body of POST /v1/memories. Members other than these, including the server-set 'id', 'created_at' and
        'updated_at', are rejected with 422 (OMP-CRUD-004).
    """

    content: "Content"
    type: "MemoryType"
    source: "Source"
    tags: NotRequired["Tags"]
    namespace: NotRequired["NullableNamespace"]
    expires_at: NotRequired["NullableTimestamp"]
    """When the memory expires; must lie in the future (OMP-EXP-002). Null or absent: never."""
    metadata: NotRequired["Metadata"]
    embedding: NotRequired["Embedding"]


Cursor: TypeAlias = "str"
"""An opaque position in an ordered list result (OMP-LIST-017); clients pass it back unchanged (OMP-CLIENT-011).
"""


Embedding: TypeAlias = "list[float]"
"""Vector embedding of the content: 1 to 4,096 numbers; its model and dimensions are implementation-defined
    (OMP-MEM-015).
"""


class EmbeddingsCapability(TypedDict):
    """The embedding model a server uses: its identifier and the dimensions of its vectors (OMP-EMB-001)."""

    model: "str"
    dimensions: "int"


EmptyCapability: TypeAlias = "dict[str, Any]"
"""The object of a capability without sub-fields: empty, apart from extension members."""


class ErrorEnvelope(TypedDict):
    """The body of every error response (OMP-ERR-001). 'error' is a code from the error table; 'message' is for
        humans; 'details' is an object, with 'errors' listing every violation for validation_error.
    """

    error: "str"
    message: "str"
    details: "dict[str, Any]"
    request_id: NotRequired["str"]


class ExportFile(TypedDict):
    """The portable OMP export file: the body of GET /v1/export and of POST /v1/import. 'omp_version' versions
        the format (OMP-EXPORT-007). 'conflict' is only meaningful in an import body (OMP-IMPORT-004);
        exporters never write it.
    """

    omp_version: "SpecVersion"
    exported_at: "Timestamp"
    server: "ExportFileServer | str"
    """The software that wrote the file. Draft 0.2 files may carry a plain string here."""
    memories: "list[ExportItem]"
    conflict: NotRequired["ConflictStrategy"]
    embeddings: NotRequired["EmbeddingsCapability"]
    """The model that computed the items' embeddings, as the exporting server declares it in health
        (OMP-EXPORT-009); an importer with another model recomputes them (OMP-EMB-003).
    """


class ExportFileServer(TypedDict):
    name: "str"
    version: "str"


class ExportItem(TypedDict):
    """One memory as an export file carries it. Identical to the schema 'memory' except that 'namespace' and
        'metadata' may be absent, as in files written by draft 0.2 servers; an importer stores them as null
        and {} (OMP-IMPORT-015).
    """

    id: "MemoryId"
    content: "Content"
    type: "MemoryType"
    source: "ExportItemSource"
    tags: "Tags"
    namespace: NotRequired["NullableNamespace"]
    created_at: "Timestamp"
    """When the server stored the memory; never changes (OMP-TIME-004)."""
    updated_at: "Timestamp"
    """When the memory last changed; moves forward on every successful update (OMP-TIME-005)."""
    expires_at: "NullableTimestamp"
    """When the memory stops existing for clients; null for never (OMP-EXP-001)."""
    embedding: NotRequired["Embedding"]
    metadata: NotRequired["Metadata"]
    state: NotRequired["MemoryState"]
    """The memory's state at the control level (OMP-CTRL-002); an importer stores an item without it as active
        (OMP-CTRL-012).
    """


class ExportItemSource(TypedDict):
    """Provenance of a memory: which tool observed it, in which session, for which user of that tool, and when.
        In a create request 'timestamp' may be omitted (the server then uses the time of creation); in a
        stored memory it is always present.
    """

    tool: "ToolName"
    session_id: NotRequired["str"]
    """The tool's own session identifier, 1 to 255 characters."""
    user_id: NotRequired["str"]
    """The tool's own identifier for its user, 1 to 255 characters; informational, unrelated to the authenticated
        principal.
    """
    timestamp: "Timestamp"
    """When the tool observed what the memory records (UTC)."""


class ExtractRequest(TypedDict):
    """Body of POST /v1/extract (capability 'extract'): a transcript from which the server's configured AI
        provider extracts memories.
    """

    text: "str"
    source: "Source"
    tags: NotRequired["Tags"]
    namespace: NotRequired["NullableNamespace"]


class Health(TypedDict):
    """Body of GET /v1/health (no authentication). Declares the spec version, the compliance levels the server
        claims, its capabilities and its limits (OMP-HEALTH-002).
    """

    status: "Literal['ok', 'degraded']"
    version: "SpecVersion"
    """The newest OMP specification version the server implements: the last item of versions (OMP-HEALTH-008).
    """
    versions: "list[SpecVersion]"
    """Every MAJOR.MINOR version of the specification the server implements, ascending (OMP-HEALTH-008); a client
        picks the newest it shares and may name it in the OMP-Version header (OMP-VER-003).
    """
    memories_count: "int | None"
    """Memories visible to the caller's credentials; null when the request carries no valid key (OMP-HEALTH-004).
    """
    levels: "list[Literal['core', 'search', 'full', 'mcp', 'control']]"
    """Compliance levels claimed. 'core' is always present; 'search', 'full', 'mcp' and 'control' are independent
        profiles on top of it (OMP-LEVEL-002).
    """
    capabilities: "list[str]"
    """Capability names from the registry (SPEC.md §19.1) the server offers (OMP-HEALTH-009); names starting 'x_'
        are vendor extensions.
    """
    capability_details: "HealthCapabilityDetails"
    """One object per listed capability, with the sub-fields the registry defines (OMP-HEALTH-010)."""
    limits: "HealthLimits"
    retention: "HealthRetention"
    """How long erased data may remain in storage and in backups (OMP-ERASE-004)."""
    server: "HealthServer"
    compliance: NotRequired["str"]
    """Draft 0.2 member, tolerated and deprecated (SPEC.md §1.5, §10): clients read levels instead."""


class HealthCapabilityDetails(TypedDict):
    """One object per listed capability, with the sub-fields the registry defines (OMP-HEALTH-010)."""

    embeddings: NotRequired["EmbeddingsCapability"]
    control: NotRequired["HealthCapabilityDetailsControl"]
    rate_limiting: NotRequired["HealthCapabilityDetailsRateLimiting"]


class HealthCapabilityDetailsControl(TypedDict):
    access_log_retention_seconds: "int"
    """How long access-log entries are kept, at least 24 hours (OMP-CTRL-001, OMP-CTRL-034)."""
    category_rule: NotRequired["str"]
    """Names the local rule that POST /v1/category-suggestions applies (OMP-CTRL-037)."""


class HealthCapabilityDetailsRateLimiting(TypedDict):
    requests_per_minute: NotRequired["int"]
    """The limit per key."""


class HealthLimits(TypedDict):
    max_body_bytes: "int"
    """Largest accepted body for every endpoint but import."""
    max_import_bytes: "int"
    """Largest accepted import body."""
    idempotency_retention_seconds: "int"
    """How long an Idempotency-Key is remembered, at least 24 hours (OMP-IDEM-006)."""


class HealthRetention(TypedDict):
    """How long erased data may remain in storage and in backups (OMP-ERASE-004)."""

    erasure_seconds: "int"
    """Longest time between erasure and the removal of the data from live storage and indexes (OMP-ERASE-002).
    """
    backup_seconds: "int | None"
    """Longest time a backup may hold an erased memory; null when the server keeps no backups (OMP-ERASE-003).
    """


class HealthServer(TypedDict):
    name: "str"
    version: "str"


class ImportResult(TypedDict):
    """Outcome of POST /v1/import: how many items were stored, how many were skipped, and one entry per rejected
        item (OMP-IMPORT-009). imported + skipped + errors.length equals the number of items in the file.
    """

    imported: "int"
    """Items stored, whether new, overwriting or duplicated."""
    skipped: "int"
    """Items left out: id conflicts under 'skip', and items already expired."""
    errors: "list[ImportResultErrorsItem]"


class ImportResultErrorsItem(TypedDict):
    index: "int"
    """Position of the item in the file's 'memories' array."""
    id: NotRequired["str | None"]
    """The item's id when it has one."""
    error: "str"
    """An error code from the error table."""
    message: "str"
    details: NotRequired["dict[str, Any]"]


Limit: TypeAlias = "int"
"""Page size: an integer from 1 to 100; 20 when absent (OMP-LIST-006)."""


class ListMemoriesResponse(TypedDict):
    """One page of GET /v1/memories. 'total' counts every memory matching the filters, before limit and offset
        are applied (OMP-LIST-012).
    """

    memories: "list[Memory]"
    total: "int"
    limit: "Limit"
    offset: "Offset"
    next_cursor: "Cursor | None"
    """Pass back as cursor to get the next page; null when this page ends the result (OMP-LIST-017)."""


class Memory(TypedDict):
    """One memory as stored and returned by an OMP server: an export item with every member a server always
        writes, 'namespace' (null when none) and 'metadata' ({} when none) included (OMP-MEM-017).
    """

    id: "MemoryId"
    content: "Content"
    type: "MemoryType"
    source: "MemorySource"
    tags: "Tags"
    namespace: "NullableNamespace"
    created_at: "Timestamp"
    """When the server stored the memory; never changes (OMP-TIME-004)."""
    updated_at: "Timestamp"
    """When the memory last changed; moves forward on every successful update (OMP-TIME-005)."""
    expires_at: "NullableTimestamp"
    """When the memory stops existing for clients; null for never (OMP-EXP-001)."""
    embedding: NotRequired["Embedding"]
    metadata: "Metadata"
    state: NotRequired["MemoryState"]
    """The memory's state at the control level (OMP-CTRL-002); an importer stores an item without it as active
        (OMP-CTRL-012).
    """


MemoryId: TypeAlias = "str"
"""Server-assigned memory identifier: 'mem_' followed by 16 characters of [a-z0-9] (OMP-ID-001)."""


class MemorySource(TypedDict):
    """Provenance of a memory: which tool observed it, in which session, for which user of that tool, and when.
        In a create request 'timestamp' may be omitted (the server then uses the time of creation); in a
        stored memory it is always present.
    """

    tool: "ToolName"
    session_id: NotRequired["str"]
    """The tool's own session identifier, 1 to 255 characters."""
    user_id: NotRequired["str"]
    """The tool's own identifier for its user, 1 to 255 characters; informational, unrelated to the authenticated
        principal.
    """
    timestamp: "Timestamp"
    """When the tool observed what the memory records (UTC)."""


MemoryState: TypeAlias = "Literal['active', 'paused', 'archived']"
"""State of a memory at the control level: active (seen by every read), paused or archived (left out of search,
    of lists without a state filter and of MCP tools) (OMP-CTRL-004).
"""


MemoryType: TypeAlias = "Literal['episodic', 'semantic', 'procedural']"
"""Kind of memory: episodic (an event that happened), semantic (a fact or preference), procedural (how to do
    something).
"""


Metadata: TypeAlias = "dict[str, Any]"
"""Free-form JSON object: at most 10 members, member names 1 to 64 characters, values any JSON (OMP-MEM-013).
"""


Namespace: TypeAlias = "str"
"""Grouping label such as 'project:myapp': 1 to 100 characters, same alphabet as tags (OMP-MEM-008)."""


NullableNamespace: TypeAlias = "Namespace | None"
"""A Namespace, or null for no namespace."""


NullableTimestamp: TypeAlias = "Timestamp | None"
"""A Timestamp, or null."""


Offset: TypeAlias = "int"
"""Number of matching items to skip: an integer from 0 to 1,000,000; 0 when absent (OMP-LIST-007)."""


class Principal(TypedDict):
    """Body of GET /v1/me: what the presented key may do. A global key has tool null, both scopes and read_scope
        'all'; a per-tool key names its tool (OMP-AUTH-010).
    """

    principal: "str"
    """Opaque, stable identifier of the user who owns the key's memories."""
    tool: "ToolName | None"
    """The source.tool a per-tool key is bound to; null for a global key."""
    scopes: "list[Literal['read', 'write']]"
    read_scope: "Literal['all', 'own']"
    """'all': reads see every memory of the principal; 'own': only memories whose source.tool is the key's tool.
    """


SearchMode: TypeAlias = "Literal['keyword', 'semantic', 'hybrid']"
"""Search mode: keyword (every server), semantic and hybrid (OMP-Search) (OMP-SEARCH-003)."""


class SearchRequest(TypedDict):
    """Body of POST /v1/memories/search. 'q' is plain text: quotes and operator characters carry no meaning
        (OMP-SEARCH-006). The filters combine with AND.
    """

    q: "str"
    """Query text, 1 to 1,000 code points, at least one not white space."""
    mode: NotRequired["SearchMode"]
    type: NotRequired["MemoryType"]
    tool: NotRequired["ToolName"]
    tags: NotRequired["TagFilter"]
    """Only memories carrying every one of these tags."""
    namespace: NotRequired["Namespace"]
    limit: NotRequired["Limit"]
    offset: NotRequired["Offset"]
    state: NotRequired["StateFilter"]
    """Control level: search memories in these states; without it only active memories (OMP-CTRL-004)."""


class SearchResponse(TypedDict):
    """Search results, best match first. 'total' counts every match before limit and offset; 'mode_used' says
        which mode actually ran (OMP-SEARCH-014).
    """

    memories: "list[Memory]"
    total: "int"
    mode_used: "SearchMode"
    limit: "Limit"
    offset: "Offset"


SortOrder: TypeAlias = "Literal['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc']"
"""List order; ties on the timestamp are broken by id in the same direction (OMP-LIST-010)."""


class Source(TypedDict):
    """Provenance of a memory: which tool observed it, in which session, for which user of that tool, and when.
        In a create request 'timestamp' may be omitted (the server then uses the time of creation); in a
        stored memory it is always present.
    """

    tool: "ToolName"
    session_id: NotRequired["str"]
    """The tool's own session identifier, 1 to 255 characters."""
    user_id: NotRequired["str"]
    """The tool's own identifier for its user, 1 to 255 characters; informational, unrelated to the authenticated
        principal.
    """
    timestamp: NotRequired["Timestamp"]
    """When the tool observed what the memory records (UTC)."""


SpecVersion: TypeAlias = "str"
"""An OMP specification version as MAJOR.MINOR."""


class StateChangeRequest(TypedDict):
    """Body of POST /v1/memories/{id}/state: the new state and, optionally, why (OMP-CTRL-003)."""

    state: "MemoryState"
    reason: NotRequired["str"]
    """Why the state changes, for the person reading the history; 1 to 500 code points."""


StateFilter: TypeAlias = "list[MemoryState]"
"""Memory states a list or search includes (control level, SPEC.md §20.1); without it only active memories."""


class StateHistory(TypedDict):
    """Body of GET /v1/memories/{id}/history: every state change of the memory, oldest first: who (app and
        principal), when and why (OMP-CTRL-006).
    """

    memory_id: "MemoryId"
    entries: "list[StateHistoryEntriesItem]"


StateHistoryEntriesItem = TypedDict(
    "StateHistoryEntriesItem",
    {
        "from": "MemoryState",
        "to": "MemoryState",
        "at": "Timestamp",
        "app": "ToolName | None",
        "principal": "str",
        "reason": "str | None",
    },
)


class Stats(TypedDict):
    """Body of GET /v1/stats: counts of the caller's visible memories, in every state, by state, type, app
        (source.tool) and category (OMP-CTRL-035, OMP-CTRL-036).
    """

    total: "int"
    by_state: "StatsByState"
    by_type: "StatsByType"
    by_app: "list[StatsByAppItem]"
    """One item per source.tool with at least one memory, ordered by app name."""
    by_category: "list[StatsByCategoryItem]"
    """One item per category with at least one memory, ordered by category name."""
    apps_count: "int"
    """The number of apps GET /v1/apps lists."""


class StatsByAppItem(TypedDict):
    app: "ToolName"
    count: "int"


class StatsByCategoryItem(TypedDict):
    category: "CategoryName"
    count: "int"


class StatsByState(TypedDict):
    active: "int"
    paused: "int"
    archived: "int"


class StatsByType(TypedDict):
    episodic: "int"
    semantic: "int"
    procedural: "int"


Tag: TypeAlias = "str"
"""One tag: 1 to 50 characters of lower-case ASCII letters, digits, '_', ':' and '-' (OMP-MEM-005)."""


TagFilter: TypeAlias = "list[Tag]"
"""Tags a memory must all carry (AND), as list and search filters take them: at most 20; naming a tag twice is
    the same as naming it once (OMP-LIST-016).
"""


Tags: TypeAlias = "list[Tag]"
"""At most 20 distinct tags; order is preserved as written (OMP-MEM-006)."""


Timestamp: TypeAlias = "str"
"""RFC 3339 date-time in UTC, written with an upper-case 'Z' offset; fractional seconds optional (1 to 9 digits)
    (OMP-TIME-001). 'format' is asserted (SPEC.md §1.3): calendar-impossible dates such as 2026-02-30 are
    invalid.
"""


ToolName: TypeAlias = "str"
"""Name of the tool that wrote a memory (source.tool): 1 to 100 characters, no control characters (OMP-MEM-010).
"""


class UpdateMemoryRequest(TypedDict):
    """Body of PUT /v1/memories/{id}: a partial update. An absent member is left unchanged; null clears a
        nullable member; 'tags' and 'metadata' replace the stored value whole. 'id', 'source', 'created_at'
        and 'updated_at' are not updatable and are rejected with 422 (OMP-CRUD-017).
    """

    content: NotRequired["Content"]
    type: NotRequired["MemoryType"]
    tags: NotRequired["Tags"]
    namespace: NotRequired["NullableNamespace"]
    expires_at: NotRequired["NullableTimestamp"]
    """A new expiry; must lie in the future (OMP-EXP-002). Null: never."""
    metadata: NotRequired["Metadata"]
    embedding: NotRequired["Embedding | None"]
    """A new embedding, or null to remove the stored one."""
