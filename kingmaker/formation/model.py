"""The formation model: a conditional logit over every government a parliament allows.

Each formation opportunity is one choice among its alternatives (see
:mod:`~kingmaker.formation.alternatives`); the probability that government ``j`` forms is
``exp(x_j b) / sum_k exp(x_k b)`` over the formation's alternatives, with ``x`` the features of
:data:`~kingmaker.formation.features.FEATURES` (McFadden's conditional logit, as Martin &
Stevenson 2001 fit it).

**Estimator.** statsmodels' ``ConditionalLogit`` is the reference (``engine="statsmodels"``),
but it recurses once per alternative of a group and differentiates numerically: on the 628
ParlGov formations it overflows Python's recursion limit on the full choice sets (up to 169,765
alternatives) and took 306 s on a sample of 200 alternatives per formation (measured on this
project's 2-core machine; see ``docs/formation.md``). The default engine therefore maximises the
same conditional log-likelihood over the full choice sets with SciPy's maintained trust-region
optimiser (``scipy.optimize.minimize(method="trust-exact")``) from its exact gradient and Hessian;
the tests check that both engines give the same coefficients on a sample where statsmodels is
quick. Standard errors come from the inverse Hessian.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.formation.features import FEATURES, Described

#: The coefficients shipped with the package (fitted by ``kingmaker formation fit``).
MODEL_RESOURCE = "formation-model.json"
ENGINES: tuple[str, ...] = ("scipy", "statsmodels")


@dataclass(frozen=True, eq=False)
class FormationModel:
    """Fitted coefficients of the conditional logit, with where they came from."""

    features: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def utilities(self, described: Described) -> np.ndarray:
        """``x_j b`` of every alternative."""
        if described.X.shape[1] != len(self.features) or tuple(FEATURES) != self.features:
            raise InputError(
                f"the model was fitted on features {', '.join(self.features)}; "
                f"this version computes {', '.join(FEATURES)}: refit it"
            )
        return described.X @ self.coef

    def probabilities(self, described: Described) -> np.ndarray:
        """Probability of each alternative (they sum to 1)."""
        u = self.utilities(described)
        u = u - u.max()
        p = np.exp(u)
        return p / p.sum()

    def contributions(self, described: Described, row: int) -> dict[str, float]:
        """Each feature's share ``x_j b`` of one alternative's utility."""
        x = described.X[row]
        return {f: float(x[i] * self.coef[i]) for i, f in enumerate(self.features)}

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """JSON-safe: features, coefficients, standard errors and provenance."""
        r = (lambda v: round(float(v), places)) if places is not None else float
        return {
            "features": list(self.features),
            "coef": {f: r(c) for f, c in zip(self.features, self.coef, strict=True)},
            "se": {f: r(s) for f, s in zip(self.features, self.se, strict=True)},
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "formation model") -> FormationModel:
        """Inverse of :meth:`to_dict`."""
        try:
            feats = tuple(data["features"])
            coef = np.array([float(data["coef"][f]) for f in feats])
            se = np.array([float(data.get("se", {}).get(f, np.nan)) for f in feats])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed formation model ({exc})", source=source) from None
        return cls(feats, coef, se, dict(data.get("meta", {})))

    def save(self, path: str | Path) -> None:
        """Write the model as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> FormationModel:
        """Read a model written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        try:
            data = json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON ({exc})", source=str(path)) from None
        return cls.from_dict(data, source=str(path))

    def to_frame(self):  # -> pandas.DataFrame
        """One row per feature: coefficient, standard error, odds ratio."""
        import pandas as pd

        return pd.DataFrame(
            {"coef": self.coef, "se": self.se, "odds_ratio": np.exp(self.coef)},
            index=pd.Index(self.features, name="feature"),
        )

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


def default_model() -> FormationModel:
    """The model shipped in ``kingmaker/presets/formation-model.json`` (no data needed)."""
    text = resources.files("kingmaker.presets").joinpath(MODEL_RESOURCE).read_text("utf-8")
    return FormationModel.from_dict(json.loads(text), source=f"preset {MODEL_RESOURCE}")


def subsample(data: Sequence[Described], size: int, seed: int = 0) -> list[Described]:
    """Each formation's chosen government plus ``size`` others drawn uniformly without
    replacement (seeded). McFadden (1978): with uniform sampling of the non-chosen alternatives
    the conditional logit stays consistent; used to run the statsmodels engine, which cannot
    take full choice sets."""
    rng = np.random.default_rng(seed)
    out = []
    for d in data:
        c = d.chosen
        if c is None:
            continue
        others = np.delete(np.arange(len(d.X)), c)
        if len(others) > size:
            others = np.sort(rng.choice(others, size, replace=False))
        rows = np.concatenate([[c], others])
        alts = d.alternatives
        sub = type(alts)(alts.parties, alts.masks[rows], alts.member[rows], alts.max_size)
        out.append(
            Described(d.situation, sub, d.X[rows], d.seats[rows], {k: v[rows] for k, v in d.theories.items()})
        )
    return out


def _stack(data: Sequence[Described]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, the start row of each formation, and the chosen row of each."""
    usable = [d for d in data if d.chosen is not None]
    if not usable:
        raise InputError("no formation with a known government to fit on")
    X = np.vstack([d.X for d in usable])
    sizes = np.array([len(d.X) for d in usable])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    chosen = starts + np.array([d.chosen for d in usable])
    return X, starts, chosen


