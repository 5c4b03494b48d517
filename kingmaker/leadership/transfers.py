"""Transfer assumptions turned into ranked ballots: where a candidate's voters go next.

An analyst rarely has ballots for a leadership contest, only first preferences and a view
of transfers: a candidate-to-candidate :class:`~kingmaker.transfers.TransferMatrix` (the one
type the seat systems' AV counterfactual uses too, with optional Dirichlet noise,
:meth:`~kingmaker.transfers.TransferMatrix.draw`) or a :class:`SpatialModel` (voters ranking
candidates by distance). Either becomes a :class:`~kingmaker.transfers.RankingModel`: every
ranking with its probability given the first preference. That one object feeds both counts,
which is why they agree:

* :meth:`~kingmaker.transfers.RankingModel.ballots`: weighted ranked
  :class:`~kingmaker.ballots.Ballots` for the engine's deterministic count;
* :meth:`~kingmaker.transfers.RankingModel.landing_tables`: for every set of eliminated
  candidates, where each first preference's ballots sit (an ``n x n`` table), so the
  vectorised Monte Carlo (:mod:`kingmaker.leadership.simulation`) tallies a section as
  ``shares @ table``.

A model's ranking model and landing tables are computed once and cached (by identity) for
the contest and simulation modules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import PAD
from kingmaker.errors import InputError
from kingmaker.transfers import RankingModel, TransferMatrix


@dataclass(frozen=True, eq=False)
class SpatialModel:
    """Voters rank candidates by distance on one or two dimensions.

    A voter whose first preference is ``i`` sits at ``positions[i]`` plus Gaussian noise of
    standard deviation ``spread`` per dimension, keeps ``i`` first and ranks the others by
    distance. After each further preference a ballot stops with probability ``exhaust``;
    ``max_preferences`` caps its length. The conditional ranking distribution is estimated
    once from ``voters`` voters per candidate drawn with the fixed ``seed``, so the model is
    deterministic and the same for the engine and the Monte Carlo.
    """

    candidates: tuple[str, ...]
    positions: np.ndarray
    spread: float = 0.5
    exhaust: float = 0.0
    max_preferences: int | None = None
    voters: int = 20_000
    seed: int = 0

    def __post_init__(self) -> None:
        p = np.array(self.positions, dtype=np.float64)
        if p.ndim == 1:
            p = p[:, None]
        if p.shape[0] != len(self.candidates) or p.shape[1] not in (1, 2):
            raise InputError("spatial positions must give one or two coordinates for every candidate")
        if not np.all(np.isfinite(p)):
            raise InputError("spatial positions must be finite")
        if not (self.spread >= 0 and math.isfinite(self.spread)):
            raise InputError("spatial spread must be a non-negative number")
        if not 0 <= self.exhaust < 1:
            raise InputError("spatial exhaust must be in [0, 1)")
        if self.max_preferences is not None and self.max_preferences < 1:
            raise InputError("max_preferences must be at least 1")
        if not 1 <= self.voters <= 1_000_000:
            raise InputError("spatial voters per candidate must be between 1 and 1,000,000")
        p.flags.writeable = False
        object.__setattr__(self, "positions", p)

    def ranking_model(self) -> RankingModel:
        """The empirical ranking distribution of the sampled voters (see the class docstring)."""
        n = len(self.candidates)
        rng = np.random.default_rng(self.seed)
        P = self.positions
        rows_all, first_all, w_all = [], [], []
        depth_cap = n if self.max_preferences is None else min(n, self.max_preferences)
        for i in range(n):
            x = P[i] + rng.normal(0.0, 1.0, size=(self.voters, P.shape[1])) * self.spread
            d = ((x[:, None, :] - P[None, :, :]) ** 2).sum(axis=2)
            d[:, i] = -1.0  # first preference stays first
            order = np.argsort(d, axis=1, kind="stable").astype(np.int32)
            if self.exhaust > 0:
                # stop after each preference with probability exhaust: P(length = l) = (1-e)^(l-1) e
                length = np.minimum(rng.geometric(self.exhaust, size=self.voters), depth_cap)
            else:
                length = np.full(self.voters, depth_cap)
            order[np.arange(n)[None, :] >= length[:, None]] = PAD
            uniq, counts = np.unique(order, axis=0, return_counts=True)
            rows_all.append(uniq)
            first_all.append(np.full(len(uniq), i, dtype=np.int64))
            w_all.append(counts / self.voters)
        return RankingModel(n, np.vstack(rows_all), np.concatenate(first_all), np.concatenate(w_all))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "spatial": {
                "positions": {
                    c: [float(v) for v in self.positions[i]] for i, c in enumerate(self.candidates)
                },
                "spread": self.spread,
                "exhaust": self.exhaust,
                "max_preferences": self.max_preferences,
                "voters": self.voters,
                "seed": self.seed,
            }
        }


TransferModel = TransferMatrix | SpatialModel


# Each model's ranking model and landing tables, keyed by id (the model is kept, so the id stays valid).
_RANKING_CACHE: dict[int, tuple[TransferModel, RankingModel, np.ndarray | None]] = {}


def _ranking_model(model: TransferModel) -> RankingModel:
    if len(_RANKING_CACHE) > 32:
        _RANKING_CACHE.clear()
    hit = _RANKING_CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    rm = model.ranking_model()
    _RANKING_CACHE[id(model)] = (model, rm, None)
    return rm


def _landing_tables(model: TransferModel) -> np.ndarray:
    rm = _ranking_model(model)
    hit = _RANKING_CACHE[id(model)]
    if hit[2] is None:
        tables = rm.landing_tables()
        _RANKING_CACHE[id(model)] = (model, rm, tables)
        return tables
    return hit[2]


__all__ = ["SpatialModel", "TransferModel"]
