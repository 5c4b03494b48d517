"""An independent reference count by the Scottish rules, for cross-checking kingmaker's.

A deliberately simple and slow reading of the Scottish Local Government Elections Order 2007
(SSI 2007/42), Schedule 1, rules 45-52, written from the rule text (as reproduced in the
docstring of jklundell/droop ``droop/rules/scotland.py``) and sharing no code with kingmaker:
its own BLT parser, its own ballot papers, exact :class:`~fractions.Fraction` arithmetic with
the one truncation the rules ask for (rule 48(3): "to five decimal places (any remainder being
ignored)"). Only the standard library is used.

My reading, rule by rule:

* 45: the papers are sorted by first preference; each credits its candidate with one vote.
* 46: quota = (valid papers // (vacancies + 1)) + 1.
* 47: a candidate with votes >= quota is elected (several at one stage: most votes first).
* 48: while vacancies remain, the candidate with a surplus has *all* the papers credited to
  them sorted by next available preference (a continuing candidate); each transferable paper
  moves at ``truncate5(surplus * value / total votes)``, where value is 1 for a first
  preference and otherwise the paper's transfer value when received; the papers with no next
  preference form the non-transferable parcel; the candidate is left with the quota.
* 49: the highest surplus first; equal surpluses: the candidate with more votes at the end of
  the most recent preceding stage at which they differed; equal at every stage: lot.
* 50: when no surplus is to be transferred, the candidate with the fewest votes is excluded and
  all their papers move, each at the value at which it was received, in one stage.
* 51: equal lowest: fewest votes at the most recent preceding stage at which they differed; else
  lot.
* 52: when the continuing candidates are as many as the vacancies left they are elected (most
  votes first) and no further transfer is made.

Where a lot would be needed the count stops with :class:`LotNeeded`; the caller decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

FIVE_PLACES = 100_000


class LotNeeded(Exception):
    """The rules would decide by lot here; a reference cannot."""


def truncate5(x: Fraction) -> Fraction:
    """``x`` to five decimal places, the remainder ignored (rule 48(3))."""
    return Fraction(math.floor(x * FIVE_PLACES), FIVE_PLACES)


@dataclass
class Election:
    """A BLT file as read here: names, vacancies, and (count, preferences as 0-based indices)."""

    names: list[str]
    seats: int
    ballots: list[tuple[int, tuple[int, ...]]]
    title: str


def read_blt(path: Path) -> Election:
    """A small BLT parser: ``n seats``, optional ``-k`` withdrawn line (refused here), ballot
    lines ``count c1 c2 ... 0``, a ``0`` line, n names (quoted or not), then the title."""
    lines = [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
    n, seats = (int(x) for x in lines[0].split())
    i = 1
    if lines[i].startswith("-"):
        raise ValueError("withdrawn candidates are not handled by this reference")
    ballots = []
    while lines[i] != "0":
        nums = [int(x) for x in lines[i].split()]
        if nums[-1] != 0 or any(x < 1 or x > n for x in nums[1:-1]):
            raise ValueError(f"unexpected ballot line {lines[i]!r} (no equal or skipped ranks here)")
        ballots.append((nums[0], tuple(x - 1 for x in nums[1:-1])))
        i += 1
    names = [s.strip('"') for s in lines[i + 1 : i + 1 + n]]
    title = lines[i + 1 + n].strip('"') if len(lines) > i + 1 + n else ""
    return Election(names, seats, ballots, title)


@dataclass
class Paper:
    """A bundle of identical ballot papers: their preferences, how many, their value, and the
    index of the preference that credits them now."""

    prefs: tuple[int, ...]
    count: int
    value: Fraction
    at: int


@dataclass
class Stage:
    """One stage of the count: what was done, the votes after it, and the transfer values used."""

    number: int
    action: str  # "first preferences", "surplus of X", "exclusion of X"
    votes: dict[str, Fraction]
    non_transferable: Fraction
    rounding_loss: Fraction
    transfer_values: tuple[Fraction, ...] = ()
    elected: list[str] = field(default_factory=list)


@dataclass
class Count:
    """The reference count: quota, elected in order, and every stage."""

    quota: int
    elected: list[str]
    stages: list[Stage]


def count_scottish(election: Election) -> Count:
    """Count ``election`` by SSI 2007/42 rules 45-52 as read in the module docstring."""
    names = election.names
    n = len(names)
    vacancies = election.seats
    papers = [Paper(prefs, c, Fraction(1), 0) for c, prefs in election.ballots if prefs]
    valid = sum(p.count for p in papers)  # rule 45(3)
    quota = valid // (vacancies + 1) + 1  # rule 46
    continuing = set(range(n))
    elected: list[int] = []
    surplus_done: set[int] = set()
    holder: dict[int, list[Paper]] = {c: [] for c in range(n)}
    for p in papers:  # rule 45(1)
        holder[p.prefs[0]].append(p)
    votes = {c: Fraction(sum(p.count for p in holder[c])) for c in range(n)}
    history: list[dict[int, Fraction]] = []
    stages: list[Stage] = []
    non_transferable = Fraction(0)
    loss = Fraction(0)

    def next_preference(p: Paper) -> int | None:
        for k in range(p.at + 1, len(p.prefs)):
            if p.prefs[k] in continuing:
                p.at = k
                return p.prefs[k]
        return None

    def by_history(tied: list[int], highest: bool) -> int:
        """Rules 49(2), 51(2): the most recent preceding stage at which they were unequal."""
        for past in reversed(history[:-1]):
            vals = {c: past[c] for c in tied}
            best = max(vals.values()) if highest else min(vals.values())
            top = [c for c in tied if vals[c] == best]
            if len(top) == 1:
                return top[0]
            tied = top
        raise LotNeeded(f"lot between {[names[c] for c in tied]}")

    def elect_reaching() -> list[int]:
        """Rule 47: the continuing candidates at or over the quota, most votes first."""
        reached = sorted((c for c in continuing if votes[c] >= quota), key=lambda c: -votes[c])
        for a, b in pairwise(reached):
            if votes[a] == votes[b]:
                raise LotNeeded("equal votes on reaching the quota together")
        for c in reached[: vacancies - len(elected)]:
            continuing.discard(c)
            elected.append(c)
        return reached

    def record(action: str, tvs: tuple[Fraction, ...], new: list[int]) -> None:
        history.append(dict(votes))
        stages.append(
            Stage(
                len(stages) + 1,
                action,
                {names[c]: votes[c] for c in range(n)},
                non_transferable,
                loss,
                tvs,
                [names[c] for c in new],
            )
        )

    action, tvs = "first preferences", ()
    while True:
        new = elect_reaching()
        left = vacancies - len(elected)
        if left > 0 and len(continuing) <= left:  # rule 52
            rest = sorted(continuing, key=lambda c: -votes[c])
            elected.extend(rest)
            new += rest
            continuing.clear()
        record(action, tvs, new)
        if len(elected) >= vacancies:
            break
        pending = [c for c in elected if c not in surplus_done and votes[c] > quota]
        if pending:  # rules 48, 49
            top = max(votes[c] - quota for c in pending)
            tied = [c for c in pending if votes[c] - quota == top]
            c = tied[0] if len(tied) == 1 else by_history(tied, highest=True)
            surplus_done.add(c)
            surplus, total = votes[c] - quota, votes[c]
            moved_value = Fraction(0)
            set_aside = Fraction(0)
            used = set()
            for p in holder[c]:
                nxt = next_preference(p)
                tv = truncate5(surplus * p.value / total)
                if nxt is None:  # rule 48(1)(b): the parcel of non-transferable papers
                    set_aside += p.count * tv
                    continue
                used.add(tv)
                p.value = tv
                holder[nxt].append(p)
                votes[nxt] += p.count * tv
                moved_value += p.count * tv
            holder[c] = []
            non_transferable += set_aside
            loss += surplus - moved_value - set_aside  # the remainders ignored by rule 48(3)
            votes[c] = Fraction(quota)
            action, tvs = f"surplus of {names[c]}", tuple(sorted(used, reverse=True))
            continue
        # rules 50, 51
        low = min(votes[c] for c in continuing)
        tied = [c for c in continuing if votes[c] == low]
        c = tied[0] if len(tied) == 1 else by_history(tied, highest=False)
        continuing.discard(c)
        left = vacancies - len(elected)
        if len(continuing) <= left:  # rule 52: the rest are elected at this stage, no transfer
            rest = sorted(continuing, key=lambda x: -votes[x])
            elected.extend(rest)
            continuing.clear()
            stages[-1].elected += [names[x] for x in rest]
            break
        used = set()
        for p in holder[c]:
            nxt = next_preference(p)
            if nxt is None:
                non_transferable += p.count * p.value
                continue
            used.add(p.value)
            holder[nxt].append(p)
            votes[nxt] += p.count * p.value
        holder[c] = []
        votes[c] = Fraction(0)
        action, tvs = f"exclusion of {names[c]}", tuple(sorted(used, reverse=True))
    return Count(quota, [names[c] for c in elected], stages)


__all__ = ["Count", "Election", "LotNeeded", "Stage", "count_scottish", "read_blt", "truncate5"]
