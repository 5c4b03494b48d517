"""Ranked ballots -> :class:`Result`: one entry point, ``count(ballots, method=..., seats=...)``.

Every counting method registers itself in :data:`METHODS` (``registry.py``) with its aliases,
summary, options, display places and declared properties; :func:`count` looks the method up
there and hands it the ballots, so a new method is one module and its registration.

Internal dependency direction (a module imports only those to its left)::

    result, options -> _walk -> registry -> av, college, exhaustive, stv/_engine -> stv/<statute>

``result`` (Result, Round) and ``options`` (MarkOptions, the one keyword merge) come first;
``_walk`` is the next-preference walk every rule shares; ``stv/_engine`` is the parcel engine
the STV statutes (``stv/scottish``, ``ers97``, ``gregory``, ``irish``, ``meek``) build on. This
``__init__`` imports only ``result`` and ``registry``; the method modules load on first lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kingmaker._validate import check_votes_cast
from kingmaker.ballots import Ballots
from kingmaker.counting.options import check_known
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round


def count(
    ballots: Ballots | Mapping[str, Ballots] | Sequence[Ballots],
    method: str = "av",
    seats: int | None = None,
    **options: Any,
) -> Result:
    """Count ``ballots`` by ``method`` (a name or alias in :data:`METHODS`) for ``seats`` seats.

    ``seats`` defaults to the ballot file's own (a BLT header, the Irish JSON); a multi-winner
    method (STV) on ballots that do not say how many seats (PrefLib, CSV, the raw Irish text)
    raises :class:`~kingmaker.counting.options.SeatsNotGiven` (an ``InputError``) asking for them
    rather than filling one (the check is the rules' own, in :func:`~kingmaker.counting.options.one_set`).
    Single-winner methods fill one. For ``college`` pass a
    mapping section name -> Ballots (``weights=`` optional); for ``exhaustive`` pass
    ``(mps, members)``. Other keyword options go to the rule; one it does not accept is an
    :class:`~kingmaker.errors.InputError`. Ballots with no valid vote are refused
    (:func:`~kingmaker._validate.check_votes_cast`): an election with no votes has no winner.
    """
    entry = METHODS.get(method, what="method")
    check_known(options, entry.options, entry.name)
    result = entry.obj(ballots, seats, **options)
    check_votes_cast(result)  # no votes, no winner: refused rather than elected by lot
    return result


__all__ = ["METHODS", "Result", "Round", "count"]
