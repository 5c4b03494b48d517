"""Electoral colleges: several sections, each counted by AV on its own ballots, then weighted.

The 2010 Labour leadership rules (Labour Party Rule Book 2010, chapter 4; as reported in the
Guardian, 25 Sep 2010): three sections (MPs & MEPs, members, affiliates) worth one third
each. In every round each candidate's share of each section's *continuing* votes is
weighted and summed; if nobody has more than half, the lowest on the college total is
eliminated in every section and the ballots move on. All arithmetic is in Fractions.

:func:`college_totals` and :func:`college_from_tallies` take per-section figures (counts or
published percentages) directly, for elections whose ballots were not published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting._walk import BallotWalker, valid_rows
from kingmaker.counting.options import MarkOptions, merge_options, option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, as_policy, pick_extreme

HUNDRED = Fraction(100)


def _frac(x: Number | str) -> Fraction:
    return Fraction(str(x)) if isinstance(x, (float, str)) else Fraction(x)


def _weights(
    names: Sequence[str], weights: Mapping[str, Number] | Sequence[Number] | None
) -> dict[str, Fraction]:
    if weights is None:
        raw = {n: Fraction(1) for n in names}
    elif isinstance(weights, Mapping):
        missing = [n for n in names if n not in weights]
        if missing:
            raise InputError(f"no weight for section(s): {', '.join(missing)}")
        raw = {n: _frac(weights[n]) for n in names}
    else:
        if len(weights) != len(names):
            raise InputError(f"{len(weights)} weights for {len(names)} sections")
        raw = {n: _frac(w) for n, w in zip(names, weights, strict=True)}
    total = sum(raw.values())
    if total <= 0 or any(v < 0 for v in raw.values()):
        raise InputError("section weights must be non-negative and not all zero")
    return {n: v / total for n, v in raw.items()}


def college_totals(
    section_tallies: Mapping[str, Mapping[str, Number | str]],
    weights: Mapping[str, Number] | Sequence[Number] | None = None,
) -> dict[str, Fraction]:
    """Each candidate's college percentage for one round, exactly.

    ``section_tallies`` maps section -> candidate -> votes (or percentages: each section is
    normalised by its own total, so either works). Weights default to equal sections.
    Returns candidate -> percentage of the college (a Fraction summing to 100).
    """
    names = list(section_tallies)
    w = _weights(names, weights)
    cands: list[str] = []
    for t in section_tallies.values():
        cands += [c for c in t if c not in cands]
    out = {c: Fraction(0) for c in cands}
    for s in names:
        t = {c: _frac(v) for c, v in section_tallies[s].items()}
        tot = sum(t.values())
        if tot == 0:
            continue
        for c, v in t.items():
            out[c] += HUNDRED * w[s] * v / tot
    return out


def college_from_tallies(
    rounds: Sequence[Mapping[str, Mapping[str, Number | str]]],
    weights: Mapping[str, Number] | Sequence[Number] | None = None,
) -> Result:
    """A college :class:`Result` from published per-section figures, round by round.

    The last candidate on each round's college total is recorded as eliminated; the winner is
    whoever leads the final round.
    """
    if not rounds:
        raise InputError("no rounds given")
    out: list[Round] = []
    cands: list[str] = []
    prev: dict[str, Fraction] | None = None
    for i, sec in enumerate(rounds, start=1):
        tot = college_totals(sec, weights)
        cands += [c for c in tot if c not in cands]
        last = i == len(rounds)
        winner = max(tot, key=lambda c: tot[c])
        loser = min(tot, key=lambda c: tot[c])
        out.append(
            Round(
                number=i,
                tallies=tot,
                transfers={} if prev is None else {c: tot.get(c, Fraction(0)) - v for c, v in prev.items()},
                elected=(winner,) if last else (),
                eliminated=() if last else (loser,),
                action="first preferences" if i == 1 else f"transfer of {out[-1].eliminated[0]}",
                sections={s: {c: _frac(v) for c, v in t.items()} for s, t in sec.items()},
            )
        )
        prev = tot
    return Result(
        method="college",
        seats=1,
        candidates=tuple(cands),
        winners=out[-1].elected,
        rounds=tuple(out),
        valid=HUNDRED,
        options={"weights": {k: str(v) for k, v in _weights(list(rounds[0]), weights).items()}},
    )


def college(
    sections: Mapping[str, Ballots],
    weights: Mapping[str, Number] | Sequence[Number] | None = None,
    *,
    marks: MarkOptions | None = None,
    tiebreak: str | TieBreakPolicy | None = None,
    seed: int = 0,
) -> Result:
    """Count an electoral college of ranked-ballot sections (2010 Labour rules by default).

    Tallies are college percentages (Fractions summing to 100 while any section has live
    ballots); each round's ``sections`` holds the raw votes per section with its
    ``(exhausted)`` count.
    """
    if not sections:
        raise InputError("a college needs at least one section")
    names = list(sections)
    w = _weights(names, weights)
    first = sections[names[0]]
    cands = first.candidates
    for s in names[1:]:
        if set(sections[s].candidates) != set(cands):
            raise InputError(f"section {s!r} has different candidates from {names[0]!r}")
    n = len(cands)
    marks = marks or MarkOptions()
    alive = np.ones(n, dtype=bool)
    for s in names:
        for c in sections[s].withdrawn:
            alive[cands.index(sections[s].candidates[c])] = False
    state = []
    for s in names:
        b = sections[s]
        perm = np.array([cands.index(c) for c in b.candidates])  # section index -> college index
        rows = np.nonzero(valid_rows(b))[0]
        walker = BallotWalker(b, marks)
        local_alive = alive[perm]
        top, pos = walker.advance(rows, np.zeros(len(rows), dtype=np.int64), local_alive)
        state.append([b, perm, rows, walker, top, pos])
    breaker = TieBreaker(as_policy(tiebreak, "backwards", seed=seed), cands)
    rounds: list[Round] = []
    prev: dict[str, Fraction] | None = None
    rnd = 0
    while True:
        rnd += 1
        score = {c: Fraction(0) for c in range(n) if alive[c]}
        sec_detail: dict[str, dict[str, Number]] = {}
        for s, (b, perm, rows, _walker, top, _pos) in zip(names, state, strict=True):
            live = top >= 0
            wts = b.weights[rows]
            votes = np.bincount(top[live], weights=wts[live].astype(np.float64), minlength=b.n_candidates)
            vals = {
                int(perm[i]): (int(votes[i]) if b.is_integral else _frac(float(votes[i])))
                for i in range(b.n_candidates)
                if alive[perm[i]]
            }
            tot = sum(vals.values())
            if tot:
                for c, v in vals.items():
                    score[c] += HUNDRED * w[s] * Fraction(v) / tot
            exh = wts[~live].sum()
            sec_detail[s] = {cands[c]: v for c, v in vals.items()}
            sec_detail[s]["(exhausted)"] = int(exh) if b.is_integral else float(exh)
        breaker.record(score)
        ties: list[TieBreak] = []
        tallies = {cands[c]: v for c, v in score.items()}
        best = max(score.values())
        elected: tuple[str, ...] = ()
        eliminated: tuple[str, ...] = ()
        if best * 2 > HUNDRED or len(score) <= 1:
            c, tie = pick_extreme(score, lowest=False, breaker=breaker, round_no=rnd, purpose="elect")
            if tie:
                ties.append(tie)
            elected = (cands[c],)
        else:
            c, tie = pick_extreme(score, lowest=True, breaker=breaker, round_no=rnd, purpose="eliminate")
            if tie:
                ties.append(tie)
            eliminated = (cands[c],)
        total = sum(score.values())
        rounds.append(
            Round(
                number=rnd,
                tallies=tallies,
                exhausted=HUNDRED - total,
                transfers={}
                if prev is None
                else {k: tallies.get(k, Fraction(0)) - v for k, v in prev.items()},
                elected=elected,
                eliminated=eliminated,
                ties=tuple(ties),
                sections=sec_detail,
                action="first preferences" if rnd == 1 else f"transfer of {rounds[-1].eliminated[0]}",
            )
        )
        if elected:
            break
        if rnd > n:
            raise RuleError("college count did not finish")
        prev = tallies
        loser = cands.index(eliminated[0])
        alive[loser] = False
        for st in state:
            b, perm, rows, walker, top, pos = st
            local = int(np.nonzero(perm == loser)[0][0])
            moved = np.nonzero(top == local)[0]
            if moved.size:
                t2, p2 = walker.advance(rows[moved], pos[moved] + 1, alive[perm])
                top[moved] = t2
                pos[moved] = p2
    return Result(
        method="college",
        seats=1,
        candidates=cands,
        winners=rounds[-1].elected,
        rounds=tuple(rounds),
        valid=HUNDRED,
        options={"weights": {k: str(v) for k, v in w.items()}, "tiebreak": breaker.policy.describe()},
        notes=("tallies are college percentages; section votes are in each round's sections",),
    )


@dataclass(frozen=True)
class CollegeOptions:
    """Options of a college count through :func:`~kingmaker.counting.count`: the section
    ``weights`` (default: equal), how marks are read and the tie policy (``backwards``)."""

    weights: Mapping[str, Number] | Sequence[Number] | None = None
    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    tiebreak: TieBreakPolicy = TieBreakPolicy("backwards")  # noqa: RUF009


@METHODS.register(
    "college",
    summary="electoral college of AV sections (Labour 2010)",
    options=option_names(CollegeOptions),
    properties=("exact-conservation", "permutation-invariant", "seeded", "single-winner", "fills-seats"),
    places=3,
    inputs="sections",
)
def count_college(
    ballots: Ballots | Mapping[str, Ballots] | Sequence[Ballots], seats: int | None = None, **kw: Any
) -> Result:
    """:func:`college` for :func:`~kingmaker.counting.count`: ``ballots`` is a mapping section name
    -> Ballots, a sequence of Ballots (sections named ``section 1``, ...) or one Ballots (one
    section, ``all``); one seat."""
    if seats not in (None, 1):
        raise RuleError(f"a college fills one seat, not {seats}")
    opts = merge_options(CollegeOptions, None, kw, rule="college")
    if isinstance(ballots, Ballots):
        sections: Mapping[str, Ballots] = {"all": ballots}
    elif isinstance(ballots, Mapping):
        sections = ballots
    else:
        sections = {f"section {i + 1}": b for i, b in enumerate(ballots)}
    return college(sections, opts.weights, marks=opts.marks, tiebreak=opts.tiebreak)


def labour_2010_weights() -> dict[str, Fraction]:
    """The 2010 Labour college: three sections of one third each."""
    third = Fraction(1, 3)
    return {"MPs and MEPs": third, "members": third, "affiliates": third}


__all__ = [
    "CollegeOptions",
    "college",
    "college_from_tallies",
    "college_totals",
    "count_college",
    "labour_2010_weights",
]
