"""Classic coalition theories as forecasts: each names a set of governments, and the forecast is
a uniform choice among them.

A theory can name nothing (no winning government, or no placed parties), and the government that
forms is often outside the set it names (186 of the 631 post-election governments since 1945 are
minority governments, which no majority theory names). To give each baseline a finite log-loss,
its probability is split in two: ``s`` spread evenly over the named governments and ``1 - s``
evenly over the rest, where ``s`` is the share of *training* formations whose government the
theory named (estimated on the same folds as the model, never on the held-out ones). Top-k hit
rates are the expected hit rates of a uniform random pick (ties broken at random, a named policy:
``uniform``), so a theory naming ten governments scores 1/10 when one of them formed.
"""

from __future__ import annotations

import numpy as np

from kingmaker.formation.features import THEORIES, Described
from kingmaker.formation.registry import BASELINES


def _flag(name: str):
    def named(described: Described) -> np.ndarray:
        return described.theories[name]

    named.__doc__ = f"The governments named by the {THEORIES[name]} theory."
    return named


for _name in THEORIES:
    BASELINES.register(_name.replace("_", "-"), summary=THEORIES[_name], properties=("deterministic",))(
        _flag(_name)
    )


def named_share(data: list[Described], baseline: str) -> float:
    """Share of formations whose government ``baseline`` named (the ``s`` of the docstring),
    with add-one smoothing so that it is never exactly 0 or 1."""
    fn = BASELINES.get(baseline).obj
    hits = sum(bool(fn(d)[d.chosen]) for d in data if d.chosen is not None)
    total = sum(d.chosen is not None for d in data)
    return (hits + 1) / (total + 2)


def baseline_probabilities(described: Described, baseline: str, share: float) -> np.ndarray:
    """Probability of each alternative under ``baseline`` (see the module docstring)."""
    named = BASELINES.get(baseline).obj(described)
    n, k = len(named), int(named.sum())
    p = np.empty(n)
    if k == 0 or k == n:
        p.fill(1.0 / n)
        return p
    p[named] = share / k
    p[~named] = (1 - share) / (n - k)
    return p
