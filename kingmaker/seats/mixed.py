"""Mixed systems: AMS (Scottish Parliament), MMP with overhang and levelling seats, and AV+
(Jenkins Commission) from counted constituencies; AMS and MMP counterfactuals of
first-past-the-post results.

- :func:`ams`: regional top-up by D'Hondt where a party's first divisor is its constituency
  seats in the region + 1 (the Scotland Act 1998, s. 7).
- :func:`mmp`: national proportional entitlement (Sainte-Laguë by default) among parties over
  the threshold (or with N constituency wins); constituency seats beyond the entitlement are
  *overhang* seats; with ``levelling=True`` the house grows until no party has overhang.
- :func:`av_plus`: the Jenkins Commission's AV+ (1998): constituency MPs by the alternative
  vote plus a top-up share allocated correctively (as in AMS) in top-up areas.

The ``*_counterfactual`` functions apply these systems to a UK-style :class:`VoteTable`,
treating constituency votes as list votes too (there was no second vote); the AV and AV+
counterfactuals are in :mod:`kingmaker.seats.av_counterfactual`. Registers ``ams`` and ``mmp``
in :data:`~kingmaker.seats.registry.SYSTEMS`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.seats.allocation import (
    Allocation,
    VoteThreshold,
    as_vote_threshold,
    set_aside_columns,
    swamped_pools,
    unfilled_note,
)
from kingmaker.seats.divisor import highest_averages
from kingmaker.seats.plurality import plurality_winners
from kingmaker.seats.pooling import check_seats, eligibility
from kingmaker.seats.registry import SYSTEMS
from kingmaker.ties import TiePolicy, as_tie_policy
from kingmaker.votes import VoteTable

#: Share of the Scottish Parliament's seats that are list seats (56 of 129).
SCOTTISH_TOP_UP_SHARE = Fraction(56, 129)
#: Top-up share used for AV+ when none is given: the middle of the Jenkins Commission's
#: recommended 15-20% of the House.
JENKINS_TOP_UP_SHARE = Fraction(35, 200)


def _region_party_seats(
    labels: Sequence[str], winners: np.ndarray, n_parties: int, regions: Sequence[str]
) -> np.ndarray:
    out = np.zeros((len(regions), n_parties), dtype=np.int64)
    index = {r: i for i, r in enumerate(regions)}
    for lab, w in zip(labels, winners, strict=True):
        out[index[lab], w] += 1
    return out


def ams(
    list_votes: VoteTable,
    constituency_seats: np.ndarray | Mapping[str, Mapping[str, int]],
    list_seats: int | Sequence[int] | np.ndarray,
    *,
    method: str = "dhondt",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    exclude: Collection[str] = (),
    swamped: Collection[str] = (),
) -> Allocation:
    """Additional member system: list seats per region, corrective for constituency seats.

    ``list_votes`` has one row per region (``districts`` = region names). ``constituency_seats``
    is a (regions, parties) array in the same order, or ``{region: {party: seats}}``; a party
    that won constituencies but has no list (an independent) must still be a column.
    ``list_seats`` is one number for all regions or one per region (0 allowed for a region).
    ``exclude`` names columns that keep their constituency seats but take no list seats
    (independents and the Speaker pooled from constituency results); their votes still count.
    In the ``swamped`` regions (see :func:`kingmaker.seats.allocation.swamped_pools`) the ``exclude``
    columns still compete, and the list seats they win are left unfilled (a note says so).
    """
    parties = list_votes.parties
    regions = list_votes.districts
    if isinstance(constituency_seats, Mapping):
        cs = np.zeros(list_votes.votes.shape, dtype=np.int64)
        for region, seats in constituency_seats.items():
            r = list_votes.district_index(region)
            for party, n in seats.items():
                cs[r, list_votes.party_index(party)] = int(n)
    else:
        cs = np.asarray(constituency_seats, dtype=np.int64)
        if cs.shape != list_votes.votes.shape:
            raise InputError(f"constituency seats have shape {cs.shape}, list votes {list_votes.votes.shape}")
    if np.any(cs < 0):
        raise InputError("constituency seats cannot be negative")
    seats_arr = np.broadcast_to(np.asarray(list_seats), (len(regions),))
    if seats_arr.dtype.kind not in "iu" or np.any(seats_arr < 0) or int(seats_arr.sum()) <= 0:
        raise InputError(f"list seats must be whole numbers >= 0 with a positive total, got {list_seats!r}")
    seats_arr = seats_arr.astype(np.int64)
    threshold = as_vote_threshold(threshold)
    # the threshold's "or win N constituencies" alternative counts the constituency seats
    mask, removed = eligibility(list_votes.votes, threshold, cs.sum(axis=0), parties)
    removed = tuple(p for p in removed if p not in (exclude or ()))
    cols = [list_votes.party_index(p) for p in exclude]
    rows = np.array([r in set(swamped) for r in regions], dtype=bool)
    if exclude:
        mask = np.ones(list_votes.votes.shape, dtype=bool) if mask is None else mask.copy()
        mask[np.ix_(~rows, cols)] = False
    ls, ties = highest_averages(
        list_votes.votes,
        seats_arr,
        method,
        initial=cs,
        eligible=mask,
        tie=as_tie_policy(tie, seed),
        names=parties,
        districts=regions,
    )
    notes: tuple[str, ...] = ()
    unfilled = int(ls[np.ix_(rows, cols)].sum()) if cols else 0
    if unfilled:
        ls = ls.copy()
        ls[np.ix_(rows, cols)] = 0
        notes = (
            unfilled_note([r for r, x in zip(regions, rows, strict=True) if x], unfilled, list(exclude)),
        )
    const = cs.sum(axis=0)
    lists = ls.sum(axis=0)
    return Allocation(
        method=f"ams ({method})",
        parties=parties,
        seats=const + lists,
        votes=list_votes.totals(),
        districts=regions,
        district_seats=cs + ls,
        ties=tuple(ties),
        excluded=removed,
        components={"constituency": const, "list": lists},
        groups=list_votes.groups,
        notes=notes,
    )


def mmp(
    list_votes: Mapping[str, int] | VoteTable,
    constituency_seats: Mapping[str, int],
    house_size: int,
    *,
    method: str = "sainte-lague",
    threshold: str | Fraction | VoteThreshold | None = None,
    levelling: bool = False,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    exclude: Collection[str] = (),
) -> Allocation:
    """Mixed-member proportional: national entitlement, overhang, optional levelling seats.

    ``list_votes`` are national party votes (a mapping, or a table whose totals are used);
    ``constituency_seats`` the constituency seats each party won. Parties below ``threshold``
    (unless it has ``districts`` and they won that many constituencies) get no list seats but
    keep their constituencies. ``levelling`` enlarges the house until no eligible party has
    more constituency seats than its entitlement (as in Germany 2013-2020). ``exclude`` names
    columns that are not parties (independents, the Speaker): they keep their constituencies,
    take no list seats and are not reported as below the threshold.
    """
    if isinstance(list_votes, VoteTable):
        votes = dict(zip(list_votes.parties, list_votes.totals().tolist(), strict=True))
    else:
        votes = {str(k): int(v) for k, v in list_votes.items()}
    for party in constituency_seats:
        if party not in votes:
            votes[party] = 0
    parties = tuple(votes)
    v = np.array([votes[p] for p in parties], dtype=np.int64)
    if np.any(v < 0):
        raise InputError("votes cannot be negative")
    cs = np.array([int(constituency_seats.get(p, 0)) for p in parties], dtype=np.int64)
    if np.any(cs < 0):
        raise InputError("constituency seats cannot be negative")
    check_seats(house_size)
    threshold = as_vote_threshold(threshold)
    eligible = np.ones(len(parties), dtype=bool) & (v > 0)
    if threshold is not None:
        eligible &= threshold.eligible(v[None, :], wins=cs)[0]
    set_aside = np.array([p in set(exclude) for p in parties], dtype=bool)
    eligible &= ~set_aside
    if not eligible.any():
        raise InputError(f"the threshold ({threshold}) removes every party")
    # Constituency seats of ineligible parties (independents, small parties) come off the top.
    fixed = np.where(eligible, 0, cs)
    base = house_size - int(fixed.sum())
    if base <= 0:
        raise InputError("constituency seats of ineligible parties fill the whole house")
    policy = as_tie_policy(tie, seed)

    def entitlement(size: int) -> tuple[np.ndarray, list[Any]]:
        seats, ties = highest_averages(
            v, size, method, eligible=eligible[None, :], tie=policy, names=parties, districts=("national",)
        )
        return seats[0], ties

    ent, ties = entitlement(base)
    overhang = np.where(eligible, np.maximum(cs - ent, 0), 0)
    levelling_seats = np.zeros_like(ent)
    if levelling and overhang.any():
        size = base
        while True:  # smallest house with no overhang; grows by at most the overhang x parties
            size += 1
            ent2, ties2 = entitlement(size)
            if np.all(ent2[eligible] >= cs[eligible]):
                break
        levelling_seats = ent2 - ent
        ent, ties = ent2, ties2
        overhang = np.zeros_like(ent)
    seats = np.where(eligible, np.maximum(ent, cs), cs)
    list_seats = np.where(eligible, seats - cs, 0)
    return Allocation(
        method=f"mmp ({method}{', levelling' if levelling else ''})",
        parties=parties,
        seats=seats,
        votes=v,
        ties=tuple(ties),
        excluded=tuple(
            p for p, e, n, a in zip(parties, eligible, v, set_aside, strict=True) if not e and n > 0 and not a
        ),
        components={
            "constituency": cs,
            "list": list_seats,
            "overhang": overhang,
            "levelling": levelling_seats,
        },
    )


# ---------------------------------------------------------------------------- counterfactuals


def _house_of(table: VoteTable, house: int | None) -> int:
    size = int(table.seat_magnitudes().sum()) if house is None else house
    check_seats(size)
    return int(size)


def _split_by_regions(pooled: VoteTable, total: int) -> np.ndarray:
    """``total`` seats shared among the pooled areas in proportion to the seats they return
    (largest remainder; equal remainders go to the area with more votes, so halving 650 seats
    is not a tie between regions that return an odd number)."""
    return scale_wins(pooled.seat_magnitudes(), total, pooled.total_votes())


def scale_wins(wins: np.ndarray, seats: int, votes: np.ndarray) -> np.ndarray:
    """``seats`` constituency seats shared among parties in proportion to their ``wins``
    (largest remainder, exact; equal remainders go to the party with more ``votes``, then the
    earlier column). The model of a smaller constituency tier with the same winners' mix."""
    wins = np.asarray(wins, dtype=np.int64)
    total = int(wins.sum())
    out = np.zeros(len(wins), dtype=np.int64)
    if seats <= 0 or total == 0:
        return out
    quotas = [Fraction(int(w) * seats, total) for w in wins]
    out[:] = [int(q) for q in quotas]
    left = seats - int(out.sum())
    order = sorted(range(len(wins)), key=lambda i: (-(quotas[i] - out[i]), -int(votes[i]), i))
    for i in order[:left]:
        out[i] += 1
    return out


