"""Seat projection: from a base election and new vote shares to seats, with four swing models.

The base is a :class:`~kingmaker.votes.VoteTable` of single-member constituencies (the previous
result); the new shares are given in percent, either nationally (``{"Con": 36, "Lab": 29, ...}``)
or per area (``{"Scotland": {"SNP": 50, ...}, "Wales": {...}}``, areas being the table's nations
or regions). Write ``b[d, p]`` for party *p*'s share of the vote in seat *d* at the base,
``B[a, p]`` for its share across area *a* (the whole scope for national shares, votes-weighted) and
``T[a, p]`` for its new share there. Seats are won by the largest projected share.

Models
------
``uniform`` (uniform national swing, additive)
    ``s[d, p] = b[d, p] + (T[p] - B[p]) * f[d, p]``.  ``f`` is 1 for a party that stands in every
    seat; for a party standing in only part of the area it is ``W / W_p`` (votes cast in the area
    over votes cast in the seats where *p* stands), so that a GB-wide SNP gain of 3 points becomes a
    gain of about 33 points in each Scottish seat (the SNP stands in Scotland only, where some 9% of
    the GB votes are cast) and the projected national share still equals the target. ``f = 0``
    where the party does not stand.
``proportional`` (proportional swing)
    ``s[d, p] = b[d, p] * T[p] / B[p]``; a new party (``B = 0``) gets ``T[p] * f[d, p]``.
``regional`` (regional uniform swing)
    The additive formula applied per area *a* (the table's regions by default, or nations):
    ``s[d, p] = b[d, p] + (T[a, p] - B[a, p]) * f[d, p]``, the change measured in the area of *d*
    (``f`` now within the area). With only national shares, each area's target is first derived
    from its base by the same additive rule, ``T[a] = clip(B[a] + (T - B) * g[a, p], 0)``
    renormalised, with ``g`` = votes cast in the scope over votes cast in the areas where *p*
    stands (0 in the others); the areas then differ only through clipping, and in
    :mod:`kingmaker.forecast` through the regional noise.
``transition`` (the Electoral Calculus *Strong Transition Model*, Baxter 2007)
    Measured per area like ``regional``. Each party's support in a seat is split into *weak*
    supporters, ``w[d, p] = min(b[d, p], tau)``, and *strong* ones, ``b - w``, with ``tau`` = 20%
    of the vote (``strong_threshold``). A party that declines in the area,
    ``L[a, p] = B - T > 0``, loses its weak supporters first, at one rate in every seat, and its
    strong ones only once the weak are all gone:
    ``loss[d, p] = min(1, L / Wk) * w[d, p] + max(0, L - Wk) / St * (b[d, p] - w[d, p])`` with
    ``Wk``, ``St`` the area's weak and strong totals. Losses are therefore multiplicative (a party
    that loses a quarter of its vote loses about a quarter in each seat, so more votes where it
    was stronger) and shares can never go negative. The votes released in a seat,
    ``R[d] = sum_p loss[d, p]``, go to the gaining parties (``G[a, q] = T - B > 0``) that stand
    there, in proportion to their area gains: ``gain[d, q] = R[d] * G[q] * k[q] / sum_r G[r] k[r]``,
    with ``k`` a correction (3 fitting passes) that keeps each gainer's area total on target where
    it does not stand everywhere, as far as the votes released where it stands allow (a party
    surging in one nation needs that nation's shares, or ``level="nation"``, to get its gain). ``strong_threshold=1`` gives the plain Transition Model (purely
    proportional losses, Electoral Calculus 2004). References: electoralcalculus.co.uk,
    "Transition Model 2004" and "Strong Transition Model 2007".

Special cases
-------------
* **Parties that do not stand everywhere** (SNP, Plaid Cymru, the Northern Ireland parties) gain
  or lose only where they stood at the base (``f`` above); a party never appears in a seat it did
  not contest.
* **Scope of national shares.** GB polls exclude Northern Ireland, so by default (``scope="auto"``)
  national shares are GB shares when the table has Northern Ireland seats, and those 18 seats keep
  their base result. ``scope="all"`` applies national shares to every seat. Per-area shares apply
  to the areas named; seats in other areas keep their base result.
* **Shares that would go negative** (additive models) are clipped to 0 and the seat's shares are
  renormalised to sum to 1, which spreads the excess over the other parties in proportion to their
  shares; the projected national shares can then miss the targets slightly (reported in
  :attr:`Projection.projected_national`).
* **The Speaker's seat** (a party named ``Speaker`` or ``Spk``): by convention the main parties do
  not contest it, so it keeps its base result, takes no part in measuring the swing, and the
  Speaker keeps it.
* **New parties** with no base vote must be declared (``new_parties=``; an undeclared unknown name
  is an :class:`~kingmaker.errors.UnknownNameError`). A new party is taken to stand in every seat
  the swing applies to (not the Speaker's) and gets its target share there (``f = 1``).
* **Parties not named** in the shares keep their base share, unless the shares have an ``Other``
  (``Others``, ``Oth``) entry, which is then split among the unnamed parties in proportion to their
  base shares.
* **Shares that do not sum to 100**: within :data:`SHARE_TOLERANCE` points they are normalised,
  with a warning when off by more than 0.1 points; beyond it, refused. Negative shares are refused.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io.party_names import canonical_party
from kingmaker.parliament import NonVoting, Parliament
from kingmaker.votes import VoteTable, canonical_region

Model = Literal["uniform", "proportional", "regional", "transition"]
MODELS: tuple[str, ...] = ("uniform", "proportional", "regional", "transition")
LEVELS: tuple[str, ...] = ("national", "nation", "region")
SCOPES: tuple[str, ...] = ("auto", "all", "gb")
#: Shares whose total is within this many points of 100 are normalised; further off, refused.
SHARE_TOLERANCE = 5.0
#: Below this distance from 100 (points), normalising is silent (rounding of published figures).
SHARE_SILENT = 0.1
#: Strong Transition Model threshold: support up to this share of the vote is "weak".
STRONG_THRESHOLD = 0.20
#: Share keys that mean "all parties not named".
OTHER_KEYS: tuple[str, ...] = ("other", "others", "oth")
#: Party names taken to be the Speaker.
SPEAKER_NAMES: tuple[str, ...] = ("speaker", "spk")
#: Name of the pooled column when minor parties are pooled (forecasts).
POOLED = "(others)"
_KIND = {
    "uniform": "additive",
    "regional": "additive",
    "proportional": "proportional",
    "transition": "transition",
}
_FIT_PASSES = 3

Shares = Mapping[str, float] | Mapping[str, Mapping[str, float]]


class ProjectionWarning(UserWarning):
    """Shares were normalised, or a target could not be honoured exactly."""


# ----------------------------------------------------------------------------------------------
# parsing and validating shares
# ----------------------------------------------------------------------------------------------
def parse_shares(text: str) -> dict[str, float] | dict[str, dict[str, float]]:
    """Read ``"Con=36,Lab=29,LD=23"`` or per area ``"Scotland: SNP=50,Lab=24; Wales: Lab=37,..."``.

    Values are percentages. Raises :class:`InputError` naming the item that cannot be read.
    """
    text = text.strip()
    if not text:
        raise InputError("--shares: no shares given; expected e.g. Con=36,Lab=29,LD=23")
    if ":" in text:
        out: dict[str, dict[str, float]] = {}
        for block in (b.strip() for b in text.split(";")):
            if not block:
                continue
            area, sep, rest = block.partition(":")
            if not sep or not area.strip():
                raise InputError(f"--shares: cannot read {block!r}; expected AREA: PARTY=SHARE,...")
            if area.strip() in out:
                raise InputError(f"--shares: area {area.strip()!r} given twice")
            out[area.strip()] = _parse_flat(rest)
        return out
    return _parse_flat(text)


def _parse_flat(text: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        m = re.fullmatch(r"(.+?)\s*=\s*(.+)", item)
        if not m:
            raise InputError(f"--shares: cannot read {item!r}; expected PARTY=SHARE, e.g. Con=36")
        party, value = m.group(1).strip(), m.group(2).strip().rstrip("%")
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"--shares: share of {party!r} must be a number, got {value!r}") from None
        if party in shares:
            raise InputError(f"--shares: party {party!r} given twice")
        shares[party] = number
    if not shares:
        raise InputError("--shares: no shares given; expected e.g. Con=36,Lab=29,LD=23")
    return shares


def _column(parties: tuple[str, ...], name: str, new_hint: bool = True) -> int:
    if name in parties:
        return parties.index(name)
    lowered = [p.lower() for p in parties]
    if name.lower() in lowered:
        return lowered.index(name.lower())
    canonical = canonical_party(name)  # another file's spelling: Grn -> Green, APNI -> Alliance
    if canonical in parties:
        return parties.index(canonical)
    shown = ", ".join(parties[:25]) + (" ..." if len(parties) > 25 else "")
    hint = "; a party new since the base election must be declared new (new_parties / --new-party)"
    raise UnknownNameError(f"unknown party {name!r}; known parties: {shown}{hint if new_hint else ''}")


def _target_vector(
    given: Mapping[str, float], parties: tuple[str, ...], base: np.ndarray, where: str, notes: list[str]
) -> np.ndarray:
    """Percent shares for some parties -> fractions for all (unnamed keep base, or split Other)."""
    values = np.full(len(parties), np.nan)
    other: float | None = None
    for key, raw in given.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InputError(f"{where}share of {key!r} must be a number, got {raw!r}") from None
        if not np.isfinite(value):
            raise InputError(f"{where}share of {key!r} is not a finite number")
        if value < 0:
            raise InputError(f"{where}share of {key!r} is negative ({value:g}); shares are percentages >= 0")
        if key.lower() in OTHER_KEYS and key.lower() not in (p.lower() for p in parties):
            other = value
            continue
        i = _column(parties, key)
        if not np.isnan(values[i]):
            raise InputError(f"{where}party {parties[i]!r} given twice")
        values[i] = value
    unnamed = np.isnan(values)
    if other is not None:
        pool = base[unnamed]
        if pool.sum() > 0:
            values[unnamed] = other * pool / pool.sum()
        else:
            values[unnamed] = 0.0
            if other > 0:
                notes.append(f"{where}Other={other:g} dropped: no unnamed party had votes at the base")
    else:
        values[unnamed] = 100.0 * base[unnamed]
    total = float(values.sum())
    if abs(total - 100.0) > SHARE_TOLERANCE:
        kept = 100.0 * float(base[unnamed].sum()) if other is None else 0.0
        extra = f" (including {kept:.1f} kept by parties not named)" if kept > 0.05 else ""
        raise InputError(
            f"{where}shares sum to {total:.1f}{extra}, not about 100: refused beyond "
            f"±{SHARE_TOLERANCE:g} points (name every party, or give Other=...)"
        )
    if abs(total - 100.0) > SHARE_SILENT:
        notes.append(f"{where}shares summed to {total:.2f}; normalised to 100")
    return values / total


# ----------------------------------------------------------------------------------------------
# the plan: every array a projection (or a forecast) needs, computed once
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ProjectionPlan:
    """Precomputed arrays of one projection problem (picklable; the forecast ships it to workers).

    ``targets`` are the central area targets ``T[a, p]`` (fractions); :meth:`scores` turns any
    ``(sims, areas, parties)`` stack of targets into unnormalised seat shares.
    """

    model: str
    kind: str
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

    def _ext(self, per_area: np.ndarray, fill: float) -> np.ndarray:
        """Append the held seats' dummy area (value ``fill``) and gather per seat: (S, D, P)."""
        s = per_area.shape[0]
        pad = np.full((s, 1, per_area.shape[2]), fill, dtype=per_area.dtype)
        return np.take(np.concatenate([per_area, pad], axis=1), self.area_of, axis=1)

    def scores(self, targets: np.ndarray) -> np.ndarray:
        """Unnormalised seat shares ``(S, D, P)`` for area targets ``(S, A, P)``.

        Non-standing parties score 0; held seats keep their base shares. Clip at 0 and renormalise
        each seat to get shares (:meth:`shares`); the winner is the same either way.
        """
        targets = np.asarray(targets, dtype=np.float64)
        b = self.base_shares[None]
        if self.kind == "additive":
            return b + self._ext(targets - self.area_base[None], 0.0) * self.seat_factor[None]
        if self.kind == "proportional":
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(self.area_base[None] > 0, targets / self.area_base[None], 0.0)
            fresh = np.where(self.area_base[None] > 0, 0.0, targets)
            return b * self._ext(ratio, 1.0) + self._ext(fresh, 0.0) * self.seat_factor[None]
        return self._transition(targets)

    def _transition(self, targets: np.ndarray) -> np.ndarray:
        base = self.area_base[None]
        loss = np.maximum(base - targets, 0.0)
        gain = np.maximum(targets - base, 0.0)
        weak_total = self.area_weak[None]
        strong_total = base - weak_total
        with np.errstate(divide="ignore", invalid="ignore"):
            weak_rate = np.where(weak_total > 0, np.minimum(loss / weak_total, 1.0), 0.0)
            strong_rate = np.where(
                strong_total > 0, np.clip((loss - weak_total) / strong_total, 0.0, 1.0), 0.0
            )
        b = self.base_shares
        weak = self.weak
        strong = b - weak
        stand = (self.stand & ~self.held[:, None]).astype(np.float64)
        # Every per-seat sum over parties is a product of an area's (S, P) rates with its seats'
        # (D_a, P) shares, so the fitting works on (S, D) and (S, A, P) arrays only; the full
        # (S, D, P) scores are built once at the end.
        n_s = targets.shape[0]
        seats_of = [np.flatnonzero(self.area_of == a) for a in range(self.n_areas)]
        released = np.zeros((n_s, len(b)))  # (S, D) votes lost in each seat; 0 in held seats
        for a, rows in enumerate(seats_of):
            released[:, rows] = weak_rate[:, a] @ weak[rows].T + strong_rate[:, a] @ strong[rows].T
        share_w = [self.weights[rows] / max(self.weights[rows].sum(), 1e-300) for rows in seats_of]
        k = np.ones_like(gain)
        ratio = np.zeros_like(released)
        passes = _FIT_PASSES if self.partial_standing else 1
        for i in range(passes):
            pull = gain * k  # (S, A, P): each gainer's pull, shared where it stands
            norm = np.zeros_like(released)
            for a, rows in enumerate(seats_of):
                norm[:, rows] = pull[:, a] @ stand[rows].T
            ratio = np.divide(released, norm, out=np.zeros_like(norm), where=norm > 0)
            if i + 1 < passes:
                achieved = np.empty_like(gain)  # (S, A, P) area gains
                for a, rows in enumerate(seats_of):
                    achieved[:, a] = pull[:, a] * ((ratio[:, rows] * share_w[a]) @ stand[rows])
                with np.errstate(divide="ignore", invalid="ignore"):
                    k = np.where((achieved > 0) & (gain > 0), k * gain / achieved, k)
        # b - lost + the released votes shared in proportion to the pull
        out = b[None] - self._ext(weak_rate, 0.0) * weak[None]
        out -= self._ext(strong_rate, 0.0) * strong[None]
        gained = self._ext(gain * k, 0.0)
        gained *= stand[None]
        gained *= ratio[:, :, None]
        out += gained
        return out

    def shares(self, targets: np.ndarray) -> np.ndarray:
        """Seat shares ``(S, D, P)``: :meth:`scores` clipped at 0, each seat renormalised."""
        s = np.maximum(self.scores(targets), 0.0)
        total = s.sum(axis=2, keepdims=True)
        return np.divide(s, total, out=np.zeros_like(s), where=total > 0)


