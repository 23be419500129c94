"""Every scenario of scenarios/cases, run with the sync client and with the async client against a live
reference server (the harness). A case this runner cannot interpret fails; none is skipped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import CASES_DIR, SCENARIO_RESULTS, Harness
from scenario_runner import ScenarioRun

CASES = sorted(CASES_DIR.glob("*.json"))


def test_there_are_scenarios() -> None:
    assert len(CASES) >= 15, f"expected the shared scenario suite in {CASES_DIR}"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_scenario(case: Path, mode: str, harness: Harness) -> None:
    name = f"{case.name} [{mode}]"
    try:
        asyncio.run(ScenarioRun(case, harness, is_async=(mode == "async")).run())
    except BaseException:
        SCENARIO_RESULTS.append((name, "FAIL"))
        raise
    SCENARIO_RESULTS.append((name, "pass"))
