"""The redirect policy (OMP-CLIENT-008) over httpx.MockTransport, for the sync and async clients.

The scenario harness serves plain http only, so the https -> http refusal, the hop bound and the method rules
are checked here with a fake transport that records every request; same- and cross-origin redirects over real
sockets are the scenarios ``redirect-*.json``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from omp_sdk import AsyncOmpClient, OmpClient, OmpError, RedirectError
from omp_sdk._core.redirect import MAX_REDIRECTS

KEY = "k" * 40


class Fake:
    """Answers each URL from ``routes`` (status, Location) or with 200 and a JSON object; records requests."""

    def __init__(self, routes: dict[str, tuple[int, str | None]]) -> None:
        self.routes = routes
        self.seen: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(
            {
                "method": request.method,
                "url": str(request.url),
                "auth": request.headers.get("authorization"),
                "content_type": request.headers.get("content-type"),
                "body": request.content.decode(),
            }
        )
        route = self.routes.get(str(request.url))
        if route is None:
            return httpx.Response(200, json={"id": "mem_1", "principal": "p"})
        status, location = route
        return httpx.Response(status, headers={"location": location} if location else {})


def call(flavour: str, base: str, fake: Fake, fn: str, **kwargs: Any) -> Any:
    """Run ``fn`` (``me`` or ``create``) on a sync or async client whose transport is ``fake``."""
    # spec_version 0.3: no health request first, so the fake sees only the call's own requests.
    common: dict[str, Any] = {"base_url": base, "api_key": KEY, "max_retries": 2, "spec_version": "0.3"}
    if flavour == "sync":
        with OmpClient(**common, http_client=httpx.Client(transport=httpx.MockTransport(fake))) as c:
            return getattr(c.memories if fn == "create" else c, fn)(**kwargs)

    async def run() -> Any:
        async with AsyncOmpClient(**common, http_client=httpx.AsyncClient(transport=httpx.MockTransport(fake))) as c:
            return await getattr(c.memories if fn == "create" else c, fn)(**kwargs)

    return asyncio.run(run())


FLAVOURS = ["sync", "async"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_https_to_http_is_refused_and_not_retried(flavour: str) -> None:
    fake = Fake({"https://omp.test/v1/me": (301, "http://omp.test/v1/me")})
    with pytest.raises(RedirectError) as info:
        call(flavour, "https://omp.test", fake, "me")
    assert (info.value.code, info.value.status) == ("insecure_redirect", 301)
    assert info.value.location == "http://omp.test/v1/me"
    assert [s["url"] for s in fake.seen] == ["https://omp.test/v1/me"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_key_only_to_the_configured_origin(flavour: str) -> None:
    fake = Fake(
        {
            "http://127.0.0.1:1000/v1/me": (302, "http://127.0.0.1:2000/v1/me"),
            "http://127.0.0.1:2000/v1/me": (307, "http://127.0.0.1:1000/v1/me2"),
        }
    )
    call(flavour, "http://127.0.0.1:1000", fake, "me")
    assert [(s["url"], s["auth"]) for s in fake.seen] == [
        ("http://127.0.0.1:1000/v1/me", f"Bearer {KEY}"),
        ("http://127.0.0.1:2000/v1/me", None),
        ("http://127.0.0.1:1000/v1/me2", f"Bearer {KEY}"),
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_307_resends_method_and_body_303_becomes_a_bodyless_get(flavour: str) -> None:
    fake = Fake(
        {
            "http://omp.test/v1/memories": (307, "/v1/memories2"),
            "http://omp.test/v1/memories2": (303, "/v1/memories/mem_1"),
        }
    )
    call(flavour, "http://omp.test", fake, "create", content="x", type="semantic", source={"tool": "t"})
    first, second, third = fake.seen
    assert (second["method"], second["body"], second["content_type"]) == ("POST", first["body"], "application/json")
    assert json.loads(second["body"])["content"] == "x"
    assert (third["method"], third["url"], third["body"], third["content_type"]) == (
        "GET",
        "http://omp.test/v1/memories/mem_1",
        "",
        None,
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_redirects_are_bounded(flavour: str) -> None:
    fake = Fake({"http://omp.test/v1/me": (302, "/v1/me")})
    with pytest.raises(RedirectError) as info:
        call(flavour, "http://omp.test", fake, "me")
    assert info.value.code == "too_many_redirects"
    assert len(fake.seen) == MAX_REDIRECTS + 1


def test_a_3xx_without_location_is_an_error_response() -> None:
    fake = Fake({"http://omp.test/v1/me": (302, None)})
    with pytest.raises(OmpError) as info:
        call("sync", "http://omp.test", fake, "me")
    assert not isinstance(info.value, RedirectError)
    assert info.value.status == 302
