"""The transport: one call = one deadline, up to ``max_retries`` retries, and a typed error for every failure.

This is the only module that imports httpx; the clients load it on construction, so ``import omp_sdk`` stays
cheap. Besides ``Authorization``, ``Accept``, ``Content-Type`` and httpx's own ``User-Agent``, a call sends the 0.4
headers (``OMP-Version``, ``Idempotency-Key``, ``If-Match``) only to a server that implements 0.4 (versions.py).

The deadline: each attempt runs with httpx timeouts equal to the time left, the body is read chunk by chunk
with the deadline checked in between, and no retry wait may end past it. A server that trickles one byte
just before each read timeout could overrun the deadline by at most one read; nothing else can.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import (
    ConnectionError,
    OmpError,
    TimeoutError,
    error_from_response,
    retry_after_seconds,
)
from .operation import Operation, Settings
from .redirect import next_hop
from .retry import MAX_RETRY_AFTER, backoff, retryable_status
from .types import RequestOptions
from .url import expand_path, query_params

__all__ = ["send", "send_async"]


@dataclass
class _Call:
    """One call's prepared request and its deadline."""

    request_args: dict[str, Any]
    max_retries: int
    timeout: float
    deadline: float
    safe: bool
    health: bool
    """The call reads health: its body teaches the client the server's versions."""
    names_version: bool
    """The request carries ``OMP-Version`` (a response header then teaches nothing)."""


