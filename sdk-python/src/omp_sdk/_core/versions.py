"""Version negotiation (SPEC.md §1.2, OMP-CLIENT-004), as in the TypeScript SDK (sdk-ts/src/core/versions.ts).

The SDK implements 0.3 and 0.4. It learns the versions a server implements from health ``versions`` (a body
without it lists only ``version``) or from the ``OMP-Version`` header every 0.4 response carries, and then names
the newest common version in ``OMP-Version`` on each request. Until it knows, it sends nothing a 0.3 server would
not expect; a call that needs a 0.4 feature (an ``Idempotency-Key``, an ``If-Match``) first reads health, once
per client.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SDK_VERSION", "SDK_VERSIONS", "Negotiation", "newest_common", "versions_of_health"]

SDK_VERSIONS: tuple[str, ...] = ("0.3", "0.4")
"""Every version this SDK implements, ascending."""
SDK_VERSION = "0.4"
"""The newest of them."""


def _key(v: str) -> tuple[int, int]:
    major, _, minor = v.partition(".")
    return (int(major or 0), int(minor or 0))


def newest_common(server: list[str]) -> str | None:
    """The newest version both this SDK and a server listing ``server`` implement."""
    for v in reversed(SDK_VERSIONS):
        if v in server:
            return v
    return None


def versions_of_health(body: Any) -> list[str] | None:
    """The versions a health body lists: ``versions``, or its ``version`` alone (0.3 and draft servers)."""
    if not isinstance(body, dict):
        return None
    versions = body.get("versions")
    if isinstance(versions, list):
        return [v for v in versions if isinstance(v, str)]
    version = body.get("version")
    return [version] if isinstance(version, str) else None


class Negotiation:
    """What one client knows about its server's versions."""

    def __init__(self, pinned: str | None = None) -> None:
        if pinned is not None and pinned not in SDK_VERSIONS:
            raise ValueError(f"OmpClient: spec_version must be one of {', '.join(SDK_VERSIONS)}, got {pinned!r}")
        self.version: str | None = pinned
        """The negotiated version, or None while unknown."""
        self._pinned = pinned is not None

    def at_least(self, v: str) -> bool:
        """Whether the negotiated version is ``v`` or later (False while unknown)."""
        return self.version is not None and _key(self.version) >= _key(v)

    def from_health(self, body: Any) -> None:
        """Learn from a health body."""
        if self._pinned:
            return
        listed = versions_of_health(body)
        if listed is not None:
            self.version = newest_common(listed) or "0.3"

    def from_header(self, value: str | None) -> None:
        """Learn from the ``OMP-Version`` of a response to a request that named no version.

        The server answered under the newest version it lists, so it lists that one; a version this SDK does
        not know teaches nothing.
        """
        if self._pinned or self.version is not None or value is None:
            return
        if value.strip() in SDK_VERSIONS:
            self.version = value.strip()
