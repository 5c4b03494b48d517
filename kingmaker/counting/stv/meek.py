"""STV by Meek's method (Hill, Wichmann & Woodall 1987; the New Zealand rules).

:func:`stv_meek` — Meek's method as specified by Hill, Wichmann & Woodall, "Algorithm 123:
Single Transferable Vote by Meek's method", Computer Journal 30(3) 1987 (also the NZ STV
Calculator rules): keep values iterated in fixed-point decimals (default 9 places, votes
rounded down, keep values rounded up) until every elected candidate is within
``tolerance`` of the quota ``(valid - excess)/(seats+1)``.

How it is fast with the same arithmetic: the marks are read once into each ranking's list of
candidates (:func:`_resolve_marks`). Within a stage a ballot's share only depends on the
elected candidates it meets before its first hopeful one, so each ballot's path is walked on
only when the candidate it stops at is elected or excluded (:class:`_Walk`); ballots that meet
no elected candidate are tallied once per stage, and the others are merged by path, so an
iteration is one round of integer NumPy arithmetic and a bincount per elected candidate on a
path, with the truncation at every transfer step exactly as the rule has it. Integers stay in
int64 (Python integers where 10**precision squared would overflow it); tallies are summed as
floats only below 2**53, where that is exact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.counting._walk import repeat_mask, valid_rows
from kingmaker.counting.options import MarkOptions, merge_options, one_set, option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round
from kingmaker.counting.stv._engine import STVOptions, _with_default_tb
from kingmaker.errors import RuleError
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, pick_extreme


@dataclass(frozen=True)
class MeekOptions(STVOptions):
    """:class:`STVOptions` plus Meek's own: ``precision`` (decimal places of the fixed-point
    arithmetic), ``tolerance`` (total surplus tolerance, in votes, as HWW) and
    ``max_iterations`` (per stage)."""

    precision: int = 9
    tolerance: Fraction = Fraction(1, 10**5)
    max_iterations: int = 10_000


def _resolve_marks(R0: np.ndarray, n: int, marks: MarkOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marks read once: (candidates in ballot order, their count, whether the ballot stops).

    Each row of the first array holds the ranked candidates that can receive value, left to
    right, padded with -1: skipped ranks, overvotes (and equal rankings, read as overvotes)
    and repeated candidates give nothing and are dropped, and the row is cut at its first
    exhausting mark. Where the ballots carry marks (or repeats exhaust), padding and the
    exhausting marks stop the ballot and the value it still holds is not counted as
    exhausted (the count has always read them so); otherwise a ballot that runs out of
    preferences exhausts.
    """
    N, m = R0.shape
    if N == 0 or m == 0:
        return np.full((N, 0), -1, dtype=np.int64), np.zeros(N, dtype=np.int64), np.zeros(N, dtype=bool)
    is_cand = R0 >= 0
    marked = bool((R0 < PAD).any()) or marks.duplicates == "exhaust"
    dup = repeat_mask(R0)
    if not marked:
        stopped = np.zeros(N, dtype=bool)
        if not dup.any():  # candidates then padding, no repeats: already in walking order
            return R0, is_cand.sum(axis=1), stopped
        keep = is_cand & ~dup
    else:
        stop = R0 == PAD
        if marks.overvote == "exhaust":
            stop |= (R0 == OVERVOTE) | (R0 <= GROUP_BASE)
        if marks.duplicates == "exhaust":
            stop |= dup
        if marks.skipped_limit is not None and (R0 == SKIPPED).any():
            run = np.zeros(N, dtype=np.int64)
            for j in range(m):
                run = np.where(R0[:, j] == SKIPPED, run + 1, 0)
                stop[:, j] |= run >= marks.skipped_limit
        stopped = stop.any(axis=1)
        first = np.where(stopped, stop.argmax(axis=1), m)
        keep = is_cand & ~dup & (np.arange(m)[None, :] < first[:, None])
    lens = keep.sum(axis=1)
    C = np.full((N, int(lens.max()) if N else 0), -1, dtype=np.int64)
    if keep.any():
        r, _ = np.nonzero(keep)
        C[r, (np.cumsum(keep, axis=1) - 1)[keep]] = R0[keep]
    return C, lens.astype(np.int64), stopped


