"""The redirect policy (OMP-CLIENT-008), shared by the sync and async transports.

httpx is told never to follow redirects (``follow_redirects=False``); the transport follows them itself, so the
rules are explicit: at most :data:`MAX_REDIRECTS` hops; never from ``https`` to ``http``; ``Authorization`` only to
the origin the client was configured with. 307 and 308 resend the same method and body; 301, 302 and 303 resend
a request other than GET or HEAD as a GET without a body (RFC 9110 §15.4; the rule of Go's net/http, so the
three SDKs agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from .errors import RedirectError

__all__ = ["MAX_REDIRECTS", "Hop", "next_hop"]

MAX_REDIRECTS = 5
"""Redirect hops one request may take before it fails with ``too_many_redirects``."""

_FOLLOWED = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Hop:
    """The next request of a redirect chain; its headers are the first request's, minus what the policy drops."""

    method: str
    url: httpx.URL
    headers: dict[str, str]
    content: bytes | None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme))


def next_hop(
    response: httpx.Response, first_headers: dict[str, str], method: str, content: bytes | None, base_url: str, hops: int
) -> Hop | None:
    """The request ``response`` redirects to, None when it is not a redirect the client follows (another status,
    or a 3xx without ``Location``: the caller treats it as the final response), or raise :class:`RedirectError`.

    ``method`` and ``content`` are those of the request ``response`` answers; ``hops`` how many redirects the
    request already followed."""
    location = response.headers.get("location")
    if response.status_code not in _FOLLOWED or not location:
        return None
    current = response.request.url
    target = current.join(location)

    def refuse(message: str, code: str) -> RedirectError:
        return RedirectError(
            message, code=code, status=response.status_code, location=str(target), headers=response.headers
        )

    if hops >= MAX_REDIRECTS:
        raise refuse(f"More than {MAX_REDIRECTS} redirects, the last to {target}", "too_many_redirects")
    if target.scheme != "https" and (current.scheme == "https" or target.scheme != "http"):
        raise refuse(f"Refused a redirect from {current.scheme} to {target.scheme}: {target}", "insecure_redirect")
    # Every hop starts from the first request's headers, so the key reaches the configured origin only, whatever
    # the hops before (an A -> B -> A chain sends it to A again, never to B).
    headers = dict(first_headers)
    if _origin(target) != _origin(httpx.URL(base_url)):
        headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    if response.status_code not in (307, 308) and method not in ("GET", "HEAD"):
        method, content = "GET", None
    if content is None:
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return Hop(method, target, headers, content)
