"""Forecast results: :class:`Forecast`, :class:`CoalitionOdds`, and :func:`summarise`, which turns
the simulated seat matrix into them; :func:`parse_coalition` reads the coalitions to assess."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.conventions import SeatConventions
from kingmaker.forecast.kernel import PollingError, SimulationPlan
from kingmaker.names import resolve_all
from kingmaker.projection import ProjectionPlan, projection_from_plan
from kingmaker.provenance import json_result


def parse_coalition(text: str | Iterable[str], parties: Sequence[str]) -> tuple[str, ...]:
    """``"Con+LD"`` (or ``Con,LD``, or a list) resolved against ``parties`` (:mod:`kingmaker.names`:
    exact, any case, or an alias such as ``Grn`` for ``Green``); duplicates dropped."""
    label = f"coalition {text!r}" if isinstance(text, str) else "coalition"
    return resolve_all(text, parties, what="party", separators=",+", label=label)


@dataclass(frozen=True)
class CoalitionOdds:
    """How often a named group of parties reaches a majority across the simulations."""

    parties: tuple[str, ...]
    p_absolute: float
    p_working: float
    median_seats: int
    low: int
    high: int

    @property
    def name(self) -> str:
        """``Con+LD``."""
        return "+".join(self.parties)

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "coalition": self.name,
            "parties": list(self.parties),
            "p_absolute_majority": self.p_absolute,
            "p_working_majority": self.p_working,
            "median_seats": self.median_seats,
            "interval_90": [self.low, self.high],
        }


@dataclass(frozen=True, eq=False)
class Forecast:
    """Distribution of seats over the simulations, and the probabilities of the outcomes.

    ``seats`` is the ``(sims, parties)`` matrix of seat counts; ``seat_probabilities`` the
    ``(districts, parties)`` share of simulations each party wins each seat.
    """

    model: str
    level: str
    sims: int
    seed: int
    backend: str
    parties: tuple[str, ...]
    seats: np.ndarray
    median: Mapping[str, int]
    low: Mapping[str, int]
    high: Mapping[str, int]
    mean: Mapping[str, float]
    p_largest: Mapping[str, float]
    p_majority: Mapping[str, float]
    p_overall_majority: float
    p_hung: float
    coalitions: tuple[CoalitionOdds, ...]
    absolute_majority: int
    median_working_threshold: int
    districts: tuple[str, ...]
    seat_probabilities: np.ndarray
    central_seats: Mapping[str, int]
    national_target: Mapping[str, float]
    error: PollingError
    notes: tuple[str, ...] = ()
    pooled: tuple[str, ...] = field(default=(), repr=False)

    def shown_parties(self) -> tuple[str, ...]:
        """Parties that win a seat in some simulation, most seats first."""
        return tuple(
            p
            for p in sorted(self.parties, key=lambda p: -self.mean[p])
            if self.seats[:, self.parties.index(p)].any()
        )

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (probabilities as fractions)."""
        shown = self.shown_parties()
        return {
            "model": self.model,
            "level": self.level,
            "sims": self.sims,
            "seed": self.seed,
            "backend": self.backend,
            "error": asdict(self.error),
            "absolute_majority": self.absolute_majority,
            "median_working_majority_threshold": self.median_working_threshold,
            "seats": {
                p: {
                    "median": self.median[p],
                    "interval_90": [self.low[p], self.high[p]],
                    "mean": round(self.mean[p], 3),
                }
                for p in shown
            },
            "win_probability": {p: self.p_largest[p] for p in shown},
            "majority_probability": {p: self.p_majority[p] for p in shown},
            "overall_majority": self.p_overall_majority,
            "hung_parliament": self.p_hung,
            "coalitions": [c.to_dict() for c in self.coalitions],
            "central_projection": dict(self.central_seats),
            "national_target": {p: round(v * 100, 3) for p, v in self.national_target.items()},
            "notes": list(self.notes),
            "pooled_parties": list(self.pooled),
        }

    def to_frame(self) -> Any:
        """One row per party: median, 90% interval, mean, P(largest), P(majority)."""
        import pandas as pd

        rows = [
            {
                "party": p,
                "median": self.median[p],
                "low_5": self.low[p],
                "high_95": self.high[p],
                "mean": self.mean[p],
                "p_largest": self.p_largest[p],
                "p_majority": self.p_majority[p],
            }
            for p in self.shown_parties()
        ]
        return pd.DataFrame(rows).set_index("party")

    def coalition_frame(self) -> Any:
        """One row per named coalition."""
        import pandas as pd

        return pd.DataFrame([c.to_dict() for c in self.coalitions])

    def seat_frame(self) -> Any:
        """Per constituency: each party's probability of winning it (columns), most likely winner."""
        import pandas as pd

        shown = list(self.shown_parties())
        idx = [self.parties.index(p) for p in shown]
        frame = pd.DataFrame(self.seat_probabilities[:, idx], columns=shown)
        frame.insert(0, "likely_winner", [shown[i] for i in frame.to_numpy().argmax(axis=1)])
        frame.insert(0, "district", list(self.districts))
        return frame

    def _repr_html_(self) -> str:
        return (
            f"<p>Forecast: {self.sims:,} simulations ({self.model}), P(hung) = {self.p_hung:.1%}</p>"
            + self.to_frame().to_html()
        )


