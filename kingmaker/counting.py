"""One entry point for ranked-ballot counts: ``count(ballots, method=..., seats=...)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.result import Result

METHODS: dict[str, str] = {
    "av": "alternative vote / instant runoff (one seat)",
    "stv-scottish": "STV, Scottish Local Government Elections Order 2007",
    "stv-ers97": "STV, Electoral Reform Society 1997 rules",
    "stv-meek": "STV, Meek's method (Hill, Wichmann & Woodall 1987)",
    "stv-gregory": "STV, plain last-parcel Gregory method (exact)",
    "stv-irish": "STV, Irish Dáil rules (Electoral Act 1992), whole papers drawn at random",
    "college": "electoral college of AV sections (Labour 2010)",
    "exhaustive": "MPs' exhaustive ballots then a members' run-off (Conservative 1998)",
}
ALIASES = {
    "irv": "av",
    "stv": "stv-scottish",
    "meek": "stv-meek",
    "scottish": "stv-scottish",
    "ers97": "stv-ers97",
    "gregory": "stv-gregory",
    "irish": "stv-irish",
}


def count(
    ballots: Ballots | Mapping[str, Ballots] | Sequence[Ballots],
    method: str = "av",
    seats: int | None = None,
    **options: Any,
) -> Result:
    """Count ``ballots`` by ``method`` (see :data:`METHODS`) for ``seats`` seats.

    ``seats`` defaults to the ballot file's own (BLT header) or 1. For ``college`` pass a
    mapping section name -> Ballots (``weights=`` optional); for ``exhaustive`` pass
    ``(mps, members)``. Other keyword options go to the rule.
    """
    m = ALIASES.get(method.lower(), method.lower())
    if m not in METHODS:
        raise UnknownNameError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if m == "college":
        from kingmaker.rules.college import college

        if isinstance(ballots, Ballots):
            ballots = {"all": ballots}
        elif not isinstance(ballots, Mapping):
            ballots = {f"section {i + 1}": b for i, b in enumerate(ballots)}
        return college(ballots, **options)
    if m == "exhaustive":
        from kingmaker.rules.exhaustive import exhaustive_ballot

        if isinstance(ballots, Ballots) or len(ballots) != 2:
            raise InputError("the exhaustive ballot needs two sets of ballots: MPs, then members")
        seq = list(ballots.values()) if isinstance(ballots, Mapping) else list(ballots)
        return exhaustive_ballot(seq[0], seq[1], **options)
    if not isinstance(ballots, Ballots):
        raise InputError(f"{m} counts one set of ballots")
    n_seats = seats if seats is not None else (ballots.seats or 1)
    if m == "av":
        from kingmaker.rules.irv import irv

        return irv(ballots, n_seats, **options)
    from kingmaker.rules import stv

    rule = {
        "stv-scottish": stv.stv_scottish,
        "stv-ers97": stv.stv_ers97,
        "stv-meek": stv.stv_meek,
        "stv-gregory": stv.stv_gregory,
        "stv-irish": stv.stv_irish,
    }[m]
    return rule(ballots, n_seats, **options)


__all__ = ["METHODS", "count"]