class _Walk:
    """Each ballot's path under the current stage, kept up to date between stages.

    Under Meek's rule a ballot gives a share of what it holds to each elected candidate it
    meets, nothing to excluded ones, and all it has left to the first hopeful one. So a
    ballot's path is the elected candidates before its first hopeful one, then that
    candidate (or exhaustion, ``n``, or a stop, ``n + 1``). A path only changes when its
    end candidate is elected or excluded; then the walk goes on from there. Ballots that
    meet no elected candidate give whole votes, kept in one tally; the others are merged by
    path (their weights added up), so an iteration's cost is the number of distinct paths.
    Both are updated only for the ballots that walk on.
    """

    KEY_LIMIT = 2**62  # paths are merged by one int64 key where it fits below this

    def __init__(
        self,
        C: np.ndarray,
        lens: np.ndarray,
        stopped: np.ndarray,
        w: np.ndarray,
        state: np.ndarray,
        seats: int,
        unit: int,
    ):
        self.C, self.lens, self.w, self.state, self.unit = C, lens, w, state, unit
        self.n = len(state)
        N = len(lens)
        self.end = np.where(stopped, self.n + 1, self.n)
        self.pos = np.zeros(N, dtype=np.int64)
        self.term = np.zeros(N, dtype=np.int64)
        self.path = np.zeros((N, max(seats, 1)), dtype=np.int64)
        self.plen = np.zeros(N, dtype=np.int64)
        self.wide = unit * unit >= 2**63  # rem * keep would overflow int64: Python ints
        width = self.path.shape[1]
        # one int64 key per distinct path merges equal ones; where it would not fit, each
        # ballot is its own group (its row number is its key)
        self.merge = (self.n + 2) * (self.n + 1) ** width < self.KEY_LIMIT
        self.base = np.zeros(self.n + 2, dtype=np.float64)  # whole votes of direct ballots
        self.rkey = np.full(N, -2, dtype=np.int64)  # a ballot's group key; -1 direct, -2 not yet in
        self.gkey = np.zeros(0, dtype=np.int64)  # the groups, by key (sorted) ...
        self.gw = np.zeros(0, dtype=np.int64)  # ... their ballots' weight ...
        self.gpath = np.zeros((0, width), dtype=np.int64)  # ... and their path
        self.gterm = np.zeros(0, dtype=np.int64)
        self.gplen = np.zeros(0, dtype=np.int64)
        self._walk(np.arange(N))

    def _walk(self, rows: np.ndarray) -> None:
        """Walk ``rows`` on from their current position to a hopeful candidate or the end."""
        self._leave(rows)
        todo = rows
        while todo.size:
            p = self.pos[todo]
            out = p >= self.lens[todo]
            self.term[todo[out]] = self.end[todo[out]]
            todo, p = todo[~out], p[~out]
            c = self.C[todo, p]
            s = self.state[c]
            hop = s == 0
            self.term[todo[hop]] = c[hop]
            el = s == 1
            er = todo[el]
            self.path[er, self.plen[er]] = c[el]
            self.plen[er] += 1
            todo = todo[~hop]
            self.pos[todo] += 1
        self._join(rows)
        self._stage()

    def moved(self, changed: list[int]) -> None:
        """Candidates ``changed`` were elected or excluded: walk on the ballots that ended there."""
        if changed:
            self._walk(np.nonzero(np.isin(self.term, changed))[0])

    def _leave(self, rows: np.ndarray) -> None:
        """Take ``rows`` out of the tallies before they walk on (sums of integers below 2**53: exact)."""
        w = self.w[rows]
        key = self.rkey[rows]
        direct, grouped = key == -1, key >= 0
        unit = float(self.unit)
        self.base -= np.bincount(self.term[rows[direct]], weights=w[direct] * unit, minlength=self.n + 2)
        gi = np.searchsorted(self.gkey, key[grouped])
        out = np.bincount(gi, weights=w[grouped].astype(np.float64), minlength=len(self.gw))
        self.gw -= out.astype(np.int64)

    def _join(self, rows: np.ndarray) -> None:
        """Put ``rows`` back: whole votes into the base tally, the others into their path's group."""
        n = self.n
        plen = self.plen[rows]
        direct = plen == 0
        w = self.w[rows]
        self.base += np.bincount(
            self.term[rows[direct]], weights=w[direct] * float(self.unit), minlength=n + 2
        )
        nd = rows[~direct]
        self.rkey[rows[direct]] = -1
        if not nd.size:
            return
        if self.merge:
            key = self.term[nd].copy()
            for level in range(self.path.shape[1]):
                key = key * (n + 1) + np.where(level < plen[~direct], self.path[nd, level] + 1, 0)
        else:
            key = nd.astype(np.int64)
        self.rkey[nd] = key
        uk, first, inv = np.unique(key, return_index=True, return_inverse=True)
        allk = np.union1d(self.gkey, uk)
        if len(allk) > len(self.gkey):  # new paths: make room, keeping the keys sorted
            at = np.searchsorted(allk, self.gkey)
            gw = np.zeros(len(allk), dtype=np.int64)
            gpath = np.zeros((len(allk), self.path.shape[1]), dtype=np.int64)
            gterm = np.zeros(len(allk), dtype=np.int64)
            gplen = np.zeros(len(allk), dtype=np.int64)
            gw[at], gpath[at], gterm[at], gplen[at] = self.gw, self.gpath, self.gterm, self.gplen
            self.gkey, self.gw, self.gpath, self.gterm, self.gplen = allk, gw, gpath, gterm, gplen
        gi = np.searchsorted(self.gkey, uk)
        rep = nd[first]  # (a key already there may be a row's own, whose path has moved on)
        self.gpath[gi], self.gterm[gi], self.gplen[gi] = self.path[rep], self.term[rep], self.plen[rep]
        add = np.bincount(inv.reshape(-1), weights=w[~direct].astype(np.float64), minlength=len(uk))
        self.gw[gi] += add.astype(np.int64)
        live = self.gw > 0
        if live.sum() * 2 < len(live):  # drop the paths no ballot follows any more
            self.gkey, self.gw, self.gpath = self.gkey[live], self.gw[live], self.gpath[live]
            self.gterm, self.gplen = self.gterm[live], self.gplen[live]

    def _stage(self) -> None:
        """This stage's groups, longest paths first so that each rank is a prefix."""
        live = np.nonzero(self.gw > 0)[0]
        order = live[np.argsort(-self.gplen[live], kind="stable")]
        plen = self.gplen[order]
        depth = int(plen[0]) if order.size else 0
        self.s_path, self.s_term, self.s_w = self.gpath[order, :depth], self.gterm[order], self.gw[order]
        self.depth = [int((plen > level).sum()) for level in range(depth)]

    def tally(self, keep: np.ndarray) -> tuple[np.ndarray, int]:
        """One Meek distribution: votes per candidate and the exhausted weight, in 1/unit."""
        unit, n2 = self.unit, self.n + 2
        acc = self.base.copy()
        rem = np.full(len(self.s_term), unit, dtype=object if self.wide else np.int64)
        for level, k in enumerate(self.depth):
            e = self.s_path[:k, level]
            give = rem[:k] * keep[e] // unit  # rounded down (HWW 1987)
            rem[:k] -= give
            acc += np.bincount(e, weights=(give * self.s_w[:k]).astype(np.float64), minlength=n2)
        acc += np.bincount(self.s_term, weights=(rem * self.s_w).astype(np.float64), minlength=n2)
        return acc[: self.n].astype(np.int64), int(acc[self.n])


