"""The scenario interpreter itself: it must fail on a wrong result and on anything it cannot interpret."""

from __future__ import annotations

from typing import Any

import pytest
from scenario_runner import ScenarioError, check, json_equal, json_match, substitute

import omp_sdk

EQUAL = [
    ("same object", {"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, True),
    ("int and float", 1, 1.0, True),
    ("bool is not a number", True, 1, False),
    ("array order matters", [1, 2], [2, 1], False),
    ("extra member", {"a": 1, "b": 2}, {"a": 1}, False),
    ("null is not absent", {"a": None}, {}, False),
]


@pytest.mark.parametrize(("name", "a", "b", "want"), EQUAL, ids=[c[0] for c in EQUAL])
def test_json_equal(name: str, a: Any, b: Any, want: bool) -> None:
    assert json_equal(a, b) is want


def test_json_match_is_recursive_on_objects_and_whole_on_arrays() -> None:
    actual = {"a": {"b": 1, "c": 2}, "l": [1, 2], "n": None}
    assert json_match(actual, {"a": {"b": 1}, "n": None}) == []
    assert json_match(actual, {"l": [1]}) != []
    assert json_match(actual, {"missing": 1}) != []
    assert json_match(actual, {"a": {"b": 2}}) != []


def test_substitute_whole_values_paths_and_run() -> None:
    saved = {"m": {"id": "mem_1", "tags": ["x", "y"]}}
    got = substitute({"id": "${m.id}", "t": "${m.tags.1}", "ns": "p-${run}", "all": "${m}"}, saved, "abcd1234")
    assert got == {"id": "mem_1", "t": "y", "ns": "p-abcd1234", "all": saved["m"]}


@pytest.mark.parametrize("value", ["${nope}", "${m.nope}", "id ${m.id} inside"])
def test_substitute_refuses_what_it_cannot_resolve(value: str) -> None:
    with pytest.raises(ScenarioError):
        substitute(value, {"m": {"id": "x"}}, "r")


NOT_FOUND = omp_sdk.NotFoundError("gone", code="memory_not_found", status=404)

CHECKS = [
    ("ok but failed", {"ok": True}, None, NOT_FOUND, AssertionError),
    ("error but succeeded", {"error": "NotFoundError"}, {}, None, AssertionError),
    ("wrong error class", {"error": "ServerError"}, None, NOT_FOUND, AssertionError),
    ("wrong status", {"error": "NotFoundError", "status": 410}, None, NOT_FOUND, AssertionError),
    ("wrong code", {"error": "NotFoundError", "code": "not_found"}, None, NOT_FOUND, AssertionError),
    ("wrong length", {"ok": True, "length": 2}, [1], None, AssertionError),
    ("repeated ids", {"ok": True, "unique_ids": True}, [{"id": "a"}, {"id": "a"}], None, AssertionError),
    ("other ids", {"ok": True, "ids_equal": ["a"]}, [{"id": "b"}], None, AssertionError),
    ("absent id present", {"ok": True, "absent_ids": ["a"]}, [{"id": "a"}], None, AssertionError),
    ("unknown expectation", {"ok": True, "roughly": 1}, {}, None, ScenarioError),
    ("unknown error kind", {"error": "OopsError"}, None, NOT_FOUND, ScenarioError),
    ("neither ok nor error", {"length": 0}, [], None, ScenarioError),
]


@pytest.mark.parametrize(("name", "expect", "result", "error", "raises"), CHECKS, ids=[c[0] for c in CHECKS])
def test_check_fails(name: str, expect: Any, result: Any, error: Any, raises: type[Exception]) -> None:
    with pytest.raises(raises):
        check(expect, result, error, name)


def test_check_passes() -> None:
    check({"error": "NotFoundError", "status": 404, "code": "memory_not_found"}, None, NOT_FOUND, "x")
    check({"ok": True, "length": 2, "unique_ids": True, "ids_equal": ["b", "a"], "absent_ids": ["c"]}, [{"id": "a"}, {"id": "b"}], None, "x")
