"""Python SDK of the Open Memory Protocol (OMP) 0.4 (and 0.3 servers).

``OmpClient`` (sync) and ``AsyncOmpClient`` (asyncio) on httpx; typed models (TypedDicts) generated from the
spec's JSON Schemas; typed errors; retries with backoff and ``Retry-After``; one deadline per call;
auto-pagination. Importing this package does not import httpx: the first client constructed does.
"""

from ._core.errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    NotFoundError,
    OmpError,
    PayloadTooLargeError,
    PermissionError,
    PreconditionFailedError,
    RateLimitError,
    RedirectError,
    ServerError,
    TimeoutError,
    UnsupportedMediaTypeError,
    ValidationError,
    Violation,
)
from ._core.pagination import AsyncPage, AsyncPagePromise, SyncPage
from ._core.types import NOT_GIVEN, NotGiven, RequestOptions, ResponseInfo
from ._core.versions import SDK_VERSION, SDK_VERSIONS
from ._generated import *  # noqa: F403 - the clients and every model, listed in _generated.__all__
from ._generated import __all__ as _generated_all

__version__ = "0.4.0"

__all__ = [
    "NOT_GIVEN",
    "SDK_VERSION",
    "SDK_VERSIONS",
    "AsyncPage",
    "AsyncPagePromise",
    "AuthenticationError",
    "ConflictError",
    "ConnectionError",
    "NotFoundError",
    "NotGiven",
    "OmpError",
    "PayloadTooLargeError",
    "PermissionError",
    "PreconditionFailedError",
    "RateLimitError",
    "RedirectError",
    "RequestOptions",
    "ResponseInfo",
    "ServerError",
    "SyncPage",
    "TimeoutError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "Violation",
]
__all__ += _generated_all
