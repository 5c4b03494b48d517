"""Provenance of a JSON output: which kingmaker, which method, which options, which inputs.

Every JSON output of the command line and of the web API carries a ``"provenance"`` block built
here, so a saved result says how to reproduce it::

    {"kingmaker": "0.1.0", "method": "coalitions", "options": {"threshold": "absolute"},
     "inputs": [{"name": "uk-2010", "sha256": "..."}]}

An input is hashed from its bytes: a path is read, bytes and text (UTF-8) are hashed as given,
and any other object is hashed through its JSON form (``to_dict()`` where it has one), so an
embedded preset or a parliament typed on the command line is pinned too. Options are made
JSON-safe (non-finite floats become ``None``, unknown objects their ``str``); :func:`json_ready`
and :func:`frame_html` are the shared ends of the result types' ``to_dict(places=None)`` and
``_repr_html_()``.

A low layer: it imports nothing of kingmaker but the version.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

#: Bytes read at a time when hashing a file.
CHUNK = 1 << 20


def json_safe(value: Any) -> Any:
    """``value`` with every part JSON-serialisable and finite (for ``allow_nan=False``)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [json_safe(v) for v in items]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return json_safe(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


class Digest(str):
    """A SHA-256 already computed (hex), passed as an input so it is not hashed again (a server
    hashes its base tables once, not per request)."""


def json_ready(value: Any, places: int | None = None) -> Any:
    """:func:`json_safe`, with every float rounded to ``places`` decimals when given: the
    ``to_dict(places=None)`` of the result types ends here, so it always survives
    ``json.dumps(..., allow_nan=False)``."""
    safe = json_safe(value)
    return safe if places is None else _round(safe, places)


def _round(value: Any, places: int) -> Any:
    if isinstance(value, float):
        return round(value, places)
    if isinstance(value, dict):
        return {k: _round(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v, places) for v in value]
    return value


def json_result(method: Callable[[Any], Any]) -> Callable[..., Any]:
    """Decorate a result type's plain ``to_dict(self)`` into the contract's ``to_dict(self,
    places=None)``: the same dict made JSON-safe by :func:`json_ready`, floats rounded to
    ``places`` decimals when given."""

    def to_dict(self: Any, places: int | None = None) -> Any:
        return json_ready(method(self), places)

    to_dict.__name__ = method.__name__
    to_dict.__qualname__ = method.__qualname__
    to_dict.__doc__ = method.__doc__
    return to_dict


def frame_html(obj: Any, caption: str = "") -> str:
    """``_repr_html_`` from ``obj.to_frame()``, under an optional escaped caption."""
    import html

    head = f"<p>{html.escape(caption)}</p>" if caption else ""
    return head + obj.to_frame()._repr_html_()


def sha256_of(source: Any) -> str:
    """SHA-256 (hex) of a path's bytes, of bytes or text, or of an object's canonical JSON
    (a :class:`Digest` is returned as it is)."""
    if isinstance(source, Digest):
        return str(source)
    digest = hashlib.sha256()
    if isinstance(source, Path):
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
    elif isinstance(source, bytes | bytearray | memoryview):
        digest.update(bytes(source))
    elif isinstance(source, str):
        digest.update(source.encode("utf-8"))
    else:
        data = source.to_dict() if hasattr(source, "to_dict") else source
        digest.update(json.dumps(json_safe(data), sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


def provenance(
    method: str, options: Mapping[str, Any] | None = None, inputs: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The provenance block: kingmaker version, ``method`` (a command or a method name), the
    JSON-safe ``options`` and, for each named input, its SHA-256 (see :func:`sha256_of`)."""
    from kingmaker import __version__

    return {
        "kingmaker": __version__,
        "method": method,
        "options": json_safe(dict(options or {})),
        "inputs": [{"name": str(name), "sha256": sha256_of(src)} for name, src in (inputs or {}).items()],
    }


def with_provenance(data: Any, block: dict[str, Any], key: str = "items") -> dict[str, Any]:
    """``data`` (a dict, or a list wrapped as ``{key: data}``) with ``"provenance"`` added."""
    out = dict(data) if isinstance(data, Mapping) else {key: data}
    out["provenance"] = block
    return out


__all__ = [
    "Digest",
    "frame_html",
    "json_ready",
    "json_result",
    "json_safe",
    "provenance",
    "sha256_of",
    "with_provenance",
]
