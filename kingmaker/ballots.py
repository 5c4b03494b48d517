"""Ranked ballots, stored compressed and kept as cast.

A :class:`Ballots` value holds the *unique* rankings as a 2-D integer array (one row per
distinct ranking, one column per rank position) with a weight per row, plus the candidate
names. Codes in the array:

* ``0 .. n-1``: a candidate (index into :attr:`Ballots.candidates`);
* :data:`PAD` (-1): no more ranks on this ballot (always trailing);
* :data:`SKIPPED` (-2): a rank left blank (an undervote) with later ranks possibly filled;
* :data:`OVERVOTE` (-3): more than one mark at this rank, candidates unknown (CVR data);
* ``<= -10``: an equal ranking; ``-10 - code`` indexes :attr:`Ballots.groups`, a tuple of
  candidate indices ranked equal at that position (``a=b`` in BLT, ``{a,b}`` in PrefLib).

Nothing is cleaned up on reading: repeated candidates, skipped ranks and overvotes stay as
cast so that each counting rule decides what they mean.

Ballots read from a file that records where each was cast (a CVR's precinct or batch column)
also carry :attr:`Ballots.precinct`: one label code per unique row, indexing
:attr:`Ballots.precinct_names`. Rows are then grouped by ranking *and* precinct, so
:meth:`Ballots.by_precinct` can split them for results by precinct.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.grouping import sort_rows, take_rows

if TYPE_CHECKING:
    from kingmaker.io.limits import ReadLimits

PAD = -1
SKIPPED = -2
OVERVOTE = -3
GROUP_BASE = -10

#: A ranking item: candidate index or name, ``None`` for a skipped rank, :data:`OVERVOTE`,
#: or a collection of candidates ranked equal.
RankItem = Any


def group_code(index: int) -> int:
    """Array code of the equal-ranking group number ``index``."""
    return GROUP_BASE - index


def group_index(code: int) -> int:
    """Index into :attr:`Ballots.groups` of an equal-ranking array code."""
    return GROUP_BASE - code


def compress_rankings(matrix: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Group identical rows of ``matrix`` and add up their weights.

    Rows come back in lexicographic order (see :func:`sort_rows`); weights are summed exactly
    (int64 when the input weights are integral). Integer weights are summed run by run in
    sorted order (no per-row group index is built); float weights as they always were, by
    ``np.bincount`` in row order, so their rounding is unchanged.
    """
    matrix = np.asarray(matrix)
    n, m = matrix.shape
    if weights is not None:
        weights = np.asarray(weights)
    if n == 0:
        empty = np.ones(0, dtype=np.int64) if weights is None else weights[:0].copy()
        return np.full((0, m), PAD, dtype=np.int32), empty
    if m == 0:
        return np.full((1, 0), PAD, dtype=np.int32), np.array([n if weights is None else weights.sum()])
    order, starts = sort_rows(matrix)
    begin = np.flatnonzero(starts)
    rows = take_rows(matrix, order[begin]).astype(np.int32, copy=False)
    if weights is None or (np.issubdtype(weights.dtype, np.integer) and np.all(weights == 1)):
        return rows, np.diff(np.append(begin, n)).astype(np.int64)
    if np.issubdtype(weights.dtype, np.integer) and (
        int(weights.sum()) >= 2**53 or int(weights.min()) >= 0
    ):  # the old float sums were exact here, and int64 sums wrap as np.add.at did
        return rows, np.add.reduceat(weights.astype(np.int64)[order], begin)
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(starts, dtype=np.intp) - 1
    w = np.bincount(inverse, weights=weights.astype(np.float64), minlength=len(begin))
    return rows, (w.astype(np.int64) if np.issubdtype(weights.dtype, np.integer) else w)


def _normalise_weights(weights: np.ndarray) -> np.ndarray:
    weights = np.asarray(weights)
    if weights.dtype.kind == "b":
        weights = weights.astype(np.int64)
    if weights.dtype.kind in "iu":
        return weights.astype(np.int64)
    weights = weights.astype(np.float64)
    # whole numbers become int64 only where they fit (a 1e30 weight stays a float)
    if np.all(np.abs(weights) < 2.0**63) and np.all(weights == np.round(weights)):
        return weights.astype(np.int64)
    return weights


