"""Out-of-sample validation of the formation model against the classic theories.

Two schemes, each fitting on some formations and scoring on the others (the baselines' named
shares are estimated on the same training folds, never on the held-out ones):

* **leave one country out**: 37 folds, each country predicted by a model fitted on the other 36;
* **time split**: fitted on elections up to 1990, scored on elections after 1990.

Scores per method: expected top-1 and top-3 hit rates (ties broken uniformly at random), mean
log-loss (``-log p`` of the government that formed) and a calibration table (alternatives binned
by predicted probability: how many, mean predicted, share that formed).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from kingmaker.errors import InputError
from kingmaker.formation.baselines import BASELINES, baseline_probabilities, named_share
from kingmaker.formation.features import Described
from kingmaker.formation.model import FormationModel, fit
from kingmaker.formation.predict import predict
from kingmaker.formation.results import FormationResult, ValidationReport, topk_with_ties

#: Calibration bins of predicted probability.
BINS: tuple[float, ...] = (0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
TIME_SPLIT_YEAR = 1990

Fold = tuple[str, list[int], list[int]]


def loco_folds(data: Sequence[Described]) -> list[Fold]:
    """One fold per country: train on the others, test on it."""
    countries = list(dict.fromkeys(d.situation.country for d in data))
    return [
        (
            c,
            [i for i, d in enumerate(data) if d.situation.country != c],
            [i for i, d in enumerate(data) if d.situation.country == c],
        )
        for c in countries
    ]


def time_folds(data: Sequence[Described], year: int = TIME_SPLIT_YEAR) -> list[Fold]:
    """One fold: train on elections up to ``year``, test on the later ones."""
    return [
        (
            f"<= {year} | > {year}",
            [i for i, d in enumerate(data) if d.situation.year <= year],
            [i for i, d in enumerate(data) if d.situation.year > year],
        )
    ]


def _set_topk(named: np.ndarray, chosen: int, k: int) -> float:
    """Expected top-k hit of a uniform pick among the named governments, then among the rest."""
    n, m = len(named), int(named.sum())
    if m == 0:
        return min(k, n) / n
    if named[chosen]:
        return min(k, m) / m
    return max(0, k - m) / (n - m) if n > m else 0.0


def _calibration(probs: list[np.ndarray], chosen: list[int]) -> list[dict[str, float]]:
    p = np.concatenate(probs)
    y = np.zeros(len(p))
    off = 0
    for q, c in zip(probs, chosen, strict=True):
        y[off + c] = 1
        off += len(q)
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        n = int(inside.sum())
        rows.append(
            {
                "low": lo,
                "high": hi,
                "alternatives": n,
                "mean_predicted": float(p[inside].mean()) if n else float("nan"),
                "formed_share": float(y[inside].mean()) if n else float("nan"),
                "formed": int(y[inside].sum()),
            }
        )
    return rows


def cross_validate(
    data: Sequence[Described],
    folds: Sequence[Fold],
    *,
    scheme: str,
    keep: Sequence[str] = (),
    start: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[ValidationReport, dict[str, FormationResult], list[FormationModel]]:
    """Fit on each fold's training formations, score the model and every baseline on its test
    formations. ``keep`` names formations (``"GBR 2010-05-06"``) whose full held-out prediction
    is returned; ``start`` seeds each fold's optimiser (the optimum does not depend on it)."""
    usable = [d for d in data if d.chosen is not None]
    if len(usable) != len(data):
        raise InputError("cross-validation needs formations whose government is known")
    names = ["model", *BASELINES.names()]
    scores: dict[str, dict[str, list[float]]] = {m: {"top1": [], "top3": [], "logloss": []} for m in names}
    probs: dict[str, list[np.ndarray]] = {m: [] for m in names}
    chosen: list[int] = []
    kept: dict[str, FormationResult] = {}
    models = []
    for label, train_idx, test_idx in folds:
        if not test_idx or not train_idx:
            continue
        if progress:
            progress(f"{scheme}: fold {label} ({len(train_idx)} train, {len(test_idx)} test)")
        train = [data[i] for i in train_idx]
        model = fit(train, meta={"fold": label}, start=start)
        models.append(model)
        shares = {b: named_share(train, b) for b in BASELINES.names()}
        for i in test_idx:
            d = data[i]
            c = int(d.chosen)  # type: ignore[arg-type]
            chosen.append(c)
            p = model.probabilities(d)
            probs["model"].append(p)
            for k, key in ((1, "top1"), (3, "top3")):
                scores["model"][key].append(topk_with_ties(p, c, k))
            scores["model"]["logloss"].append(-float(np.log(max(p[c], 1e-300))))
            for b in BASELINES.names():
                named = BASELINES.get(b).obj(d)
                q = baseline_probabilities(d, b, shares[b])
                probs[b].append(q)
                for k, key in ((1, "top1"), (3, "top3")):
                    scores[b][key].append(_set_topk(named, c, k))
                scores[b]["logloss"].append(-float(np.log(q[c])))
            if d.situation.label in keep:
                kept[d.situation.label] = predict(d.situation, model=model, top=None)
    summary = {m: {k: float(np.mean(v)) for k, v in s.items()} for m, s in scores.items()}
    report = ValidationReport(
        scheme=scheme,
        formations=len(chosen),
        scores=summary,
        calibration={m: _calibration(probs[m], chosen) for m in names},
        notes={"folds": len(models)},
    )
    return report, kept, models
