"""AV counterfactuals of first-past-the-post results: the alternative vote in every constituency,
and AV+ (Jenkins Commission) on top of it.

- :func:`av_counterfactual`: every constituency counted by AV from its first preferences and a
  transfer matrix (how each party's voters rank the others), built as weighted synthetic
  ballots (:func:`kingmaker.transfers.synthetic_ballots`, three preferences deep, shares to a
  party already ranked or not standing exhausting) and counted by :func:`kingmaker.counting.av.irv`.
- :func:`av_plus_counterfactual`: those AV winners plus a corrective top-up in regional areas
  (:func:`kingmaker.seats.mixed.ams_counterfactual`).

The matrix defaults to the ILLUSTRATIVE preset (:func:`kingmaker.io.transfers_csv.illustrative_transfers`),
and the result's notes say so. Registers ``av-plus`` and ``av`` in
:data:`~kingmaker.seats.registry.SYSTEMS`.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.counting.av import irv
from kingmaker.errors import RuleError, UnknownNameError
from kingmaker.io.transfers_csv import illustrative_transfers, read_transfer_matrix
from kingmaker.seats.allocation import Allocation, VoteThreshold
from kingmaker.seats.mixed import JENKINS_TOP_UP_SHARE, ams_counterfactual, top_up_area
from kingmaker.seats.plurality import single_member_allocation
from kingmaker.seats.registry import DISTRICT_HOUSE, SYSTEMS
from kingmaker.ties import TiePolicy
from kingmaker.transfers import TransferMatrix, synthetic_ballots
from kingmaker.votes import VoteTable

#: Preferences each synthetic ballot ranks at most.
AV_DEPTH = 3


def av_winners(
    table: VoteTable, matrix: TransferMatrix | None = None, *, depth: int = AV_DEPTH
) -> tuple[np.ndarray, list[str]]:
    """Column of each constituency's AV winner, and the constituencies where AV changed it."""
    matrix = matrix or illustrative_transfers()
    winners = np.zeros(table.n_districts, dtype=np.int64)
    changed: list[str] = []
    fptp_w = table.votes.argmax(axis=1)
    for d in range(table.n_districts):
        row = {p: int(n) for p, n in zip(table.parties, table.votes[d], strict=True) if n > 0}
        if not row:
            raise RuleError(f"no votes were cast in {table.ids[d]}: no one can be elected there")
        top = max(row.values())
        if 2 * top > sum(row.values()):  # a majority of first preferences: AV agrees with FPTP
            winners[d] = fptp_w[d]
            continue
        result = irv(synthetic_ballots(row, matrix, depth, renormalise=False))
        winner = _winner_name(result)
        winners[d] = table.party_index(winner)
        if winners[d] != fptp_w[d]:
            changed.append(table.ids[d])
    return winners, changed


def _winner_name(result: Any) -> str:
    for attr in ("winner", "winners", "elected"):
        value = getattr(result, attr, None)
        if value is None:
            continue
        if isinstance(value, str):
            return value
        return str(next(iter(value)))
    raise UnknownNameError("the IRV result has no winner")


def av_counterfactual(
    table: VoteTable,
    *,
    transfers: TransferMatrix | str | Path | None = None,
    depth: int = AV_DEPTH,
    tie: str | TiePolicy = "most-votes",
    **_: Any,
) -> Allocation:
    """Every constituency counted by AV from first preferences and a transfer matrix
    (default: the ILLUSTRATIVE preset, which says so in the result's notes)."""
    matrix = _matrix(transfers)
    winners, changed = av_winners(table, matrix, depth=depth)
    return single_member_allocation(
        table,
        winners,
        "av",
        notes=(
            f"transfers: {matrix.label or 'user matrix'}",
            f"{len(changed)} constituencies change hands compared with FPTP",
        ),
    )


def _matrix(transfers: TransferMatrix | str | Path | None) -> TransferMatrix:
    if transfers is None:
        return illustrative_transfers()
    if isinstance(transfers, TransferMatrix):
        return transfers
    return read_transfer_matrix(transfers)


def av_plus_counterfactual(
    table: VoteTable,
    *,
    level: str = "region",
    top_up: int | None = None,
    house: int | None = None,
    top_up_share: Fraction = JENKINS_TOP_UP_SHARE,
    transfers: TransferMatrix | str | Path | None = None,
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    **_: Any,
) -> Allocation:
    """AV+ (Jenkins 1998): AV constituencies (from a transfer matrix) plus a corrective top-up
    in ``level`` areas. Default: the house stays the table's size with 17.5% top-up seats (the
    middle of Jenkins' 15-20%: 114 of 650) and the AV wins scaled to the constituency tier;
    ``top_up`` keeps every constituency and adds seats instead (see
    :func:`~kingmaker.seats.mixed.ams_counterfactual`)."""
    matrix = _matrix(transfers)
    winners, changed = av_winners(table, matrix)
    result = ams_counterfactual(
        table,
        level=level,
        top_up=top_up,
        house=house,
        top_up_share=top_up_share,
        threshold=threshold,
        tie=tie,
        winners=winners,
        method_label="av-plus",
    )
    return replace(
        result,
        notes=(
            *result.notes,
            f"transfers: {matrix.label or 'user matrix'}",
            f"{len(changed)} constituencies change hands under AV",
        ),
    )


# ---------------------------------------------------------------------------- the systems


@SYSTEMS.register(
    "av-plus",
    summary="AV+ (Jenkins Commission): AV constituencies plus corrective regional top-up",
    aliases=("avplus", "av+"),
    options=("top_up", "house", "top_up_share", "transfers"),
    properties=("fills-seats", "seeded"),
)
def _av_plus_system(
    table: VoteTable,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    **options: Any,
) -> Allocation:
    """:func:`av_plus_counterfactual` as a seat system: ``seats`` is the fixed house, and a
    ``national`` level means the regional top-up areas."""
    if seats is not None:
        options.setdefault("house", seats)
    return av_plus_counterfactual(table, level=top_up_area(level), threshold=threshold, tie=tie, **options)


@SYSTEMS.register(
    "av",
    summary="alternative vote in every constituency from a transfer matrix",
    options=("transfers", "depth"),
    properties=("fills-seats", "seeded"),
    house=DISTRICT_HOUSE,
)
def _av_system(
    table: VoteTable,
    *,
    tie: str | TiePolicy = "most-votes",
    transfers: TransferMatrix | str | Path | None = None,
    depth: int = AV_DEPTH,
    **_common: Any,
) -> Allocation:
    """:func:`av_counterfactual` as a seat system: one seat per constituency, so the house
    size, level and threshold :func:`kingmaker.seats.allocate` passes do not apply."""
    return av_counterfactual(table, transfers=transfers, depth=depth, tie=tie)
