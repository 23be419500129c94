"""When to retry and how long to wait (SPEC.md §9.3, last paragraph).

- Only 408, 429, 500, 502 and 503 responses and connection failures are retried, and only for operations that
  are safe to repeat: every GET, PUT and DELETE, search, and import under ``skip`` or ``overwrite``.
- Create, import and bulk delete are safe once they carry an ``Idempotency-Key``, which the transport adds for
  servers of 0.4 or later (versions.py, SPEC.md §16 OMP-CLIENT-005).
- A create without one is not idempotent: it is retried only when the request certainly did not reach the
  server (the connection could not be opened), never after a response, whatever its status.
- Waits grow exponentially with jitter; a ``Retry-After`` header (seconds or HTTP date) is honoured, and one
  longer than :data:`MAX_RETRY_AFTER` ends the retries.
"""

from __future__ import annotations

import random as _random

__all__ = ["MAX_RETRY_AFTER", "RETRYABLE_STATUSES", "backoff", "retryable_status"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503})
"""The statuses SPEC.md §9.3 lets a client retry."""

MAX_RETRY_AFTER = 60.0
"""Longest wait in seconds the client accepts from ``Retry-After``; a longer one ends the retries."""


def retryable_status(status: int, safe: bool) -> bool:
    """Whether a response status may be retried; ``safe`` is the operation's (or this call's) idempotency."""
    return safe and status in RETRYABLE_STATUSES


def backoff(attempt: int, retry_after: float | None, rand: float | None = None) -> float:
    """Seconds before retry number ``attempt`` (1-based).

    The server's ``Retry-After`` when given; else 0.5 s * 2^(attempt-1) capped at 8 s, minus up to 25 % jitter
    so that clients that failed together spread out.
    """
    if retry_after is not None:
        return retry_after
    base: float = min(8.0, 0.5 * 2.0 ** (attempt - 1))
    r = _random.random() if rand is None else rand
    return base * (1 - 0.25 * r)
