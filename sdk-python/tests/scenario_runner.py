"""Runs one language-neutral scenario (scenarios/README.md) with the Python SDK, sync or async.

Anything the runner cannot interpret (an unknown call, argument, expectation or placeholder) raises
:class:`ScenarioError`, which fails the test: no scenario can be skipped silently.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

import omp_sdk
from omp_sdk import AsyncOmpClient, OmpClient, OmpError

ERROR_KINDS = {
    "ValidationError": omp_sdk.ValidationError,
    "AuthenticationError": omp_sdk.AuthenticationError,
    "PermissionError": omp_sdk.PermissionError,
    "NotFoundError": omp_sdk.NotFoundError,
    "ConflictError": omp_sdk.ConflictError,
    "PreconditionFailedError": omp_sdk.PreconditionFailedError,
    "RateLimitError": omp_sdk.RateLimitError,
    "ServerError": omp_sdk.ServerError,
    "ConnectionError": omp_sdk.ConnectionError,
    "TimeoutError": omp_sdk.TimeoutError,
}
RESULT_KEYS = ("match", "equals", "length", "unique_ids", "ids_equal", "absent_ids", "same_member", "absent_member")
EXPECT_KEYS = {"ok", "error", "status", "code", *RESULT_KEYS}
STEP_KEYS = {"call", "args", "save", "save_etag", "token", "expect"}
CLIENT_KEYS = {"max_retries", "timeout_ms", "token"}
INVALID_KEY = "omp-scenario-invalid-key-0123456789abcdef"

_whole = re.compile(r"^\$\{([a-z_][a-z0-9_]*)((?:\.[^.}]+)*)\}$")
_any_placeholder = re.compile(r"\$\{[^}]*\}")


class ScenarioError(Exception):
    """The scenario uses something this runner does not know: a failure, never a skip."""


class _Unset:
    pass


UNSET = _Unset()


def run_token() -> str:
    """`${run}`: 8 characters of [a-z0-9], unique to one run of one scenario."""
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=8))


def substitute(value: Any, saved: Mapping[str, Any], run: str) -> Any:
    """Replace `${name.path}` (a whole string) by a saved value and `${run}` anywhere by the run token."""
    if isinstance(value, str):
        m = _whole.match(value)
        if m and m.group(1) != "run":
            name, path = m.group(1), m.group(2)
            if name not in saved:
                raise ScenarioError(f"{value}: nothing was saved as {name!r}")
            node = saved[name]
            for seg in [s for s in path.split(".") if s]:
                if isinstance(node, dict) and seg in node:
                    node = node[seg]
                elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
                    node = node[int(seg)]
                else:
                    raise ScenarioError(f"{value}: {name} has no member {seg!r}")
            return node
        text = value.replace("${run}", run)
        if _any_placeholder.search(text):
            raise ScenarioError(f"cannot substitute {value!r}: only ${{run}} may appear inside a longer string")
        return text
    if isinstance(value, list):
        return [substitute(v, saved, run) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, saved, run) for k, v in value.items()}
    return value


def json_equal(a: Any, b: Any) -> bool:
    """Deep JSON equality: booleans never equal numbers, 1 equals 1.0, arrays by order, objects by members."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def json_match(actual: Any, expected: Any, where: str = "") -> list[str]:
    """Every member of `expected` deep-equal to `actual`'s, recursively into objects (arrays compared whole)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '/'}: expected an object, got {json.dumps(actual)}"]
        problems: list[str] = []
        for k, v in expected.items():
            if k not in actual:
                problems.append(f"{where}/{k}: missing (expected {json.dumps(v)})")
            else:
                problems.extend(json_match(actual[k], v, f"{where}/{k}"))
        return problems
    if json_equal(actual, expected):
        return []
    return [f"{where or '/'}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]


def _ids(result: Any, what: str) -> list[str]:
    if not isinstance(result, list):
        raise AssertionError(f"{what}: the result is not an array: {json.dumps(result)[:300]}")
    return [item.get("id") for item in result if isinstance(item, dict)]


def check(expect: Mapping[str, Any], result: Any, error: BaseException | None, label: str) -> None:
    """Assert one step's expectation; raise ScenarioError for keys this runner does not know."""
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise ScenarioError(f"{label}: unknown expectation(s) {sorted(unknown)}")
    if "error" in expect:
        kind = expect["error"]
        cls = ERROR_KINDS.get(kind)
        if cls is None:
            raise ScenarioError(f"{label}: unknown error kind {kind!r}")
        if error is None:
            raise AssertionError(f"{label}: expected {kind}, but the call succeeded with {json.dumps(result)[:300]}")
        if not isinstance(error, cls):
            raise AssertionError(f"{label}: expected {kind}, got {type(error).__name__}: {error}") from error
        assert isinstance(error, OmpError)
        if "status" in expect and error.status != expect["status"]:
            raise AssertionError(f"{label}: expected status {expect['status']}, got {error.status} ({error})")
        if "code" in expect and error.code != expect["code"]:
            raise AssertionError(f"{label}: expected code {expect['code']!r}, got {error.code!r} ({error})")
        for key in RESULT_KEYS:
            if key in expect:
                raise ScenarioError(f"{label}: {key!r} cannot apply to an error")
        return
    if expect.get("ok") is not True:
        raise ScenarioError(f"{label}: an expectation needs ok: true or error")
    if error is not None:
        raise AssertionError(f"{label}: expected success, got {type(error).__name__}: {error}") from error
    if "status" in expect or "code" in expect:
        raise ScenarioError(f"{label}: status and code apply only with error")
    if "match" in expect:
        problems = json_match(result, expect["match"])
        if problems:
            raise AssertionError(f"{label}: match failed:\n  " + "\n  ".join(problems))
    if "equals" in expect and not json_equal(result, expect["equals"]):
        raise AssertionError(
            f"{label}: expected {json.dumps(expect['equals'])[:500]}\n  got {json.dumps(result)[:500]}"
        )
    if "length" in expect:
        if not isinstance(result, list):
            raise AssertionError(f"{label}: length: the result is not an array")
        if len(result) != expect["length"]:
            raise AssertionError(f"{label}: expected {expect['length']} items, got {len(result)}")
    if expect.get("unique_ids"):
        ids = _ids(result, label)
        if len(set(ids)) != len(ids):
            raise AssertionError(f"{label}: ids repeat: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
    if "ids_equal" in expect:
        ids = set(_ids(result, label))
        want = set(expect["ids_equal"])
        if ids != want:
            raise AssertionError(f"{label}: ids differ: missing {sorted(want - ids)}, unexpected {sorted(ids - want)}")
    if "absent_ids" in expect:
        present = set(_ids(result, label)) & set(expect["absent_ids"])
        if present:
            raise AssertionError(f"{label}: ids present that should not be: {sorted(present)}")
    if "same_member" in expect:
        path = expect["same_member"]
        if not isinstance(result, list) or not result:
            raise AssertionError(f"{label}: same_member: the result is not a non-empty array")
        values = [_member_at(item, path) for item in result]
        if any(v is UNSET or v is None for v in values) or len({json.dumps(v) for v in values}) != 1:
            raise AssertionError(f"{label}: {path} is not one value on every item: {values!r}")
    if "absent_member" in expect:
        path = expect["absent_member"]
        if not isinstance(result, list):
            raise AssertionError(f"{label}: absent_member: the result is not an array")
        having = [item for item in result if _member_at(item, path) is not UNSET]
        if having:
            raise AssertionError(f"{label}: items that have {path}: {json.dumps(having)[:500]}")


def _member_at(item: Any, path: str) -> Any:
    """The member at a dotted path (``headers.idempotency-key``), or UNSET when absent."""
    node = item
    for seg in path.split("."):
        if not isinstance(node, dict) or seg not in node:
            return UNSET
        node = node[seg]
    return node


def _only(args: Mapping[str, Any], allowed: set[str], call: str) -> None:
    extra = set(args) - allowed
    if extra:
        raise ScenarioError(f"{call}: unknown argument(s) {sorted(extra)}")


def _object(args: Mapping[str, Any], key: str, call: str) -> dict[str, Any]:
    value = args.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{call}: {key} must be an object")
    return value


def _options(args: Mapping[str, Any], info: omp_sdk.ResponseInfo) -> omp_sdk.RequestOptions:
    """Request options from the scenario arguments ``if_match`` and ``idempotency_key``."""
    options: omp_sdk.RequestOptions = {"response": info}
    if "if_match" in args:
        options["if_match"] = args["if_match"]
    if "idempotency_key" in args:
        options["idempotency_key"] = args["idempotency_key"]
    return options


async def _walk(client: Any, is_async: bool, args: Mapping[str, Any], call: str) -> list[Any]:
    """Walk a list page by page, writing between pages as ``between_pages`` says; every item, in order."""
    between = _object(args, "between_pages", call)
    _only(between, {"create", "delete_first"}, f"{call} between_pages")
    m = client.memories
    out: list[Any] = []
    page = await m.list(**_object(args, "query", call)) if is_async else m.list(**_object(args, "query", call))
    while page is not None:
        out.extend(page.items)
        if not page.has_next_page():
            break
        writes = []
        if "create" in between:
            writes.append(m.create(**_object(between, "create", call)))
        if between.get("delete_first") is True and page.items:
            writes.append(m.delete(page.items[0]["id"]))
        for w in writes:
            if is_async:
                await w
        page = await page.next_page() if is_async else page.next_page()
    return out


async def call_sdk(
    client: Any, is_async: bool, call: str, args: Mapping[str, Any], proxy_url: str
) -> tuple[Any, str | None]:
    """Perform one scenario call with the SDK; return its result as the README's table defines it, and the
    response's ETag when it had one."""

    async def done(value: Any) -> Any:
        return await value if is_async else value

    m = client.memories if call not in ("$faults",) else None
    info = omp_sdk.ResponseInfo()
    if call == "createMemory":
        _only(args, {"body", "idempotency_key"}, call)
        result = await done(m.create(**_object(args, "body", call), request_options=_options(args, info)))
        return result, info.etag
    if call == "getMemory":
        _only(args, {"id"}, call)
        result = await done(m.get(args["id"], request_options=_options(args, info)))
        return result, info.etag
    if call == "updateMemory":
        _only(args, {"id", "body", "if_match"}, call)
        result = await done(m.update(args["id"], **_object(args, "body", call), request_options=_options(args, info)))
        return result, info.etag
    if call == "deleteMemory":
        _only(args, {"id", "if_match"}, call)
        return await done(m.delete(args["id"], request_options=_options(args, info))), None
    if call == "listMemories.walk":
        _only(args, {"query", "between_pages"}, call)
        return await _walk(client, is_async, args, call), None
    return await _call_other(client, is_async, call, args, proxy_url), None


async def _call_other(client: Any, is_async: bool, call: str, args: Mapping[str, Any], proxy_url: str) -> Any:
    async def done(value: Any) -> Any:
        return await value if is_async else value

    m = client.memories if call not in ("$faults",) else None
    if call in ("listMemories", "listMemories.all", "searchMemories", "searchMemories.all"):
        key = "query" if call.startswith("list") else "body"
        _only(args, {key}, call)
        method = m.list if call.startswith("list") else m.search
        pages = method(**_object(args, key, call))
        if call.endswith(".all"):
            if is_async:
                return [item async for item in pages]
            return list(pages)
        page = await pages if is_async else pages
        return page.body
    if call == "exportMemories":
        _only(args, set(), call)
        return await done(client.export())
    if call == "importMemories":
        _only(args, {"file", "conflict"}, call)
        extra = {"conflict": args["conflict"]} if "conflict" in args else {}
        return await done(client.import_(args["file"], **extra))
    if call == "getHealth":
        _only(args, set(), call)
        return await done(client.health())
    if call == "getMe":
        _only(args, set(), call)
        return await done(client.me())
    if call == "$faults":
        _only(args, {"method", "path", "origin"}, call)
        r = httpx.get(f"{proxy_url}/__faults", timeout=10)
        r.raise_for_status()
        return [
            q
            for q in r.json()["requests"]
            if ("method" not in args or q["method"] == args["method"])
            and ("path" not in args or q["path"] == args["path"])
            and ("origin" not in args or q.get("origin") == args["origin"])
        ]
    raise ScenarioError(f"unknown call {call!r}")


class ScenarioRun:
    """One execution of one scenario file with one client flavour."""

    def __init__(self, path: Path, harness: Any, is_async: bool) -> None:
        self.path = path
        self.harness = harness
        self.is_async = is_async
        self.scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        self.clients: dict[str, Any] = {}
        old = self.scenario.get("server") == "0.3"
        self.url = harness.url_03 if old else harness.url
        self.proxy_url = harness.proxy_url_03 if old else harness.proxy_url

    def _client(self, token: str) -> Any:
        if token not in self.clients:
            opts = self.scenario.get("client", {})
            unknown = set(opts) - CLIENT_KEYS
            if unknown:
                raise ScenarioError(f"unknown client option(s) {sorted(unknown)}")
            keys = {"a": self.harness.token, "b": self.harness.token_b, "none": "", "invalid": INVALID_KEY}
            if token not in keys:
                raise ScenarioError(f"unknown token {token!r}")
            kwargs: dict[str, Any] = {
                "base_url": self.proxy_url if "faults" in self.scenario else self.url,
                "api_key": keys[token],  # "" means no key at all (not even $OMP_API_KEY)
            }
            if "max_retries" in opts:
                kwargs["max_retries"] = opts["max_retries"]
            if "timeout_ms" in opts:
                kwargs["timeout"] = opts["timeout_ms"] / 1000
            self.clients[token] = AsyncOmpClient(**kwargs) if self.is_async else OmpClient(**kwargs)
        return self.clients[token]

    async def run(self) -> None:
        unknown = set(self.scenario) - {"description", "requirements", "server", "client", "faults", "steps"}
        if unknown:
            raise ScenarioError(f"unknown scenario member(s) {sorted(unknown)}")
        if "faults" in self.scenario:
            r = httpx.put(f"{self.proxy_url}/__faults", json=self.scenario["faults"], timeout=10)
            if r.status_code != 200:
                raise ScenarioError(f"the proxy refused the faults: {r.status_code} {r.text}")
        run = run_token()
        saved: dict[str, Any] = {}
        default_token = self.scenario.get("client", {}).get("token", "a")
        try:
            for i, step in enumerate(self.scenario["steps"]):
                unknown = set(step) - STEP_KEYS
                if unknown:
                    raise ScenarioError(f"step {i}: unknown member(s) {sorted(unknown)}")
                call = step["call"]
                label = f"step {i} ({call})"
                if call == "$faults" and "faults" not in self.scenario:
                    raise ScenarioError(f"{label}: $faults needs a faults member (the client must use the proxy)")
                args = substitute(step.get("args", {}), saved, run)
                expect = substitute(step["expect"], saved, run)
                client = self._client(step.get("token", default_token))
                result: Any = None
                etag: str | None = None
                error: BaseException | None = None
                try:
                    result, etag = await call_sdk(client, self.is_async, call, args, self.proxy_url)
                except OmpError as e:
                    error = e
                check(expect, result, error, label)
                if "save" in step:
                    saved[step["save"]] = result
                if "save_etag" in step:
                    if etag is None:
                        raise AssertionError(f"{label}: the response carried no ETag to save")
                    saved[step["save_etag"]] = etag
        finally:
            for c in self.clients.values():
                if self.is_async:
                    await c.aclose()
                else:
                    c.close()
