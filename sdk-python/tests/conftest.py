"""Shared fixtures: the scenario harness (a live reference server and a fault-injecting proxy).

The harness is ``node scenarios/harness/start.ts`` (Node >= 24; the repo's .tools/node24 is used when present).
It prints one JSON line and runs until its stdin closes, so closing the pipe is all the cleanup it needs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SDK_DIR = Path(__file__).resolve().parent.parent
REPO = SDK_DIR.parent
CASES_DIR = REPO / "scenarios" / "cases"
HARNESS = REPO / "scenarios" / "harness" / "start.ts"

# Per-scenario results, printed as one line each at the end of the run (scenarios/README.md asks for it).
SCENARIO_RESULTS: list[tuple[str, str]] = []


def node_binary() -> str:
    """Node 24: the repo's pinned copy when installed, else `node` on PATH."""
    pinned = REPO / ".tools" / "node24" / "node_modules" / ".bin" / "node"
    if pinned.exists():
        return str(pinned)
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("the scenario harness needs Node >= 24 on PATH")
    return found


class Harness:
    """A running harness: its URLs and keys (see scenarios/README.md)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.url: str = info["url"]
        self.proxy_url: str = info["proxy_url"]
        self.url_03: str = info["url_03"]
        self.proxy_url_03: str = info["proxy_url_03"]
        self.token: str = info["token"]
        self.token_b: str = info["token_b"]


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    """Start the harness once per test session and stop it (by closing its stdin) at the end."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [node_binary(), str(HARNESS)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert proc.stdout is not None and proc.stdin is not None
    line: list[bytes] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=60)
    try:
        if not line or not line[0].strip():
            proc.kill()
            proc.wait()
            log.seek(0)
            raise RuntimeError(f"scenario harness did not start:\n{log.read().decode(errors='replace')}")
        yield Harness(json.loads(line[0]))
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.terminate()
                proc.wait(timeout=5)
        log.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SCENARIO_RESULTS:
        return
    terminalreporter.section("scenarios")
    for name, outcome in SCENARIO_RESULTS:
        terminalreporter.write_line(f"{outcome:4} {name}")
    passed = sum(1 for _, o in SCENARIO_RESULTS if o == "pass")
    terminalreporter.write_line(f"scenarios: {passed} passed, {len(SCENARIO_RESULTS) - passed} failed")