def _prepare(s: Settings, op: Operation, o: RequestOptions | None) -> _Call:
    timeout = s.timeout if o is None or "timeout" not in o else o["timeout"]
    max_retries = s.max_retries if o is None or "max_retries" not in o else o["max_retries"]
    if not (timeout > 0):
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    if not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an integer >= 0, got {max_retries!r}")
    headers: dict[str, str] = {"accept": "application/json"}
    if s.api_key:
        headers["authorization"] = f"Bearer {s.api_key}"
    content: bytes | None = None
    if op.has_body:
        content = json.dumps(op.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers["content-type"] = "application/json"
    safe = _version_headers(s, op, o, headers)
    names_version = "omp-version" in headers
    headers.update(s.headers)
    if o is not None and "headers" in o:
        headers.update(o["headers"])
    args: dict[str, Any] = {
        "method": op.method,
        "url": s.base_url + expand_path(op.path, op.params),
        "params": query_params(op.query),
        "headers": headers,
        "content": content,
    }
    return _Call(
        args, max_retries, timeout, time.monotonic() + timeout, safe, op.path == _HEALTH.path, names_version
    )


_HEALTH = Operation(id="getHealth", method="GET", path="/v1/health", safe=True)


def _needs_version(op: Operation, o: RequestOptions | None) -> bool:
    """Whether the call needs the server's versions before it is sent (a 0.4 header depends on them)."""
    if op.path == _HEALTH.path:
        return False
    return op.idempotency_key or (op.conditional and o is not None and "if_match" in o)


def _version_headers(s: Settings, op: Operation, o: RequestOptions | None, headers: dict[str, str]) -> bool:
    """Add the headers of the negotiated version (OMP-CLIENT-004, OMP-CLIENT-012); return whether the request
    is safe to repeat: an operation that takes an ``Idempotency-Key`` is, once it carries one."""
    if op.path == _HEALTH.path:
        return op.safe  # health ignores OMP-Version (OMP-VER-005)
    v04 = s.negotiation.at_least("0.4")
    if v04:
        headers["omp-version"] = s.negotiation.version or ""
    if op.conditional and o is not None and "if_match" in o:
        if not v04:
            raise OmpError(
                "If-Match needs a server that implements OMP 0.4 or later; this one does not",
                code="if_match_unsupported",
            )
        headers["if-match"] = o["if_match"]
    if op.idempotency_key and v04:
        given = o.get("idempotency_key") if o is not None else None
        headers["idempotency-key"] = given if given is not None else str(uuid.uuid4())
        return True
    return op.safe


def _learn(s: Settings, call: _Call, response: httpx.Response, body: Any) -> None:
    """What a response teaches about the server's versions."""
    if not call.names_version:
        s.negotiation.from_header(response.headers.get("omp-version"))
    if call.health and 200 <= response.status_code < 300:
        s.negotiation.from_health(body)


def _record(o: RequestOptions | None, response: httpx.Response) -> None:
    info = o.get("response") if o is not None else None
    if info is not None:
        info.status = response.status_code
        info.headers = response.headers


def _timeout_error(call: _Call, cause: BaseException | None = None) -> TimeoutError:
    err = TimeoutError(f"Request timed out after {call.timeout:g} s", code="timeout")
    err.__cause__ = cause
    return err


def _connection_error(e: httpx.TransportError) -> ConnectionError:
    return ConnectionError(f"Connection failed: {type(e).__name__}: {e}", code="connection_error")


def _retryable_transport(e: httpx.TransportError, safe: bool) -> bool:
    """Network failures are retried for safe operations; a connection that never opened, for every one."""
    if isinstance(e, httpx.ConnectError):
        return True  # the request was never sent
    return safe and isinstance(e, (httpx.NetworkError, httpx.RemoteProtocolError))


def _wait(call: _Call, error: OmpError, retry_after: float | None, attempt: int) -> float:
    """Seconds to sleep before the next attempt, or raise ``error`` when waiting makes no sense."""
    if retry_after is not None and retry_after > MAX_RETRY_AFTER:
        raise error
    delay = backoff(attempt + 1, retry_after)
    # A retry that could not finish before the deadline is pointless: report the real failure now.
    if time.monotonic() + delay >= call.deadline:
        raise error
    return delay


def _result(call: _Call, response: httpx.Response, content: bytes) -> Any:
    """The parsed body of a 2xx (None for 204 or empty), or raise the typed error of a non-2xx."""
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not content:
            return None
        try:
            return json.loads(content)
        except ValueError as e:
            raise OmpError(
                f"Response is not valid JSON (HTTP {status})",
                code="invalid_response",
                status=status,
                headers=response.headers,
                request_id=response.headers.get("x-request-id"),
            ) from e
    raise error_from_response(status, response.headers, content.decode("utf-8", errors="replace"))


def _left(call: _Call) -> float:
    left = call.deadline - time.monotonic()
    if left <= 0:
        raise _timeout_error(call)
    return left


def send(client: httpx.Client, s: Settings, op: Operation, o: RequestOptions | None) -> Any:
    """Send ``op`` with the retry policy; return the parsed JSON of the first 2xx or raise an OmpError."""
    if s.negotiation.version is None and _needs_version(op, o):
        try:
            send(client, s, _HEALTH, None)
        except OmpError:
            pass  # not remembered: this call speaks 0.3, the next one asks again
    call = _prepare(s, op, o)
    attempt = 0
    while True:
        request = client.build_request(**call.request_args, timeout=httpx.Timeout(_left(call)))
        try:
            method, content, hops = call.request_args["method"], call.request_args["content"], 0
            while True:
                response = client.send(request, stream=True, follow_redirects=False)
                try:
                    hop = next_hop(response, call.request_args["headers"], method, content, s.base_url, hops)
                    if hop is None:
                        chunks: list[bytes] = []
                        for chunk in response.iter_bytes():
                            chunks.append(chunk)
                            _left(call)
                finally:
                    response.close()
                if hop is None:
                    break
                method, content, hops = hop.method, hop.content, hops + 1
                request = client.build_request(
                    method, hop.url, headers=hop.headers, content=content, timeout=httpx.Timeout(_left(call))
                )
        except httpx.TimeoutException as e:
            raise _timeout_error(call, e) from e
        except httpx.TransportError as e:
            err = _connection_error(e)
            if not _retryable_transport(e, call.safe) or attempt >= call.max_retries:
                raise err from e
            time.sleep(_wait(call, err, None, attempt))
            attempt += 1
            continue
        try:
            body = _result(call, response, b"".join(chunks))
            _learn(s, call, response, body)
            _record(o, response)
            return body
        except OmpError as err:
            _learn(s, call, response, None)
            if err.status is None or not retryable_status(err.status, call.safe) or attempt >= call.max_retries:
                raise
            time.sleep(_wait(call, err, retry_after_seconds(response.headers), attempt))
            attempt += 1


async def send_async(client: httpx.AsyncClient, s: Settings, op: Operation, o: RequestOptions | None) -> Any:
    """The asyncio twin of :func:`send`; task cancellation propagates unchanged."""
    if s.negotiation.version is None and _needs_version(op, o):
        try:
            await send_async(client, s, _HEALTH, None)
        except OmpError:
            pass  # not remembered: this call speaks 0.3, the next one asks again
    call = _prepare(s, op, o)
    attempt = 0
    while True:
        request = client.build_request(**call.request_args, timeout=httpx.Timeout(_left(call)))
        try:
            method, content, hops = call.request_args["method"], call.request_args["content"], 0
            while True:
                response = await client.send(request, stream=True, follow_redirects=False)
                try:
                    hop = next_hop(response, call.request_args["headers"], method, content, s.base_url, hops)
                    if hop is None:
                        chunks: list[bytes] = []
                        async for chunk in response.aiter_bytes():
                            chunks.append(chunk)
                            _left(call)
                finally:
                    await response.aclose()
                if hop is None:
                    break
                method, content, hops = hop.method, hop.content, hops + 1
                request = client.build_request(
                    method, hop.url, headers=hop.headers, content=content, timeout=httpx.Timeout(_left(call))
                )
        except httpx.TimeoutException as e:
            raise _timeout_error(call, e) from e
        except httpx.TransportError as e:
            err = _connection_error(e)
            if not _retryable_transport(e, call.safe) or attempt >= call.max_retries:
                raise err from e
            await asyncio.sleep(_wait(call, err, None, attempt))
            attempt += 1
            continue
        try:
            body = _result(call, response, b"".join(chunks))
            _learn(s, call, response, body)
            _record(o, response)
            return body
        except OmpError as err:
            _learn(s, call, response, None)
            if err.status is None or not retryable_status(err.status, call.safe) or attempt >= call.max_retries:
                raise
            await asyncio.sleep(_wait(call, err, retry_after_seconds(response.headers), attempt))
            attempt += 1
