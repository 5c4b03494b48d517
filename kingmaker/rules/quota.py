"""Largest-remainder (quota) methods: Hare (Hamilton) and Droop.

Each party first gets ``floor(votes / quota)`` seats; the seats left go to the largest
remainders. Quotients and remainders are compared exactly with integer arithmetic
(``votes * S mod V`` for the Hare quota ``V / S``), so ties are real ties and go to the named
tie policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.allocation import Allocation, Threshold, TieBreak, TiePolicy, as_tie_policy
from kingmaker.errors import RuleError, UnknownNameError
from kingmaker.rules.divisor import (
    SeatCount,
    district_allocation,
    pooled_allocation,
)
from kingmaker.votes import VoteTable

#: Quota names: ``hare`` = V / S (Hamilton's method); ``droop`` = floor(V / (S + 1)) + 1.
QUOTAS: Mapping[str, str] = MappingProxyType(
    {"hare": "Hare quota V/S (Hamilton)", "droop": "Droop quota floor(V/(S+1)) + 1"}
)


def hare_quota(votes: int, seats: int) -> Fraction:
    """The Hare quota ``votes / seats`` as an exact fraction."""
    return Fraction(int(votes), int(seats))


def droop_quota(votes: int, seats: int) -> int:
    """The Droop quota ``floor(votes / (seats + 1)) + 1``."""
    return int(votes) // (int(seats) + 1) + 1


def largest_remainder(
    votes: np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    quota: str = "hare",
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
    if quota not in QUOTAS:
        raise UnknownNameError(f"unknown quota {quota!r}; known: {', '.join(QUOTAS)}")
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
    if quota == "hare":
        num, den = v * s[:, None], np.maximum(total, 1)[:, None]
    else:
        q = total // (s + 1) + 1
        num, den = v, q[:, None]
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
        cand = order[d][v[d, order[d]] > 0] if quota == "droop" else order[d]
        cand = [int(p) for p in cand if v[d, p] > 0]
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
    quota: str = "hare",
    *,
    threshold: str | Fraction | Threshold | None = None,
    wins: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Largest remainder with the ``hare`` or ``droop`` quota in every district of ``votes``."""
    return district_allocation(votes, seats, _quota_count(quota, tie, seed), threshold=threshold, wins=wins)


def _quota_count(quota: str, tie: str | TiePolicy, seed: int | None) -> SeatCount:
    """A :data:`SeatCount` by largest remainder with ``quota``."""

    def count(
        votes: np.ndarray,
        seats: np.ndarray,
        eligible: np.ndarray | None,
        names: Sequence[str],
        districts: Sequence[str],
    ) -> tuple[str, np.ndarray, list[TieBreak]]:
        ds, ties = largest_remainder(
            votes, seats, quota, eligible=eligible, tie=tie, seed=seed, names=names, districts=districts
        )
        return quota, ds, ties

    return count


def hare(votes: Any, seats: Any, **options: Any) -> Allocation:
    """Hamilton / Hare largest remainder: see :func:`quota_allocation`."""
    return quota_allocation(votes, seats, "hare", **options)


def droop(votes: Any, seats: Any, **options: Any) -> Allocation:
    """Droop largest remainder: see :func:`quota_allocation`."""
    return quota_allocation(votes, seats, "droop", **options)


def allocate_by_level(
    table: VoteTable,
    quota: str,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | Threshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Pool ``table`` by ``level`` and allocate by largest remainder in each pool
    (the quota counterpart of :func:`kingmaker.rules.divisor.allocate_by_level`)."""
    count = _quota_count(quota, tie, seed)
    return pooled_allocation(table, count, seats=seats, level=level, threshold=threshold)
