"""Ballots: construction, validation, compression, immutability."""

from __future__ import annotations

import numpy as np
import pytest

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots, compress_rankings
from kingmaker.errors import InputError, UnknownNameError


def test_from_rankings_compresses_and_keeps_marks_as_cast() -> None:
    b = Ballots.from_rankings(
        [["A", "B"], ["A", "B"], ["B", {"A", "C"}], ["C", None, "A"], [OVERVOTE, "A"], ["A", "A"]],
        candidates=["A", "B", "C"],
    )
    assert b.total == 6 and b.n_unique == 5
    rows = {r: w for r, w in b}
    assert rows[("A", "B")] == 2
    assert rows[("B", frozenset({"A", "C"}))] == 1
    assert rows[("C", None, "A")] == 1
    assert rows[("<overvote>", "A")] == 1
    assert rows[("A", "A")] == 1  # repeated candidate kept as cast
    assert b.groups == ((0, 2),)
    assert (b.rankings == GROUP_BASE).any() and (b.rankings == SKIPPED).any()


def test_immutable_and_validated() -> None:
    b = Ballots.from_rankings([["A", "B"]])
    with pytest.raises(ValueError):
        b.rankings[0, 0] = 1
    with pytest.raises(AttributeError):
        b.title = "x"  # type: ignore[misc]
    with pytest.raises(InputError, match="not a candidate"):
        Ballots(np.array([[0, 5]]), np.array([1]), ("A", "B"))
    with pytest.raises(InputError, match="trailing"):
        Ballots(np.array([[PAD, 0]]), np.array([1]), ("A", "B"))
    with pytest.raises(InputError, match="duplicate candidate"):
        Ballots(np.array([[0]]), np.array([1]), ("A", "A"))
    with pytest.raises(InputError, match="non-negative"):
        Ballots(np.array([[0]]), np.array([-1]), ("A",))
    with pytest.raises(UnknownNameError):
        Ballots.from_rankings([["Z"]], candidates=["A"])


def test_compress_matches_unique_rows() -> None:
    rng = np.random.default_rng(1)
    mat = rng.integers(-1, 4, size=(2000, 3)).astype(np.int32)
    mat[:, 1:] = np.where(mat[:, :1] == -1, -1, mat[:, 1:])
    rows, w = compress_rankings(mat)
    ref, counts = np.unique(mat, axis=0, return_counts=True)
    assert np.array_equal(rows, ref) and np.array_equal(w, counts)
    assert w.sum() == 2000


def test_weights_withdrawn_and_queries() -> None:
    b = Ballots.from_rankings([["A", "B"], ["B"]], weights=[2.5, 1], withdrawn=["B"])
    assert not b.is_integral and b.total == 3.5
    assert b.withdrawn == frozenset({1}) and b.continuing == (0,)
    assert b.first_preferences() == {"A": 2.5, "B": 1.0}
    assert b.index("B") == 1
    with pytest.raises(UnknownNameError):
        b.index("Q")
    assert b.with_withdrawn(["A"]).withdrawn == frozenset({0, 1})
    assert "2 candidates" in repr(b)
    other = Ballots.from_rankings([["B"], ["A", "B"]], ["A", "B"], [1, 2.5], withdrawn=["B"])
    assert b == other
