"""The counting methods: :data:`METHODS`, filled by ``@METHODS.register(...)`` in each method's module.

Each entry's object is a callable ``(ballots, seats, **options) -> Result``; ``seats=None``
means the ballot file's own, else one. An entry declares its aliases, a one-line summary, the
keyword options it accepts, the decimals a count sheet shows (``places``) and its properties
(:data:`kingmaker._registry.PROPERTIES`), which ``tests/contracts/test_counting_methods.py``
checks. ``extra["inputs"]`` says what ``ballots`` is where it is not one :class:`Ballots`:
``"sections"`` (an electoral college: a mapping section name -> Ballots) or ``"pair"`` (the
MPs' then the members' ballots).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kingmaker._registry import Registry

#: name -> counting method; the modules listed register themselves on first lookup.
METHODS: Registry[Callable[..., Any]] = Registry(
    "counting method",
    modules=(
        "kingmaker.counting.av",
        "kingmaker.counting.stv.scottish",
        "kingmaker.counting.stv.ers97",
        "kingmaker.counting.stv.meek",
        "kingmaker.counting.stv.gregory",
        "kingmaker.counting.stv.irish",
        "kingmaker.counting.college",
        "kingmaker.counting.exhaustive",
        "kingmaker.counting.rctab.method",
    ),
)

__all__ = ["METHODS"]
