"""The result of a projection: :class:`Projection` (shares, winners, seats, changes) and
:func:`projection_from_plan`, which runs the central projection of a plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.conventions import SeatConventions
from kingmaker.parliament import Parliament
from kingmaker.projection.plan import ProjectionPlan
from kingmaker.provenance import json_result


@dataclass(frozen=True)
class SeatChange:
    """A seat projected to change hands."""

    district: str
    code: str | None
    region: str | None
    before: str
    after: str
    margin: float  # winner's lead over the runner-up, in points

    @json_result
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

    @json_result
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
