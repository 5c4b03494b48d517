"""Divisor (highest averages) methods: D'Hondt, Sainte-Laguë, modified Sainte-Laguë, Danish,
Imperiali, Huntington-Hill and Adams.

A party holding ``k`` seats bids ``votes / d(k)``; the seats go to the highest bids. The engine
(:func:`highest_averages`) works on many districts at once: it computes every bid as a
``(districts, parties, seats)`` float array, takes the top ``S`` per district with
:func:`numpy.partition`, and re-checks *exactly* every district whose last winning bid and first
losing bid are within rounding distance of each other. Exact bids compare ``votes**2 / d(k)**2``
as :class:`~fractions.Fraction` values (squared so that Huntington-Hill's ``sqrt(k(k+1))`` is
exact too), so a tie is reported only when it is a real tie, and then broken by a named
:class:`~kingmaker.ties.TiePolicy` and recorded as a :class:`~kingmaker.ties.TieBreak`.

Every method registers itself (at the end of this module) in
:data:`~kingmaker.seats.registry.DIVISORS` and, as a seat system, in
:data:`~kingmaker.seats.registry.SYSTEMS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import InputError, RuleError
from kingmaker.seats.allocation import Allocation, VoteThreshold
from kingmaker.seats.pooling import SeatCount, district_allocation, pooled_allocation
from kingmaker.seats.registry import DIVISORS, SYSTEMS, normalise_name
from kingmaker.ties import TieBreak, TiePolicy, as_tie_policy
from kingmaker.votes import VoteTable


@dataclass(frozen=True)
class DivisorMethod:
    """A divisor sequence: ``squared(k)`` is the exact square of the k-th divisor (k = 0, 1, ...)."""

    name: str
    label: str
    squared: Callable[[int], Fraction]

    def divisor(self, k: int) -> float:
        """The k-th divisor as a float."""
        return float(self.squared(k)) ** 0.5

    def divisors(self, n: int) -> np.ndarray:
        """The first ``n`` divisors as floats."""
        return np.sqrt(np.array([float(self.squared(k)) for k in range(n)]))


_REL_TOL = 1e-9


def divisor_method(name: str | DivisorMethod) -> DivisorMethod:
    """The :class:`DivisorMethod` called ``name`` (or one of its aliases; case, ``_`` for ``-``
    and apostrophes do not matter); :class:`UnknownNameError` for any other name."""
    if isinstance(name, DivisorMethod):
        return name
    method: DivisorMethod = DIVISORS.get(normalise_name(name), what="divisor method").obj
    return method


def _exact_bid(votes: int, k: int, method: DivisorMethod) -> tuple[int, Fraction]:
    """Exact, comparable bid of a party with ``votes`` holding ``k`` seats: (infinite?, value)."""
    d2 = method.squared(k)
    if d2 == 0:
        return (1, Fraction(0))  # zero divisor: ahead of every finite bid, level with each other
    return (0, Fraction(votes * votes) / d2)


def highest_averages(
    votes: np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    method: str | DivisorMethod = "dhondt",
    *,
    initial: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    names: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[TieBreak]]:
    """Allocate ``seats[d]`` seats in every district ``d`` of a (districts, parties) vote array.

    ``initial`` seats (e.g. constituency seats under AMS) make a party's first divisor
    ``d(initial)``; they are not part of the returned seats. ``eligible`` masks parties out
    (thresholds). Returns the (districts, parties) seats and the ties broken, in district order.
    """
    method = divisor_method(method)
    policy = as_tie_policy(tie, seed)
    votes = np.asarray(votes, dtype=np.int64)
    if votes.ndim == 1:
        votes = votes[None, :]
    n_d, n_p = votes.shape
    seats_arr = np.broadcast_to(np.asarray(seats, dtype=np.int64), (n_d,)).copy()
    if np.any(seats_arr < 0):
        raise InputError("seats to allocate cannot be negative")
    if np.any(votes < 0):
        raise InputError("votes cannot be negative")
    init = np.zeros((n_d, n_p), dtype=np.int64) if initial is None else np.asarray(initial)
    init = np.broadcast_to(init, (n_d, n_p)).astype(np.int64)
    live = votes > 0
    if eligible is not None:
        live &= np.broadcast_to(np.asarray(eligible, dtype=bool), (n_d, n_p))
    empty = (seats_arr > 0) & ~live.any(axis=1)
    if np.any(empty):
        d = int(np.flatnonzero(empty)[0])
        where = districts[d] if districts is not None else f"district {d}"
        raise RuleError(f"no party is eligible for seats in {where}")
    names = list(names) if names is not None else [f"party {i}" for i in range(n_p)]
    dnames = list(districts) if districts is not None else [str(i) for i in range(n_d)]
    result = np.zeros((n_d, n_p), dtype=np.int64)
    ties: list[TieBreak] = []
    rng = policy.generator()
    # Group districts by magnitude so that each group is one rectangular float problem.
    for s in np.unique(seats_arr):
        s = int(s)
        if s == 0:
            continue
        rows = np.flatnonzero(seats_arr == s)
        suspects = _float_top(votes[rows], init[rows], live[rows], s, method, result, rows)
        for d in suspects:
            result[d], found = _exact_district(
                votes[d], init[d], live[d], s, method, policy, names, dnames[d], rng
            )
            ties.extend(found)
    ties.sort(key=lambda t: dnames.index(t.district))
    return result, ties


def _float_top(
    votes: np.ndarray,
    init: np.ndarray,
    live: np.ndarray,
    s: int,
    method: DivisorMethod,
    out: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Fill ``out[rows]`` by float bids; return the rows that need an exact check."""
    n_d, n_p = votes.shape
    max_init = int(init.max()) if init.size else 0
    div = method.divisors(max_init + s)
    divs = div[None, None, :s] if max_init == 0 else div[init[:, :, None] + np.arange(s)[None, None, :]]
    with np.errstate(divide="ignore", invalid="ignore"):
        bids = votes[:, :, None] / divs
    if div[0] == 0:  # zero divisor: infinite bid, ordered among themselves by votes
        bids = np.where(np.isinf(bids), 1e300 * (1 + votes[:, :, None] / 1e18), bids)
    all_live = bool(live.all())
    if not all_live:
        bids = np.where(live[:, :, None], bids, -1.0)
    n = n_p * s
    ordered = np.sort(bids.reshape(n_d, n), axis=1)
    last_in = ordered[:, n - s]
    first_out = ordered[:, n - s - 1] if n > s else np.full(n_d, -1.0)
    # Count each party's bids above the midpoint between the last seat and the first loser:
    # bids v/d(k) > t  <=>  d(k) < v/t, a search in the (sorted) divisors.
    cut = (last_in + first_out) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = votes / cut[:, None]
    counts = np.searchsorted(div, ratio, side="right")
    if max_init:
        counts = counts - init
    counts = np.clip(counts, 0, s)
    if not all_live:
        counts[~live] = 0
    out[rows] = counts
    near = first_out >= last_in * (1 - _REL_TOL)
    bad = counts.sum(axis=1) != s
    return rows[near | bad | (last_in <= 0)]


