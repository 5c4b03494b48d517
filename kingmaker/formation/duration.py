"""How long a cabinet lasts: a Weibull duration model over ParlGov cabinets since 1945.

**Spells.** A cabinet starts on its ParlGov ``start_date`` and ends when the next cabinet of its
country starts (ParlGov starts a new cabinet at any change of parties or prime minister, at
every general election and at any resignation). The last cabinet of each country is censored at
the last start date on file.

**Failure or censoring.** An end is *censored* (the cabinet reached the end of its term) when
the next cabinet follows a new general election held in the last 12 months of the country's
term; every other end is a *failure* (a change of parties or PM, a resignation, or an early
election). The data hold no constitutional term, so each country's term is estimated as the 90th
percentile of its intervals between elections since 1945, rounded to whole years: 3 years for
Australia and New Zealand, 5 for the UK, Canada, France, Italy, Ireland, Luxembourg, Malta and
Cyprus, 4 for the rest (and 4 where a country has fewer than three intervals). What this cannot tell: an election called a few months early for tactical reasons
counts as regular; a term that changed over time (Sweden's 3 years until 1994) is one number; a
PM who resigns for health (or dies) counts as a failure, as in ParlGov's own coding.

**Model.** ``lifelines.WeibullAFTFitter`` with the covariates of :data:`COVARIATES`; the fitted
parameters are plain numbers, so a proposed cabinet's survival curve
``S(t) = exp(-(t / lambda)^rho)`` is computed without lifelines, from the shipped JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.io.parlgov import Cabinet, ParlGov

#: Covariate -> what it measures.
COVARIATES: dict[str, str] = {
    "minority": "fewer seats than an absolute majority",
    "n_parties": "number of parties in the cabinet",
    "range": "left-right range of its placed parties (0-10)",
    "margin": "seats above (or below) an absolute majority, as a share of the house",
    "caretaker": "a caretaker cabinet",
}
DURATION_RESOURCE = "cabinet-duration.json"
MONTH_DAYS = 30.4375
#: Countries with fewer intervals between elections get :data:`DEFAULT_TERM` months.
MIN_GAPS = 3
DEFAULT_TERM = 48
#: An election within this many months of the term's end counts as regular (censoring).
REGULAR_WINDOW_MONTHS = 12


def country_terms(pg: ParlGov, since: str = "1945-01-01") -> dict[str, int]:
    """Each country's estimated term in months (see the module docstring)."""
    out = {}
    for code in pg.countries:
        days = [d.toordinal() for d in pg.elections(code) if d.isoformat() >= since]
        gaps = np.diff(days) / MONTH_DAYS
        enough = len(gaps) >= MIN_GAPS
        out[code] = int(12 * max(1, round(float(np.percentile(gaps, 90)) / 12))) if enough else DEFAULT_TERM
    return out


def covariates(
    seats: Sequence[int], positions: Sequence[float | None], house: int, *, caretaker: bool = False
) -> dict[str, float]:
    """The covariates of one cabinet from its parties' seats and positions."""
    if not len(seats):
        raise InputError("a duration query needs a cabinet of at least one party; got an empty coalition")
    total = int(sum(seats))
    quota = house // 2 + 1
    placed = [p for p in positions if p is not None and not np.isnan(p)]
    return {
        "minority": float(total < quota),
        "n_parties": float(len(seats)),
        "range": float(max(placed) - min(placed)) if placed else 0.0,
        "margin": (total - quota) / house,
        "caretaker": float(caretaker),
    }


