"""Small shared types: the "argument not given" sentinel and per-call request options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypedDict

__all__ = ["NOT_GIVEN", "NotGiven", "RequestOptions", "ResponseInfo", "omit_not_given"]


class NotGiven:
    """Type of :data:`NOT_GIVEN`: marks an argument the caller left out.

    It keeps "absent" apart from ``None``: ``client.memories.update(id, namespace=None)`` clears the namespace
    (sends ``"namespace": null``), while leaving ``namespace`` out keeps it unchanged (sends nothing).
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""The default of every optional argument; never sent."""


class RequestOptions(TypedDict, total=False):
    """Per-call overrides of the client's settings (the ``request_options=`` argument of every method)."""

    timeout: float
    """Deadline in seconds for the whole call, retries and waits included."""
    max_retries: int
    """Retries after the first attempt."""
    headers: Mapping[str, str]
    """Extra request headers for this call."""
    if_match: str
    """Update or delete only if the memory still has this ``ETag`` (see :class:`ResponseInfo`); otherwise the call
    raises :class:`~omp_sdk.PreconditionFailedError` and changes nothing (SPEC.md §5.8). Needs a 0.4 server."""
    idempotency_key: str
    """The ``Idempotency-Key`` of a create, import or bulk delete (SPEC.md §5.9); by default a fresh UUID per call,
    reused by its retries. Sent only to servers of 0.4 or later."""
    response: ResponseInfo
    """Filled with the status and headers of the successful response (its ``etag``, for instance)."""


class ResponseInfo:
    """Receives the status and headers of a call's successful response.

    ``info = ResponseInfo(); m = client.memories.get(id, request_options={"response": info}); info.etag``
    """

    status: int | None
    headers: Mapping[str, str]

    def __init__(self) -> None:
        self.status = None
        self.headers = {}

    @property
    def etag(self) -> str | None:
        """The response's ``ETag`` (memories, since 0.4): pass it as ``if_match`` to update or delete safely."""
        return self.headers.get("etag")



def omit_not_given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The members whose value is not :data:`NOT_GIVEN`, in order (None is kept: it is JSON null)."""
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven)}
