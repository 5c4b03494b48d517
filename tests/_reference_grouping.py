"""The grouping of :func:`kingmaker.ballots.compress_rankings` as it was before the speed work
(main at 5ede8f8), kept verbatim as the reference that tests/test_grouping_equivalence.py
compares the current implementation against."""

from __future__ import annotations

import numpy as np

PAD = -1


def compress_rankings_reference(
    matrix: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Group identical rows of ``matrix`` and add up their weights (the old implementation)."""
    matrix = np.asarray(matrix)
    n, m = matrix.shape
    if weights is None:
        weights = np.ones(n, dtype=np.int64)
    weights = np.asarray(weights)
    if n == 0:
        return np.full((0, m), PAD, dtype=np.int32), weights[:0].copy()
    if m == 0:
        return np.full((1, 0), PAD, dtype=np.int32), np.array([weights.sum()])
    lo = int(matrix.min())
    hi = int(matrix.max())
    base = hi - lo + 1
    if base**m < 2**62:
        shifted = (matrix - lo).astype(np.int64)
        key = shifted[:, 0].copy()
        for j in range(1, m):
            key *= base
            key += shifted[:, j]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rows = matrix[first]
    else:
        rows, inverse = np.unique(matrix, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    k = len(rows)
    if np.issubdtype(weights.dtype, np.integer):
        if np.all(weights == 1):
            w = np.bincount(inverse, minlength=k).astype(np.int64)
        elif int(weights.sum()) < 2**53:  # float sums of integers below 2**53 are exact
            w = np.bincount(inverse, weights=weights.astype(np.float64), minlength=k)
            w = w.astype(np.int64)
        else:
            w = np.zeros(k, dtype=np.int64)
            np.add.at(w, inverse, weights.astype(np.int64))
    else:
        w = np.bincount(inverse, weights=weights.astype(np.float64), minlength=k)
    return np.ascontiguousarray(rows, dtype=np.int32), w
