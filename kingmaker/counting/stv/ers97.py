"""STV by the Electoral Reform Society's 1997 rules (ERS97).

:func:`stv_ers97` — Electoral Reform Society, *How to conduct an election by the Single
Transferable Vote*, 3rd ed. (1997), section 5 (text as reproduced in OpenSTV's
``openstv/MethodPlugins/ERS97STV.py``): quota to two decimals rounded up (5.1.6), values in
hundredths; a surplus arising after the first stage is taken from the last batch received
and each transferable paper moves at ``surplus / transferable papers`` to two decimals,
remainder ignored (5.3.2, 5.3.7). Surpluses are deferred (5.2.2) when their total does not
exceed (a) the difference between the two lowest candidates or (b) the difference between
the total of two or more lowest candidates who could be excluded together and the next
candidate above; bulk exclusion (5.2.5) of as many lowest candidates as possible whose
total plus the deferred surpluses does not exceed the next candidate's vote. An excluded
candidate's papers move in sub-stages, one batch per transfer value, highest value first
(5.4.1-5.4.11); each batch is a recorded round, after which candidates reaching the quota
(or the total active vote divided by one more than the places left, 5.4.9(b)) are deemed
elected and receive no further papers (5.4.10). Before anyone is elected the quota is
recalculated without the non-transferable votes (5.4.8). An exclusion that would leave
only as many continuing candidates as places elects them without transfer (5.5.1). Ties
(5.2.3, 5.2.5, 5.6.2): the votes "at the first stage or at the earliest point in the count,
after the transfer of a batch of papers, where they had unequal votes" — the ``forwards``
policy over rounds, each batch being a round — then lot. Not modelled: 5.6.2's "none
deemed elected" when candidates tied for the last place were equal at every point (lot is
used instead).
"""

from __future__ import annotations

from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.counting.options import option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result
from kingmaker.counting.stv._engine import STVOptions, _parcel_rule, _Ruleset

#: ERS97: values in hundredths (5.1.6), the last batch of a surplus (5.3.2), deferral of
#: surpluses (5.2.2), bulk exclusion (5.2.5), exclusion by sub-stages (5.4), the total active
#: vote (5.1.7(b)), the quota recalculated while nobody is elected (5.4.8), ties ``forwards``.
ERS97 = _Ruleset(
    name="stv-ers97",
    unit=100,
    quota="droop_2dp_up",
    parcel="last",
    defer=True,
    bulk=True,
    tiebreak="forwards",
    substages=True,
    active_vote=True,
    requota=True,
)


@METHODS.register(
    "stv-ers97",
    summary="STV, Electoral Reform Society 1997 rules",
    aliases=("ers97",),
    options=option_names(STVOptions),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=2,
)
def stv_ers97(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> Result:
    """STV by the ERS97 rules (Electoral Reform Society, 1997), values in hundredths."""
    return _parcel_rule(ballots, seats, options, kw, ERS97)


__all__ = ["ERS97", "stv_ers97"]