def _tiers(
    table: VoteTable,
    level: str,
    winners: np.ndarray,
    share: Fraction,
    top_up: int | None,
    house: int | None,
) -> tuple[VoteTable, np.ndarray, np.ndarray, str]:
    """Pooled list votes, constituency seats (areas x parties), list seats per area, and a note.

    With ``top_up`` every real constituency is kept and ``top_up`` list seats are added (the
    house grows). Otherwise the house is fixed (``house``, default: the seats the table returns)
    and split into a constituency tier of ``house x (1 - share)`` and a list tier of
    ``house x share``; each area's constituency seats are shared among parties in proportion to
    the constituencies they really won there (:func:`scale_wins`).
    """
    if top_up is not None and house is not None:
        raise InputError("give either top_up (constituencies kept, house grows) or house (fixed house)")
    pooled = table.aggregate(level)
    labels = table.labels(level)
    wins = _region_party_seats(labels, winners, table.n_parties, pooled.ids)
    n = int(table.seat_magnitudes().sum())
    if top_up is not None:
        check_seats(top_up)
        per = _split_by_regions(pooled, top_up)
        note = (
            f"house of {n + top_up}: all {n} constituencies kept and {top_up} top-up seats added "
            f"over {len(per)} {level} area(s)"
        )
        return pooled, wins, per, note
    size = _house_of(table, house)
    n_list = round(size * share)
    n_const = size - n_list
    if n_const <= 0 or n_list <= 0:
        raise InputError(f"a house of {size} cannot hold both tiers at a {float(share):.1%} top-up share")
    const_per = _split_by_regions(pooled, n_const)
    per = _split_by_regions(pooled, n_list)
    cs = np.vstack(
        [scale_wins(wins[r], int(const_per[r]), pooled.votes[r]) for r in range(pooled.n_districts)]
    )
    note = (
        f"house of {size} fixed: {n_const} constituency seats (the {n} real constituency wins "
        f"scaled to that tier in each {level}) + {n_list} list seats over {len(per)} area(s)"
    )
    return pooled, cs, per, note


