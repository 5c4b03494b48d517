"""Explicit, named tie-break policies, recorded in the round where each tie is met.

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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kingmaker.errors import InputError, RuleError
from kingmaker.result import Number, TieBreak

POLICIES = ("backwards", "forwards", "random", "order")


@dataclass(frozen=True)
class TieBreakPolicy:
    """How to break ties: ``name`` one of :data:`POLICIES`, with ``seed``/``order``/``fallback``."""

    name: str = "backwards"
    seed: int = 0
    order: tuple[str, ...] = ()
    fallback: str = "random"

    def __post_init__(self) -> None:
        if self.name not in POLICIES:
            raise InputError(f"unknown tie-break policy {self.name!r}; use one of {', '.join(POLICIES)}")
        if self.fallback not in ("random", "order"):
            raise InputError("tie-break fallback must be 'random' or 'order'")
        if (self.name == "order" or self.fallback == "order") and not self.order and self.name == "order":
            raise InputError("the 'order' tie-break needs an order of candidates")
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
            round=round_no,
            purpose=purpose,
            tied=tuple(self.candidates[c] for c in tied),
            chosen=self.candidates[chosen],
            policy=used,
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