def _membership(area_of: np.ndarray, n_areas: int) -> np.ndarray:
    return (area_of[None, :] == np.arange(n_areas)[:, None]).astype(np.float64)


def _speaker_column(parties: tuple[str, ...], speaker: str | Literal["auto"] | None) -> str | None:
    if speaker == "auto":
        for p in parties:
            if p.lower() in SPEAKER_NAMES:
                return p
        return None
    if speaker is None:
        return None
    return parties[_column(parties, speaker, new_hint=False)]


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
    if model not in MODELS:
        raise UnknownNameError(f"unknown model {model!r}; models: {', '.join(MODELS)}")
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

    spk = _speaker_column(parties, speaker)
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
            level = "national" if model in ("uniform", "proportional") else "region"
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
                _target_vector(given[a], parties, area_base[i], f"shares for {a}: ", notes)
                for i, a in enumerate(area_names)
            ]
        )
        national_target = (area_w @ targets) / area_w.sum()
        national_gain = _area_gain(stand_w, area_w)
    else:
        national_target = _target_vector(shares, parties, national_base, "", notes)  # type: ignore[arg-type]
        if n_a == 1:
            national_gain = np.ones((1, len(parties)))
            targets = national_target[None, :]
        else:
            national_gain = _area_gain(stand_w, area_w)
            targets = _clip_renormalise(
                area_base + (national_target - national_base)[None, :] * national_gain
            )
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
        kind=_KIND[model],
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