def ams_counterfactual(
    table: VoteTable,
    *,
    level: str = "region",
    top_up: int | None = None,
    house: int | None = None,
    top_up_share: Fraction = SCOTTISH_TOP_UP_SHARE,
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    winners: np.ndarray | None = None,
    method_label: str = "ams",
    **_: Any,
) -> Allocation:
    """AMS on a first-past-the-post table, list seats by D'Hondt per ``level`` area from the
    constituency votes (there was no second vote).

    Default: the house stays the size of the table (650 for a UK election) with the Scottish
    split, 56 list seats in every 129 (282 of 650); the constituency tier (368) is the real
    constituency wins scaled down in each area (:func:`_tiers`). ``house`` fixes another size;
    ``top_up`` instead keeps every real constituency and adds that many list seats. The notes
    state which. Independents and the Speaker keep constituencies but take no list seats.
    """
    if winners is None:
        winners, _ = plurality_winners(table, tie)
    pooled, cs, per, tier_note = _tiers(table, level, winners, top_up_share, top_up, house)
    aside, set_aside, aside_notes = set_aside_columns(table, level)
    result = ams(
        pooled,
        cs,
        per,
        threshold=threshold,
        tie=tie,
        exclude=[p for p, a in zip(table.parties, aside, strict=True) if a],
        swamped=[r for r, s in zip(pooled.ids, swamped_pools(pooled.votes, aside), strict=True) if s],
    )
    return replace(
        result,
        method=method_label,
        groups=table.groups,
        notes=(tier_note, *aside_notes, *result.notes),
        set_aside=set_aside,
    )