def _exact_district(
    votes: np.ndarray,
    init: np.ndarray,
    live: np.ndarray,
    s: int,
    method: DivisorMethod,
    policy: TiePolicy,
    names: Sequence[str],
    district: str,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[TieBreak]]:
    """Exact top-``s`` of one district's bids; ties at the boundary go to the policy.

    Only the bids near the boundary are compared exactly (:func:`_near_boundary`): the float bids
    far above it are seats whatever the rounding, those far below are not. A district of 650
    equal parties and 700 seats compares 650 fractions, not 455,000.
    """
    if not live.any():
        raise RuleError(f"no party is eligible for seats in {district}")
    seats = np.zeros(len(votes), dtype=np.int64)
    band = _near_boundary(votes, init, live, s, method, seats)
    if band is None:  # zero divisors, or too few bids: compare every bid exactly
        band = [
            (_exact_bid(int(votes[p]), int(init[p]) + j, method), int(p))
            for p in np.flatnonzero(live)
            for j in range(s)
        ]
    s -= int(seats.sum())
    bids = sorted(band, key=lambda b: b[0], reverse=True)
    ties: list[TieBreak] = []
    if len(bids) <= s:
        for _, p in bids:
            seats[p] += 1
        return seats, ties
    boundary = bids[s - 1][0]
    above = [p for b, p in bids if b > boundary]
    at = [p for b, p in bids if b == boundary]
    for p in above:
        seats[p] += 1
    free = s - len(above)
    if len(at) > free:
        chosen = policy.choose(at, free, votes, names, district, rng)
        ties.append(
            TieBreak(
                district=district,
                seats=free,
                tied=tuple(names[p] for p in at),
                winners=tuple(names[p] for p in chosen),
                policy=policy.label,
            )
        )
        at = chosen
    for p in at:
        seats[p] += 1
    return seats, ties


