"""Largest-remainder (quota) methods: Hare (Hamilton) and Droop.

Each party first gets ``floor(votes / quota)`` seats; the seats left go to the largest
remainders. Quotients and remainders are compared exactly with integer arithmetic
(``votes * S mod V`` for the Hare quota ``V / S``), so ties are real ties and go to the named
tie policy. Each quota registers itself (at the end of this module) in
:data:`~kingmaker.seats.registry.QUOTAS` and, as a seat system, in
:data:`~kingmaker.seats.registry.SYSTEMS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import RuleError
from kingmaker.seats.allocation import Allocation, VoteThreshold
from kingmaker.seats.divisor import pool_seats
from kingmaker.seats.pooling import SeatCount, district_allocation, pooled_allocation
from kingmaker.seats.registry import QUOTAS, SYSTEMS, normalise_name
from kingmaker.ties import TieBreak, TiePolicy, as_tie_policy
from kingmaker.votes import VoteTable

#: ``(votes (districts, parties), seats (districts,), eligible votes per district (districts,))``
#: -> exact ``(numerator, denominator)`` of every party's quotient ``votes / quota``.
Quotients = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Quota:
    """A largest-remainder quota: its name, label and exact quotient arithmetic."""

    name: str
    label: str
    quotients: Quotients


def quota_rule(name: str | Quota) -> Quota:
    """The :class:`Quota` called ``name`` (or an alias such as ``hamilton``);
    :class:`~kingmaker.errors.UnknownNameError` for any other name."""
    if isinstance(name, Quota):
        return name
    quota: Quota = QUOTAS.get(normalise_name(name), what="quota").obj
    return quota


def hare_quota(votes: int, seats: int) -> Fraction:
    """The Hare quota ``votes / seats`` as an exact fraction."""
    return Fraction(int(votes), int(seats))


def droop_quota(votes: int, seats: int) -> int:
    """The Droop quota ``floor(votes / (seats + 1)) + 1``."""
    return int(votes) // (int(seats) + 1) + 1


def largest_remainder(
    votes: np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    quota: str | Quota = "hare",
    *,
    eligible: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    names: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[TieBreak]]:
    """Largest remainder in every district of a (districts, parties) vote array.

    The quota is computed from the eligible parties' votes. Returns (seats, ties).
    """
    spec = quota_rule(quota)
    policy = as_tie_policy(tie, seed)
    v = np.asarray(votes, dtype=np.int64)
    if v.ndim == 1:
        v = v[None, :]
    n_d, n_p = v.shape
    s = np.broadcast_to(np.asarray(seats, dtype=np.int64), (n_d,))
    if eligible is not None:
        v = np.where(np.broadcast_to(eligible, v.shape), v, 0)
    total = v.sum(axis=1)
    names = list(names) if names is not None else [f"party {i}" for i in range(n_p)]
    dnames = list(districts) if districts is not None else [str(i) for i in range(n_d)]
    if np.any((total == 0) & (s > 0)):
        d = int(np.flatnonzero((total == 0) & (s > 0))[0])
        raise RuleError(f"no party is eligible for seats in {dnames[d]}")
    # Exact integer numerators: party quotient = num / den with den > 0.
    num, den = spec.quotients(v, s, total)
    whole = num // den
    rem = num - whole * den  # remainder scaled by den (same den within a district)
    left = s - whole.sum(axis=1)
    result = whole.copy()
    ties: list[TieBreak] = []
    rng = policy.generator()
    # rank remainders descending; sort by (rem, votes) only for the boundary check
    order = np.argsort(-rem, axis=1, kind="stable")
    for d in range(n_d):
        k = int(left[d])
        if k <= 0:
            if k < 0:  # cannot happen with these quotas; guard all the same
                raise RuleError(f"quota allocation over-filled {dnames[d]}")
            continue
        cand = [int(p) for p in order[d] if v[d, p] > 0]
        if k > len(cand):
            # more seats left than parties (tiny quotas): give the rest by repeated rounds
            extra = np.zeros(n_p, dtype=np.int64)
            for i in range(k):
                extra[cand[i % len(cand)]] += 1
            result[d] += extra
            continue
        boundary = rem[d, cand[k - 1]]
        above = [p for p in cand if rem[d, p] > boundary]
        at = [p for p in cand if rem[d, p] == boundary]
        free = k - len(above)
        if len(at) > free:
            chosen = policy.choose(at, free, v[d], names, dnames[d], rng)
            ties.append(
                TieBreak(
                    district=dnames[d],
                    seats=free,
                    tied=tuple(names[p] for p in at),
                    winners=tuple(names[p] for p in chosen),
                    policy=policy.label,
                )
            )
            at = chosen
        for p in above + list(at):
            result[d, p] += 1
    return result, ties


def quota_allocation(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    quota: str | Quota = "hare",
    *,
    threshold: str | Fraction | VoteThreshold | None = None,
    wins: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Largest remainder with the ``hare`` or ``droop`` quota in every district of ``votes``."""
    return district_allocation(votes, seats, _quota_count(quota, tie, seed), threshold=threshold, wins=wins)