def av_plus(
    constituency_winners: Mapping[str, Mapping[str, int]] | np.ndarray,
    top_up_votes: VoteTable,
    top_up_seats: int | Sequence[int] | np.ndarray,
    **options: Any,
) -> Allocation:
    """AV+ from AV constituency results already counted: corrective D'Hondt top-up per area
    (``top_up_votes`` has one row per top-up area), exactly as :func:`ams`."""
    result = ams(top_up_votes, constituency_winners, top_up_seats, **options)
    return replace(
        result,
        method="av-plus",
        components={"constituency": result.components["constituency"], "top-up": result.components["list"]},
    )


def mmp_counterfactual(
    table: VoteTable,
    *,
    house_size: int | None = None,
    constituency_share: Fraction = Fraction(1, 2),
    keep_constituencies: bool = False,
    levelling: bool = False,
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    method: str = "sainte-lague",
    **options: Any,
) -> Allocation:
    """MMP on a first-past-the-post table: entitlement by national Sainte-Laguë from the
    constituency votes, overhang kept (or levelled).

    Default: the house stays the table's size (650) and half of it is the constituency tier
    (German style), the real wins scaled to it in each region (or nationally where the table
    has no regions). ``house_size`` fixes another size. ``keep_constituencies`` keeps every real
    constituency instead, in a house of ``house_size`` (default twice their number). Independents
    and the Speaker keep constituencies but take no list seats.
    """
    if "house" in options and house_size is None:
        house_size = options["house"]
    winners, _ = plurality_winners(table, tie)
    n = int(table.seat_magnitudes().sum())
    if keep_constituencies:
        cs = np.bincount(winners, minlength=table.n_parties)
        size = house_size if house_size is not None else 2 * n
        tier_note = f"house of {size} before overhang: all {n} constituencies kept"
    else:
        size = _house_of(table, house_size)
        n_const = size - round(size * (1 - constituency_share))
        level = "region" if table.regions is not None and all(table.regions) else "national"
        pooled = table.aggregate(level)
        wins = _region_party_seats(table.labels(level), winners, table.n_parties, pooled.ids)
        const_per = _split_by_regions(pooled, n_const)
        cs = sum(
            (scale_wins(wins[r], int(const_per[r]), pooled.votes[r]) for r in range(pooled.n_districts)),
            start=np.zeros(table.n_parties, dtype=np.int64),
        )
        tier_note = (
            f"house of {size} before overhang: {n_const} constituency seats (the {n} real "
            f"constituency wins scaled to that tier in each {level}) + {size - n_const} list seats"
        )
    aside, set_aside, aside_notes = set_aside_columns(table, "national")
    result = mmp(
        table,
        dict(zip(table.parties, np.asarray(cs).tolist(), strict=True)),
        size,
        method=method,
        threshold=threshold,
        levelling=levelling,
        tie=tie,
        exclude=[p for p, a in zip(table.parties, aside, strict=True) if a],
    )
    return replace(result, groups=table.groups, notes=(tier_note, *aside_notes), set_aside=set_aside)


