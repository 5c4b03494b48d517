"""The next-preference walk shared by every ranked-ballot rule.

:class:`BallotWalker` finds, for each distinct ranking, the next continuing preference: it moves
a pointer past eliminated, withdrawn and elected candidates, skipped ranks and (by option)
overvotes, until it reaches a continuing candidate or exhausts. :func:`reach_matrix` rewrites the
marks once per count, where the mark options let the reading be fixed once (everything but equal
rankings that are ``"resolve"``-d), so that a rule can find next preferences with no mark rules.
:func:`valid_rows` picks out the ballots that carry a mark.
"""

from __future__ import annotations

import numpy as np

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.counting.options import MarkOptions


def _duplicate_mask(R: np.ndarray) -> np.ndarray:
    """True where a candidate code repeats one at an earlier rank of the same row."""
    n, m = R.shape
    dup = np.zeros((n, m), dtype=bool)
    for j in range(1, m):
        col = R[:, j]
        hit = np.zeros(n, dtype=bool)
        for k in range(j):
            hit |= R[:, k] == col
        dup[:, j] = hit & (col >= 0)
    return dup


class BallotWalker:
    """Finds each distinct ranking's next continuing preference (vectorised over rows)."""

    def __init__(self, ballots: Ballots, marks: MarkOptions):
        self.R = ballots.rankings
        self.marks = marks
        self.n_cand = ballots.n_candidates
        self.groups = [np.array(g, dtype=np.int64) for g in ballots.groups]
        self.dup = _duplicate_mask(self.R) if marks.duplicates == "exhaust" else None

    def advance(
        self, rows: np.ndarray, start: np.ndarray, alive: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For ranking ``rows`` looking from rank ``start`` on: (candidate or -1, its rank)."""
        R = self.R
        m = R.shape[1]
        k = len(rows)
        top = np.full(k, -1, dtype=np.int64)
        pos = np.asarray(start, dtype=np.int64).copy()
        skips = np.zeros(k, dtype=np.int64)
        active = np.arange(k)
        marks = self.marks
        g_alive_count = g_member = None
        if self.groups:
            g_alive_count = np.array([int(alive[g].sum()) for g in self.groups], dtype=np.int64)
            g_member = np.array(
                [int(g[alive[g]][0]) if alive[g].any() else -1 for g in self.groups], dtype=np.int64
            )
        alive_ext = np.concatenate([alive, [False]])  # index n_cand for non-candidates
        while active.size:
            p = pos[active]
            inside = p < m
            active = active[inside]
            if not active.size:
                break
            p = p[inside]
            r = rows[active]
            codes = R[r, p].astype(np.int64)
            cand_idx = np.where(codes >= 0, codes, self.n_cand)
            hit = alive_ext[cand_idx]
            exhaust = codes == PAD
            if self.dup is not None:
                exhaust |= self.dup[r, p]
                hit &= ~self.dup[r, p]
            is_skip = codes == SKIPPED
            is_over = codes == OVERVOTE
            is_group = codes <= GROUP_BASE
            if is_group.any():
                gi = GROUP_BASE - codes[is_group]
                cnt = g_alive_count[gi]  # type: ignore[index]
                ghit = np.zeros(len(gi), dtype=bool)
                if marks.equal_rankings == "resolve":
                    ghit = cnt == 1
                    sel = np.nonzero(is_group)[0][ghit]
                    codes[sel] = g_member[gi[ghit]]  # type: ignore[index]
                    hit[sel] = True
                gover = (cnt >= 1) & ~ghit
                if marks.equal_rankings == "overvote":
                    gover = cnt >= 0
                over_sel = np.nonzero(is_group)[0][gover]
                is_over[over_sel] = True
            if marks.overvote == "exhaust":
                exhaust |= is_over
            skips_now = skips[active] + 1
            if marks.skipped_limit is not None:
                exhaust |= is_skip & (skips_now >= marks.skipped_limit)
            skips[active] = np.where(is_skip, skips_now, 0)
            top[active[hit]] = codes[hit]
            pos[active[hit]] = p[hit]
            stop = hit | exhaust
            pos[active[exhaust & ~hit]] = m
            cont = active[~stop]
            pos[cont] += 1
            active = cont
        return top, pos


def valid_rows(ballots: Ballots) -> np.ndarray:
    """Rows carrying at least one mark (blank ballots are not valid votes)."""
    R = ballots.rankings
    if R.shape[1] == 0:
        return np.zeros(R.shape[0], dtype=bool)
    if R.shape[0] and int(R.min()) >= PAD:  # only candidates and trailing padding
        return R[:, 0] != PAD
    return np.any((R != PAD) & (R != SKIPPED), axis=1)


def reach_matrix(rankings: np.ndarray, n_cand: int, groups: bool, marks: MarkOptions) -> np.ndarray | None:
    """``rankings`` rewritten, once per count, so that finding a next preference needs no mark rules.

    In the result a code is a candidate (continuing or not), ``n_cand`` for a mark that is
    passed over (a skipped rank, or an overvote that is skipped), or ``-1`` where the ballot
    exhausts (padding, an exhausting overvote or repeat, the skipped rank that reaches
    ``skipped_limit``). :meth:`BallotWalker.advance` on the original marks and the first
    continuing candidate or ``-1`` in a row of this matrix agree whoever continues: a repeat
    that is skipped can only be met after its candidate is out, and the skipped-rank counter
    never spans a stop. ``None`` when equal rankings are ``"resolve"``-d, which depends on who
    continues. Returns ``rankings`` itself when there is nothing to rewrite.
    """
    R = rankings
    if R.size == 0:
        return R
    lo = int(R.min())
    if lo >= PAD and marks.duplicates == "skip":
        return R
    if groups and marks.equal_rankings == "resolve" and lo <= GROUP_BASE:
        return None
    over = (R == OVERVOTE) | (R <= GROUP_BASE)
    is_skip = R == SKIPPED
    exhaust = _duplicate_mask(R) if marks.duplicates == "exhaust" else np.zeros(R.shape, dtype=bool)
    passed = is_skip.copy()
    if marks.overvote == "exhaust":
        exhaust |= over
    else:
        passed |= over
    if marks.skipped_limit is not None and is_skip.any():
        run = np.zeros(R.shape[0], dtype=np.int64)
        for j in range(R.shape[1]):
            run = np.where(is_skip[:, j], run + 1, 0)
            exhaust[:, j] |= run >= marks.skipped_limit
    C = np.array(R, dtype=np.int32)
    C[passed] = n_cand
    C[exhaust] = PAD
    return C


def repeat_mask(R: np.ndarray) -> np.ndarray:
    """True where a candidate code repeats one at an earlier rank of the same row.

    The same answer as :func:`_duplicate_mask`, which compares every pair of ranks, in
    O(rows x ranks log ranks): each row is sorted to find the rows with a repeat, and only
    those are placed by a stable argsort (equal codes keep their rank order, so the later
    one of a pair is the repeat).
    """
    rows, m = R.shape
    dup = np.zeros((rows, m), dtype=bool)
    if rows == 0 or m < 2:
        return dup
    S = np.sort(R, axis=1)
    has = ((S[:, 1:] == S[:, :-1]) & (S[:, 1:] >= 0)).any(axis=1)
    if has.any():
        sub = np.nonzero(has)[0]
        order = np.argsort(R[sub], axis=1, kind="stable")
        S = np.take_along_axis(R[sub], order, axis=1)
        rep = (S[:, 1:] == S[:, :-1]) & (S[:, 1:] >= 0)
        hit = np.zeros((len(sub), m), dtype=bool)
        np.put_along_axis(hit, order[:, 1:], rep, axis=1)
        dup[sub] = hit
    return dup


__all__ = ["BallotWalker", "reach_matrix", "repeat_mask", "valid_rows"]
