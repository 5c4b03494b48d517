"""Transfer matrices: where a party's or candidate's voters go next, and the ranked ballots that
follow from first preferences.

One :class:`TransferMatrix` (``matrix[i, j]``: the share of ``i``'s voters whose next
preference is ``j``; ``1 - row sum`` exhausts) serves two callers:

* the seat systems' AV counterfactual (:mod:`kingmaker.seats.av_counterfactual`): party to party
  shares read from a ``from,to,share`` CSV (:mod:`kingmaker.io.transfers_csv`); each
  constituency's first preferences become weighted ballots (:func:`synthetic_ballots` with
  ``depth=3, renormalise=False``: a share to a party already ranked or not standing exhausts);
* leadership contests (:mod:`kingmaker.leadership`): candidate to candidate percentages
  (:meth:`TransferMatrix.from_mapping`), Dirichlet noise on every row
  (:meth:`TransferMatrix.draw`), and full rankings renormalised over the candidates still
  unranked, whose :class:`RankingModel` feeds both the engine's count
  (:meth:`RankingModel.ballots`) and the Monte Carlo (:meth:`RankingModel.landing_tables`).

Both build ballots through the one chain, :meth:`TransferMatrix.ranking_model`. This module sits
beside :mod:`kingmaker.ballots` (which it imports) and below the seat rules and leadership
contests; it reads no files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import PAD, Ballots
from kingmaker.errors import InputError, RuleError, TooLargeError, UnknownNameError

#: Most candidates a transfer matrix may rank in full (its rankings grow like n!).
MAX_MATRIX_CANDIDATES = 8
#: Most candidates any contest may have (landing tables grow like 2**n * n * n).
MAX_CANDIDATES = 12
#: Relative tolerance on shares adding up to 100.
SHARE_TOLERANCE = 1.0
#: A share of a ballot left to exhaust below this is dropped when later preferences are not
#: renormalised (rounding of shares that add up to 1).
EXHAUST_FLOOR = 1e-12


@dataclass(frozen=True, eq=False)
class RankingModel:
    """Rankings conditional on the first preference: ``P(ranking | first)``.

    ``rankings``: ``(R, n)`` candidate indices padded with -1 (a shorter ranking exhausts);
    ``first``: each row's first preference; ``prob``: each row's probability given its first
    preference (they sum to 1 for every first preference, less any dropped exhausting share).
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
    """Where each party's or candidate's voters go next: ``matrix[i, j]`` is the share of
    ``i``'s voters whose next preference is ``j``; ``1 - row sum`` exhausts (no further
    preference). ``notes`` record assumptions made in building it; ``label`` says where the
    figures come from (a CSV's first comment line, e.g. "ILLUSTRATIVE ...").

    How later preferences follow is chosen when ballots are built
    (:meth:`ranking_model`, :func:`synthetic_ballots`): from the candidate just ranked, either
    renormalised over the candidates not yet ranked, or with the shares to them exhausting.
    Either way the first transfer of ``i``'s own voters is exactly row ``i``.
    """

    candidates: tuple[str, ...]
    matrix: np.ndarray
    notes: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
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
        cls,
        table: Mapping[str, Mapping[str, float]],
        candidates: Sequence[str],
        *,
        percent: bool = True,
        label: str = "",
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
        return cls(cands, m, tuple(notes), label)

    @property
    def shares(self) -> dict[str, dict[str, float]]:
        """``{from: {to: share}}`` of the non-zero shares (fractions of 1)."""
        return {
            a: {b: float(self.matrix[i, j]) for j, b in enumerate(self.candidates) if self.matrix[i, j] > 0}
            for i, a in enumerate(self.candidates)
            if self.matrix[i].any()
        }

    def restricted(self, names: Sequence[str]) -> TransferMatrix:
        """The matrix over ``names`` only, in that order: shares to anyone else are dropped (they
        exhaust), and a name the matrix does not know gets an all-exhausting row."""
        index = {c: i for i, c in enumerate(self.candidates)}
        names = tuple(names)
        m = np.zeros((len(names), len(names)))
        known = [(a, index[x]) for a, x in enumerate(names) if x in index]
        if known:
            rows = np.array([a for a, _ in known])
            cols = np.array([i for _, i in known])
            m[np.ix_(rows, rows)] = self.matrix[np.ix_(cols, cols)]
        return TransferMatrix(names, m, self.notes, self.label)

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
        return TransferMatrix(self.candidates, m, self.notes, self.label)

    def ranking_model(self, *, depth: int | None = None, renormalise: bool = True) -> RankingModel:
        """Every ranking the chain can produce, with its probability given its first preference.

        A ranking stops after ``depth`` preferences (default: every candidate). With
        ``renormalise`` (leadership contests) each later preference follows the row of the
        candidate just ranked, renormalised over the candidates not yet ranked (the exhausting
        share keeps its weight); without it (the AV counterfactual) the shares to candidates
        already ranked exhaust too, and an exhausting share below :data:`EXHAUST_FLOOR` is
        dropped.
        """
        n = len(self.candidates)
        cap = n if depth is None else min(int(depth), n)
        if depth is not None and depth < 1:
            raise InputError(f"a ranking needs at least one preference, got depth {depth}")
        if cap > MAX_MATRIX_CANDIDATES:
            raise TooLargeError(f"a transfer matrix is limited to {MAX_MATRIX_CANDIDATES} candidates")
        T = self.matrix
        exhaust = np.clip(1.0 - T.sum(axis=1), 0.0, 1.0)
        out_rows: list[np.ndarray] = []
        out_prob: list[np.ndarray] = []
        seq = np.arange(n, dtype=np.int8).reshape(n, 1)
        prob = np.ones(n)
        used = (1 << np.arange(n)).astype(np.int64)
        bits = 1 << np.arange(n, dtype=np.int64)
        for step in range(1, cap + 1):
            last = seq[:, -1].astype(np.int64)
            free = (used[:, None] & bits[None, :]) == 0
            W = T[last] * free
            if renormalise:
                denom = W.sum(axis=1) + exhaust[last]
                stop_p = np.where(denom > 0, prob * exhaust[last] / np.where(denom > 0, denom, 1), prob)
            else:
                rest = 1.0 - W.sum(axis=1)
                stop_p = np.where(rest > EXHAUST_FLOOR, prob * rest, 0.0)
            if step == cap:
                stop_p = prob
            emit = stop_p > 0
            if emit.any():
                rows = np.full((int(emit.sum()), n), PAD, dtype=np.int32)
                rows[:, :step] = seq[emit]
                out_rows.append(rows)
                out_prob.append(stop_p[emit])
            if step == cap:
                break
            if renormalise:
                P = np.where(
                    denom[:, None] > 0, prob[:, None] * W / np.where(denom > 0, denom, 1)[:, None], 0
                )
            else:
                P = prob[:, None] * W
            si, cj = np.nonzero(P > 0)
            seq = np.concatenate([seq[si], cj.astype(np.int8)[:, None]], axis=1)
            prob = P[si, cj]
            used = used[si] | bits[cj]
            if not len(seq):
                break
        rankings = np.vstack(out_rows) if out_rows else np.full((0, n), PAD, dtype=np.int32)
        probs = np.concatenate(out_prob) if out_prob else np.zeros(0)
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


def synthetic_ballots(
    votes: Mapping[str, float],
    matrix: TransferMatrix,
    depth: int | None = None,
    *,
    renormalise: bool = True,
) -> Ballots:
    """Weighted :class:`~kingmaker.ballots.Ballots` from first preferences and a transfer matrix.

    ``votes`` maps each candidate to their first preferences; those with none are not
    standing, and shares to them exhaust. Rankings follow :meth:`TransferMatrix.ranking_model`
    over the candidates standing (``depth`` and ``renormalise`` as there); weights are
    fractional votes.
    """
    standing = [p for p, n in votes.items() if n > 0]
    if not standing:
        raise InputError("no candidate has any first preferences")
    model = matrix.restricted(standing).ranking_model(depth=depth, renormalise=renormalise)
    return model.ballots(standing, np.array([float(votes[p]) for p in standing]))


__all__ = [
    "EXHAUST_FLOOR",
    "MAX_CANDIDATES",
    "MAX_MATRIX_CANDIDATES",
    "SHARE_TOLERANCE",
    "RankingModel",
    "TransferMatrix",
    "synthetic_ballots",
]