# ---------------------------------------------------------------------------- the systems


def top_up_area(level: str) -> str:
    """The areas a counterfactual's top-up seats are allocated in: ``national`` (the default
    level of :func:`kingmaker.seats.allocate`) means regions."""
    return "region" if level == "national" else level


@SYSTEMS.register(
    "ams",
    summary="additional member system (Scottish Parliament style, regional D'Hondt top-up)",
    options=("top_up", "house", "top_up_share"),
    properties=("fills-seats", "seeded"),
)
def _ams_system(
    table: VoteTable,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    **options: Any,
) -> Allocation:
    """:func:`ams_counterfactual` as a seat system: ``seats`` is the fixed house, and a
    ``national`` level means the regional top-up areas."""
    if seats is not None:
        options.setdefault("house", seats)
    return ams_counterfactual(table, level=top_up_area(level), threshold=threshold, tie=tie, **options)


@SYSTEMS.register(
    "mmp",
    summary="mixed-member proportional with overhang seats (national Sainte-Lague)",
    options=("house_size", "house", "constituency_share", "keep_constituencies", "levelling", "method"),
    properties=("seeded",),
)
def _mmp_system(
    table: VoteTable,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    **options: Any,
) -> Allocation:
    """:func:`mmp_counterfactual` as a seat system: ``seats`` (or ``house``) is the house before
    overhang; ``level`` does not apply (the entitlement is national)."""
    if seats is not None:
        options.setdefault("house_size", seats)
    if "house" in options:
        options.setdefault("house_size", options.pop("house"))
    return mmp_counterfactual(table, threshold=threshold, tie=tie, **options)
