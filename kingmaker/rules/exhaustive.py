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

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError, RuleError
from kingmaker.result import Number, Result, Round, TieBreak
from kingmaker.rules.irv import BallotWalker, MarkOptions, valid_rows
from kingmaker.rules.tiebreak import TieBreaker, TieBreakPolicy, as_policy, pick_extreme


def _tally(b: Ballots, walker: BallotWalker, alive: np.ndarray) -> tuple[dict[int, Number], Number, Number]:
    rows = np.nonzero(valid_rows(b))[0]
    top, _ = walker.advance(rows, np.zeros(len(rows), dtype=np.int64), alive)
    w = b.weights[rows]
    live = top >= 0
    votes = np.bincount(top[live], weights=w[live].astype(np.float64), minlength=b.n_candidates)
    conv = int if b.is_integral else float
    tallies = {c: conv(votes[c]) for c in range(b.n_candidates) if alive[c]}
    return tallies, conv(w[~live].sum()), conv(w.sum())


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
        tallies, exh, valid = _tally(mps, walker, alive)
        breaker.record(tallies)
        ties: list[TieBreak] = []
        loser, tie = pick_extreme(tallies, lowest=True, breaker=breaker, round_no=rnd, purpose="eliminate")
        if tie:
            ties.append(tie)
        rounds.append(
            Round(
                number=rnd,
                tallies={names[c]: v for c, v in tallies.items()},
                exhausted=exh,
                eliminated=(names[loser],),
                action=f"MPs' ballot {rnd}",
                ties=tuple(ties),
                valid=valid,
            )
        )
        alive[loser] = False
    rnd += 1
    tallies, exh, valid = _tally(members, BallotWalker(members, marks), alive)
    breaker.record(tallies)
    ties = []
    win, tie = pick_extreme(tallies, lowest=False, breaker=breaker, round_no=rnd, purpose="elect")
    if tie:
        ties.append(tie)
    rounds.append(
        Round(
            number=rnd,
            tallies={names[c]: v for c, v in tallies.items()},
            exhausted=exh,
            elected=(names[win],),
            action="members' ballot",
            ties=tuple(ties),
            valid=valid,
        )
    )
    return Result(
        method="exhaustive",
        seats=1,
        candidates=names,
        winners=(names[win],),
        rounds=tuple(rounds),
        valid=valid,
        options={"finalists": finalists, "tiebreak": breaker.policy.describe()},
        notes=("MPs' ballots then a members' ballot; each round's valid is its own electorate",),
    )
