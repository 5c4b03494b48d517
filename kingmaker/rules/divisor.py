"""Divisor (highest averages) methods: D'Hondt, Sainte-Laguë, modified Sainte-Laguë, Danish,
Imperiali, Huntington-Hill and Adams; and apportionment of seats to regions by population.

A party holding ``k`` seats bids ``votes / d(k)``; the seats go to the highest bids. The engine
(:func:`highest_averages`) works on many districts at once: it computes every bid as a
``(districts, parties, seats)`` float array, takes the top ``S`` per district with
:func:`numpy.partition`, and re-checks *exactly* every district whose last winning bid and first
losing bid are within rounding distance of each other. Exact bids compare ``votes**2 / d(k)**2``
as :class:`~fractions.Fraction` values (squared so that Huntington-Hill's ``sqrt(k(k+1))`` is
exact too), so a tie is reported only when it is a real tie, and then broken by a named
:class:`~kingmaker.allocation.TiePolicy` and recorded as a :class:`~kingmaker.allocation.TieBreak`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.allocation import (
    Allocation,
    Threshold,
    TieBreak,
    TiePolicy,
    as_threshold,
    as_tie_policy,
    check_seat_count,
    set_aside_columns,
    swamped_pools,
    unfilled_note,
)
from kingmaker.errors import InputError, RuleError, UnknownNameError
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


def _modified_sl(k: int) -> Fraction:
    return Fraction(49, 25) if k == 0 else Fraction((2 * k + 1) ** 2)


DIVISOR_METHODS: Mapping[str, DivisorMethod] = MappingProxyType(
    {
        "dhondt": DivisorMethod("dhondt", "D'Hondt", lambda k: Fraction((k + 1) ** 2)),
        "sainte-lague": DivisorMethod("sainte-lague", "Sainte-Laguë", lambda k: Fraction((2 * k + 1) ** 2)),
        "modified-sainte-lague": DivisorMethod(
            "modified-sainte-lague", "modified Sainte-Laguë", _modified_sl
        ),
        "danish": DivisorMethod("danish", "Danish", lambda k: Fraction((3 * k + 1) ** 2)),
        "imperiali": DivisorMethod("imperiali", "Imperiali", lambda k: Fraction((k + 2) ** 2)),
        "huntington-hill": DivisorMethod(
            "huntington-hill", "Huntington-Hill", lambda k: Fraction(k * (k + 1))
        ),
        "adams": DivisorMethod("adams", "Adams", lambda k: Fraction(k * k)),
    }
)

_REL_TOL = 1e-9


def divisor_method(name: str) -> DivisorMethod:
    """The :class:`DivisorMethod` called ``name``."""
    key = name.lower().replace("_", "-").replace("'", "")
    key = {"d-hondt": "dhondt", "webster": "sainte-lague"}.get(key, key)
    try:
        return DIVISOR_METHODS[key]
    except KeyError:
        raise UnknownNameError(
            f"unknown divisor method {name!r}; known: {', '.join(DIVISOR_METHODS)}"
        ) from None


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
    method = divisor_method(method) if isinstance(method, str) else method
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
    """Exact top-``s`` of one district's bids; ties at the boundary go to the policy."""
    bids: list[tuple[tuple[int, Fraction], int]] = []
    for p in np.flatnonzero(live):
        for j in range(s):
            bids.append((_exact_bid(int(votes[p]), int(init[p]) + j, method), int(p)))
    if not bids:
        raise RuleError(f"no party is eligible for seats in {district}")
    bids.sort(key=lambda b: b[0], reverse=True)
    seats = np.zeros(len(votes), dtype=np.int64)
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


# ---------------------------------------------------------------------------- table-level API


def _votes_and_names(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...], VoteTable | None]:
    if isinstance(votes, VoteTable):
        return votes.votes, votes.parties, votes.ids, votes
    if isinstance(votes, Mapping):
        table = VoteTable.from_mapping(dict(votes))
        return table.votes, table.parties, table.districts, table
    arr = np.asarray(votes)
    if arr.ndim == 1:
        arr = arr[None, :]
    table = VoteTable(
        arr, tuple(f"P{i + 1}" for i in range(arr.shape[1])), tuple(f"D{i + 1}" for i in range(arr.shape[0]))
    )
    return table.votes, table.parties, table.districts, table


def check_seats(seats: Any) -> np.ndarray:
    """Seats as a positive integer array; :class:`InputError` for 0, negative or non-integers,
    :class:`~kingmaker.errors.TooLargeError` past :data:`~kingmaker.allocation.MAX_SEATS` in all."""
    arr = np.asarray(seats)
    if arr.dtype.kind not in "iu" or np.any(arr <= 0):
        raise InputError(f"seats must be positive whole numbers, got {seats!r}")
    check_seat_count(int(arr.sum()), "seats in all")
    return arr.astype(np.int64)