def coalition_odds(
    seat_matrix: np.ndarray,
    voting: np.ndarray,
    working: np.ndarray,
    absolute: int,
    parties: Sequence[str],
    members: tuple[str, ...],
) -> CoalitionOdds:
    """How often ``members`` reach each majority, from
    :meth:`~kingmaker.conventions.SeatConventions.arithmetic`'s arrays."""
    cols = [list(parties).index(p) for p in members]
    able = voting[:, cols] > 0  # parties none of whose members vote cannot join
    total = (seat_matrix[:, cols] * able).sum(axis=1)
    voters = voting[:, cols].sum(axis=1)
    lo, med, hi = np.quantile(total, [0.05, 0.5, 0.95], method="inverted_cdf").astype(int)
    return CoalitionOdds(
        members,
        float((total >= absolute).mean()),
        float((voters >= working).mean()),
        int(med),
        int(lo),
        int(hi),
    )


def summarise(
    seat_matrix: np.ndarray,
    wins: np.ndarray,
    plan: ProjectionPlan,
    sp: SimulationPlan,
    conventions: SeatConventions,
    named: Sequence[tuple[str, ...]],
    backend: str,
    error: PollingError,
) -> Forecast:
    """Turn the ``(sims, P)`` seat matrix into a :class:`Forecast`."""
    parties = plan.parties
    n = seat_matrix.shape[0]
    q = np.quantile(seat_matrix, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf").astype(int)
    mean = seat_matrix.mean(axis=0)
    top = seat_matrix.max(axis=1, keepdims=True)
    is_top = seat_matrix == top
    p_largest = (is_top / is_top.sum(axis=1, keepdims=True)).sum(axis=0) / n
    voting, working, absolute = conventions.arithmetic(seat_matrix, parties)
    majority = seat_matrix >= absolute
    p_majority = majority.mean(axis=0)
    overall = float(majority.any(axis=1).mean())
    odds = [coalition_odds(seat_matrix, voting, working, absolute, parties, m) for m in named]
    central = projection_from_plan(plan, conventions)
    nat = plan.national_target
    return Forecast(
        model=plan.model,
        level=plan.level,
        sims=n,
        seed=sp.seed,
        backend=backend,
        parties=parties,
        seats=seat_matrix,
        median=MappingProxyType({p: int(q[1, i]) for i, p in enumerate(parties)}),
        low=MappingProxyType({p: int(q[0, i]) for i, p in enumerate(parties)}),
        high=MappingProxyType({p: int(q[2, i]) for i, p in enumerate(parties)}),
        mean=MappingProxyType({p: float(mean[i]) for i, p in enumerate(parties)}),
        p_largest=MappingProxyType({p: float(p_largest[i]) for i, p in enumerate(parties)}),
        p_majority=MappingProxyType({p: float(p_majority[i]) for i, p in enumerate(parties)}),
        p_overall_majority=overall,
        p_hung=1.0 - overall,
        coalitions=tuple(odds),
        absolute_majority=absolute,
        median_working_threshold=int(np.median(working)),
        districts=plan.districts,
        seat_probabilities=(wins / n).astype(np.float32),
        central_seats=central.seats,
        national_target=MappingProxyType(
            {parties[i]: float(v) for i in np.argsort(-nat) if (v := nat[i]) > 0.0005}
        ),
        error=error,
        notes=plan.notes,
        pooled=plan.pooled,
    )


__all__ = ["CoalitionOdds", "Forecast", "coalition_odds", "parse_coalition", "summarise"]
