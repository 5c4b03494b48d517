"""Exhaustive ballot with a members' run-off: the Conservative Party leadership rules of 1998.

Source: Conservative Party constitution 1998, schedule 2 (used in 2001 and 2005; see
politicsresources.net/area/uk/conleader05.htm): MPs vote in successive ballots, the
last-placed candidate dropping out after each, until two remain; the party members then
choose between those two, one member one vote.

Here each electorate is modelled by ranked ballots: in every MPs' ballot an MP votes for
their highest-ranked remaining candidate (so each ballot is an AV round among MPs), and in
the members' ballot each member votes for whichever finalist they rank higher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting._walk import BallotWalker, valid_rows
from kingmaker.counting.options import MarkOptions, merge_options, option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import Number, TieBreaker, TieBreakPolicy, as_policy, pick_extreme


def _tally(b: Ballots, walker: BallotWalker, alive: np.ndarray) -> tuple[dict[int, Number], Number, Number]:
    rows = np.nonzero(valid_rows(b))[0]
    top, _ = walker.advance(rows, np.zeros(len(rows), dtype=np.int64), alive)
    w = b.weights[rows]
    live = top >= 0
    votes = np.bincount(top[live], weights=w[live].astype(np.float64), minlength=b.n_candidates)
    conv = int if b.is_integral else float
    tallies = {c: conv(votes[c]) for c in range(b.n_candidates) if alive[c]}
    return tallies, conv(w[~live].sum()), conv(w.sum())


def _ballot(
    b: Ballots,
    walker: BallotWalker,
    alive: np.ndarray,
    breaker: TieBreaker,
    rnd: int,
    *,
    lowest: bool = False,
    action: str,
) -> tuple[int, Round]:
    """One ballot among the ``alive`` candidates: the last-placed candidate eliminated
    (``lowest``) or the first-placed elected, and the round that records it."""
    tallies, exh, valid = _tally(b, walker, alive)
    breaker.record(tallies)
    pick, tie = pick_extreme(
        tallies, lowest=lowest, breaker=breaker, round_no=rnd, purpose="eliminate" if lowest else "elect"
    )
    names = b.candidates
    decided = (names[pick],)
    return pick, Round(
        number=rnd,
        tallies={names[c]: v for c, v in tallies.items()},
        exhausted=exh,
        elected=() if lowest else decided,
        eliminated=decided if lowest else (),
        action=action,
        ties=(tie,) if tie else (),
        valid=valid,
    )


def exhaustive_ballot(
    mps: Ballots,
    members: Ballots,
    *,
    finalists: int = 2,
    marks: MarkOptions | None = None,
    tiebreak: str | TieBreakPolicy | None = None,
    seed: int = 0,
) -> Result:
    """MPs' exhaustive ballots down to ``finalists`` candidates, then a members' ballot.

    Each round's ``valid`` is that ballot's electorate (MPs, then members).
    """
    if mps.candidates != members.candidates:
        raise InputError("MPs' and members' ballots must list the same candidates in the same order")
    n = mps.n_candidates
    marks = marks or MarkOptions()
    alive = np.ones(n, dtype=bool)
    alive[list(mps.withdrawn | members.withdrawn)] = False
    if alive.sum() < 1:
        raise RuleError("no candidates")
    breaker = TieBreaker(as_policy(tiebreak, "backwards", seed=seed), mps.candidates)
    walker = BallotWalker(mps, marks)
    rounds: list[Round] = []
    names = mps.candidates
    rnd = 0
    while alive.sum() > finalists:
        rnd += 1
        loser, stage = _ballot(mps, walker, alive, breaker, rnd, lowest=True, action=f"MPs' ballot {rnd}")
        rounds.append(stage)
        alive[loser] = False
    rnd += 1
    win, stage = _ballot(members, BallotWalker(members, marks), alive, breaker, rnd, action="members' ballot")
    rounds.append(stage)
    return Result(
        method="exhaustive",
        seats=1,
        candidates=names,
        winners=(names[win],),
        rounds=tuple(rounds),
        valid=stage.valid,
        options={"finalists": finalists, "tiebreak": breaker.policy.describe()},
        notes=("MPs' ballots then a members' ballot; each round's valid is its own electorate",),
    )


@dataclass(frozen=True)
class ExhaustiveOptions:
    """Options of an exhaustive ballot through :func:`~kingmaker.counting.count`: the number of
    ``finalists`` put to the members, how marks are read and the tie policy (``backwards``)."""

    finalists: int = 2
    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    tiebreak: TieBreakPolicy = TieBreakPolicy("backwards")  # noqa: RUF009


@METHODS.register(
    "exhaustive",
    summary="MPs' exhaustive ballots then a members' run-off (Conservative 1998)",
    options=option_names(ExhaustiveOptions),
    properties=("float-conservation", "permutation-invariant", "seeded", "single-winner", "fills-seats"),
    places=4,
    inputs="pair",
)
def count_exhaustive(
    ballots: Ballots | Mapping[str, Ballots] | Sequence[Ballots], seats: int | None = None, **kw: Any
) -> Result:
    """:func:`exhaustive_ballot` for :func:`~kingmaker.counting.count`: ``ballots`` is the MPs'
    then the members' Ballots (a pair, or a mapping of two in that order); one seat."""
    if isinstance(ballots, Ballots) or len(ballots) != 2:
        raise InputError("the exhaustive ballot needs two sets of ballots: MPs, then members")
    if seats not in (None, 1):
        raise RuleError(f"the exhaustive ballot fills one seat, not {seats}")
    opts = merge_options(ExhaustiveOptions, None, kw, rule="exhaustive")
    mps, members = list(ballots.values()) if isinstance(ballots, Mapping) else list(ballots)
    return exhaustive_ballot(mps, members, finalists=opts.finalists, marks=opts.marks, tiebreak=opts.tiebreak)


__all__ = ["ExhaustiveOptions", "count_exhaustive", "exhaustive_ballot"]