@METHODS.register(
    "stv-meek",
    summary="STV, Meek's method (Hill, Wichmann & Woodall 1987)",
    aliases=("meek",),
    options=option_names(MeekOptions),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=6,
)
def stv_meek(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> Result:
    """STV by Meek's method (Hill, Wichmann & Woodall 1987; NZ rules) in fixed-point decimals."""
    b, seats = one_set(ballots, seats, "stv-meek")
    opts = _with_default_tb(merge_options(MeekOptions, options, kw, rule="stv-meek"), "backwards")
    return _count(b, seats, opts)


def _count(b: Ballots, seats: int, opts: MeekOptions, trace: list[Any] | None = None) -> Result:
    """The count itself; ``trace`` (for tests) collects (stage, iteration, keep, votes, exhausted)."""
    if not b.is_integral:
        raise RuleError("stv-meek needs whole-number ballot weights")
    n = b.n_candidates
    unit = 10**opts.precision
    rows = np.nonzero(valid_rows(b))[0]
    R0 = b.rankings[rows].astype(np.int64)
    w = b.weights[rows].astype(np.int64)
    if int(w.sum()) * unit >= 2**53:
        raise RuleError("too many ballots for the fixed-point precision; lower precision")
    C, lens, stopped = _resolve_marks(R0, n, opts.marks)
    valid_units = int(w.sum()) * unit
    keep = np.full(n, unit, dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)  # 0 hopeful, 1 elected, 2 excluded
    for c in b.withdrawn:
        keep[c] = 0
        state[c] = 2
    hopeful = int((state == 0).sum())
    if hopeful < seats:
        raise RuleError(f"{hopeful} candidates for {seats} seats")
    walk = _Walk(C, lens, stopped, w, state, seats, unit)
    pol = opts.tiebreak if isinstance(opts.tiebreak, TieBreakPolicy) else TieBreakPolicy("backwards")
    breaker = TieBreaker(pol, b.candidates)
    tol = int(opts.tolerance * unit)
    rounds: list[Round] = []
    elected: list[int] = []
    prev: dict[str, Number] | None = None
    prev_exh: Fraction = Fraction(0)
    action = "first preferences"
    stage = 0
    iterations_total = 0
    notes: list[str] = []
    while True:
        stage += 1
        it = 0
        last_surplus: int | None = None
        while True:
            votes, exh = walk.tally(keep)
            if trace is not None:
                trace.append((stage, it + 1, [int(x) for x in keep], [int(x) for x in votes], int(exh)))
            excess = valid_units - int(votes.sum())
            quota = (valid_units - excess) // (seats + 1) + 1  # HWW: truncate, then add 1e-9
            it += 1
            el = np.nonzero(state == 1)[0]
            newly = [int(c) for c in np.nonzero((state == 0) & (votes >= quota))[0]]
            if newly:
                break
            if el.size == 0:
                break
            surplus = int((votes[el] - quota).clip(min=0).sum())
            stalled = last_surplus is not None and surplus >= last_surplus
            last_surplus = surplus
            if surplus <= tol or stalled or it >= opts.max_iterations:
                if it >= opts.max_iterations:
                    notes.append(f"stage {stage}: stopped after {it} iterations")
                break
            new_keep = keep.copy()
            # keep value <- keep * quota / votes, rounded up
            # (an elected candidate whose votes have dwindled to nothing keeps its keep value: the
            # quota shrinks towards zero where every other ballot exhausts, and 0 would divide)
            el = el[votes[el] > 0]
            new_keep[el] = -(-(keep[el].astype(object) * quota) // votes[el].astype(object)).astype(np.int64)
            new_keep = np.minimum(new_keep, unit)
            if np.array_equal(new_keep, keep):
                break
            keep = new_keep
        iterations_total += it
        ties: list[TieBreak] = []
        names = {b.candidates[c]: Fraction(int(votes[c]), unit) for c in range(n) if state[c] != 2}
        exhausted = Fraction(exh, unit)
        loss = Fraction(valid_units - int(votes[state != 2].sum()) - exh, unit)
        breaker.record({c: int(votes[c]) for c in range(n) if state[c] != 2})
        transfers = {} if prev is None else {k: names.get(k, 0) - v for k, v in prev.items()}
        newly = [int(c) for c in np.nonzero((state == 0) & (votes >= quota))[0]]
        newly.sort(key=lambda c: -int(votes[c]))
        newly = newly[: seats - len(elected)]
        for c in newly:
            state[c] = 1
            elected.append(c)
        hopefuls = [int(c) for c in np.nonzero(state == 0)[0]]
        eliminated: list[int] = []
        done = False
        if len(elected) >= seats:
            done = True
        elif len(hopefuls) + len(elected) <= seats:
            hopefuls.sort(key=lambda c: -int(votes[c]))
            for c in hopefuls:
                state[c] = 1
                elected.append(c)
            newly += hopefuls
            done = True
        elif not newly:
            c, tie = pick_extreme(
                {c: int(votes[c]) for c in hopefuls},
                lowest=True,
                breaker=breaker,
                round_no=stage,
                purpose="eliminate",
            )
            if tie:
                ties.append(tie)
            eliminated = [c]
            state[c] = 2
            keep[c] = 0
        rounds.append(
            Round(
                number=stage,
                tallies=names,
                exhausted=exhausted,
                loss=loss,
                transfers=transfers,
                exhausted_transfer=exhausted - prev_exh if prev is not None else 0,
                elected=tuple(b.candidates[c] for c in newly),
                eliminated=tuple(b.candidates[c] for c in eliminated),
                action=action,
                quota=Fraction(int(quota), unit),
                ties=tuple(ties),
            )
        )
        if done:
            break
        walk.moved(newly + eliminated)
        prev = {k: v for k, v in names.items() if k not in {b.candidates[c] for c in eliminated}}
        prev_exh = exhausted
        action = (
            ("exclusion of " + b.candidates[eliminated[0]])
            if eliminated
            else ("surplus of " + ", ".join(b.candidates[c] for c in newly))
        )
    opt = asdict(opts.marks)
    opt.update(
        precision=opts.precision,
        tolerance=str(opts.tolerance),
        tiebreak=breaker.policy.describe(),
        iterations=iterations_total,
    )
    return Result(
        method="stv-meek",
        seats=seats,
        candidates=b.candidates,
        winners=tuple(b.candidates[c] for c in elected),
        rounds=tuple(rounds),
        valid=Fraction(valid_units, unit),
        quota=rounds[-1].quota,
        options=opt,
        notes=tuple(notes),
    )


__all__ = ["MeekOptions", "stv_meek"]
