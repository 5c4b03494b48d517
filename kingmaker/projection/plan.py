"""The projection plan: every array a projection (or a forecast) needs, computed once.

:func:`plan_projection` validates the base election and the shares, resolves party and area
names, works out who stands where, which seats are held (the Speaker's, seats outside the scope)
and the central area targets, and returns a picklable :class:`ProjectionPlan`; its
:meth:`~ProjectionPlan.scores` applies the plan's swing model (:mod:`kingmaker.projection.models`)
to any stack of targets, which is what the forecast kernel calls for each simulation.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kingmaker.conventions import SPEAKER_NAMES
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.projection.registry import SWING_MODELS
from kingmaker.projection.shares import ProjectionWarning, Shares, party_column, target_vector
from kingmaker.votes import VoteTable, canonical_region

LEVELS: tuple[str, ...] = ("national", "nation", "region")
SCOPES: tuple[str, ...] = ("auto", "all", "gb")
#: Strong Transition Model threshold: support up to this share of the vote is "weak".
STRONG_THRESHOLD = 0.20
#: Name of the pooled column when minor parties are pooled (forecasts).
POOLED = "(others)"


@dataclass(frozen=True, eq=False)
class ProjectionPlan:
    """Precomputed arrays of one projection problem (picklable; the forecast ships it to workers).

    ``targets`` are the central area targets ``T[a, p]`` (fractions); :meth:`scores` turns any
    ``(sims, areas, parties)`` stack of targets into unnormalised seat shares.
    """

    model: str
    level: str
    parties: tuple[str, ...]
    new_parties: tuple[str, ...]
    districts: tuple[str, ...]
    codes: tuple[str, ...] | None
    base_shares: np.ndarray  # (D, P)
    stand: np.ndarray  # (D, P) bool
    weights: np.ndarray  # (D,) votes cast
    held: np.ndarray  # (D,) bool: keeps its base result
    speaker_seat: np.ndarray  # (D,) bool
    area_names: tuple[str, ...]
    area_of: np.ndarray  # (D,) int, len(area_names) for held seats
    area_base: np.ndarray  # (A, P)
    targets: np.ndarray  # (A, P)
    national_gain: np.ndarray  # (A, P): how a change of national share maps onto each area
    seat_factor: np.ndarray  # (D, P): f
    weak: np.ndarray  # (D, P)
    area_weak: np.ndarray  # (A, P)
    national_base: np.ndarray  # (P,)
    national_target: np.ndarray  # (P,) (aggregated from areas for per-area shares)
    scope: np.ndarray  # (D,) bool: seats whose votes the national shares describe
    speaker: str | None
    nations: tuple[str | None, ...] | None
    regions: tuple[str | None, ...] | None
    notes: tuple[str, ...] = ()
    pooled: tuple[str, ...] = ()
    per_area: bool = False
    partial_standing: bool = True

    @property
    def n_areas(self) -> int:
        """Areas the swing is measured in (1 for national models)."""
        return len(self.area_names)

    @property
    def kind(self) -> str:
        """How the model moves shares: ``additive``, ``proportional`` or ``transition`` (from its
        registry entry; the forecast kernel has a fast path for additive models)."""
        return str(SWING_MODELS.get(self.model).extra["kind"])

    def per_seat(self, per_area: np.ndarray, fill: float) -> np.ndarray:
        """Append the held seats' dummy area (value ``fill``) and gather per seat: (S, D, P)."""
        s = per_area.shape[0]
        pad = np.full((s, 1, per_area.shape[2]), fill, dtype=per_area.dtype)
        return np.take(np.concatenate([per_area, pad], axis=1), self.area_of, axis=1)

    def scores(self, targets: np.ndarray) -> np.ndarray:
        """Unnormalised seat shares ``(S, D, P)`` for area targets ``(S, A, P)``, by the plan's
        swing model (:mod:`kingmaker.projection.models`).

        Non-standing parties score 0; held seats keep their base shares. Clip at 0 and renormalise
        each seat to get shares (:meth:`shares`); the winner is the same either way.
        """
        return SWING_MODELS.get(self.model).obj(self, np.asarray(targets, dtype=np.float64))

    def shares(self, targets: np.ndarray) -> np.ndarray:
        """Seat shares ``(S, D, P)``: :meth:`scores` clipped at 0, each seat renormalised."""
        s = np.maximum(self.scores(targets), 0.0)
        total = s.sum(axis=2, keepdims=True)
        return np.divide(s, total, out=np.zeros_like(s), where=total > 0)


def _membership(area_of: np.ndarray, n_areas: int) -> np.ndarray:
    return (area_of[None, :] == np.arange(n_areas)[:, None]).astype(np.float64)


def speaker_column(parties: tuple[str, ...], speaker: str | Literal["auto"] | None) -> str | None:
    if speaker == "auto":
        for p in parties:
            if p.lower() in SPEAKER_NAMES:
                return p
        return None
    if speaker is None:
        return None
    return parties[party_column(parties, speaker, new_hint=False)]


