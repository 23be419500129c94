"""Cursor and offset pagination.

A page that carries ``next_cursor`` (0.4 servers, SPEC.md §5.2) is continued by passing it back as ``cursor``,
which neither skips nor repeats under concurrent writes; a page without it (0.3 servers, searches) by the next
offset.

``client.memories.list()`` returns the first page (:class:`SyncPage`): its response body, its items and
navigation. Iterating a page walks every item of every page from there on, fetching the following pages
lazily, one request at a time. The async client's methods return an :class:`AsyncPagePromise`: ``await`` it
for the first page, or ``async for`` over it directly for every item.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import Any, Generic, TypeVar

from .operation import Operation, PageSpec

__all__ = ["AsyncPage", "AsyncPagePromise", "PageSpec", "SyncPage"]

B = TypeVar("B", bound=Mapping[str, Any])
"""The response body type, e.g. ListMemoriesResponse."""
I = TypeVar("I")  # noqa: E741 - the item type, e.g. Memory


def _next_offset(spec: PageSpec, body: Mapping[str, Any]) -> int | None:
    items = body.get(spec.items)
    count = len(items) if isinstance(items, list) else 0
    offset = body.get(spec.offset)
    nxt = (offset if isinstance(offset, int) else 0) + count
    total = body.get(spec.total)
    # An empty page ends the walk even if `total` says otherwise (items may expire between requests).
    if count > 0 and isinstance(total, int) and nxt < total and nxt <= spec.max_offset:
        return nxt
    return None


def _next_cursor(spec: PageSpec, body: Mapping[str, Any]) -> str | None | bool:
    """The next page's cursor; None when the page ends the result; False when the page carries none."""
    if spec.next_cursor is None or spec.next_cursor not in body:
        return False
    c = body.get(spec.next_cursor)
    return c if isinstance(c, str) else None


def _following(spec: PageSpec, op: Operation, cursor: str | None | bool, offset: int | None) -> Operation | None:
    """The request of the page after one whose body gave ``cursor`` and ``offset``; None after the last page."""
    if isinstance(cursor, str) and spec.cursor is not None:
        # Passed back unchanged (OMP-CLIENT-011), with the same filters and sort and without an offset.
        query = {k: v for k, v in op.query.items() if k != spec.offset}
        return op._replace(query={**query, spec.cursor: cursor})
    if cursor is None or offset is None:
        return None
    return _with_offset(spec, op, offset)


def _with_offset(spec: PageSpec, op: Operation, offset: int) -> Operation:
    if spec.location == "query":
        return op._replace(query={**op.query, spec.offset: offset})
    body = op.body if isinstance(op.body, Mapping) else {}
    return op._replace(body={**body, spec.offset: offset}, has_body=True)


class _PageBase(Generic[B, I]):
    body: B
    """The page's whole response body (e.g. ``{"memories", "total", "limit", "offset"}``)."""

    def __init__(self, op: Operation, spec: PageSpec, body: B) -> None:
        self.body = body
        self._op = op
        self._spec = spec
        self._next = _following(spec, op, _next_cursor(spec, body), _next_offset(spec, body))

    @property
    def items(self) -> list[I]:
        """This page's items only."""
        found = self.body.get(self._spec.items)
        return list(found) if isinstance(found, list) else []

    @property
    def total(self) -> int:
        """Every match the server counted, before limit and offset."""
        t = self.body.get(self._spec.total)
        return t if isinstance(t, int) else 0

    def has_next_page(self) -> bool:
        """True when more items follow this page."""
        return self._next is not None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.items)}, total={self.total}, more={self._next is not None})"


class SyncPage(_PageBase[B, I]):
    """One page of results; iterating it walks every item of this and every following page."""

    def __init__(self, fetch: Callable[[Operation], Any], op: Operation, spec: PageSpec, body: B) -> None:
        super().__init__(op, spec, body)
        self._fetch = fetch

    def next_page(self) -> SyncPage[B, I] | None:
        """The following page (one request), or None after the last one."""
        if self._next is None:
            return None
        return SyncPage(self._fetch, self._next, self._spec, self._fetch(self._next))

    def iter_pages(self) -> Iterator[SyncPage[B, I]]:
        """Every page, starting with this one."""
        page: SyncPage[B, I] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[I]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_PageBase[B, I]):
    """One page of results; ``async for`` over it walks every item of this and every following page."""

    def __init__(
        self, fetch: Callable[[Operation], Awaitable[Any]], op: Operation, spec: PageSpec, body: B
    ) -> None:
        super().__init__(op, spec, body)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[B, I] | None:
        """The following page (one request), or None after the last one."""
        if self._next is None:
            return None
        return AsyncPage(self._fetch, self._next, self._spec, await self._fetch(self._next))

    async def iter_pages(self) -> AsyncIterator[AsyncPage[B, I]]:
        """Every page, starting with this one."""
        page: AsyncPage[B, I] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[I]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPagePromise(Generic[B, I]):
    """The first page, not yet requested: ``await`` it for the page, or ``async for`` over every item.

    Each ``await`` (and each ``async for``) sends the first request anew.
    """

    def __init__(self, fetch: Callable[[Operation], Awaitable[Any]], op: Operation, spec: PageSpec) -> None:
        self._fetch = fetch
        self._op = op
        self._spec = spec

    async def _first(self) -> AsyncPage[B, I]:
        return AsyncPage(self._fetch, self._op, self._spec, await self._fetch(self._op))

    def __await__(self) -> Generator[Any, None, AsyncPage[B, I]]:
        return self._first().__await__()

    async def __aiter__(self) -> AsyncIterator[I]:
        page = await self._first()
        async for item in page:
            yield item
