"""What a generated method hands to the transport, and the client's settings.

Plain NamedTuples: this module is imported by ``import omp_sdk``, so it avoids dataclasses (and the
``inspect`` import that comes with them) and httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .url import QueryValue

if TYPE_CHECKING:
    from .versions import Negotiation

__all__ = ["Operation", "PageSpec", "Settings"]

_EMPTY: Mapping[str, Any] = {}


class Operation(NamedTuple):
    """One HTTP operation call, as a generated method describes it."""

    id: str
    """The spec's operationId, e.g. ``createMemory``."""
    method: str
    path: str
    """Path template such as ``/v1/memories/{id}``."""
    safe: bool
    """True when repeating the request cannot change the outcome (see retry.py)."""
    params: Mapping[str, str] = _EMPTY
    """Values of the template's placeholders, each percent-encoded by ``path_segment``."""
    query: Mapping[str, QueryValue] = _EMPTY
    body: Any = None
    """JSON body, sent only when ``has_body`` (so that no call sends a body of JSON null by accident)."""
    has_body: bool = False
    idempotency_key: bool = False
    """Accepts ``Idempotency-Key`` (SPEC.md §5.9); with one, the operation is safe to repeat."""
    conditional: bool = False
    """Accepts ``If-Match`` (SPEC.md §5.8)."""


class PageSpec(NamedTuple):
    """How an operation paginates, as generated from the spec."""

    items: str
    """Response member holding the items, e.g. ``memories``."""
    total: str
    """Response member counting all matches."""
    offset: str
    """Request and response member of the offset."""
    location: Literal["query", "body"]
    """Where the request carries the offset."""
    max_offset: int
    """Largest offset the server accepts; iteration stops before passing it."""
    cursor: str | None = None
    """The request parameter of cursor pagination (0.4), when the operation has it."""
    next_cursor: str | None = None
    """The response member that carries the next page's cursor."""


class Settings(NamedTuple):
    """Client settings after defaults."""

    base_url: str
    api_key: str | None
    max_retries: int
    timeout: float
    headers: Mapping[str, str]
    negotiation: Negotiation
