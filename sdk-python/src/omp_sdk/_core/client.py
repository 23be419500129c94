"""The hand-written bases of the generated ``OmpClient`` and ``AsyncOmpClient``: settings, defaults, the
httpx client's life cycle, and the low-level calls every generated method uses.

httpx is imported when a client is constructed, not when ``omp_sdk`` is imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .operation import Operation, PageSpec, Settings
from .pagination import AsyncPagePromise, SyncPage
from .types import RequestOptions
from .versions import Negotiation

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncBaseClient", "SyncBaseClient"]

DEFAULT_TIMEOUT = 60.0
"""Seconds: one deadline for each call, retries and waits included."""
DEFAULT_MAX_RETRIES = 2

_Self = TypeVar("_Self")


def _settings(
    base_url: str | None,
    api_key: str | None,
    max_retries: int,
    timeout: float,
    headers: Mapping[str, str] | None,
    spec_version: str | None = None,
) -> Settings:
    url = base_url if base_url is not None else os.environ.get("OMP_SERVER")
    if not url:
        raise ValueError("OmpClient: pass base_url=... or set OMP_SERVER (e.g. http://127.0.0.1:3456)")
    if not re.match(r"^https?://", url, re.IGNORECASE):
        raise ValueError(f"OmpClient: base_url must be an http(s) URL, got {url!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"OmpClient: max_retries must be an integer >= 0, got {max_retries!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"OmpClient: timeout must be a number of seconds > 0, got {timeout!r}")
    key = api_key if api_key is not None else os.environ.get("OMP_API_KEY")
    return Settings(
        url.rstrip("/"), key or None, max_retries, float(timeout), dict(headers or {}), Negotiation(spec_version)
    )


class SyncBaseClient:
    """Settings, defaults and the low-level ``_request`` / ``_request_page`` calls of the sync client."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        spec_version: str | None = None,
    ) -> None:
        """Create a client.

        :param base_url: server root, e.g. ``http://127.0.0.1:3456``; default ``$OMP_SERVER``.
        :param api_key: sent as ``Authorization: Bearer <key>``; default ``$OMP_API_KEY``; omit for health only.
        :param max_retries: retries after a retryable failure (SPEC.md §9.3); default 2.
        :param timeout: one deadline in seconds for each call, retries and waits included; default 60.
        :param headers: extra headers on every request.
        :param http_client: your own ``httpx.Client`` (proxies, TLS, transports); you then close it yourself.
        :param spec_version: the OMP version to speak (``"0.3"`` or ``"0.4"``), when you know the server's; by
            default the client learns it (health ``versions`` or the ``OMP-Version`` header) and speaks the newest
            both know.
        """
        import httpx

        from . import transport

        self._settings = _settings(base_url, api_key, max_retries, timeout, headers, spec_version)
        self._transport = transport
        self._owns_http = http_client is None
        self._http: httpx.Client = http_client if http_client is not None else httpx.Client()
        self._init_resources()

    def _init_resources(self) -> None:
        """Attach the resource groups (``client.memories``); the generated client overrides it."""

    @property
    def base_url(self) -> str:
        """The server root this client talks to."""
        return self._settings.base_url

    @property
    def spec_version(self) -> str | None:
        """The OMP version negotiated with the server, or None until the client has learnt it."""
        return self._settings.negotiation.version

    def _request(self, op: Operation, options: RequestOptions | None = None) -> Any:
        """Send an operation; return its parsed JSON body (None for 204) or raise an OmpError."""
        return self._transport.send(self._http, self._settings, op, options)

    def _request_page(
        self, op: Operation, spec: PageSpec, options: RequestOptions | None = None
    ) -> SyncPage[Any, Any]:
        """Send an offset-paginated operation; return its first page."""

        def fetch(o: Operation) -> Any:
            return self._transport.send(self._http, self._settings, o, options)

        return SyncPage(fetch, op, spec, fetch(op))

    def close(self) -> None:
        """Close the connection pool (unless you passed your own ``http_client``)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncBaseClient:
    """Settings, defaults and the low-level calls of the asyncio client."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        spec_version: str | None = None,
    ) -> None:
        """Create a client; the arguments are those of :class:`SyncBaseClient` (``http_client`` async)."""
        import httpx

        from . import transport

        self._settings = _settings(base_url, api_key, max_retries, timeout, headers, spec_version)
        self._transport = transport
        self._owns_http = http_client is None
        self._http: httpx.AsyncClient = http_client if http_client is not None else httpx.AsyncClient()
        self._init_resources()

    def _init_resources(self) -> None:
        """Attach the resource groups (``client.memories``); the generated client overrides it."""

    @property
    def base_url(self) -> str:
        """The server root this client talks to."""
        return self._settings.base_url

    @property
    def spec_version(self) -> str | None:
        """The OMP version negotiated with the server, or None until the client has learnt it."""
        return self._settings.negotiation.version

    async def _request(self, op: Operation, options: RequestOptions | None = None) -> Any:
        """Send an operation; return its parsed JSON body (None for 204) or raise an OmpError."""
        return await self._transport.send_async(self._http, self._settings, op, options)

    def _request_page(
        self, op: Operation, spec: PageSpec, options: RequestOptions | None = None
    ) -> AsyncPagePromise[Any, Any]:
        """An offset-paginated operation: await it for the first page, or ``async for`` over every item."""

        async def fetch(o: Operation) -> Any:
            return await self._transport.send_async(self._http, self._settings, o, options)

        return AsyncPagePromise(fetch, op, spec)

    async def aclose(self) -> None:
        """Close the connection pool (unless you passed your own ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
