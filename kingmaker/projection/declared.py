"""Results night: the swing seen in the seats declared so far, and the shares it implies.

:func:`declared_votes` reads the declared seats against the base, :func:`swing_from_declared`
measures the change (national, and per region once a region has :data:`MIN_REGION_SEATS`
declared) and derives targets for the undeclared seats, ready for
:func:`kingmaker.projection.project` or :func:`kingmaker.forecast.forecast_from_declared`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.projection.plan import area_gain, clip_renormalise, speaker_column
from kingmaker.projection.shares import Shares
from kingmaker.provenance import frame_html, json_result
from kingmaker.votes import VoteTable

#: A region's own swing is used once this many of its seats (in scope) have declared.
MIN_REGION_SEATS = 5
#: Parties below this target share (percent) in an area are not named in the targets (they keep
#: their base share through the ``Other`` remainder, so minor parties can still be pooled).
NAMED_SHARE_FLOOR = 0.5


def declared_votes(
    base: VoteTable, declared: Mapping[str, Mapping[str, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """``(mask, votes)``: which base seats have declared, and their declared votes ``(D, P)``.

    ``declared`` maps a base district (name or code) to votes per base party; rows of seats not
    declared are 0. Unknown seats or parties raise :class:`UnknownNameError`.
    """
    mask = np.zeros(base.n_districts, dtype=bool)
    votes = np.zeros(base.votes.shape, dtype=np.int64)
    column = {p: j for j, p in enumerate(base.parties)}
    for name, row in declared.items():
        d = base.district_index(name)
        mask[d] = True
        for party, v in row.items():
            if party not in column:
                raise UnknownNameError(f"{base.districts[d]}: unknown party {party!r}")
            if v < 0:
                raise InputError(f"{base.districts[d]}: negative votes for {party}")
            votes[d, column[party]] = int(v)
    return mask, votes


@dataclass(frozen=True, eq=False)
class DeclaredSwing:
    """The swing seen in the declared seats and the shares it implies for the undeclared ones.

    ``change`` is, per party, its share of the votes in the declared seats minus its share of the
    same seats' votes at the base (points), over the seats national polls describe (Northern
    Ireland and the Speaker's seat take no part, as in ``scope="auto"``). ``regional_change`` is the
    same per region, for the regions with at least ``min_region_seats`` declared seats.

    ``targets`` are shares (percent) for the undeclared seats, ready for :func:`~kingmaker.projection.project` or
    :func:`kingmaker.forecast.forecast` on :meth:`undeclared` with ``model``: national shares
    (``uniform``) = their base share plus ``change`` while no region has its own swing; else per
    region (``regional``): a region's base share plus its own change where measured, plus the
    national change (scaled for parties standing in part of the country, like the regional model's
    derived targets) elsewhere. Clipped at 0 and renormalised. ``None`` when no undeclared seat is
    left to project (the rest, if any, keep their base result).
    """

    parties: tuple[str, ...]
    declared: np.ndarray  # (D,) bool
    votes: np.ndarray  # (D, P) declared votes, 0 where not declared
    change: Mapping[str, float]
    regional_change: Mapping[str, Mapping[str, float]]
    targets: Shares | None
    model: str
    min_region_seats: int

    @property
    def n_declared(self) -> int:
        """Seats declared so far."""
        return int(self.declared.sum())

    def undeclared(self, base: VoteTable) -> VoteTable:
        """The base seats not declared yet (what ``targets`` describe)."""
        return base.select(~self.declared)

    def largest(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` largest changes by size, ``[(party, points), ...]``."""
        return sorted(self.change.items(), key=lambda kv: -abs(kv[1]))[:k]

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (changes in points)."""
        return {
            "declared": self.n_declared,
            "change": {p: round(v, 3) for p, v in self.change.items()},
            "regional_change": {
                r: {p: round(v, 3) for p, v in c.items()} for r, c in self.regional_change.items()
            },
            "model": self.model,
            "targets": self.targets,
        }

    def to_frame(self) -> Any:
        """One row per party: its change (points) in the declared seats."""
        import pandas as pd

        return pd.DataFrame(
            {"change": [float(self.change.get(p, 0.0)) for p in self.parties]},
            index=pd.Index(list(self.parties), name="party"),
        )

    def _repr_html_(self) -> str:
        return frame_html(self, f"{self.n_declared} seats declared ({self.model} swing)")


def _share_change(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    a = now.sum(axis=0).astype(float)
    b = before.sum(axis=0).astype(float)
    return a / max(a.sum(), 1.0) - b / max(b.sum(), 1.0)


def _named_targets(target: np.ndarray, parties: tuple[str, ...], keep: set[str]) -> dict[str, float]:
    """Percent shares naming the parties above :data:`NAMED_SHARE_FLOOR` (and ``keep``); the rest
    as one ``Other`` remainder, which the projection splits in proportion to base shares."""
    pct = 100.0 * target
    named = {p: float(pct[j]) for j, p in enumerate(parties) if pct[j] >= NAMED_SHARE_FLOOR or p in keep}
    rest = 100.0 - sum(named.values())
    lowered = {p.lower() for p in parties}
    other_key = next((k for k in ("Other", "Others", "Oth") if k.lower() not in lowered), None)
    if len(named) < len(parties) and rest > 1e-9:
        if other_key is None:
            return {p: float(pct[j]) for j, p in enumerate(parties)}
        named[other_key] = rest
    return named


def swing_from_declared(
    base: VoteTable,
    declared: Mapping[str, Mapping[str, int]],
    *,
    min_region_seats: int = MIN_REGION_SEATS,
    keep: Iterable[str] = (),
) -> DeclaredSwing:
    """Measure the swing in the declared seats and the shares it implies for the rest.

    ``declared`` maps base districts to their declared votes per party (see :func:`declared_votes`);
    ``keep`` names parties to name in the targets whatever their share (e.g. winners of declared
    seats, so that a forecast does not pool them). See :class:`DeclaredSwing`.
    """
    if min_region_seats < 1:
        raise InputError(f"min_region_seats must be at least 1, got {min_region_seats}")
    mask, votes = declared_votes(base, declared)
    parties = base.parties
    keep = set(keep)
    n_d = base.n_districts
    in_scope = np.ones(n_d, dtype=bool)
    if base.nations is not None:
        in_scope = np.array([n != "Northern Ireland" for n in base.nations])
    spk = speaker_column(parties, "auto")
    if spk is not None:
        in_scope &= base.votes[:, parties.index(spk)] == 0
    seen = mask & in_scope
    change = _share_change(votes[seen], base.votes[seen]) if seen.any() else np.zeros(len(parties))

    regions = base.regions
    by_region = regions is not None and all(r is not None for r in np.array(regions, dtype=object)[in_scope])
    regional: dict[str, np.ndarray] = {}
    if by_region and seen.any():
        labels = np.array(regions, dtype=object)
        for r in dict.fromkeys(labels[seen]):
            rows = seen & (labels == r)
            if rows.sum() >= min_region_seats:
                regional[str(r)] = _share_change(votes[rows], base.votes[rows])

    rest = ~mask & in_scope
    targets: Shares | None = None
    model = "uniform"
    if rest.any():
        if not regional:
            b = base.votes[rest].sum(axis=0).astype(float)
            target = clip_renormalise(b / max(b.sum(), 1.0) + change)
            targets = _named_targets(target, parties, keep)
        else:
            model = "regional"
            labels = np.array(regions, dtype=object)
            names = list(dict.fromkeys(str(r) for r in labels[rest]))
            area_votes = np.array([base.votes[rest & (labels == r)].sum(axis=0) for r in names], float)
            area_w = area_votes.sum(axis=1)
            area_base = area_votes / np.maximum(area_w, 1.0)[:, None]
            stand_w = np.array(
                [
                    (base.votes[rest & (labels == r)] > 0).T @ base.votes[rest & (labels == r)].sum(axis=1)
                    for r in names
                ],
                float,
            )
            gain = area_gain(stand_w, area_w)
            per_area: dict[str, dict[str, float]] = {}
            for i, r in enumerate(names):
                delta = regional[r] if r in regional else change * gain[i]
                per_area[r] = _named_targets(clip_renormalise(area_base[i] + delta), parties, keep)
            targets = per_area
    return DeclaredSwing(
        parties=parties,
        declared=mask,
        votes=votes,
        change=MappingProxyType({p: float(100 * change[j]) for j, p in enumerate(parties)}),
        regional_change=MappingProxyType(
            {
                r: MappingProxyType({p: float(100 * c[j]) for j, p in enumerate(parties)})
                for r, c in regional.items()
            }
        ),
        targets=targets,
        model=model,
        min_region_seats=min_region_seats,
    )