def _near_boundary(
    votes: np.ndarray, init: np.ndarray, live: np.ndarray, s: int, method: DivisorMethod, seats: np.ndarray
) -> list[tuple[tuple[int, Fraction], int]] | None:
    """Add to ``seats`` each party's bids that are certainly above the ``s``-th largest bid, and
    return the exact bids within :data:`_REL_TOL` of it (the only ones whose order needs exact
    arithmetic); None where floats cannot be used (a zero divisor) or every bid wins."""
    parties = np.flatnonzero(live)
    if len(parties) * s <= s:
        return None
    div = method.divisors(int(init[parties].max()) + s)
    ks = init[parties][:, None] + np.arange(s)[None, :]
    if np.any(div[ks] == 0):
        return None
    floats = votes[parties][:, None] / div[ks]  # (parties, s), falling along each row
    last_in = np.partition(floats.ravel(), floats.size - s)[floats.size - s]
    if not last_in > 0:
        return None
    above = floats > last_in * (1 + _REL_TOL)
    near = (floats >= last_in * (1 - _REL_TOL)) & ~above
    seats[parties] += above.sum(axis=1)
    rows, cols = np.nonzero(near)
    return [
        (_exact_bid(int(votes[parties[r]]), int(ks[r, c]), method), int(parties[r]))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    ]


# ---------------------------------------------------------------------------- table-level API


