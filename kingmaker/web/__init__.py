"""The local web page of kingmaker: ``kingmaker serve`` and ``kingmaker live``.

Presentation only: every number comes from the library (:mod:`kingmaker.coalitions`,
:mod:`kingmaker.power`, :mod:`kingmaker.projection`, the counting rules). Needs the optional
dependencies ``fastapi`` and ``uvicorn`` (and ``duckdb`` for live mode).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from kingmaker.web.app import create_app

        return create_app
    raise AttributeError(name)
