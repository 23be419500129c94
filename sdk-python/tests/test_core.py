"""Unit tests of the runtime core (omp_sdk/_core), over real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from scripted_server import MEMORY, Reply, ScriptedServer, envelope, memory

import omp_sdk
from omp_sdk import (
    NOT_GIVEN,
    AsyncOmpClient,
    AuthenticationError,
    ConnectionError,
    NotFoundError,
    OmpClient,
    OmpError,
    PayloadTooLargeError,
    PermissionError,
    RateLimitError,
    ServerError,
    TimeoutError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from omp_sdk._core.errors import error_from_response, retry_after_seconds
from omp_sdk._core.retry import backoff, retryable_status
from omp_sdk._core.url import expand_path, path_segment, query_params

KEY = "k" * 40


def client(url: str, **kw: Any) -> OmpClient:
    return OmpClient(base_url=url, api_key=kw.pop("api_key", KEY), **kw)


# --- errors -----------------------------------------------------------------------------------------------

ERROR_CASES = [
    ("400 malformed_json", 400, envelope("malformed_json"), ValidationError, "malformed_json"),
    ("401", 401, envelope("unauthorized"), AuthenticationError, "unauthorized"),
    ("403", 403, envelope("forbidden"), PermissionError, "forbidden"),
    ("404", 404, envelope("memory_not_found"), NotFoundError, "memory_not_found"),
    ("405 has no class of its own", 405, envelope("method_not_allowed"), OmpError, "method_not_allowed"),
    ("413", 413, envelope("payload_too_large"), PayloadTooLargeError, "payload_too_large"),
    ("415", 415, envelope("unsupported_media_type"), UnsupportedMediaTypeError, "unsupported_media_type"),
    ("422", 422, envelope("validation_error", errors=[{"path": "/x", "message": "bad"}]), ValidationError, "validation_error"),
    ("429", 429, envelope("rate_limited"), RateLimitError, "rate_limited"),
    ("500", 500, envelope("internal_error"), ServerError, "internal_error"),
    ("502 unknown code, by status", 502, envelope("brand_new_code"), ServerError, "brand_new_code"),
    ("418 unknown status", 418, envelope("teapot"), OmpError, "teapot"),
]


@pytest.mark.parametrize(("name", "status", "body", "cls", "code"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_class_by_status(name: str, status: int, body: Any, cls: type, code: str) -> None:
    import json

    err = error_from_response(status, {"x-request-id": "req_1"}, json.dumps(body))
    assert type(err) is cls
    assert err.status == status and err.code == code and err.message == "m"
    assert err.request_id == "req_1"
    assert isinstance(err, OmpError)


def test_error_from_non_json_body_falls_back_to_status() -> None:
    err = error_from_response(502, {}, "<html>Bad gateway</html>")
    assert isinstance(err, ServerError)
    assert err.code == "http_502" and err.details == {} and "<html>" in err.message


def test_validation_error_lists_violations_and_envelope_request_id_wins() -> None:
    import json

    body = {**envelope("validation_error", errors=[{"path": "/tags/0", "message": "bad"}]), "request_id": "req_env"}
    err = error_from_response(422, {"X-Request-Id": "req_hdr"}, json.dumps(body))
    assert isinstance(err, ValidationError)
    assert err.errors == [{"path": "/tags/0", "message": "bad"}]
    assert err.request_id == "req_env"
    assert "validation_error" in str(err) and "req_env" in str(err)


def test_timeout_error_is_a_connection_error() -> None:
    assert issubclass(TimeoutError, ConnectionError)
    assert issubclass(ConnectionError, OmpError)


NOW = 1_800_000_000.0
RETRY_AFTER = [
    ("absent", {}, None),
    ("seconds", {"Retry-After": "3"}, 3.0),
    ("zero", {"retry-after": "0"}, 0.0),
    ("negative is no value", {"Retry-After": "-1"}, None),
    ("garbage", {"Retry-After": "soon"}, None),
    ("http date", {"Retry-After": format_datetime(datetime.fromtimestamp(NOW + 5, timezone.utc), usegmt=True)}, 5.0),
    ("past date", {"Retry-After": format_datetime(datetime.fromtimestamp(NOW - 50, timezone.utc), usegmt=True)}, 0.0),
]


@pytest.mark.parametrize(("name", "headers", "want"), RETRY_AFTER, ids=[c[0] for c in RETRY_AFTER])
def test_retry_after(name: str, headers: dict[str, str], want: float | None) -> None:
    got = retry_after_seconds(headers, now=NOW)
    assert got == (pytest.approx(want) if want is not None else None)


# --- retry policy -----------------------------------------------------------------------------------------

POLICY = [
    (408, True, True), (429, True, True), (500, True, True), (502, True, True), (503, True, True),
    (501, True, False), (504, True, False), (404, True, False), (400, True, False),
    (429, False, False), (503, False, False), (500, False, False),
]


@pytest.mark.parametrize(("status", "safe", "want"), POLICY)
def test_retryable_status_follows_spec_9_3(status: int, safe: bool, want: bool) -> None:
    assert retryable_status(status, safe) is want


def test_backoff_grows_caps_and_jitters_and_honours_retry_after() -> None:
    assert backoff(1, None, rand=0.0) == 0.5
    assert backoff(2, None, rand=0.0) == 1.0
    assert backoff(3, None, rand=1.0) == 1.5  # 2 s minus 25 % jitter
    assert backoff(10, None, rand=0.0) == 8.0
    assert backoff(1, 7.0, rand=0.5) == 7.0


# --- urls -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "want"), [("mem_abc", "mem_abc"), ("a/b", "a%2Fb"), ("../export", "..%2Fexport"), ("x?y=1", "x%3Fy%3D1"), ("é", "%C3%A9")])
def test_path_segment_encodes(value: str, want: str) -> None:
    assert path_segment(value) == want
    assert expand_path("/v1/memories/{id}", {"id": value}) == f"/v1/memories/{want}"


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_path_segment_refuses_dot_segments(value: str) -> None:
    with pytest.raises(ValueError):
        path_segment(value)


def test_query_params_join_lists_and_drop_none() -> None:
    assert query_params({"tags": ["a", "b"], "limit": 7, "x": None, "e": [], "flag": True}) == [
        ("tags", "a,b"),
        ("limit", "7"),
        ("flag", "true"),
    ]


# --- transport over HTTP ----------------------------------------------------------------------------------

def test_sends_key_json_body_and_omits_not_given_but_sends_null() -> None:
    with ScriptedServer(Reply(200, MEMORY)) as srv:
        with client(srv.url) as c:
            got = c.memories.update("mem_0123456789abcdef", namespace=None, tags=["a"], content=NOT_GIVEN)
    assert got == MEMORY
    (seen,) = srv.seen
    assert seen.method == "PUT" and seen.path == "/v1/memories/mem_0123456789abcdef"
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["content-type"] == "application/json"
    assert srv.bodies() == [{"namespace": None, "tags": ["a"]}]


def test_get_sends_no_content_type_and_list_query_is_comma_joined() -> None:
    page = {"memories": [], "total": 0, "limit": 5, "offset": 0}
    with ScriptedServer(Reply(200, page)) as srv, client(srv.url) as c:
        c.memories.list(tags=["x", "y"], limit=5, type="semantic")
    (seen,) = srv.seen
    assert seen.path.startswith("/v1/memories?")
    assert "content-type" not in seen.headers
    assert dict(p.split("=") for p in seen.path.split("?")[1].split("&")) == {"tags": "x%2Cy", "limit": "5", "type": "semantic"}


def test_no_key_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_API_KEY", "from-env")
    health = {"status": "ok"}
    with ScriptedServer(Reply(200, health)) as srv:
        with OmpClient(base_url=srv.url, api_key="") as c:
            assert c.health() == health
        with OmpClient(base_url=srv.url) as c:
            c.health()
    assert "authorization" not in srv.seen[0].headers
    assert srv.seen[1].headers["authorization"] == "Bearer from-env"


def test_delete_204_returns_none() -> None:
    with ScriptedServer(Reply(204)) as srv, client(srv.url) as c:
        assert c.memories.delete("mem_0123456789abcdef") is None


def test_retries_503_with_retry_after_then_succeeds() -> None:
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"}), Reply(200, {"ok": 1})) as srv:
        with client(srv.url) as c:
            assert c.me() == {"ok": 1}
    assert len(srv.seen) == 2


def test_retries_exhausted_raise_the_last_error() -> None:
    with ScriptedServer(Reply(500, envelope("internal_error"), {"Retry-After": "0"})) as srv:
        with client(srv.url, max_retries=3) as c, pytest.raises(ServerError) as e:
            c.me()
    assert e.value.code == "internal_error" and len(srv.seen) == 4


def test_create_is_not_retried_after_a_response() -> None:
    # Speaking 0.3, a create carries no Idempotency-Key, so a response means it must not be repeated.
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"})) as srv:
        with client(srv.url, spec_version="0.3") as c, pytest.raises(ServerError):
            c.memories.create(content="x", type="semantic", source={"tool": "t"})
    assert len(srv.seen) == 1


@pytest.mark.parametrize(("conflict", "attempts"), [(NOT_GIVEN, 3), ("overwrite", 3), ("duplicate", 1)])
def test_import_is_retried_unless_duplicate(conflict: Any, attempts: int) -> None:
    file: Any = {"omp_version": "0.3", "exported_at": "2026-01-01T00:00:00Z", "server": "x", "memories": []}
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"})) as srv:
        with client(srv.url, spec_version="0.3") as c, pytest.raises(ServerError):
            c.import_(file, conflict=conflict)
    assert len(srv.seen) == attempts


def test_import_duplicate_in_the_body_is_not_retried_either() -> None:
    file: Any = {"omp_version": "0.3", "exported_at": "2026-01-01T00:00:00Z", "server": "x", "memories": [], "conflict": "duplicate"}
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"})) as srv:
        with client(srv.url, spec_version="0.3") as c, pytest.raises(ServerError):
            c.import_(file)
    assert len(srv.seen) == 1


def test_4xx_is_never_retried() -> None:
    with ScriptedServer(Reply(404, envelope("memory_not_found"))) as srv:
        with client(srv.url) as c, pytest.raises(NotFoundError):
            c.memories.get("mem_0123456789abcdef")
    assert len(srv.seen) == 1


def test_retry_after_beyond_the_cap_ends_the_retries() -> None:
    with ScriptedServer(Reply(429, envelope("rate_limited"), {"Retry-After": "3600"})) as srv:
        with client(srv.url) as c, pytest.raises(RateLimitError) as e:
            c.me()
    assert len(srv.seen) == 1 and e.value.retry_after == 3600.0


def test_a_wait_past_the_deadline_reports_the_real_failure_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client's sleeps are recorded, not timed: a busy machine must not decide this test.
    from omp_sdk._core import transport

    slept: list[float] = []
    monkeypatch.setattr(transport.time, "sleep", slept.append)
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "5"})) as srv:
        with client(srv.url, timeout=1.0) as c, pytest.raises(ServerError):
            c.me()
    assert len(srv.seen) == 1
    assert slept == []  # it did not start the 5 s wait


def test_slow_response_raises_timeout_error() -> None:
    with ScriptedServer(Reply(200, {"ok": 1}, delay=2.0)) as srv:
        with client(srv.url, timeout=0.3) as c, pytest.raises(TimeoutError) as e:
            c.me()
    assert e.value.code == "timeout" and e.value.status is None


def test_per_call_options_override_the_client() -> None:
    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"})) as srv:
        with client(srv.url, max_retries=5) as c, pytest.raises(ServerError):
            c.me(request_options={"max_retries": 0, "headers": {"x-trace": "t1"}})
    assert len(srv.seen) == 1 and srv.seen[0].headers["x-trace"] == "t1"


def test_dropped_connection_is_retried_for_a_safe_call() -> None:
    with ScriptedServer(Reply(drop=True), Reply(200, {"status": "ok"})) as srv, client(srv.url) as c:
        assert c.health() == {"status": "ok"}
    assert len(srv.seen) == 2


def test_dropped_connection_is_not_retried_for_a_create() -> None:
    with ScriptedServer(Reply(drop=True)) as srv:
        with client(srv.url, spec_version="0.3") as c, pytest.raises(ConnectionError) as e:
            c.memories.create(content="x", type="semantic", source={"tool": "t"})
    assert len(srv.seen) == 1 and e.value.code == "connection_error"


HEALTH_04 = {"status": "ok", "version": "0.4", "versions": ["0.3", "0.4"]}


def test_a_keyed_create_is_retried_with_one_key_after_discovering_0_4() -> None:
    replies = [Reply(200, HEALTH_04), Reply(503, envelope("unavailable"), {"Retry-After": "0"}), Reply(201, MEMORY)]
    with ScriptedServer(*replies) as srv, client(srv.url) as c:
        assert c.memories.create(content="x", type="semantic", source={"tool": "t"})["id"] == MEMORY["id"]
        assert c.spec_version == "0.4"
    health, first, retry = srv.seen
    assert health.path == "/v1/health" and "omp-version" not in health.headers
    assert first.headers["omp-version"] == "0.4" and first.headers["idempotency-key"]
    assert retry.headers["idempotency-key"] == first.headers["idempotency-key"] and retry.body == first.body


def test_a_0_3_server_gets_no_0_4_header_and_if_match_is_refused() -> None:
    with ScriptedServer(Reply(200, {"status": "ok", "version": "0.3"}), Reply(201, MEMORY)) as srv, client(srv.url) as c:
        c.memories.create(content="x", type="semantic", source={"tool": "t"})
        assert c.spec_version == "0.3"
        with pytest.raises(OmpError) as e:
            c.memories.delete("mem_0123456789abcdef", request_options={"if_match": '"e1"'})
    assert e.value.code == "if_match_unsupported"
    assert [s.path for s in srv.seen] == ["/v1/health", "/v1/memories"]
    assert not {"omp-version", "idempotency-key", "if-match"} & set(srv.seen[1].headers)


def test_a_412_is_a_precondition_failed_error_and_the_etag_is_reported() -> None:
    replies = [
        Reply(200, MEMORY, {"ETag": '"v2"', "OMP-Version": "0.4"}),
        Reply(412, envelope("precondition_failed"), {"OMP-Version": "0.4"}),
    ]
    with ScriptedServer(*replies) as srv, client(srv.url) as c:
        info = omp_sdk.ResponseInfo()
        c.memories.get("mem_0123456789abcdef", request_options={"response": info})
        assert info.etag == '"v2"' and c.spec_version == "0.4"  # learnt from the response header
        with pytest.raises(omp_sdk.PreconditionFailedError):
            c.memories.update("mem_0123456789abcdef", content="y", request_options={"if_match": '"v1"'})
    assert srv.seen[1].headers["if-match"] == '"v1"' and srv.seen[1].headers["omp-version"] == "0.4"


def test_refused_connection_is_a_connection_error() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with client(f"http://127.0.0.1:{port}", max_retries=1) as c, pytest.raises(ConnectionError) as e:
        c.memories.create(content="x", type="semantic", source={"tool": "t"})
    assert not isinstance(e.value, TimeoutError)


def test_invalid_json_in_a_2xx_is_an_omp_error() -> None:
    with ScriptedServer(Reply(200, raw=b"{not json")) as srv, client(srv.url) as c, pytest.raises(OmpError) as e:
        c.me()
    assert e.value.code == "invalid_response" and e.value.status == 200


# --- pagination -------------------------------------------------------------------------------------------

def pages(total: int, limit: int, served: int | None = None) -> list[Reply]:
    """The list pages of `total` items; `served` cuts the items short (items expired meanwhile)."""
    n = total if served is None else served
    out = []
    for off in range(0, max(total, 1), limit):
        items = [memory(i) for i in range(off, min(off + limit, n))]
        out.append(Reply(200, {"memories": items, "total": total, "limit": limit, "offset": off}))
    return out


def test_sync_pagination_walks_every_item_once() -> None:
    with ScriptedServer(*pages(17, 5)) as srv, client(srv.url) as c:
        first = c.memories.list(limit=5, namespace="n")
        assert len(first.items) == 5 and first.total == 17 and first.has_next_page()
        ids = [m["id"] for m in first]
    assert ids == [f"mem_{i:016d}" for i in range(17)]
    assert [s.path.split("offset=")[-1] if "offset=" in s.path else "-" for s in srv.seen] == ["-", "5", "10", "15"]
    assert all("namespace=n" in s.path for s in srv.seen)


def test_pagination_stops_on_an_empty_page() -> None:
    with ScriptedServer(*pages(20, 5, served=7)) as srv, client(srv.url) as c:
        assert len(list(c.memories.list(limit=5))) == 7
    assert len(srv.seen) == 3  # offsets 0, 5 and the empty page at 10


def test_search_pagination_moves_the_offset_in_the_body() -> None:
    def page(off: int, n: int) -> Reply:
        return Reply(200, {"memories": [memory(off + i) for i in range(n)], "total": 5, "mode_used": "keyword", "limit": 3, "offset": off})

    with ScriptedServer(page(0, 3), page(3, 2)) as srv, client(srv.url) as c:
        assert len(list(c.memories.search(q="x", limit=3))) == 5
    assert srv.bodies() == [{"q": "x", "limit": 3}, {"q": "x", "limit": 3, "offset": 3}]


def test_iter_pages_and_next_page() -> None:
    with ScriptedServer(*pages(6, 3)) as srv, client(srv.url) as c:
        first = c.memories.list(limit=3)
        assert [len(p.items) for p in first.iter_pages()] == [3, 3]
        second = first.next_page()
        assert second is not None and second.body["offset"] == 3 and second.next_page() is None


def test_async_client_pagination_and_errors() -> None:
    async def go(url: str) -> tuple[list[str], int, str]:
        async with AsyncOmpClient(base_url=url, api_key=KEY) as c:
            ids = [m["id"] async for m in c.memories.list(limit=5)]
            first = await c.memories.list(limit=5)
            try:
                await c.memories.get("mem_x")
            except NotFoundError as e:
                return ids, first.total, e.code
        raise AssertionError("no error")

    replies = [*pages(12, 5), *pages(12, 5)[:1], Reply(404, envelope("memory_not_found"))]
    with ScriptedServer(*replies) as srv:
        ids, total, code = asyncio.run(go(srv.url))
    assert ids == [f"mem_{i:016d}" for i in range(12)] and total == 12 and code == "memory_not_found"


def test_async_retry_and_timeout() -> None:
    async def go(url: str) -> Any:
        async with AsyncOmpClient(base_url=url, api_key=KEY, timeout=5) as c:
            return await c.me()

    with ScriptedServer(Reply(503, envelope("unavailable"), {"Retry-After": "0"}), Reply(200, {"ok": 1})) as srv:
        assert asyncio.run(go(srv.url)) == {"ok": 1}
    assert len(srv.seen) == 2

    async def slow(url: str) -> Any:
        async with AsyncOmpClient(base_url=url, api_key=KEY, timeout=0.3) as c:
            return await c.health()

    with ScriptedServer(Reply(200, {}, delay=2.0)) as srv, pytest.raises(TimeoutError):
        asyncio.run(slow(srv.url))


# --- client construction, models, import ------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs",
    [{"base_url": "ftp://x"}, {"base_url": "localhost:3456"}, {"base_url": "http://x", "max_retries": -1}, {"base_url": "http://x", "timeout": 0}],
)
def test_bad_client_options_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        OmpClient(**kwargs)


def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_SERVER", "http://127.0.0.1:1/")
    with OmpClient() as c:
        assert c.base_url == "http://127.0.0.1:1"
    monkeypatch.delenv("OMP_SERVER")
    with pytest.raises(ValueError):
        OmpClient()


def test_models_keep_optional_and_nullable_apart_at_run_time() -> None:
    assert {"id", "namespace", "expires_at", "source"} <= omp_sdk.Memory.__required_keys__ | omp_sdk.Memory.__optional_keys__
    assert "expires_at" in omp_sdk.Memory.__required_keys__  # required, may be null
    assert "namespace" in omp_sdk.Memory.__required_keys__  # servers always send it (OMP-MEM-017)
    assert "namespace" in omp_sdk.ExportItem.__optional_keys__  # may be absent in draft 0.2 files
    assert "timestamp" in omp_sdk.MemorySource.__required_keys__
    assert "timestamp" in omp_sdk.Source.__optional_keys__
    assert omp_sdk.UpdateMemoryRequest.__required_keys__ == frozenset()


def test_import_does_not_load_httpx() -> None:
    code = "import sys, omp_sdk; sys.exit(1 if 'httpx' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
