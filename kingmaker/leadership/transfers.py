"""Transfer assumptions turned into ranked ballots: where a candidate's voters go next.

An analyst rarely has ballots for a leadership contest, only first preferences and a view
of transfers: a candidate-to-candidate :class:`TransferMatrix` (with optional Dirichlet
noise, :meth:`TransferMatrix.draw`) or a :class:`SpatialModel` (voters ranking candidates by
distance). Either becomes a :class:`RankingModel`: every ranking with its probability given
the first preference. That one object feeds both counts, which is why they agree:

* :meth:`RankingModel.ballots`: weighted ranked :class:`~kingmaker.ballots.Ballots` for the
  engine's deterministic count;
* :meth:`RankingModel.landing_tables`: for every set of eliminated candidates, where each
  first preference's ballots sit (an ``n x n`` table), so the vectorised Monte Carlo
  (:mod:`kingmaker.leadership.simulation`) tallies a section as ``shares @ table``.

A model's ranking model and landing tables are computed once and cached (by identity) for
the contest and simulation modules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import PAD, Ballots
from kingmaker.errors import InputError, RuleError, TooLargeError, UnknownNameError

#: Most candidates a transfer matrix may have (its rankings grow like n!).
MAX_MATRIX_CANDIDATES = 8
#: Most candidates any contest may have (landing tables grow like 2**n * n * n).
MAX_CANDIDATES = 12
#: Relative tolerance on shares adding up to 100.
SHARE_TOLERANCE = 1.0


@dataclass(frozen=True, eq=False)
class RankingModel:
    """Rankings conditional on the first preference: ``P(ranking | first)``.

    ``rankings``: ``(R, n)`` candidate indices padded with -1 (a shorter ranking exhausts);
    ``first``: each row's first preference; ``prob``: each row's probability given its first
    preference (they sum to 1 for every first preference).
    """

    n: int
    rankings: np.ndarray
    first: np.ndarray
    prob: np.ndarray

    def ballots(self, candidates: Sequence[str], first_weights: np.ndarray, **kw: Any) -> Ballots:
        """Ranked ballots whose first preferences carry ``first_weights`` (the engine's input)."""
        w = np.asarray(first_weights, dtype=np.float64)[self.first] * self.prob
        keep = w > 0
        if not keep.any():
            raise RuleError("no votes in this section")
        return Ballots.from_matrix(self.rankings[keep], list(candidates), w[keep], **kw)

    def landing_tables(self) -> np.ndarray:
        """``T[mask, i, j]``: share of first preference ``i`` ballots sitting with ``j``.

        ``mask`` is the bitmask of eliminated candidates; ``j`` is the first candidate on the
        ballot not in ``mask``; what is missing from a row has exhausted.
        """
        n = self.n
        if n > MAX_CANDIDATES:
            raise TooLargeError(f"at most {MAX_CANDIDATES} candidates can be simulated")
        R = self.rankings
        tables = np.zeros((1 << n, n, n), dtype=np.float64)
        codes = np.where(R >= 0, R, n)
        bits = 1 << np.arange(n + 1, dtype=np.int64)
        bits[n] = 0
        for mask in range(1 << n):
            dead = np.zeros(n + 1, dtype=bool)
            dead[:n] = (mask & bits[:n]) != 0
            dead[n] = True  # padding is never a landing place
            ok = ~dead[codes]
            has = ok.any(axis=1)
            pos = ok.argmax(axis=1)
            land = R[np.arange(len(R)), pos]
            sel = has
            flat = np.bincount(self.first[sel] * n + land[sel], weights=self.prob[sel], minlength=n * n)
            tables[mask] = flat.reshape(n, n)
        return tables


def _check_names(names: Sequence[str], candidates: Sequence[str], what: str) -> None:
    unknown = [x for x in names if x not in candidates]
    if unknown:
        raise UnknownNameError(
            f"unknown candidate(s) in {what}: {', '.join(map(repr, unknown))}; "
            f"candidates: {', '.join(candidates)}"
        )


@dataclass(frozen=True, eq=False)
class TransferMatrix:
    """Where each candidate's ballots go next: ``matrix[i, j]`` is the share of ``i``'s ballots
    whose next preference is ``j``; ``1 - row sum`` exhausts (no further preference).

    Later preferences follow the same matrix from the candidate just ranked, renormalised over
    the candidates not yet ranked (the exhausting share keeps its weight), so the first
    transfer of ``i``'s own ballots is exactly row ``i``.
    """

    candidates: tuple[str, ...]
    matrix: np.ndarray
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        m = np.array(self.matrix, dtype=np.float64)
        n = len(self.candidates)
        if m.shape != (n, n):
            raise InputError(f"transfer matrix must be {n} x {n}")
        if not np.all(np.isfinite(m)) or np.any(m < 0):
            raise InputError("transfer shares must be finite and non-negative")
        if np.any(np.diag(m) != 0):
            raise InputError("a candidate cannot transfer to themselves")
        if np.any(m.sum(axis=1) > 1 + 1e-9):
            raise InputError("a transfer row adds up to more than 100%")
        m.flags.writeable = False
        object.__setattr__(self, "matrix", m)

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Mapping[str, float]], candidates: Sequence[str], *, percent: bool = True
    ) -> TransferMatrix:
        """From ``{from: {to: share}}`` (percentages unless ``percent=False``).

        A row adding up to less than 100 leaves the rest to exhaust. A candidate with no row
        is assumed to split equally among the others (recorded in :attr:`notes`).
        """
        cands = tuple(candidates)
        _check_names(list(table), cands, "the transfer matrix")
        n = len(cands)
        m = np.zeros((n, n))
        notes = []
        scale = 100.0 if percent else 1.0
        for src, row in table.items():
            if not isinstance(row, Mapping):
                raise InputError(f"transfers of {src!r} must be a table of candidate = share")
            _check_names(list(row), cands, f"the transfers of {src!r}")
            i = cands.index(src)
            for dst, v in row.items():
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise InputError(f"transfer {src!r} -> {dst!r} must be a number, got {v!r}")
                if v < 0 or not math.isfinite(v):
                    raise InputError(f"transfer {src!r} -> {dst!r} is negative or not finite: {v}")
                if dst == src:
                    raise InputError(f"{src!r} cannot transfer to themselves")
                m[i, cands.index(dst)] = v / scale
            total = m[i].sum() * scale
            if total > scale * (1 + SHARE_TOLERANCE / 100):
                raise InputError(f"transfers of {src!r} add up to {total:g}, more than {scale:g}")
            if m[i].sum() > 1:
                m[i] /= m[i].sum()
        for i, c in enumerate(cands):
            if c not in table and n > 1:
                m[i] = 1.0 / (n - 1)
                m[i, i] = 0.0
                notes.append(f"no transfers given for {c}: split equally")
        return cls(cands, m, tuple(notes))

    def draw(self, rng: np.random.Generator, concentration: float) -> TransferMatrix:
        """One noisy matrix: each row (with its exhausting share) drawn from Dirichlet(c x row).

        The row given is the mean; entries that are zero stay zero, and a row with a single
        non-zero entry is unchanged.
        """
        if not (concentration > 0 and math.isfinite(concentration)):
            raise InputError("transfer concentration must be a positive number")
        n = len(self.candidates)
        full = np.zeros((n, n + 1))
        full[:, :n] = self.matrix
        full[:, n] = np.clip(1.0 - self.matrix.sum(axis=1), 0.0, 1.0)
        out = full.copy()
        for i in range(n):
            pos = full[i] > 0
            if pos.sum() > 1:
                out[i] = 0.0
                out[i, pos] = rng.dirichlet(concentration * full[i, pos])
        m = out[:, :n]
        m[np.arange(n), np.arange(n)] = 0.0
        over = m.sum(axis=1)
        m = np.where(over[:, None] > 1, m / np.where(over > 1, over, 1)[:, None], m)  # rounding only
        return TransferMatrix(self.candidates, m, self.notes)

    def ranking_model(self) -> RankingModel:
        """Every ranking the chain can produce, with its probability given its first preference."""
        n = len(self.candidates)
        if n > MAX_MATRIX_CANDIDATES:
            raise TooLargeError(f"a transfer matrix is limited to {MAX_MATRIX_CANDIDATES} candidates")
        T = self.matrix
        exhaust = np.clip(1.0 - T.sum(axis=1), 0.0, 1.0)
        out_rows: list[np.ndarray] = []
        out_prob: list[np.ndarray] = []
        seq = np.arange(n, dtype=np.int8).reshape(n, 1)
        prob = np.ones(n)
        used = (1 << np.arange(n)).astype(np.int64)
        bits = 1 << np.arange(n, dtype=np.int64)
        for depth in range(1, n + 1):
            last = seq[:, -1].astype(np.int64)
            free = (used[:, None] & bits[None, :]) == 0
            W = T[last] * free
            denom = W.sum(axis=1) + exhaust[last]
            stop_p = np.where(denom > 0, prob * exhaust[last] / np.where(denom > 0, denom, 1), prob)
            if depth == n:
                stop_p = prob
            emit = stop_p > 0
            if emit.any():
                rows = np.full((int(emit.sum()), n), PAD, dtype=np.int32)
                rows[:, :depth] = seq[emit]
                out_rows.append(rows)
                out_prob.append(stop_p[emit])
            if depth == n:
                break
            P = np.where(denom[:, None] > 0, prob[:, None] * W / np.where(denom > 0, denom, 1)[:, None], 0)
            si, cj = np.nonzero(P > 0)
            seq = np.concatenate([seq[si], cj.astype(np.int8)[:, None]], axis=1)
            prob = P[si, cj]
            used = used[si] | bits[cj]
            if not len(seq):
                break
        rankings = np.vstack(out_rows)
        probs = np.concatenate(out_prob)
        return RankingModel(n, rankings, rankings[:, 0].astype(np.int64), probs)

    def to_dict(self) -> dict[str, Any]:
        """``{"matrix": {from: {to: percent}}}``."""
        return {
            "matrix": {
                a: {
                    b: round(float(self.matrix[i, j]) * 100, 6)
                    for j, b in enumerate(self.candidates)
                    if self.matrix[i, j] > 0
                }
                for i, a in enumerate(self.candidates)
            }
        }


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


__all__ = [
    "MAX_CANDIDATES",
    "MAX_MATRIX_CANDIDATES",
    "SHARE_TOLERANCE",
    "RankingModel",
    "SpatialModel",
    "TransferMatrix",
    "TransferModel",
]
