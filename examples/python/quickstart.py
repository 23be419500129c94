"""Quickstart of the OMP Python SDK: create, read, update, list, search, errors, export, async.

Run it with one command from the repository root (after `bash sdk-python/scripts/test.sh` made the venv):

    sdk-python/.venv/bin/python examples/python/quickstart.py

It talks to the server named by OMP_SERVER with the key in OMP_API_KEY. When OMP_SERVER is not set it
starts a throw-away reference server itself (scenarios/harness/start.ts, needs Node >= 24) and stops it at
the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omp_sdk import AsyncOmpClient, NotFoundError, OmpClient, OmpError, ValidationError

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def server() -> Iterator[tuple[str, str]]:
    """(base_url, api_key): from the environment, or a reference server started for this run."""
    if os.environ.get("OMP_SERVER"):
        yield os.environ["OMP_SERVER"], os.environ.get("OMP_API_KEY", "")
        return
    pinned = REPO / ".tools" / "node24" / "node_modules" / ".bin" / "node"
    node = str(pinned) if pinned.exists() else (shutil.which("node") or "node")
    proc = subprocess.Popen(
        [node, str(REPO / "scenarios" / "harness" / "start.ts")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        yield info["url"], info["token"]
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the harness stops and deletes its database when its stdin closes
        proc.wait(timeout=15)


def sync_tour(base_url: str, api_key: str) -> None:
    tag = f"quickstart-{secrets.token_hex(3)}"
    with OmpClient(base_url=base_url, api_key=api_key, max_retries=2, timeout=30) as client:
        health = client.health()
        print(f"server {health['server']['name']} {health['server']['version']}, OMP {health['version']}")

        memory = client.memories.create(
            content="User prefers TypeScript over JavaScript and dislikes verbose comments",
            type="semantic",
            source={"tool": "quickstart"},
            tags=["preferences", tag],
            namespace="project:quickstart",
        )
        print("created", memory["id"], memory["tags"])

        # Partial update: only the members given change; None clears a nullable member.
        updated = client.memories.update(memory["id"], namespace=None, tags=["preferences", "coding", tag])
        print("updated: namespace =", updated["namespace"], "tags =", updated["tags"])

        for i in range(5):
            client.memories.create(content=f"Note {i} about the quickstart", type="episodic", source={"tool": "quickstart"}, tags=[tag])

        # Iterating a page walks every page: 6 memories, 2 per request.
        print("listed", [m["content"][:20] for m in client.memories.list(tags=[tag], limit=2)])

        page = client.memories.search(q="typescript", tags=[tag])
        print(f"search: {page.total} match(es), first: {page.items[0]['content']!r}")

        try:
            client.memories.get("mem_0000000000000000")
        except NotFoundError as e:
            print(f"not found: status {e.status}, code {e.code}")
        try:
            client.memories.create(content="", type="semantic", source={"tool": "quickstart"})
        except ValidationError as e:
            print("invalid:", [v["path"] for v in e.errors])

        export = client.export()
        print(f"export: {len(export['memories'])} memories, omp_version {export['omp_version']}")

        client.memories.delete(memory["id"])


async def async_tour(base_url: str, api_key: str) -> None:
    async with AsyncOmpClient(base_url=base_url, api_key=api_key) as client:
        me, health = await asyncio.gather(client.me(), client.health())
        print(f"async: principal {me['principal']}, {health['memories_count']} memories visible")
        count = 0
        async for _ in client.memories.list(limit=3):
            count += 1
        print("async: walked", count, "memories")


def main() -> int:
    with server() as (base_url, api_key):
        try:
            sync_tour(base_url, api_key)
            asyncio.run(async_tour(base_url, api_key))
        except OmpError as e:
            print(f"OMP call failed: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
