"""STV by the Scottish Local Government Elections Order 2007 (SSI 2007/42).

:func:`stv_scottish` — The Scottish Local Government Elections Order 2007 (SSI 2007/42),
Schedule 1 rules 45-52: Droop quota ``floor(valid/(seats+1)) + 1`` (rule 46); weighted
inclusive Gregory: each paper of a candidate with a surplus moves on at
``surplus * value / total`` truncated to five decimal places (rule 48(3)); exclusions move
papers at their current value (rule 50(4)). Exact integer arithmetic in units of 0.00001.
The largest surplus is transferred first (rule 49(1)). Ties, rules 49(2)-(3) (equal
surpluses) and 51(2) (exclusion): the candidate with more (fewer) votes "at the end of the
most recent preceding stage at which they had unequal numbers of votes" — the
``backwards`` policy — and lot when they were equal at every stage. Rule 52: when the
continuing candidates are as many as the vacancies left they are deemed elected and no
further transfer is made (so the papers of the last candidate excluded are not moved).
"""

from __future__ import annotations

from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.counting.options import option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result
from kingmaker.counting.stv._engine import STVOptions, _parcel_rule, _Ruleset

#: SSI 2007/42: values in units of 0.00001 (rule 48(3)), integer Droop quota (rule 46), every
#: paper of a surplus moves (weighted inclusive Gregory), ties ``backwards`` (rules 49(2), 51(2)).
SCOTTISH = _Ruleset(
    name="stv-scottish",
    unit=100_000,
    quota="droop_int",
    parcel="all",
    defer=False,
    bulk=False,
    tiebreak="backwards",
)


@METHODS.register(
    "stv-scottish",
    summary="STV, Scottish Local Government Elections Order 2007",
    aliases=("stv", "scottish"),
    options=option_names(STVOptions),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=5,
)
def stv_scottish(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> Result:
    """STV by the Scottish Local Government Elections Order 2007 (SSI 2007/42), exact to 1e-5."""
    return _parcel_rule(ballots, seats, options, kw, SCOTTISH)


__all__ = ["SCOTTISH", "stv_scottish"]
