"""Table-level plumbing shared by every list method (divisor and quota): vote inputs,
seat checks, thresholds by level, pooling by area, and the columns that are not parties.

A list method supplies a :data:`SeatCount` (how it fills the seats of a (districts, parties)
vote array); :func:`district_allocation` runs it in every district of a table and
:func:`pooled_allocation` pools the table by ``level`` first. This module imports no seat rule:
the divisor and quota modules build on it (the seats per pool come from a ``split`` function
they pass in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.seats.allocation import (
    Allocation,
    VoteThreshold,
    as_vote_threshold,
    check_seat_count,
    set_aside_columns,
    swamped_pools,
    unfilled_note,
)
from kingmaker.ties import TieBreak
from kingmaker.votes import VoteTable

#: Splits ``seats`` among pools in proportion to ``weights`` (the seats each pool's districts
#: return): ``(weights, seats, pool names) -> seats per pool``.
PoolSplit = Callable[[np.ndarray, int, Sequence[str]], np.ndarray]


def votes_and_names(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...], VoteTable | None]:
    """Votes as a (districts, parties) array with party and district names, from a
    :class:`VoteTable`, ``{party: votes}`` (one district) or an array (``P1``, ``D1``, ...)."""
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
    :class:`~kingmaker.errors.TooLargeError` past :data:`~kingmaker.seats.allocation.MAX_SEATS` in all."""
    arr = np.asarray(seats)
    if arr.dtype.kind not in "iu" or np.any(arr <= 0):
        raise InputError(f"seats must be positive whole numbers, got {seats!r}")
    check_seat_count(int(arr.sum()), "seats in all")
    return arr.astype(np.int64)


def eligibility(
    votes: np.ndarray, threshold: VoteThreshold | None, wins: np.ndarray | None, names: Sequence[str]
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


#: Counts one (districts, parties) vote array: ``(votes, seats per district, eligible mask or
#: None, party names, district names)`` -> ``(method label, seats per district and party, ties
#: broken)``. :func:`district_allocation` and :func:`pooled_allocation` run one.
SeatCount = Callable[
    [np.ndarray, np.ndarray, np.ndarray | None, Sequence[str], Sequence[str]],
    tuple[str, np.ndarray, list[TieBreak]],
]


def district_allocation(
    votes: VoteTable | Mapping[str, int] | Sequence[int] | np.ndarray,
    seats: int | Sequence[int] | np.ndarray,
    count: SeatCount,
    *,
    threshold: str | Fraction | VoteThreshold | None = None,
    wins: np.ndarray | None = None,
) -> Allocation:
    """Allocate ``seats`` in every district (row) of ``votes`` with ``count``, after the
    threshold (see :func:`kingmaker.seats.divisor.divisor_allocation` and
    :func:`kingmaker.seats.quota.quota_allocation`)."""
    arr, parties, dnames, _ = votes_and_names(votes)
    seats_arr = check_seats(np.broadcast_to(np.asarray(seats), (arr.shape[0],)))
    mask, removed = eligibility(arr, as_vote_threshold(threshold), wins, parties)
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


def pooled_allocation(
    table: VoteTable,
    count: SeatCount,
    *,
    split: PoolSplit,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
) -> Allocation:
    """Pool ``table`` by ``level`` and allocate each pool's seats with ``count``: the pooling,
    seats per pool, thresholds and set-aside independents that every list method shares (see
    :func:`kingmaker.seats.divisor.allocate_by_level` and
    :func:`kingmaker.seats.quota.allocate_by_level`). When ``seats`` is given and there are
    several pools, ``split`` shares it among them by the seats their districts return."""
    threshold = as_vote_threshold(threshold)
    pooled = table.aggregate(level) if level != "district" else table
    mags = pooled.seat_magnitudes()
    if seats is not None:
        check_seats(seats)
        mags = np.array([seats]) if len(mags) == 1 else split(mags, int(seats), pooled.ids)
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
    :func:`kingmaker.seats.allocation.set_aside_columns`), and the pools they swamp
    (:func:`kingmaker.seats.allocation.swamped_pools`), where they stay in the count and the seats
    they win are then left unfilled."""
    aside, votes, notes = set_aside_columns(table, level)
    swamped = swamped_pools(pooled.votes, aside)
    if not aside.any():
        return mask, {}, (), swamped
    base = np.ones(pooled.votes.shape, dtype=bool) if mask is None else mask.copy()
    base[np.ix_(~swamped, aside)] = False
    return base, votes, notes, swamped


def level_eligibility(
    table: VoteTable, pooled: VoteTable, threshold: VoteThreshold | None
) -> tuple[np.ndarray | None, tuple[str, ...], tuple[str, ...]]:
    """Threshold mask for pooled votes: a national share on national totals, a district share
    in each pool. A pool where no party passes a national threshold (Northern Ireland's parties
    under a UK-wide 5%) is exempt, and a note says so. Refuses if nobody passes anywhere."""
    if threshold is None:
        return None, (), ()
    mask = np.ones(pooled.votes.shape, dtype=bool)
    notes: list[str] = []
    if threshold.national is not None:
        mask &= VoteThreshold(national=threshold.national).eligible(table.votes)[0][None, :]
    if threshold.district is not None:
        mask &= VoteThreshold(district=threshold.district).eligible(pooled.votes)
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
