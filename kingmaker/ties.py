"""Ties: one record and one vocabulary for every tie kingmaker breaks, in a count or a seat rule.

Every tie is broken by a *named* policy and recorded as a :class:`TieBreak`, never decided by
the order of a list. Two families of rule meet ties:

Counts of ranked ballots (:class:`TieBreakPolicy`, names in :data:`COUNT_TIE_POLICIES`):

* ``backwards``: look at the most recent earlier round where the tied candidates had unequal
  votes (Scottish Local Government Elections Order 2007, SSI 2007/42, Schedule 1 rules 49(2)
  and 51(2): "the most recent preceding stage at which they had unequal numbers of votes").
* ``forwards``: look at the earliest round where they differ, first preferences first (ERS97
  rules 5.2.3, 5.2.5 and 5.6.2: "at the first stage or at the earliest point in the count,
  after the transfer of a batch of papers, where they had unequal votes").
* ``random``: lot drawn by a seeded NumPy generator; the seed is reported.
* ``order``: a user-given order; earlier in the order wins a tie (is elected first, survives
  an elimination).

``backwards`` and ``forwards`` fall back to ``fallback`` (``random`` by default) when the
candidates were equal in every round.

Seat rules on vote tables (:class:`TiePolicy`, names in :data:`SEAT_TIE_POLICIES`), for the
last seat(s) of a district:

* ``most-votes``: the tied seat goes to the party with more votes in that district (if their
  votes are equal too: lots drawn with the seed, or a :class:`RuleError` without one);
* ``lot``: drawn by a seeded generator;
* ``raise``: refuse with a :class:`RuleError`.

:data:`TIE_POLICIES` is the whole vocabulary, name -> (family, meaning), for help texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral
from typing import Any

import numpy as np

from kingmaker.errors import InputError, RuleError

#: Vote amounts: ``int`` for whole ballots, ``Fraction`` for exact fractional values.
Number = int | Fraction | float

#: Every tie policy: name -> (family, what it does).
TIE_POLICIES: dict[str, tuple[str, str]] = {
    "backwards": (
        "count",
        "the most recent earlier round where the tied had unequal votes (SSI 2007/42 r.49(2))",
    ),
    "forwards": ("count", "the earliest round where the tied had unequal votes (ERS97 5.2.3)"),
    "random": ("count", "a lot drawn by a seeded generator; the seed is reported"),
    "order": ("count", "a given order of candidates: earlier wins"),
    "most-votes": ("seats", "the tied seat to the party with more votes in the district, then lot by seed"),
    "lot": ("seats", "a lot drawn by a seeded generator"),
    "raise": ("seats", "refuse: a tie is an error"),
}
COUNT_TIE_POLICIES: tuple[str, ...] = tuple(k for k, (fam, _) in TIE_POLICIES.items() if fam == "count")
SEAT_TIE_POLICIES: tuple[str, ...] = tuple(k for k, (fam, _) in TIE_POLICIES.items() if fam == "seats")


#: Tied names a message lists before it says how many more there are.
_NAMES_SHOWN = 12


@dataclass(frozen=True)
class TieBreak:
    """One tie and how a named policy broke it.

    In a count, ``round`` and ``purpose`` ("eliminate", "elect", "surplus order") say where;
    for the last seats of a district, ``district`` and ``seats`` do. ``winners`` are the ones
    the policy chose (one in a count).
    """

    tied: tuple[str, ...]
    winners: tuple[str, ...]
    policy: str
    round: int | None = None
    purpose: str = ""
    district: str | None = None
    seats: int = 1
    detail: str = ""

    @property
    def chosen(self) -> str:
        """The one chosen (in a count), or the winners joined by commas."""
        return ", ".join(self.winners)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: ``round, purpose, tied, chosen, policy, detail`` for a count;
        ``district, seats, tied, winners, policy`` for a seat rule."""
        if self.district is not None:
            return {
                "district": self.district,
                "seats": self.seats,
                "tied": list(self.tied),
                "winners": list(self.winners),
                "policy": self.policy,
            }
        return {
            "round": self.round,
            "purpose": self.purpose,
            "tied": list(self.tied),
            "chosen": self.chosen,
            "policy": self.policy,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        if self.district is not None:
            return (
                f"{self.district}: {', '.join(self.tied)} tied for {self.seats} seat(s); "
                f"{self.policy} gave it to {', '.join(self.winners)}"
            )
        return f"round {self.round}: {', '.join(self.tied)} tied ({self.purpose}); {self.chosen} chosen by {self.policy}"


@dataclass(frozen=True)
class TieBreakPolicy:
    """How to break ties: ``name`` one of :data:`POLICIES`, with ``seed``/``order``/``fallback``."""

    name: str = "backwards"
    seed: int = 0
    order: tuple[str, ...] = ()
    fallback: str = "random"

    def __post_init__(self) -> None:
        if self.name not in COUNT_TIE_POLICIES:
            raise InputError(
                f"unknown tie-break policy {self.name!r}; use one of {', '.join(COUNT_TIE_POLICIES)}"
            )
        if self.fallback not in ("random", "order"):
            raise InputError("tie-break fallback must be 'random' or 'order'")
        if (self.name == "order" or self.fallback == "order") and not self.order and self.name == "order":
            raise InputError("the 'order' tie-break needs an order of candidates")
        if isinstance(self.seed, bool) or not isinstance(self.seed, Integral) or self.seed < 0:
            raise InputError(f"the tie-break seed must be a whole number >= 0, got {self.seed!r}")
        object.__setattr__(self, "order", tuple(self.order))

    def describe(self) -> str:
        """Short label, e.g. ``backwards, then random (seed 0)``."""
        if self.name == "random":
            return f"random (seed {self.seed})"
        if self.name == "order":
            return "order " + " > ".join(self.order)
        fb = f"random (seed {self.seed})" if self.fallback == "random" else "given order"
        return f"{self.name}, then {fb}"


class TieBreaker:
    """Stateful helper used inside one count: holds the seeded generator and the history."""

    def __init__(self, policy: TieBreakPolicy, candidates: Sequence[str]):
        self.policy = policy
        self.candidates = tuple(candidates)
        self.rng = np.random.default_rng(policy.seed)
        self.history: list[Mapping[int, Number]] = []

    def record(self, tallies: Mapping[int, Number]) -> None:
        """Remember one round's tallies (candidate index -> votes) for backwards/forwards."""
        self.history.append(dict(tallies))

    def _by_order(self, tied: list[int], lowest: bool) -> int:
        order = self.policy.order
        rank = {n: i for i, n in enumerate(order)}
        missing = [self.candidates[c] for c in tied if self.candidates[c] not in rank]
        if missing:
            raise RuleError(f"tie-break order does not rank {', '.join(missing)}")
        key = sorted(tied, key=lambda c: rank[self.candidates[c]])
        return key[-1] if lowest else key[0]

    def break_tie(
        self, tied: Sequence[int], *, lowest: bool, round_no: int, purpose: str
    ) -> tuple[int, TieBreak]:
        """Choose one of ``tied``: the one to lose (``lowest``) or to win; returns it and the record."""
        tied = sorted(tied)
        if len(tied) < 2:
            raise RuleError("break_tie needs at least two candidates")
        pol = self.policy
        detail = ""
        remaining = list(tied)
        used = pol.name
        if pol.name in ("backwards", "forwards"):
            past = self.history[:-1] if self.history else []
            seq = list(reversed(past)) if pol.name == "backwards" else list(past)
            for idx, tallies in enumerate(seq):
                vals = {c: tallies.get(c, 0) for c in remaining}
                if len(set(vals.values())) > 1:
                    target = min(vals.values()) if lowest else max(vals.values())
                    remaining = [c for c in remaining if vals[c] == target]
                    rnd = (len(past) - idx) if pol.name == "backwards" else idx + 1
                    detail += f"round {rnd} tallies; "
                    if len(remaining) == 1:
                        break
            if len(remaining) > 1:
                used = f"{pol.name} then {pol.fallback}"
                if pol.fallback == "order" and pol.order:
                    chosen = self._by_order(remaining, lowest)
                else:
                    chosen = int(self.rng.choice(remaining))
                    detail += f"lot (seed {pol.seed}); "
            else:
                chosen = remaining[0]
        elif pol.name == "random":
            chosen = int(self.rng.choice(remaining))
            detail = f"lot (seed {pol.seed})"
        else:
            chosen = self._by_order(remaining, lowest)
        rec = TieBreak(
            tied=tuple(self.candidates[c] for c in tied),
            winners=(self.candidates[chosen],),
            policy=used,
            round=round_no,
            purpose=purpose,
            detail=detail.strip("; "),
        )
        return chosen, rec


def pick_extreme(
    values: Mapping[int, Number],
    *,
    lowest: bool,
    breaker: TieBreaker,
    round_no: int,
    purpose: str,
) -> tuple[int, TieBreak | None]:
    """The candidate with the lowest (or highest) value, breaking a tie with ``breaker``."""
    target = min(values.values()) if lowest else max(values.values())
    tied = [c for c, v in values.items() if v == target]
    if len(tied) == 1:
        return tied[0], None
    return breaker.break_tie(tied, lowest=lowest, round_no=round_no, purpose=purpose)


def as_policy(
    tiebreak: str | TieBreakPolicy | None, default: str = "backwards", **kw: object
) -> TieBreakPolicy:
    """Accept a policy, a policy name, or ``None`` (the rule's default)."""
    if isinstance(tiebreak, TieBreakPolicy):
        return tiebreak
    return TieBreakPolicy(name=tiebreak or default, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TiePolicy:
    """How ties for the last seat are broken; ``seed`` feeds the ``lot`` policy's generator."""

    name: str = "most-votes"
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.name not in SEAT_TIE_POLICIES:
            raise InputError(f"unknown tie policy {self.name!r}; use one of {', '.join(SEAT_TIE_POLICIES)}")

    @property
    def label(self) -> str:
        """How the policy is reported in a :class:`TieBreak`."""
        if self.name == "lot":
            return f"lot(seed={self.seed})"
        if self.name == "most-votes" and self.seed is not None:
            return f"most-votes, then lot(seed={self.seed})"
        return self.name

    def generator(self) -> np.random.Generator:
        """The seeded generator the ``lot`` policy draws from."""
        return np.random.default_rng(self.seed)

    def choose(
        self,
        tied: Sequence[int],
        k: int,
        votes: np.ndarray,
        names: Sequence[str],
        district: str,
        rng: np.random.Generator | None = None,
    ) -> list[int]:
        """Pick ``k`` of the ``tied`` party columns (``votes`` are the district's votes)."""
        tied = list(tied)
        shown = ", ".join(names[i] for i in tied[:_NAMES_SHOWN])
        label = (
            shown
            if len(tied) <= _NAMES_SHOWN
            else f"{len(tied)} of them ({shown} and {len(tied) - _NAMES_SHOWN} more)"
        )
        if not np.any(votes):
            raise RuleError(f"no votes were cast in {district}: no one can be elected there, not even by lot")
        if self.name == "raise":
            raise RuleError(f"tie in {district}: {label} tied for {k} seat(s) (tie policy 'raise')")
        if self.name == "lot":
            rng = rng if rng is not None else self.generator()
            picked = rng.choice(len(tied), size=k, replace=False)
            return [tied[i] for i in sorted(picked)]
        ordered = sorted(tied, key=lambda i: -int(votes[i]))
        edge = int(votes[ordered[k - 1]])
        if edge == int(votes[ordered[k]]):
            if self.seed is None:
                raise RuleError(
                    f"tie in {district}: {label} tied for {k} seat(s) with equal votes; "
                    "the 'most-votes' policy cannot break it: give a seed to draw lots among "
                    "them, or use the 'lot' policy"
                )
            sure = [i for i in ordered if int(votes[i]) > edge]
            level = [i for i in ordered if int(votes[i]) == edge]
            rng = rng if rng is not None else self.generator()
            picked = rng.choice(len(level), size=k - len(sure), replace=False)
            return sure + [level[i] for i in sorted(picked)]
        return ordered[:k]


def as_tie_policy(tie: str | TiePolicy | None, seed: int | None = None) -> TiePolicy:
    """A :class:`TiePolicy` from a name (with ``seed``) or a policy."""
    if isinstance(tie, TiePolicy):
        return tie
    return TiePolicy(tie or "most-votes", seed)