def _area_gain(stand_w: np.ndarray, area_w: np.ndarray) -> np.ndarray:
    """``g[a, p]``: a national change of 1 becomes ``g`` in each area where *p* stands
    (votes cast in all areas over votes cast in the areas where it stands), 0 elsewhere."""
    present = stand_w > 0
    covered = area_w @ present  # (P,)
    g = np.divide(area_w.sum(), covered, out=np.zeros(len(covered)), where=covered > 0)
    return np.where(present, g[None, :], 0.0)


def _clip_renormalise(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, 0.0)
    total = x.sum(axis=-1, keepdims=True)
    return np.divide(x, total, out=np.zeros_like(x), where=total > 0)


# ----------------------------------------------------------------------------------------------
# seat conventions (who votes) for projected parliaments
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeatConventions:
    """Who does not vote in a projected House, as in :mod:`kingmaker.parliament`.

    * the Speaker's seats (party ``speaker``) never vote;
    * ``abstaining`` parties (Sinn Féin) do not take their seats;
    * ``deputies``: the Deputy Speakers, who do not vote, drawn by convention from both sides:
      ``(1, 2)`` means one from the largest voting party and two from the second largest, which
      reproduces the House of 2010, 2015 and 2017 (one Conservative, two Labour).
    """

    speaker: str | None = None
    abstaining: tuple[str, ...] = ()
    deputies: tuple[int, ...] = (1, 2)

    @classmethod
    def uk(cls, parties: Iterable[str]) -> SeatConventions:
        """House of Commons conventions for these party names (Speaker/Spk, SF)."""
        names = tuple(parties)
        spk = next((p for p in names if p.lower() in SPEAKER_NAMES), None)
        abstain = tuple(p for p in names if p.lower() in ("sf", "sinn fein", "sinn féin"))
        return cls(spk, abstain, (1, 2))

    def non_voting(self, seats: Mapping[str, int]) -> tuple[NonVoting, ...]:
        """The :class:`NonVoting` entries for one seat distribution."""
        out: list[NonVoting] = []
        if self.speaker and seats.get(self.speaker, 0):
            out.append(NonVoting(self.speaker, seats[self.speaker], "speaker", "The Speaker does not vote."))
        for p in self.abstaining:
            if seats.get(p, 0):
                out.append(NonVoting(p, seats[p], "abstention", f"{p} MPs do not take their seats."))
        eligible = [p for p in seats if p != self.speaker and p not in self.abstaining and seats[p] > 0]
        ranked = sorted(eligible, key=lambda p: (-seats[p], list(seats).index(p)))
        for rank, n in enumerate(self.deputies):
            if rank < len(ranked) and n:
                n = min(n, seats[ranked[rank]])
                out.append(NonVoting(ranked[rank], n, "deputy", "Deputy Speaker(s) by convention."))
        return tuple(out)

    def parliament(self, seats: Mapping[str, int], name: str = "projection") -> Parliament:
        """A :class:`Parliament` of these seats (parties with no seat left out) and conventions."""
        kept = {p: int(s) for p, s in seats.items() if s > 0}
        return Parliament.from_seats(kept, non_voting=self.non_voting(kept), name=name)


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeatChange:
    """A seat projected to change hands."""

    district: str
    code: str | None
    region: str | None
    before: str
    after: str
    margin: float  # winner's lead over the runner-up, in points

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Projection:
    """Projected shares, winners and seats; ``shares`` and ``base_shares`` are ``(D, P)`` fractions."""

    model: str
    level: str
    parties: tuple[str, ...]
    districts: tuple[str, ...]
    codes: tuple[str, ...] | None
    regions: tuple[str | None, ...] | None
    base_shares: np.ndarray
    shares: np.ndarray
    base_winners: tuple[str, ...]
    winners: tuple[str, ...]
    margins: np.ndarray
    held: np.ndarray
    seats: Mapping[str, int]
    base_seats: Mapping[str, int]
    national_target: Mapping[str, float]
    projected_national: Mapping[str, float]
    notes: tuple[str, ...] = ()
    speaker: str | None = None
    conventions: SeatConventions = field(default_factory=SeatConventions)

    @property
    def changes(self) -> tuple[SeatChange, ...]:
        """Seats whose projected winner differs from the base winner, narrowest first."""
        out = [
            SeatChange(
                self.districts[d],
                self.codes[d] if self.codes else None,
                self.regions[d] if self.regions else None,
                self.base_winners[d],
                self.winners[d],
                round(float(self.margins[d]), 2),
            )
            for d in range(len(self.districts))
            if self.winners[d] != self.base_winners[d]
        ]
        return tuple(sorted(out, key=lambda c: c.margin))

    def gains(self) -> dict[str, int]:
        """Net seats gained (negative: lost) per party."""
        return {
            p: self.seats.get(p, 0) - self.base_seats.get(p, 0)
            for p in self.parties
            if self.seats.get(p, 0) or self.base_seats.get(p, 0)
        }

    def parliament(self) -> Parliament:
        """The projected House as a :class:`Parliament`, with the seat conventions applied."""
        return self.conventions.parliament(self.seats, name=f"projection ({self.model})")

    def to_dict(self) -> dict[str, Any]:
        """Plain data: seats, gains, seats changing hands, and every constituency."""
        return {
            "model": self.model,
            "level": self.level,
            "seats": dict(self.seats),
            "base_seats": dict(self.base_seats),
            "gains": self.gains(),
            "national_target": {p: round(v * 100, 3) for p, v in self.national_target.items()},
            "projected_national": {p: round(v * 100, 3) for p, v in self.projected_national.items()},
            "changes": [c.to_dict() for c in self.changes],
            "constituencies": self.to_frame().to_dict(orient="records"),
            "notes": list(self.notes),
        }

    def to_frame(self) -> Any:
        """One row per constituency: winner before and after, margin, projected shares (%)."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "district": list(self.districts),
                "code": list(self.codes) if self.codes else None,
                "region": list(self.regions) if self.regions else None,
                "base_winner": list(self.base_winners),
                "winner": list(self.winners),
                "margin": np.round(self.margins, 3),
                "changed": [a != b for a, b in zip(self.winners, self.base_winners, strict=True)],
                "held": self.held,
            }
        )
        cols = [
            i for i, p in enumerate(self.parties) if self.shares[:, i].any() or self.base_shares[:, i].any()
        ]
        shares = pd.DataFrame(
            np.round(self.shares[:, cols] * 100, 3), columns=[self.parties[i] for i in cols]
        )
        return pd.concat([frame, shares], axis=1)

    def seats_frame(self) -> Any:
        """One row per party with seats: base seats, projected seats and the change."""
        import pandas as pd

        rows = [
            {"party": p, "base": self.base_seats.get(p, 0), "projected": self.seats.get(p, 0), "change": g}
            for p, g in self.gains().items()
        ]
        return pd.DataFrame(rows).sort_values("projected", ascending=False).set_index("party")

    def _repr_html_(self) -> str:
        return f"<p>Projection ({self.model}, {self.level})</p>" + self.seats_frame().to_html()


def _winners(shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-shares, axis=1, kind="stable")
    top = shares[np.arange(len(shares)), order[:, 0]]
    second = shares[np.arange(len(shares)), order[:, 1]] if shares.shape[1] > 1 else np.zeros(len(shares))
    return order[:, 0], (top - second) * 100.0


def _count(parties: tuple[str, ...], winners: np.ndarray) -> dict[str, int]:
    counts = np.bincount(winners, minlength=len(parties))
    order = np.argsort(-counts, kind="stable")
    return {parties[i]: int(counts[i]) for i in order if counts[i] > 0}


def project(
    base: VoteTable,
    shares: Shares,
    model: str = "uniform",
    *,
    level: str | None = None,
    scope: str = "auto",
    new_parties: Iterable[str] = (),
    speaker: str | None = "auto",
    strong_threshold: float = STRONG_THRESHOLD,
    conventions: SeatConventions | None = None,
) -> Projection:
    """Project ``base`` onto new ``shares`` (percent) with ``model``; see the module docstring.

    ``level`` is ``national``, ``nation`` or ``region`` (default: national for uniform and
    proportional, region for regional and transition, or the level of per-area shares).
    """
    plan = plan_projection(
        base,
        shares,
        model,
        level=level,
        scope=scope,
        new_parties=new_parties,
        speaker=speaker,
        strong_threshold=strong_threshold,
    )
    return projection_from_plan(plan, conventions)


def projection_from_plan(plan: ProjectionPlan, conventions: SeatConventions | None = None) -> Projection:
    """Run the central projection of a :class:`ProjectionPlan`."""
    shares = plan.shares(plan.targets[None])[0]
    base_w, _ = _winners(plan.base_shares)
    win, margins = _winners(shares)
    w = plan.weights
    scope = plan.scope
    projected_nat = (w[scope] @ shares[scope]) / max(w[scope].sum(), 1e-300)
    p = plan.parties
    return Projection(
        model=plan.model,
        level=plan.level,
        parties=p,
        districts=plan.districts,
        codes=plan.codes,
        regions=plan.regions,
        base_shares=plan.base_shares,
        shares=shares,
        base_winners=tuple(p[i] for i in base_w),
        winners=tuple(p[i] for i in win),
        margins=margins,
        held=plan.held,
        seats=MappingProxyType(_count(p, win)),
        base_seats=MappingProxyType(_count(p, base_w)),
        national_target=MappingProxyType(
            {p[i]: float(v) for i, v in enumerate(plan.national_target) if v > 0}
        ),
        projected_national=MappingProxyType({p[i]: float(v) for i, v in enumerate(projected_nat) if v > 0}),
        notes=plan.notes,
        speaker=plan.speaker,
        conventions=conventions or SeatConventions.uk(p),
    )


# ----------------------------------------------------------------------------------------------
# results night: the swing seen in the seats declared so far
# ----------------------------------------------------------------------------------------------
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

    ``targets`` are shares (percent) for the undeclared seats, ready for :func:`project` or
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
    spk = _speaker_column(parties, "auto")
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
            target = _clip_renormalise(b / max(b.sum(), 1.0) + change)
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
            gain = _area_gain(stand_w, area_w)
            per_area: dict[str, dict[str, float]] = {}
            for i, r in enumerate(names):
                delta = regional[r] if r in regional else change * gain[i]
                per_area[r] = _named_targets(_clip_renormalise(area_base[i] + delta), parties, keep)
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
