"""Static checks of the public types, run by `mypy --strict` (scripts/test.sh), never executed.

Each `# type: ignore[code]` marks a line that MUST fail type-checking: strict mode reports an unused ignore,
so if the SDK's types ever became too loose to catch the mistake, mypy fails.
"""

from __future__ import annotations

from typing import assert_type

from omp_sdk import (
    AsyncOmpClient,
    AsyncPagePromise,
    CreateMemoryRequest,
    ListMemoriesResponse,
    Memory,
    OmpClient,
    SearchResponse,
    SyncPage,
)


def sync_api(c: OmpClient) -> None:
    m = c.memories.get("mem_x")
    assert_type(m, Memory)
    assert_type(c.memories.list(limit=5), SyncPage[ListMemoriesResponse, Memory])
    assert_type(c.memories.search(q="x"), SyncPage[SearchResponse, Memory])
    for item in c.memories.list():
        assert_type(item, Memory)
    req: CreateMemoryRequest = {"content": "x", "type": "semantic", "source": {"tool": "t"}}
    c.memories.create(**req)
    c.memories.update("mem_x", namespace=None, expires_at=None, embedding=None)  # nullable: None clears
    c.memories.update("mem_x", content=None)  # type: ignore[arg-type]
    c.memories.update("mem_x", tags=None)  # type: ignore[arg-type]
    c.memories.create(content="x", type="opinion", source={"tool": "t"})  # type: ignore[arg-type]
    c.memories.create(content="x", type="semantic")  # type: ignore[call-arg]
    ns: str = m["namespace"]  # type: ignore[assignment]
    ts: str = m["source"]["timestamp"]  # a stored memory's source always has a timestamp
    c.import_(c.export(), conflict="merge")  # type: ignore[arg-type]
    del ns, ts


async def async_api(c: AsyncOmpClient) -> None:
    assert_type(await c.memories.get("mem_x"), Memory)
    assert_type(c.memories.list(), AsyncPagePromise[ListMemoriesResponse, Memory])
    page = await c.memories.list()
    assert_type(page.items, list[Memory])
    async for item in c.memories.list():
        assert_type(item, Memory)