def _objective(X: np.ndarray, starts: np.ndarray, chosen: np.ndarray):
    """Negative conditional log-likelihood with its exact gradient and Hessian."""
    xc = X[chosen].sum(axis=0)
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(X))))

    cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def probs(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = b.tobytes()
        if key not in cache:  # f, grad and hess are asked at the same point: compute once
            u = X @ b
            u = u - np.maximum.reduceat(u, starts)[group]
            e = np.exp(u)
            cache.clear()
            cache[key] = (e / np.add.reduceat(e, starts)[group], u, e)
        return cache[key]

    def f(b: np.ndarray) -> float:
        _, u, e = probs(b)
        return float(np.log(np.add.reduceat(e, starts)).sum() - u[chosen].sum())

    def grad(b: np.ndarray) -> np.ndarray:
        p, _, _ = probs(b)
        return (p[:, None] * X).sum(axis=0) - xc

    def hess(b: np.ndarray) -> np.ndarray:
        p, _, _ = probs(b)
        m = np.add.reduceat(p[:, None] * X, starts)
        return X.T @ (p[:, None] * X) - m.T @ m

    return f, grad, hess


def fit(
    data: Sequence[Described],
    *,
    engine: str = "scipy",
    meta: dict[str, Any] | None = None,
    start: np.ndarray | None = None,
) -> FormationModel:
    """Fit the conditional logit on formations with a known government (``start``: initial
    coefficients for the scipy engine; zeros by default)."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    X, starts, chosen = _stack(data)
    k = X.shape[1]
    if engine == "statsmodels":
        from statsmodels.discrete.conditional_models import ConditionalLogit

        y = np.zeros(len(X))
        y[chosen] = 1
        groups = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(X))))
        res = ConditionalLogit(y, X, groups=groups).fit(method="bfgs", disp=0, maxiter=500)
        coef, se = np.asarray(res.params), np.asarray(res.bse)
        loglike = float(res.llf)
    else:
        from scipy.optimize import minimize

        f, grad, hess = _objective(X, starts, chosen)
        x0 = np.zeros(k) if start is None else np.asarray(start, dtype=float)
        res = minimize(f, x0, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-7})
        # trust-exact may stop at the optimum with "bad approximation" when the last step's gain
        # is below rounding: accept the point if the gradient there is negligible
        if not res.success and np.max(np.abs(grad(res.x))) > 1e-6 * len(starts):
            raise InputError(f"the formation model did not converge: {res.message}")
        coef = res.x
        try:
            se = np.sqrt(np.diag(np.linalg.inv(hess(coef))))
        except np.linalg.LinAlgError:
            se = np.full(k, np.nan)
        loglike = -float(res.fun)
    info = {
        "engine": engine,
        "formations": len(starts),
        "alternatives": len(X),
        "loglike": round(loglike, 4),
        "fitted": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **(meta or {}),
    }
    return FormationModel(tuple(FEATURES), np.asarray(coef, dtype=float), np.asarray(se, dtype=float), info)