def _pool_minor(
    base: VoteTable, keep: set[str], min_share: float
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Pool parties that never reach ``min_share`` of a seat, won none and are not in ``keep``."""
    votes = base.votes
    totals = votes.sum(axis=1, keepdims=True)
    share = np.divide(votes, totals, out=np.zeros(votes.shape), where=totals > 0)
    winners = set(np.argmax(votes, axis=1).tolist())
    kept_idx = [
        i
        for i, p in enumerate(base.parties)
        if p in keep or i in winners or share[:, i].max() >= min_share or p.lower() in SPEAKER_NAMES
    ]
    pooled_idx = [i for i in range(base.n_parties) if i not in set(kept_idx)]
    if not pooled_idx:
        return votes, base.parties, ()
    merged = np.concatenate([votes[:, kept_idx], votes[:, pooled_idx].sum(axis=1, keepdims=True)], axis=1)
    return merged, (*(base.parties[i] for i in kept_idx), POOLED), tuple(base.parties[i] for i in pooled_idx)


def _area_level(keys: Iterable[str], base: VoteTable) -> tuple[str, dict[str, str]]:
    """Which level per-area share keys name, and key -> the table's label."""
    keys = list(keys)
    for level in ("nation", "region"):
        values = base.nations if level == "nation" else base.regions
        if values is None:
            continue
        labels = {canonical_region(str(v)).lower(): str(v) for v in values if v is not None}
        if all(canonical_region(k).lower() in labels for k in keys):
            return level, {k: labels[canonical_region(k).lower()] for k in keys}
    known = sorted({str(v) for v in (base.nations or ()) + (base.regions or ()) if v is not None})
    bad = [k for k in keys if canonical_region(k).lower() not in {x.lower() for x in known}]
    raise UnknownNameError(
        f"unknown area(s) {', '.join(map(repr, bad)) or ', '.join(map(repr, keys))} in per-area shares "
        f"(all areas must be nations, or all regions); known: {', '.join(known) or 'none'}"
    )


def plan_projection(
    base: VoteTable,
    shares: Shares,
    model: str = "uniform",
    *,
    level: str | None = None,
    scope: str = "auto",
    new_parties: Iterable[str] = (),
    speaker: str | None = "auto",
    strong_threshold: float = STRONG_THRESHOLD,
    pool_below: float | None = None,
) -> ProjectionPlan:
    """Validate the inputs and precompute a :class:`ProjectionPlan` (see the module docstring).

    ``pool_below`` (forecasts) pools parties that never reach that share of a seat's vote, won no
    seat and are not named into one column, :data:`POOLED`, to keep the simulation small.
    """
    if base is None:
        raise InputError("no base election given: a projection needs the previous result per seat")
    if not isinstance(base, VoteTable):
        raise InputError(f"the base election must be a VoteTable, not {type(base).__name__}")
    entry = SWING_MODELS.get(model, what="model")
    model = entry.name
    if scope not in SCOPES:
        raise UnknownNameError(f"unknown scope {scope!r}; use {', '.join(SCOPES)}")
    if level is not None and level not in LEVELS:
        raise UnknownNameError(f"unknown level {level!r}; use {', '.join(LEVELS)}")
    if not 0 < strong_threshold <= 1:
        raise InputError(f"strong_threshold must be in (0, 1], got {strong_threshold}")
    if np.any(base.seat_magnitudes() != 1):
        raise InputError("projection needs single-member seats; the base has multi-member districts")
    if shares is None or not isinstance(shares, Mapping) or not shares:
        raise InputError("no shares given: expected e.g. {'Con': 36, 'Lab': 29, 'LD': 23}")
    per_area = all(isinstance(v, Mapping) for v in shares.values())
    if not per_area and any(isinstance(v, Mapping) for v in shares.values()):
        raise InputError("shares mix national and per-area entries; give one or the other")
    new_parties = tuple(dict.fromkeys(str(p) for p in new_parties))
    for p in new_parties:
        if p in base.parties or p.lower() in (q.lower() for q in base.parties):
            raise InputError(f"{p!r} is declared new but has votes in the base election")
    notes: list[str] = []

    votes, base_parties, pooled = base.votes, base.parties, ()
    if pool_below is not None:
        named: set[str] = set()
        for v in shares.values() if per_area else [shares]:
            named.update(str(k) for k in v)  # type: ignore[union-attr]
        keep = {p for p in base.parties if p in named or p.lower() in {n.lower() for n in named}}
        votes, base_parties, pooled = _pool_minor(base, keep, pool_below)
    parties = (*base_parties, *new_parties)
    n_d = votes.shape[0]
    weights = votes.sum(axis=1).astype(np.float64)
    b = np.zeros((n_d, len(parties)))
    b[:, : len(base_parties)] = np.divide(
        votes, weights[:, None], out=np.zeros(votes.shape), where=weights[:, None] > 0
    )
    stand = b > 0

    spk = speaker_column(parties, speaker)
    speaker_seat = stand[:, parties.index(spk)] if spk else np.zeros(n_d, dtype=bool)
    # national scope
    in_scope = np.ones(n_d, dtype=bool)
    if scope in ("auto", "gb") and base.nations is not None:
        in_scope = np.array([n != "Northern Ireland" for n in base.nations])
    elif scope == "gb":
        raise InputError("scope 'gb' needs the nation of every seat")

    if per_area:
        lvl, label_of = _area_level(shares.keys(), base)
        if level is not None and level != lvl:
            raise InputError(f"the shares are per {lvl} but level={level!r} was asked for")
        level = lvl
        labels = base.labels(level)
        area_names = tuple(label_of[k] for k in shares)
        given = {label_of[k]: v for k, v in shares.items()}
        area_of = np.array(
            [area_names.index(lab) if lab in area_names else len(area_names) for lab in labels]
        )
        held = speaker_seat | (area_of == len(area_names))
        area_of[held] = len(area_names)
        scope_mask = ~held
    else:
        if level is None:
            level = str(entry.extra["level"])
            if level == "region" and (base.regions is None or any(r is None for r in base.regions)):
                level = "nation" if base.nations is not None and all(base.nations) else "national"
        held = speaker_seat | ~in_scope
        scope_mask = ~held
        labels = ("all",) * n_d if level == "national" else base.labels(level)
        area_names = tuple(dict.fromkeys(lab for lab, h in zip(labels, held, strict=True) if not h))
        index = {a: i for i, a in enumerate(area_names)}
        area_of = np.array(
            [len(area_names) if h else index[lab] for lab, h in zip(labels, held, strict=True)]
        )
        given = {}
    if new_parties:
        stand[:, len(base_parties) :] = ~held[:, None]
    if not scope_mask.any():
        raise InputError("no seat is left to project (every seat is held or outside the scope)")

    n_a = len(area_names)
    member = _membership(area_of, n_a)  # (A, D)
    area_w = member @ weights
    area_base = (member * weights) @ b / np.maximum(area_w, 1e-300)[:, None]
    stand_w = (member * weights) @ stand  # (A, P) votes cast where p stands
    seat_factor = np.zeros_like(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        fac = np.where(stand_w > 0, area_w[:, None] / stand_w, 0.0)
    seat_factor[~held] = fac[area_of[~held]]
    seat_factor *= stand
    scope_w = weights[scope_mask].sum()
    national_base = (weights[scope_mask] @ b[scope_mask]) / max(scope_w, 1e-300)

    if per_area:
        targets = np.vstack(
            [
                target_vector(given[a], parties, area_base[i], f"shares for {a}: ", notes)
                for i, a in enumerate(area_names)
            ]
        )
        national_target = (area_w @ targets) / area_w.sum()
        national_gain = area_gain(stand_w, area_w)
    else:
        national_target = target_vector(shares, parties, national_base, "", notes)  # type: ignore[arg-type]
        if n_a == 1:
            national_gain = np.ones((1, len(parties)))
            targets = national_target[None, :]
        else:
            national_gain = area_gain(stand_w, area_w)
            targets = clip_renormalise(area_base + (national_target - national_base)[None, :] * national_gain)
    for i, a in enumerate(area_names):
        orphan = (targets[i] > 0) & (stand_w[i] == 0)
        for j in np.flatnonzero(orphan):
            notes.append(
                f"{parties[j]} has a target share in {a} but stood in none of its seats at the base: "
                "its share there is lost (declare it with new_parties to stand everywhere)"
            )
    weak = np.minimum(b, strong_threshold)
    area_weak = (member * weights) @ weak / np.maximum(area_w, 1e-300)[:, None]
    for note in notes:
        warnings.warn(note, ProjectionWarning, stacklevel=3)
    return ProjectionPlan(
        model=model,
        level=level,
        parties=parties,
        new_parties=new_parties,
        districts=base.districts,
        codes=base.codes,
        base_shares=b,
        stand=stand,
        weights=weights,
        held=held,
        speaker_seat=speaker_seat,
        area_names=area_names,
        area_of=area_of,
        area_base=area_base,
        targets=targets,
        national_gain=national_gain,
        seat_factor=seat_factor,
        weak=weak,
        area_weak=area_weak,
        national_base=national_base,
        national_target=national_target,
        scope=scope_mask,
        speaker=spk,
        nations=base.nations,
        regions=base.regions,
        notes=tuple(notes),
        pooled=pooled,
        per_area=per_area,
        partial_standing=bool(np.any((stand_w > 0) & (stand_w < area_w[:, None] * (1 - 1e-12)))),
    )


def area_gain(stand_w: np.ndarray, area_w: np.ndarray) -> np.ndarray:
    """``g[a, p]``: a national change of 1 becomes ``g`` in each area where *p* stands
    (votes cast in all areas over votes cast in the areas where it stands), 0 elsewhere."""
    present = stand_w > 0
    covered = area_w @ present  # (P,)
    g = np.divide(area_w.sum(), covered, out=np.zeros(len(covered)), where=covered > 0)
    return np.where(present, g[None, :], 0.0)


def clip_renormalise(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 0.0)
    total = x.sum(axis=-1, keepdims=True)
    return np.divide(x, total, out=np.zeros_like(x), where=total > 0)