@dataclass(frozen=True, eq=False)
class Ballots:
    """Compressed ranked ballots: unique rankings, a weight each, and the candidate names.

    Immutable (arrays are read-only) and validated on construction. Build from Python lists
    with :meth:`from_rankings`, or read a file with :meth:`read`.
    """

    rankings: np.ndarray
    weights: np.ndarray
    candidates: tuple[str, ...]
    withdrawn: frozenset[int] = frozenset()
    groups: tuple[tuple[int, ...], ...] = ()
    title: str | None = None
    seats: int | None = None
    source: str | None = field(default=None, compare=False)
    #: Per unique row, the code of its precinct (an index into :attr:`precinct_names`), or None.
    precinct: np.ndarray | None = None
    precinct_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        src = self.source
        cands = tuple(str(c) for c in self.candidates)
        if len(cands) == 0:
            raise InputError("no candidates", source=src)
        if any(not c.strip() for c in cands):
            raise InputError("empty candidate name", source=src)
        if len(set(cands)) != len(cands):
            dupes = sorted({c for c in cands if cands.count(c) > 1})
            raise InputError(f"duplicate candidate names: {', '.join(dupes)}", source=src)
        object.__setattr__(self, "candidates", cands)
        r = np.asarray(self.rankings)
        if r.ndim == 1 and r.size == 0:
            r = r.reshape(0, 0)
        if r.ndim != 2:
            raise InputError("rankings must be a 2-D array", source=src)
        if r.size and not np.issubdtype(r.dtype, np.integer):
            raise InputError("rankings must be integers", source=src)
        r = np.array(r, dtype=np.int32, copy=True)
        w = _normalise_weights(np.array(self.weights, copy=True))
        if w.ndim != 1 or len(w) != r.shape[0]:
            raise InputError("one weight per ranking row is needed", source=src)
        if w.size and (not np.all(np.isfinite(w)) or np.any(w < 0)):
            raise InputError("ballot weights must be finite and non-negative", source=src)
        n = len(cands)
        groups = tuple(tuple(int(c) for c in g) for g in self.groups)
        for g in groups:
            if len(g) < 2 or any(c < 0 or c >= n for c in g):
                raise InputError(f"bad equal-ranking group {g}", source=src)
        if r.size and not (r.min() >= OVERVOTE and r.max() < n):  # else no code can be bad
            bad = (r >= n) | ((r < OVERVOTE) & (r > GROUP_BASE)) | (r < GROUP_BASE - len(groups) + 1)
            if np.any(bad):
                i, j = np.argwhere(bad)[0]
                raise InputError(
                    f"code {int(r[i, j])} at rank {j + 1} is not a candidate, sentinel or group",
                    source=src,
                )
        if r.size:
            pad = r == PAD
            if np.any(pad[:, :-1] > pad[:, 1:]):  # a PAD before a mark
                raise InputError("padding (-1) must only be trailing", source=src)
        withdrawn = frozenset(int(c) for c in self.withdrawn)
        if any(c < 0 or c >= n for c in withdrawn):
            raise InputError("withdrawn candidate out of range", source=src)
        if self.seats is not None and int(self.seats) < 1:
            raise InputError("seats must be at least 1", source=src)
        self._check_precinct(len(w))
        r.flags.writeable = False
        w.flags.writeable = False
        object.__setattr__(self, "rankings", r)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "withdrawn", withdrawn)

    def _check_precinct(self, rows: int) -> None:
        """Validate and freeze the optional precinct codes (one per row, each naming a label)."""
        names, p = tuple(str(x) for x in self.precinct_names), self.precinct
        object.__setattr__(self, "precinct_names", names)
        if p is not None:
            p = np.array(p, dtype=np.int32, copy=True)
            if p.ndim != 1 or len(p) != rows or (p.size and not 0 <= p.min() <= p.max() < len(names)):
                raise InputError("precinct needs one code per row into precinct_names", source=self.source)
            p.flags.writeable = False
            object.__setattr__(self, "precinct", p)
        elif names:
            raise InputError("precinct_names given without precinct codes", source=self.source)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rankings(
        cls,
        rankings: Iterable[Sequence[RankItem]],
        candidates: Sequence[str] | None = None,
        weights: Iterable[float] | None = None,
        *,
        withdrawn: Iterable[str | int] = (),
        title: str | None = None,
        seats: int | None = None,
        source: str | None = None,
    ) -> Ballots:
        """Build from Python rankings, e.g. ``[["A", "B"], ["B", {"A", "C"}], ["C", None, "A"]]``.

        Items are names or indices; ``None`` is a skipped rank, :data:`OVERVOTE` an overvote,
        and a set, tuple or list of candidates an equal ranking. If ``candidates`` is omitted
        the names found are used in order of first appearance.
        """
        rows = [list(r) for r in rankings]
        names: list[str] = list(candidates) if candidates is not None else []
        known = {c: i for i, c in enumerate(names)}

        def cand(x: Any) -> int:
            if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
                if not 0 <= int(x) < max(len(names), 1) and candidates is not None:
                    raise InputError(f"candidate index {x} out of range", source=source)
                return int(x)
            name = str(x)
            if name not in known:
                if candidates is not None:
                    raise UnknownNameError(f"unknown candidate {name!r}")
                known[name] = len(names)
                names.append(name)
            return known[name]

        groups: dict[tuple[int, ...], int] = {}
        width = max((len(r) for r in rows), default=0)
        mat = np.full((len(rows), width), PAD, dtype=np.int32)
        for i, row in enumerate(rows):
            for j, item in enumerate(row):
                if item is None:
                    code = SKIPPED
                elif isinstance(item, (int, np.integer)) and int(item) in (OVERVOTE, SKIPPED, PAD):
                    code = int(item)
                elif isinstance(item, (set, frozenset, tuple, list)):
                    members = tuple(sorted({cand(x) for x in item}))
                    if len(members) == 1:
                        code = members[0]
                    else:
                        code = group_code(groups.setdefault(members, len(groups)))
                else:
                    code = cand(item)
                mat[i, j] = code
            # explicit PAD inside a row: treat the rest as padding
        w = np.ones(len(rows), dtype=np.int64) if weights is None else np.asarray(list(weights))
        if len(w) != len(rows):
            raise InputError("one weight per ranking is needed", source=source)
        wd = frozenset(cand(x) for x in withdrawn)
        return cls.from_matrix(
            mat,
            names,
            w,
            withdrawn=wd,
            groups=tuple(groups),
            title=title,
            seats=seats,
            source=source,
        )

    @classmethod
    def from_matrix(
        cls,
        matrix: np.ndarray,
        candidates: Sequence[str],
        weights: np.ndarray | None = None,
        *,
        withdrawn: Iterable[int] = (),
        groups: tuple[tuple[int, ...], ...] = (),
        title: str | None = None,
        seats: int | None = None,
        source: str | None = None,
        precinct: np.ndarray | None = None,
        precinct_names: Sequence[str] = (),
    ) -> Ballots:
        """Build from an uncompressed ``(ballots, ranks)`` code matrix, grouping identical rows.

        ``precinct`` (one code per row into ``precinct_names``) keeps where each ballot was cast:
        rows are then grouped by ranking and precinct together.
        """
        mat = np.asarray(matrix)
        if mat.ndim != 2:
            raise InputError("rankings must be a 2-D array", source=source)
        mat = _trim_padding(mat.astype(np.int32, copy=False))
        w = None if weights is None else _normalise_weights(np.asarray(weights))
        if precinct is None:
            rows, wts = compress_rankings(mat, w)
            return cls(rows, wts, tuple(candidates), frozenset(withdrawn), groups, title, seats, source)
        codes = np.asarray(precinct, dtype=np.int32).reshape(-1, 1)
        if len(codes) != len(mat):
            raise InputError("one precinct code per ballot row is needed", source=source)
        both, wts = compress_rankings(np.hstack([mat, codes]), w)
        args = (tuple(candidates), frozenset(withdrawn), groups, title, seats, source)
        return cls(both[:, :-1], wts, *args, both[:, -1], tuple(precinct_names))

    # ------------------------------------------------------------------ reading
    @classmethod
    def read(
        cls,
        source: str | Path | bytes,
        format: str | None = None,
        *,
        name: str | None = None,
        limits: ReadLimits | None = None,
        **options: Any,
    ) -> Ballots:
        """Read ballots from a path, bytes or text, choosing the reader by extension (or ``format``).

        ``.blt`` BLT; ``.soc .soi .toc .toi`` PrefLib; ``.csv`` a cast-vote-record CSV when its
        header has rank/choice columns, otherwise the simple ``count,rank1,rank2,...`` CSV; without
        an extension the content decides. ``name`` names the input in messages; ``limits`` (a
        :class:`kingmaker.io.ReadLimits`) caps what the file may claim. See
        :func:`kingmaker.io.read_ballots`.
        """
        from kingmaker.io import read_ballots

        return read_ballots(source, format=format, name=name, limits=limits, **options)

    def write(self, path: str | Path, format: str | None = None) -> None:
        """Write to a plain-text format chosen by extension (BLT, PrefLib or simple CSV)."""
        from kingmaker.io import write_ballots

        write_ballots(self, path, format=format)

    # ------------------------------------------------------------------ queries
    @property
    def n_candidates(self) -> int:
        """Number of candidates, withdrawn ones included."""
        return len(self.candidates)

    @property
    def n_unique(self) -> int:
        """Number of distinct rankings stored."""
        return int(self.rankings.shape[0])

    @property
    def total(self) -> int | float:
        """Total ballot weight (the number of ballots when unweighted)."""
        t = self.weights.sum()
        return int(t) if self.weights.dtype.kind == "i" else float(t)

    def __len__(self) -> int:
        return round(float(self.weights.sum()))

    @property
    def is_integral(self) -> bool:
        """True when every weight is a whole number."""
        return self.weights.dtype.kind == "i"

    def index(self, name: str | int) -> int:
        """Index of a candidate given by name (or index)."""
        if isinstance(name, (int, np.integer)):
            if not 0 <= int(name) < self.n_candidates:
                raise UnknownNameError(f"candidate index {name} out of range")
            return int(name)
        try:
            return self.candidates.index(name)
        except ValueError:
            raise UnknownNameError(
                f"unknown candidate {name!r}; known: {', '.join(self.candidates)}"
            ) from None

    @property
    def continuing(self) -> tuple[int, ...]:
        """Indices of candidates that are not withdrawn."""
        return tuple(i for i in range(self.n_candidates) if i not in self.withdrawn)

    def decode(self, row: Sequence[int]) -> tuple[RankItem, ...]:
        """A ranking row as names: ``None`` skipped, ``"<overvote>"``, frozensets for equal ranks."""
        out: list[RankItem] = []
        for code in row:
            code = int(code)
            if code == PAD:
                break
            if code == SKIPPED:
                out.append(None)
            elif code == OVERVOTE:
                out.append("<overvote>")
            elif code <= GROUP_BASE:
                out.append(frozenset(self.candidates[c] for c in self.groups[group_index(code)]))
            else:
                out.append(self.candidates[code])
        return tuple(out)

    def __iter__(self) -> Iterator[tuple[tuple[RankItem, ...], int | float]]:
        """Yield ``(ranking as names, weight)`` for each distinct ranking."""
        for row, w in zip(self.rankings, self.weights, strict=True):
            yield self.decode(row), (int(w) if self.is_integral else float(w))

    def first_preferences(self) -> dict[str, int | float]:
        """Weight of the first rank as cast (no skipping) for each candidate."""
        n = self.n_candidates
        out = {c: 0 for c in self.candidates}
        if self.rankings.shape[1] == 0:
            return out
        first = self.rankings[:, 0]
        ok = first >= 0
        tot = np.bincount(first[ok], weights=self.weights[ok].astype(np.float64), minlength=n)
        for i, c in enumerate(self.candidates):
            out[c] = int(tot[i]) if self.is_integral else float(tot[i])
        return out

    def with_withdrawn(self, names: Iterable[str | int]) -> Ballots:
        """A copy with more candidates withdrawn (their marks are skipped by every rule)."""
        extra = {self.index(n) for n in names}
        return dataclasses.replace(self, withdrawn=self.withdrawn | extra)

    def rename(self, mapping: Mapping[str, str]) -> Ballots:
        """A copy with some candidates renamed."""
        return dataclasses.replace(self, candidates=tuple(mapping.get(c, c) for c in self.candidates))

    def by_precinct(self) -> dict[str, Ballots]:
        """The ballots of each precinct (in :attr:`precinct_names` order, those with ballots);
        raises :class:`InputError` when the ballots carry no precincts."""
        if self.precinct is None:
            raise InputError("these ballots carry no precincts", source=self.source)
        order = np.argsort(self.precinct, kind="stable")
        codes = self.precinct[order]
        bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True]) if len(codes) else [0]
        return {
            self.precinct_names[int(codes[lo])]: dataclasses.replace(
                self,
                rankings=_trim_padding(self.rankings[order[lo:hi]]),
                weights=self.weights[order[lo:hi]],
                precinct=None,
                precinct_names=(),
            )
            for lo, hi in itertools.pairwise(bounds)
        }

    def to_pref_voting(self, kind: str = "auto") -> Any:
        """These ballots as a ``pref_voting`` profile over the continuing candidates.

        A shortcut for :func:`kingmaker.spoilers.to_pref_voting` (imported only when called;
        it needs the ``pref_voting`` package). ``kind="auto"`` gives a linear ``Profile`` when
        every ballot is a complete strict ranking, else a ``ProfileWithTies`` with extended
        strict preference (ranked above unranked); ``"ties"`` always the latter; ``"linear"``
        insists on the former. ``cmap`` maps the profile's candidates ``0..k-1`` to the names.
        """
        from kingmaker.spoilers import to_pref_voting

        return to_pref_voting(self, kind)

    def __repr__(self) -> str:
        return (
            f"Ballots({self.total} ballots, {self.n_unique} unique rankings, "
            f"{self.n_candidates} candidates"
            + (f", {len(self.withdrawn)} withdrawn" if self.withdrawn else "")
            + ")"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ballots):
            return NotImplemented
        return (
            self.candidates == other.candidates
            and self.withdrawn == other.withdrawn
            and self.groups == other.groups
            and self.rankings.shape == other.rankings.shape
            and bool(np.array_equal(self.rankings, other.rankings))
            and bool(np.array_equal(self.weights, other.weights))
            and self.precinct_names == other.precinct_names
            and (self.precinct is None) == (other.precinct is None)
            and (self.precinct is None or bool(np.array_equal(self.precinct, other.precinct)))
        )

    __hash__ = None  # type: ignore[assignment]


def _trim_padding(mat: np.ndarray) -> np.ndarray:
    """Make padding trailing-only (an explicit PAD ends the ranking) and drop empty columns."""
    if mat.size == 0:
        return mat.reshape(mat.shape[0], 0) if mat.ndim == 2 else mat
    pad = mat == PAD
    if np.any(pad[:, :-1] > pad[:, 1:]):  # a PAD before a mark
        after = np.cumsum(pad, axis=1) > 0
        mat = np.where(after, PAD, mat).astype(np.int32)
        pad = mat == PAD
    used = ~np.all(pad, axis=0)
    last = int(np.nonzero(used)[0].max()) + 1 if used.any() else 0
    return np.ascontiguousarray(mat[:, :last])
