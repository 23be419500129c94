"""URL building. Every path parameter goes through :func:`path_segment`, the one place that encodes them,
so an id can never change the path it is placed in (``../export``, ``a/b``, ``?x=1``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["QueryValue", "expand_path", "path_segment", "query_params"]

QueryValue = str | int | float | bool | list[str] | list[int] | tuple[str, ...] | None
"""A scalar or list query value; lists are sent comma-separated (OpenAPI ``style: form, explode: false``)."""

_placeholder = re.compile(r"\{([^}]+)\}")


def path_segment(value: str) -> str:
    """Percent-encode one path segment; '', '.' and '..' are refused (URL normalisation would resolve them)."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"path parameter must be a non-empty string other than . and .., got {value!r}")
    from urllib.parse import quote  # at first use: urllib.parse (and ipaddress) would slow `import omp_sdk`

    return quote(value, safe="")


def expand_path(template: str, params: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders of a path template from ``params``, each through :func:`path_segment`."""
    return _placeholder.sub(lambda m: path_segment(params[m.group(1)]), template)


def query_params(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    """Query pairs in the given order; None and empty lists are left out, lists joined with commas."""
    out: list[tuple[str, str]] = []
    for key, raw in params.items():
        if raw is None:
            continue
        if isinstance(raw, (list, tuple)):
            if not raw:
                continue
            out.append((key, ",".join(str(v) for v in raw)))
        elif isinstance(raw, bool):
            out.append((key, "true" if raw else "false"))
        else:
            out.append((key, str(raw)))
    return out