def divisor_allocation(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    method: str = "dhondt",
    *,
    threshold: str | Fraction | VoteThreshold | None = None,
    wins: np.ndarray | None = None,
    initial: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Allocate ``seats`` in every district (row) of ``votes`` by the divisor ``method``.

    ``votes`` is a :class:`VoteTable`, ``{party: votes}`` (one district) or an array.
    ``seats`` is one number for every district or one per district. ``threshold`` is ``"5%"``
    (national) or a :class:`~kingmaker.seats.allocation.VoteThreshold`; ``wins`` (per party) feed its "or win N districts" clause.
    """
    spec = divisor_method(method)
    count = _divisor_count(spec, tie, seed, initial)
    return district_allocation(votes, seats, count, threshold=threshold, wins=wins)


def _divisor_count(
    method: str | DivisorMethod, tie: str | TiePolicy, seed: int | None, initial: np.ndarray | None = None
) -> SeatCount:
    """A :data:`SeatCount` by highest averages with ``method``."""

    def count(
        votes: np.ndarray,
        seats: np.ndarray,
        eligible: np.ndarray | None,
        names: Sequence[str],
        districts: Sequence[str],
    ) -> tuple[str, np.ndarray, list[TieBreak]]:
        policy = as_tie_policy(tie, seed)
        spec = divisor_method(method)
        ds, ties = highest_averages(
            votes,
            seats,
            spec,
            initial=initial,
            eligible=eligible,
            tie=policy,
            names=names,
            districts=districts,
        )
        return spec.name, ds, ties

    return count


def allocate_by_level(
    table: VoteTable,
    method: str | DivisorMethod,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Pool ``table`` by ``level`` and allocate by ``method`` in each pool.

    At ``national`` level ``seats`` defaults to the seats the districts return; at ``region``,
    ``nation`` or ``district`` level each pool gets the seats its districts return (or ``seats``
    apportioned to the pools by their seats with Sainte-Laguë when ``seats`` is given).
    A national threshold is applied to national vote totals.
    """
    count = _divisor_count(method, tie, seed)
    return pooled_allocation(table, count, split=pool_seats, seats=seats, level=level, threshold=threshold)


def pool_seats(weights: np.ndarray, seats: int, pools: Sequence[str]) -> np.ndarray:
    """``seats`` shared among pools in proportion to ``weights`` (the seats their districts
    return) by Sainte-Laguë; a tie goes to the pool with the larger weight (the
    :data:`~kingmaker.seats.pooling.PoolSplit` of every list method)."""
    ds, _ = highest_averages(
        np.asarray(weights, dtype=np.int64)[None, :],
        int(seats),
        SAINTE_LAGUE,
        names=tuple(pools),
        districts=("apportionment",),
    )
    return ds[0]


# ---------------------------------------------------------------------------- the methods

#: What every divisor method declares (checked by tests/contracts/test_seat_systems.py).
PROPERTIES = ("house-monotone", "fills-seats", "seeded", "permutation-invariant")


def _register(
    name: str, label: str, squared: Callable[[int], Fraction], summary: str, aliases: tuple[str, ...] = ()
) -> DivisorMethod:
    """Register one divisor method in DIVISORS, and as a seat system in SYSTEMS."""
    method = DivisorMethod(name, label, squared)
    DIVISORS.register(name, summary=summary, aliases=aliases, properties=PROPERTIES)(method)

    def run(
        table: VoteTable,
        *,
        seats: int | None = None,
        level: str = "national",
        threshold: str | Fraction | VoteThreshold | None = None,
        tie: str | TiePolicy = "most-votes",
    ) -> Allocation:
        return allocate_by_level(table, method, seats=seats, level=level, threshold=threshold, tie=tie)

    SYSTEMS.register(name, summary=summary, aliases=aliases, properties=PROPERTIES)(run)
    return method


def _rule(method: DivisorMethod) -> Callable[..., Allocation]:
    """``rule(votes, seats, **options)``: :func:`divisor_allocation` by ``method``."""

    def rule(votes: Any, seats: Any, **options: Any) -> Allocation:
        return divisor_allocation(votes, seats, method, **options)

    rule.__name__ = method.name.replace("-", "_")
    rule.__doc__ = f"{method.label}: see :func:`divisor_allocation`."
    return rule


def _modified_sl(k: int) -> Fraction:
    return Fraction(49, 25) if k == 0 else Fraction((2 * k + 1) ** 2)


DHONDT = _register(
    "dhondt", "D'Hondt", lambda k: Fraction((k + 1) ** 2), "D'Hondt (divisors 1, 2, 3, ...)", ("d-hondt",)
)
SAINTE_LAGUE = _register(
    "sainte-lague",
    "Sainte-Laguë",
    lambda k: Fraction((2 * k + 1) ** 2),
    "Sainte-Lague / Webster (divisors 1, 3, 5, ...)",
    ("webster", "saint-lague"),
)
MODIFIED_SAINTE_LAGUE = _register(
    "modified-sainte-lague",
    "modified Sainte-Laguë",
    _modified_sl,
    "modified Sainte-Lague (divisors 1.4, 3, 5, ...)",
)
DANISH = _register(
    "danish", "Danish", lambda k: Fraction((3 * k + 1) ** 2), "Danish method (divisors 1, 4, 7, ...)"
)
IMPERIALI = _register(
    "imperiali", "Imperiali", lambda k: Fraction((k + 2) ** 2), "Imperiali (divisors 2, 3, 4, ...)"
)
HUNTINGTON_HILL = _register(
    "huntington-hill",
    "Huntington-Hill",
    lambda k: Fraction(k * (k + 1)),
    "Huntington-Hill (divisors sqrt(k(k+1)))",
)
ADAMS = _register("adams", "Adams", lambda k: Fraction(k * k), "Adams (divisors 0, 1, 2, ...)")

dhondt = _rule(DHONDT)
sainte_lague = _rule(SAINTE_LAGUE)
modified_sainte_lague = _rule(MODIFIED_SAINTE_LAGUE)
danish = _rule(DANISH)
imperiali = _rule(IMPERIALI)
huntington_hill = _rule(HUNTINGTON_HILL)
adams = _rule(ADAMS)
