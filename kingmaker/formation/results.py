"""Result types of the formation package: each has ``to_dict(places=None)`` (JSON-safe),
``to_frame()`` (pandas, one row per named unit) and ``_repr_html_()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _r(value: float, places: int | None) -> float:
    return round(float(value), places) if places is not None else float(value)


@dataclass(frozen=True)
class Government:
    """One possible government: its parties, probability, seats and what drives it."""

    parties: tuple[str, ...]
    probability: float
    seats: int
    features: dict[str, float]
    contributions: dict[str, float]
    formed: bool = False

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "probability": _r(self.probability, places),
            "seats": int(self.seats),
            "features": {k: _r(v, places) for k, v in self.features.items()},
            "contributions": {k: _r(v, places) for k, v in self.contributions.items()},
            "formed": self.formed,
        }

    def drivers(self, n: int = 3) -> list[str]:
        """The ``n`` features that raise or lower its odds most, as ``"+incumbent"`` strings."""
        top = sorted(self.contributions.items(), key=lambda kv: -abs(kv[1]))[:n]
        return [f"{'+' if v >= 0 else '-'}{k}" for k, v in top if abs(v) > 1e-9]


@dataclass(frozen=True)
class FormationResult:
    """The most likely governments of one parliament (one row per government, most likely first)."""

    label: str
    governments: tuple[Government, ...]
    alternatives: int
    quota: int
    house: int
    formed: tuple[str, ...] | None = None
    formed_probability: float | None = None
    formed_rank: int | None = None
    model: dict[str, Any] = field(default_factory=dict)

    def probability(self, parties: tuple[str, ...] | list[str]) -> float | None:
        """Probability of the government of exactly ``parties`` if it is among those listed."""
        key = frozenset(parties)
        return next((g.probability for g in self.governments if frozenset(g.parties) == key), None)

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        return {
            "label": self.label,
            "house": self.house,
            "quota": self.quota,
            "alternatives": self.alternatives,
            "formed": list(self.formed) if self.formed else None,
            "formed_probability": None
            if self.formed_probability is None
            else _r(self.formed_probability, places),
            "formed_rank": self.formed_rank,
            "governments": [g.to_dict(places) for g in self.governments],
            "model": self.model,
        }

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        rows = [
            {
                "government": "+".join(g.parties),
                "probability": g.probability,
                "seats": g.seats,
                "formed": g.formed,
                "drivers": " ".join(g.drivers()),
                **g.features,
            }
            for g in self.governments
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


@dataclass(frozen=True)
class DurationResult:
    """A proposed cabinet's survival curve (one row per month)."""

    parties: tuple[str, ...]
    covariates: dict[str, float]
    median_months: float
    term_months: int
    p_full_term: float
    months: tuple[float, ...]
    survival: tuple[float, ...]
    model: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "covariates": {k: _r(v, places) for k, v in self.covariates.items()},
            "median_months": _r(self.median_months, places),
            "term_months": self.term_months,
            "p_full_term": _r(self.p_full_term, places),
            "curve": [
                {"months": _r(m, places), "survival": _r(s, places)}
                for m, s in zip(self.months, self.survival, strict=True)
            ],
            "model": self.model,
        }

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame({"months": self.months, "survival": self.survival})

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def plot(self, ax: Any = None):  # -> matplotlib Figure
        """The survival curve with the median and the end of term marked."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 4))
        ax.plot(self.months, self.survival, color="#2b6cb0")
        ax.axvline(self.median_months, ls="--", color="grey", lw=1)
        ax.axvline(self.term_months, ls=":", color="black", lw=1)
        ax.set_xlabel("months in office")
        ax.set_ylabel("probability still in office")
        ax.set_ylim(0, 1)
        ax.set_title(
            f"{'+'.join(self.parties)}: median {self.median_months:.0f} months, "
            f"P(full {self.term_months}-month term) {self.p_full_term:.0%}"
        )
        return fig


@dataclass(frozen=True)
class ValidationReport:
    """Out-of-sample scores of the model and each baseline under one validation scheme
    (one row per method)."""

    scheme: str
    formations: int
    scores: dict[str, dict[str, float]]
    calibration: dict[str, list[dict[str, float]]]
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "formations": self.formations,
            "scores": {m: {k: _r(v, places) for k, v in s.items()} for m, s in self.scores.items()},
            "calibration": {
                m: [{k: _r(v, places) for k, v in row.items()} for row in rows]
                for m, rows in self.calibration.items()
            },
            "notes": self.notes,
        }

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame(self.scores).T.rename_axis("method")

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


def topk_with_ties(p: np.ndarray, chosen: int, k: int) -> float:
    """Expected top-``k`` hit of ``chosen`` when ties in ``p`` are broken uniformly at random."""
    above = int((p > p[chosen]).sum())
    tied = int((p == p[chosen]).sum())
    return float(np.clip((k - above) / tied, 0.0, 1.0))
