"""examples/python runs end to end against the live reference server of the scenario harness."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, Harness


def test_quickstart_runs(harness: Harness) -> None:
    env = {**os.environ, "OMP_SERVER": harness.url, "OMP_API_KEY": harness.token}
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "quickstart.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not found: status 404, code memory_not_found" in done.stdout
    assert "async: walked" in done.stdout
