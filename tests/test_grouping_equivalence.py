"""The fast grouping gives exactly the ballots the old one gave (rows, order and weights).

The old :func:`compress_rankings` is kept in ``tests/_reference_grouping.py``; these properties
compare it with the current one on random matrices with 1-60 rank columns holding candidates,
padding, skipped ranks, overvotes and equal-ranking group codes, with and without weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import (
    GROUP_BASE,
    OVERVOTE,
    PAD,
    SKIPPED,
    Ballots,
    _normalise_weights,
    _trim_padding,
    compress_rankings,
)
from kingmaker.grouping import group_rows
from tests._reference_grouping import compress_rankings_reference


@st.composite
def code_matrices(draw: st.DrawFn) -> tuple[np.ndarray, int, int]:
    """A ballot code matrix: ``(matrix, n_candidates, n_groups)``, trailing padding or not."""
    n_cand = draw(st.integers(1, 60))
    n_groups = draw(st.integers(0, 4))
    width = draw(st.integers(1, 60))
    n_rows = draw(st.integers(0, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # few distinct values per column so that rows repeat and grouping has work to do
    pool = [PAD, SKIPPED, OVERVOTE, *range(min(n_cand, draw(st.integers(1, 60))))]
    pool += [GROUP_BASE - g for g in range(n_groups)]
    mat = rng.choice(np.array(pool, dtype=np.int32), size=(n_rows, width))
    if n_rows and draw(st.booleans()):  # long runs of identical prefixes
        mat[: n_rows // 2] = mat[0]
    if draw(st.booleans()):  # padding trailing only, as readers produce it
        lengths = rng.integers(0, width + 1, size=n_rows)
        mat[np.arange(width)[None, :] >= lengths[:, None]] = PAD
    return mat, n_cand, n_groups


@st.composite
def weights_for(draw: st.DrawFn, n: int) -> np.ndarray | None:
    kind = draw(st.sampled_from(["none", "int", "float", "big"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "none":
        return None
    if kind == "int":
        return rng.integers(0, 1000, size=n)
    if kind == "big":
        return rng.integers(2**55, 2**56, size=n)
    return rng.random(n) * 10


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_new_grouping_equals_old(data: st.DataObject) -> None:
    mat, _, _ = data.draw(code_matrices())
    w = data.draw(weights_for(len(mat)))
    rows, wts = compress_rankings(mat, w)
    ref_rows, ref_wts = compress_rankings_reference(mat, w)
    assert rows.dtype == ref_rows.dtype and np.array_equal(rows, ref_rows)
    assert wts.dtype == ref_wts.dtype and np.array_equal(wts, ref_wts)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_ballots_from_matrix_equal_old_grouping(data: st.DataObject) -> None:
    mat, n_cand, n_groups = data.draw(code_matrices())
    mat = np.where(mat >= n_cand, n_cand - 1, mat)
    groups = tuple((0, g + 1) for g in range(n_groups)) if n_cand > n_groups else ()
    if not groups:
        mat = np.where(mat <= GROUP_BASE, SKIPPED, mat)
    w = data.draw(weights_for(len(mat)))
    names = [f"C{i}" for i in range(n_cand)]
    new = Ballots.from_matrix(mat, names, w, groups=groups)
    trimmed = _trim_padding(mat.astype(np.int32))  # unchanged by the speed work
    ref_rows, ref_wts = compress_rankings_reference(trimmed, None if w is None else _normalise_weights(w))
    assert np.array_equal(new.rankings, ref_rows) and np.array_equal(new.weights, ref_wts)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_group_rows_with_a_lead_key_groups_by_pairs(data: st.DataObject) -> None:
    mat, _, _ = data.draw(code_matrices())
    lead = np.random.default_rng(data.draw(st.integers(0, 99))).integers(0, 3, size=len(mat))
    first, inverse = group_rows(mat, lead)
    both = np.column_stack([lead, mat]).astype(np.int64)
    ref_rows, ref_counts = compress_rankings_reference(both)
    assert np.array_equal(both[first], ref_rows)
    assert np.array_equal(np.bincount(inverse, minlength=len(first)), ref_counts)
    assert np.array_equal(both[first][inverse], both)


def test_wide_values_fall_back_to_structured_sort() -> None:
    rng = np.random.default_rng(3)
    mat = rng.integers(-(2**62), 2**62, size=(500, 3))
    mat[250:] = mat[:250]
    rows, w = compress_rankings(mat)
    ref_rows, ref_w = compress_rankings_reference(mat)
    assert np.array_equal(rows, ref_rows) and np.array_equal(w, ref_w)


@settings(max_examples=60, deadline=None)
@given(
    n_rows=st.integers(0, 3000),
    width=st.integers(1, 60),
    alphabet=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    lead=st.booleans(),
)
def test_many_passes_with_finished_rows_group_as_before(
    n_rows: int, width: int, alphabet: int, seed: int, lead: bool
) -> None:
    """Enough rows and columns for several sorting passes, with trailing padding as the least
    value (so rows finish early and leave the later passes), and long shared prefixes."""
    rng = np.random.default_rng(seed)
    mat = rng.integers(0, alphabet, size=(n_rows, width)).astype(np.int32)
    mat[: n_rows // 3] = mat[rng.integers(0, max(n_rows, 1), size=n_rows // 3) % max(n_rows, 1)]
    lengths = rng.integers(0, width + 1, size=n_rows)
    mat[np.arange(width)[None, :] >= lengths[:, None]] = PAD
    if lead:
        keys = rng.integers(-2, 3, size=n_rows)
        first, inverse = group_rows(mat, keys)
        both = np.column_stack([keys, mat]).astype(np.int64)
        ref_rows, ref_counts = compress_rankings_reference(both)
        assert np.array_equal(both[first], ref_rows)
        assert np.array_equal(np.bincount(inverse, minlength=len(first)), ref_counts)
        return
    rows, w = compress_rankings(mat)
    ref_rows, ref_w = compress_rankings_reference(mat)
    assert np.array_equal(rows, ref_rows) and np.array_equal(w, ref_w)
    first, inverse = group_rows(mat)
    assert np.array_equal(mat[first], ref_rows) and np.array_equal(mat[first][inverse], mat)
    assert all(
        np.all(inverse[first[g]] == g) and first[g] == np.flatnonzero(inverse == g)[0]
        for g in range(min(len(first), 20))
    )


def test_large_values_in_a_small_range_pack_exactly() -> None:
    """Values near 2**62 but few of them: packed after shifting (no int64 overflow)."""
    rng = np.random.default_rng(5)
    mat = (2**62 + rng.integers(0, 3, size=(2000, 50))).astype(np.int64)
    mat[1000:] = mat[:1000]
    mat[:, 40:][rng.random((2000, 10)) < 0.5] = 2**62 - 7
    rows, w = compress_rankings(mat)
    ref_rows, ref_w = compress_rankings_reference(mat)
    assert np.array_equal(rows, ref_rows) and np.array_equal(w, ref_w)
    first, inverse = group_rows(mat)
    assert np.array_equal(mat[first][inverse], mat)
    keys = rng.integers(-(2**40), -(2**40) + 3, size=len(mat))
    first, inverse = group_rows(mat, keys)
    both = np.column_stack([keys, mat])
    ref_rows, ref_counts = np.unique(both, axis=0, return_counts=True)
    assert np.array_equal(both[first], ref_rows) and np.array_equal(both[first][inverse], both)
    assert np.array_equal(np.bincount(inverse, minlength=len(first)), ref_counts)


def test_spread_values_with_finished_rows_rank_the_column() -> None:
    """A column too spread to pack beside the row index, after rows have finished (their rest
    all the least value) while others hold that value too at the same column."""
    rng = np.random.default_rng(11)
    low = -(2**62)
    mat = rng.choice(np.array([low, 0, 2**62], dtype=np.int64), size=(3000, 6))
    mat[:, 3:][rng.random((3000, 3)) < 0.6] = low
    mat[1500:] = mat[:1500]
    _, w = compress_rankings(mat)
    ref_rows, ref_w = np.unique(mat, axis=0, return_counts=True)  # int64 rows, in order
    assert np.array_equal(w, ref_w)
    first, inverse = group_rows(mat)
    assert np.array_equal(mat[first], ref_rows) and np.array_equal(mat[first][inverse], mat)
    assert np.array_equal(np.bincount(inverse, minlength=len(first)), ref_w)