def _quota_count(quota: str | Quota, tie: str | TiePolicy, seed: int | None) -> SeatCount:
    """A :data:`SeatCount` by largest remainder with ``quota``."""

    def count(
        votes: np.ndarray,
        seats: np.ndarray,
        eligible: np.ndarray | None,
        names: Sequence[str],
        districts: Sequence[str],
    ) -> tuple[str, np.ndarray, list[TieBreak]]:
        spec = quota_rule(quota)
        ds, ties = largest_remainder(
            votes, seats, spec, eligible=eligible, tie=tie, seed=seed, names=names, districts=districts
        )
        return spec.name, ds, ties

    return count


def allocate_by_level(
    table: VoteTable,
    quota: str | Quota,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Pool ``table`` by ``level`` and allocate by largest remainder in each pool
    (the quota counterpart of :func:`kingmaker.seats.divisor.allocate_by_level`)."""
    count = _quota_count(quota, tie, seed)
    return pooled_allocation(table, count, split=pool_seats, seats=seats, level=level, threshold=threshold)


# ---------------------------------------------------------------------------- the quotas

#: What every largest-remainder system declares (checked by tests/contracts/test_seat_systems.py).
#: Not house-monotone: one more seat can take a seat away (the Alabama paradox).
PROPERTIES = ("fills-seats", "seeded", "permutation-invariant")


def _register(
    name: str, label: str, quotients: Quotients, summary: str, system: str, aliases: tuple[str, ...] = ()
) -> Quota:
    """Register one quota in QUOTAS, and largest remainder with it as a seat system in SYSTEMS."""
    quota = Quota(name, label, quotients)
    QUOTAS.register(name, summary=summary, aliases=aliases, properties=PROPERTIES)(quota)

    def run(
        table: VoteTable,
        *,
        seats: int | None = None,
        level: str = "national",
        threshold: str | Fraction | VoteThreshold | None = None,
        tie: str | TiePolicy = "most-votes",
    ) -> Allocation:
        return allocate_by_level(table, quota, seats=seats, level=level, threshold=threshold, tie=tie)

    SYSTEMS.register(name, summary=system, aliases=aliases, properties=PROPERTIES)(run)
    return quota


def _rule(quota: Quota) -> Callable[..., Allocation]:
    """``rule(votes, seats, **options)``: :func:`quota_allocation` with ``quota``."""

    def rule(votes: Any, seats: Any, **options: Any) -> Allocation:
        return quota_allocation(votes, seats, quota, **options)

    rule.__name__ = quota.name
    rule.__doc__ = f"{quota.label} largest remainder: see :func:`quota_allocation`."
    return rule


def _hare_quotients(v: np.ndarray, s: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hare quota ``V / S``: quotient ``votes * S / V``."""
    return v * s[:, None], np.maximum(total, 1)[:, None]


def _droop_quotients(v: np.ndarray, s: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Droop quota ``floor(V / (S + 1)) + 1``: quotient ``votes / quota``."""
    return v, (total // (s + 1) + 1)[:, None]


HARE = _register(
    "hare",
    "Hare (Hamilton)",
    _hare_quotients,
    "Hare quota V/S (Hamilton)",
    "largest remainder with the Hare quota (Hamilton)",
    ("hamilton",),
)
DROOP = _register(
    "droop",
    "Droop",
    _droop_quotients,
    "Droop quota floor(V/(S+1)) + 1",
    "largest remainder with the Droop quota",
)

hare = _rule(HARE)
droop = _rule(DROOP)