def spells(pg: ParlGov, since: str = "1945-01-01"):  # -> pandas.DataFrame
    """One row per cabinet since ``since``: months, event (1 = failure), covariates, country."""
    import pandas as pd

    terms = country_terms(pg, since)
    last = max(c.start for c in pg.cabinets)
    rows = []
    for code in pg.countries:
        cabs = [c for c in pg.of_country(code)]
        for i, cab in enumerate(cabs):
            if cab.start.isoformat() < since:
                continue
            nxt: Cabinet | None = cabs[i + 1] if i + 1 < len(cabs) else None
            end = nxt.start if nxt else last
            event = 1
            if nxt is None:
                event = 0
            elif nxt.election_id != cab.election_id:
                served = (nxt.election_date - cab.election_date).days / MONTH_DAYS
                event = int(served < terms[code] - REGULAR_WINDOW_MONTHS)
            gov = [p for p in cab.real_parties if p.in_cabinet]
            if not gov:
                continue  # non-partisan cabinets have no covariates
            rows.append(
                {
                    "country": code,
                    "cabinet_id": cab.cabinet_id,
                    "start": cab.start.isoformat(),
                    "months": max((end - cab.start).days, 1) / MONTH_DAYS,
                    "event": event,
                    **covariates(
                        [p.seats for p in gov],
                        [p.left_right for p in gov],
                        cab.house,
                        caretaker=cab.caretaker,
                    ),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class DurationModel:
    """Weibull AFT parameters: ``log(lambda) = intercept + x b``; shape ``rho``."""

    coef: dict[str, float]
    intercept: float
    log_rho: float
    terms: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def scale(self, x: dict[str, float]) -> float:
        return float(np.exp(self.intercept + sum(self.coef[k] * x[k] for k in self.coef)))

    def survival(self, x: dict[str, float], months: np.ndarray) -> np.ndarray:
        """P(the cabinet lasts beyond each of ``months``)."""
        lam, rho = self.scale(x), float(np.exp(self.log_rho))
        return np.exp(-((np.asarray(months, dtype=float) / lam) ** rho))

    def median(self, x: dict[str, float]) -> float:
        """Median survival in months."""
        return self.scale(x) * float(np.log(2)) ** (1 / float(np.exp(self.log_rho)))

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        r = (lambda v: round(float(v), places)) if places is not None else float
        return {
            "coef": {k: r(v) for k, v in self.coef.items()},
            "intercept": r(self.intercept),
            "log_rho": r(self.log_rho),
            "terms": dict(self.terms),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "duration model") -> DurationModel:
        try:
            return cls(
                {k: float(v) for k, v in data["coef"].items()},
                float(data["intercept"]),
                float(data["log_rho"]),
                {k: int(v) for k, v in data.get("terms", {}).items()},
                dict(data.get("meta", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed duration model ({exc})", source=source) from None


def default_duration_model() -> DurationModel:
    """The model shipped in ``kingmaker/presets/cabinet-duration.json``."""
    text = resources.files("kingmaker.presets").joinpath(DURATION_RESOURCE).read_text("utf-8")
    return DurationModel.from_dict(json.loads(text), source=f"preset {DURATION_RESOURCE}")


def fit_duration(
    df, *, terms: dict[str, int] | None = None, meta: dict[str, Any] | None = None
) -> DurationModel:
    """Fit the Weibull AFT model on :func:`spells` rows (lifelines)."""
    from lifelines import WeibullAFTFitter

    cols = list(COVARIATES)
    if len(df) < len(cols) + 2:
        raise InputError(f"too few cabinets to fit a duration model ({len(df)})")
    wf = WeibullAFTFitter().fit(df[[*cols, "months", "event"]], "months", "event")
    p = wf.params_
    return DurationModel(
        {c: float(p[("lambda_", c)]) for c in cols},
        float(p[("lambda_", "Intercept")]),
        float(p[("rho_", "Intercept")]),
        dict(terms or {}),
        {
            "cabinets": len(df),
            "failures": int(df["event"].sum()),
            "loglike": round(float(wf.log_likelihood_), 4),
            "fitted": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **(meta or {}),
        },
    )


def concordance_loco(df) -> dict[str, float]:
    """Leave-one-country-out concordance of the model's predicted medians, and of the null model
    (no covariates: every cabinet gets the same prediction, so its concordance is 0.5)."""
    from lifelines.utils import concordance_index

    cols = list(COVARIATES)
    predicted = np.empty(len(df))
    for code in df["country"].unique():
        test = (df["country"] == code).to_numpy()
        model = fit_duration(df[~test])
        predicted[test] = [model.median(row) for row in df[test][cols].to_dict("records")]
    full = fit_duration(df)
    return {
        "model": float(concordance_index(df["months"], predicted, df["event"])),
        "null": float(concordance_index(df["months"], np.zeros(len(df)), df["event"])),
        "in_sample": float(
            concordance_index(
                df["months"], [full.median(r) for r in df[cols].to_dict("records")], df["event"]
            )
        ),
    }
