"""STV by the plain (last-parcel) Gregory method, in exact fractions.

:func:`stv_gregory` — plain Gregory method (as in Irish and older UK practice, exact
fractions here): Droop quota, surplus from the last parcel, transferable papers only; an
excluded candidate's papers move in one stage.
"""

from __future__ import annotations

from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.counting.options import option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result
from kingmaker.counting.stv._engine import STVOptions, _parcel_rule, _Ruleset

#: Plain Gregory: exact fractions, integer Droop quota, the last parcel of a surplus, ties
#: ``backwards``.
GREGORY = _Ruleset(
    name="stv-gregory",
    unit=None,
    quota="droop_int",
    parcel="last",
    defer=False,
    bulk=False,
    tiebreak="backwards",
)


@METHODS.register(
    "stv-gregory",
    summary="STV, plain last-parcel Gregory method (exact)",
    aliases=("gregory",),
    options=option_names(STVOptions),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=4,
)
def stv_gregory(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> Result:
    """STV by the plain (last-parcel) Gregory method with exact fractions and a Droop quota."""
    return _parcel_rule(ballots, seats, options, kw, GREGORY)


__all__ = ["GREGORY", "stv_gregory"]
