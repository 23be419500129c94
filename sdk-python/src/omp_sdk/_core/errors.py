"""Typed errors: one class per failure kind, all extending :class:`OmpError`.

Callers branch with ``except NotFoundError`` instead of comparing status codes. The wire envelope is
``{"error", "message", "details", "request_id"}`` (SPEC.md §9.1). The tree mirrors the TypeScript SDK's
(sdk-ts/src/core/errors.ts) so the two SDKs fail the same way for the same response.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "ConnectionError",
    "NotFoundError",
    "OmpError",
    "PayloadTooLargeError",
    "PermissionError",
    "PreconditionFailedError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "Violation",
    "error_from_response",
    "retry_after_seconds",
]

# PermissionError, ConnectionError and TimeoutError mirror the TS SDK's names; they shadow the builtins of the
# same name only where they are imported (``from omp_sdk import TimeoutError``), never the builtins themselves.


class OmpError(Exception):
    """Base of every error the SDK raises: an HTTP error response, or a failure to get one."""

    status: int | None
    """HTTP status; None when no response arrived (connection failure, timeout)."""
    code: str
    """The envelope's ``error`` code (``memory_not_found``...), or a client-side code (``connection_error``, ``timeout``)."""
    message: str
    """Human-readable message: the envelope's ``message`` when the server sent one."""
    details: dict[str, Any]
    """The envelope's ``details`` object ({} when absent)."""
    request_id: str | None
    """The server's request id (envelope ``request_id`` or the ``X-Request-Id`` header), for support tickets."""
    headers: Mapping[str, str]
    """Response headers (case-insensitive when they came from httpx); empty when no response arrived."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details if details is not None else {}
        self.request_id = request_id
        self.headers = headers if headers is not None else {}

    def __str__(self) -> str:
        where = f"HTTP {self.status} " if self.status is not None else ""
        rid = f" (request {self.request_id})" if self.request_id else ""
        return f"{where}{self.code}: {self.message}{rid}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


Violation = dict[str, str]
"""One violation of a ``validation_error``: ``{"path": "/source/tool", "message": "is required"}``."""


class ValidationError(OmpError):
    """400 ``malformed_json`` or 422 (``validation_error``, ``unsupported_version``, ``no_api_key``): the request was wrong."""

    @property
    def errors(self) -> list[Violation]:
        """Every violation the server listed (``details.errors``); empty when it listed none."""
        found = self.details.get("errors")
        if not isinstance(found, list):
            return []
        return [v for v in found if isinstance(v, dict)]


class AuthenticationError(OmpError):
    """401: the API key is missing, malformed or unknown."""


class PermissionError(OmpError):  # noqa: A001 - mirrors the TS SDK's class name
    """403: the key lacks a scope, or a per-tool key touched another tool's memory."""


class NotFoundError(OmpError):
    """404: the memory does not exist, has expired or is not visible to this key (or the route is unknown)."""


class ConflictError(OmpError):
    """409: a request with the same ``Idempotency-Key`` is still being processed (``idempotency_key_in_use``)."""


class PreconditionFailedError(OmpError):
    """412 ``precondition_failed``: the memory changed since the ``ETag`` given in ``if_match``, or a bulk delete's
    ``expected_count`` differs from the matches (``details["matched"]``). Nothing changed."""


class PayloadTooLargeError(OmpError):
    """413: the body exceeds the server's ``limits.max_body_bytes`` / ``max_import_bytes``."""


class UnsupportedMediaTypeError(OmpError):
    """415: the server did not accept the request's media type."""


class RateLimitError(OmpError):
    """429: too many requests; :attr:`retry_after` says how long the server asked to wait."""

    @property
    def retry_after(self) -> float | None:
        """Seconds from the ``Retry-After`` header, when it had a usable value."""
        return retry_after_seconds(self.headers)


class ServerError(OmpError):
    """5xx: the server failed (``internal_error``, ``ai_error``, ``unavailable``, or a gateway error)."""


class ConnectionError(OmpError):  # noqa: A001 - mirrors the TS SDK's class name
    """No response: DNS, refused or reset connection, TLS, or a body cut short."""


class TimeoutError(ConnectionError):  # noqa: A001 - mirrors the TS SDK's class name
    """The call's single deadline (``timeout``, across every retry) passed."""


class RedirectError(OmpError):
    """A redirect the client refused to follow (OMP-CLIENT-008): from https to http (``insecure_redirect``) or one
    hop too many (``too_many_redirects``). ``status`` and ``headers`` are the redirect response's; never retried."""

    location: str
    """The refused target, resolved against the request's URL."""

    def __init__(self, message: str, *, code: str, status: int, location: str, headers: Mapping[str, str]) -> None:
        super().__init__(message, code=code, status=status, headers=headers)
        self.location = location


_by_status: dict[int, type[OmpError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: ValidationError,
    429: RateLimitError,
}

_digits = re.compile(r"^\d+$")


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).

    None when absent or unusable; a date in the past gives 0.
    """
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    value = raw.strip()
    if _digits.match(value):
        return float(int(value))
    if not re.search(r"[a-z]", value, re.IGNORECASE):  # a date names its day and month; "-1" is no date
        return None
    from email.utils import parsedate_to_datetime  # rare path; email.utils is slow to import

    try:
        at = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, at - (time.time() if now is None else now))


def error_from_response(status: int, headers: Mapping[str, str], text: str) -> OmpError:
    """The typed error for a non-2xx response, from its status, headers and (possibly non-JSON) body text.

    Unknown error codes are handled by status (OMP-CLIENT-002): the class comes from the status alone.
    """
    import json  # only on the error path

    env: dict[str, Any] = {}
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None  # not JSON (a proxy's HTML page, an empty body): fall back to the status line
    if isinstance(parsed, dict):
        env = parsed
    code = env.get("error")
    message = env.get("message")
    details = env.get("details")
    request_id = env.get("request_id")
    cls = _by_status.get(status) or (ServerError if status >= 500 else OmpError)
    return cls(
        message if isinstance(message, str) else f"HTTP {status}" + (f": {text[:200]}" if text else ""),
        code=code if isinstance(code, str) else f"http_{status}",
        status=status,
        details=details if isinstance(details, dict) else None,
        request_id=request_id if isinstance(request_id, str) else _header(headers, "x-request-id"),
        headers=headers,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by lower-case name, from httpx.Headers (case-insensitive) or a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    for key, v in headers.items():
        if key.lower() == name:
            return v
    return None