def eligibility(
    votes: np.ndarray, threshold: Threshold | None, wins: np.ndarray | None, names: Sequence[str]
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Threshold mask and the parties it removes everywhere; refuses if it removes everyone."""
    if threshold is None:
        return None, ()
    mask = threshold.eligible(votes, wins)
    has_votes = votes > 0
    if not np.any(mask & has_votes):
        raise InputError(f"the threshold ({threshold}) removes every party")
    removed = tuple(
        n for i, n in enumerate(names) if has_votes[:, i].any() and not (mask & has_votes)[:, i].any()
    )
    return mask, removed


def divisor_allocation(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    method: str = "dhondt",
    *,
    threshold: str | Fraction | Threshold | None = None,
    wins: np.ndarray | None = None,
    initial: np.ndarray | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Allocate ``seats`` in every district (row) of ``votes`` by the divisor ``method``.

    ``votes`` is a :class:`VoteTable`, ``{party: votes}`` (one district) or an array.
    ``seats`` is one number for every district or one per district. ``threshold`` is ``"5%"``
    (national) or a :class:`Threshold`; ``wins`` (per party) feed its "or win N districts" clause.
    """
    spec = divisor_method(method)
    count = _divisor_count(spec, tie, seed, initial)
    return district_allocation(votes, seats, count, threshold=threshold, wins=wins)


#: Counts one (districts, parties) vote array: ``(votes, seats per district, eligible mask or
#: None, party names, district names)`` -> ``(method label, seats per district and party, ties
#: broken)``. :func:`district_allocation` and :func:`pooled_allocation` run one.
SeatCount = Callable[
    [np.ndarray, np.ndarray, np.ndarray | None, Sequence[str], Sequence[str]],
    tuple[str, np.ndarray, list[TieBreak]],
]


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
        spec = divisor_method(method) if isinstance(method, str) else method
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


def district_allocation(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    count: SeatCount,
    *,
    threshold: str | Fraction | Threshold | None = None,
    wins: np.ndarray | None = None,
) -> Allocation:
    """Allocate ``seats`` in every district (row) of ``votes`` with ``count``, after the
    threshold (see :func:`divisor_allocation` and :func:`kingmaker.rules.quota.quota_allocation`)."""
    arr, parties, dnames, _ = _votes_and_names(votes)
    seats_arr = check_seats(np.broadcast_to(np.asarray(seats), (arr.shape[0],)))
    mask, removed = eligibility(arr, as_threshold(threshold), wins, parties)
    label, ds, ties = count(arr, seats_arr, mask, parties, dnames)
    return Allocation(
        method=label,
        parties=parties,
        seats=ds.sum(axis=0),
        votes=arr.sum(axis=0),
        districts=dnames,
        district_seats=ds,
        ties=tuple(ties),
        excluded=removed,
        groups=votes.groups if isinstance(votes, VoteTable) else {},
    )


def _make(name: str) -> Callable[..., Allocation]:
    def rule(votes: Any, seats: Any, **options: Any) -> Allocation:
        return divisor_allocation(votes, seats, name, **options)

    rule.__name__ = name.replace("-", "_")
    rule.__doc__ = f"{DIVISOR_METHODS[name].label}: see :func:`divisor_allocation`."
    return rule


dhondt = _make("dhondt")
sainte_lague = _make("sainte-lague")
modified_sainte_lague = _make("modified-sainte-lague")
danish = _make("danish")
imperiali = _make("imperiali")
huntington_hill = _make("huntington-hill")
adams = _make("adams")


def allocate_by_level(
    table: VoteTable,
    method: str,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | Threshold | None = None,
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
    return pooled_allocation(table, count, seats=seats, level=level, threshold=threshold)


def pooled_allocation(
    table: VoteTable,
    count: SeatCount,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | Threshold | None = None,
) -> Allocation:
    """Pool ``table`` by ``level`` and allocate each pool's seats with ``count``: the pooling,
    seats per pool, thresholds and set-aside independents that every list method shares (see
    :func:`allocate_by_level` and :func:`kingmaker.rules.quota.allocate_by_level`)."""
    threshold = as_threshold(threshold)
    pooled = table.aggregate(level) if level != "district" else table
    mags = pooled.seat_magnitudes()
    if seats is not None:
        check_seats(seats)
        if len(mags) == 1:
            mags = np.array([seats])
        else:
            mags = apportion(dict(zip(pooled.ids, mags.tolist(), strict=True)), seats, "sainte-lague").seats
    mask, removed, notes = level_eligibility(table, pooled, threshold)
    mask, set_aside, aside_notes, swamped = without_non_parties(table, pooled, level, mask)
    label, ds, ties = count(pooled.votes, check_seats(mags), mask, table.parties, pooled.ids)
    if swamped.any():
        aside = np.array([p in set_aside for p in table.parties], dtype=bool)
        unfilled = int(ds[np.ix_(swamped, aside)].sum())
        ds = ds.copy()
        ds[np.ix_(swamped, aside)] = 0
        if unfilled:
            pools = [pooled.ids[r] for r in np.flatnonzero(swamped)]
            aside_notes = (*aside_notes, unfilled_note(pools, unfilled, list(set_aside)))
    return Allocation(
        method=f"{label} ({level})",
        parties=table.parties,
        seats=ds.sum(axis=0),
        votes=table.totals(),
        districts=pooled.ids,
        district_seats=ds,
        ties=tuple(ties),
        excluded=removed,
        groups=table.groups,
        notes=(*notes, *aside_notes),
        set_aside=set_aside,
    )


def without_non_parties(
    table: VoteTable, pooled: VoteTable, level: str, mask: np.ndarray | None
) -> tuple[np.ndarray | None, dict[str, int], tuple[str, ...], np.ndarray]:
    """``mask`` with independents, the Speaker and lumped columns such as ``oth`` set aside when
    votes are pooled above the district level (see
    :func:`kingmaker.allocation.set_aside_columns`), and the pools they swamp
    (:func:`kingmaker.allocation.swamped_pools`), where they stay in the count and the seats
    they win are then left unfilled."""
    aside, votes, notes = set_aside_columns(table, level)
    swamped = swamped_pools(pooled.votes, aside)
    if not aside.any():
        return mask, {}, (), swamped
    base = np.ones(pooled.votes.shape, dtype=bool) if mask is None else mask.copy()
    base[np.ix_(~swamped, aside)] = False
    return base, votes, notes, swamped


def level_eligibility(
    table: VoteTable, pooled: VoteTable, threshold: Threshold | None
) -> tuple[np.ndarray | None, tuple[str, ...], tuple[str, ...]]:
    """Threshold mask for pooled votes: a national share on national totals, a district share
    in each pool. A pool where no party passes a national threshold (Northern Ireland's parties
    under a UK-wide 5%) is exempt, and a note says so. Refuses if nobody passes anywhere."""
    if threshold is None:
        return None, (), ()
    mask = np.ones(pooled.votes.shape, dtype=bool)
    notes: list[str] = []
    if threshold.national is not None:
        mask &= Threshold(national=threshold.national).eligible(table.votes)[0][None, :]
    if threshold.district is not None:
        mask &= Threshold(district=threshold.district).eligible(pooled.votes)
    has = pooled.votes > 0
    if not np.any(mask & has):
        raise InputError(f"the threshold ({threshold}) removes every party")
    for r in range(pooled.n_districts):
        if not np.any(mask[r] & has[r]):
            mask[r] = True
            notes.append(f"no party in {pooled.ids[r]} passes the threshold: exempt there")
    removed = tuple(
        p for i, p in enumerate(table.parties) if has[:, i].any() and not (mask & has)[:, i].any()
    )
    return mask, removed, tuple(notes)


def apportion(
    populations: Mapping[str, int],
    seats: int,
    method: str = "sainte-lague",
    *,
    minimum: int = 0,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Apportion ``seats`` to regions by population (or electorate) with any divisor or quota
    method; ``minimum`` seats each are given first (divisor methods then continue from them)."""
    from kingmaker.rules import quota

    check_seats(seats)
    names = tuple(populations)
    pops = np.array([int(v) for v in populations.values()], dtype=np.int64)
    if np.any(pops < 0):
        raise InputError("populations cannot be negative")
    if minimum * len(names) > seats:
        raise InputError(f"{len(names)} regions x minimum {minimum} exceed {seats} seats")
    key = method.lower()
    if key in quota.QUOTAS:
        if minimum:
            raise InputError("a minimum per region needs a divisor method")
        result = quota.largest_remainder(pops, seats, key, tie=tie, seed=seed, names=names)
        return Allocation(
            method=f"apportionment ({key})",
            parties=names,
            seats=result[0][0],
            votes=pops,
            ties=tuple(result[1]),
        )
    init = np.full((1, len(names)), minimum, dtype=np.int64)
    ds, ties = (
        highest_averages(
            pops[None, :],
            seats - minimum * len(names),
            key,
            initial=init,
            tie=tie,
            seed=seed,
            names=names,
            districts=("apportionment",),
        )
        if seats - minimum * len(names) > 0
        else (np.zeros((1, len(names)), np.int64), [])
    )
    return Allocation(
        method=f"apportionment ({divisor_method(key).name})",
        parties=names,
        seats=ds[0] + minimum,
        votes=pops,
        ties=tuple(ties),
    )
