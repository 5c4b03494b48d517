"""Alternative vote / instant-runoff voting on compressed ballots, with jurisdiction options.

Whenever the mark options let the reading be fixed once (everything but equal rankings that
are ``"resolve"``-d), the count rewrites the marks once with
:func:`~kingmaker.counting._walk.reach_matrix` and then moves only the rankings of eliminated
candidates on, adding their weights to the tallies instead of recounting every ranking;
otherwise it walks the marks round by round with
:class:`~kingmaker.counting._walk.BallotWalker`.

Options (:class:`IRVOptions`) model the rules of US ranked-choice jurisdictions, e.g. Maine
(21-A M.R.S. §723-A: an overvote exhausts, two consecutive skipped ranks exhaust, a repeated
candidate is skipped, batch elimination, count to the final two) and San Francisco
(overvote skipped past). The default is the plain alternative vote (UK usage): stop when a
candidate has more than half of the continuing votes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting._walk import BallotWalker, reach_matrix, valid_rows
from kingmaker.counting.options import MarkOptions, merge_options, one_set, option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, pick_extreme

#: Integer weights add up exactly in float64 (``np.bincount``) while the total is below this.
_EXACT_FLOAT = 2**53


def _first_stop(
    flat: np.ndarray, width: int, stop: np.ndarray, idx: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For rows ``idx`` of a :func:`reach_matrix` (``flat``, raveled) looking from column
    ``start`` on: (first continuing candidate or -1, its column). ``stop[code]`` is True for a
    continuing candidate and for ``-1``; only rows not yet stopped are looked at again."""
    k = len(idx)
    top = np.full(k, -1, dtype=np.int64)
    pos = np.full(k, width, dtype=np.int64)
    active = np.arange(k)
    base = idx.astype(np.int64) * width
    p = np.asarray(start, dtype=np.int64)
    while active.size:
        inside = p < width
        if not inside.all():
            active, p = active[inside], p[inside]
            if not active.size:
                break
        codes = flat[base[active] + p]
        hit = stop[codes]
        done = active[hit]
        top[done] = codes[hit]
        pos[done] = p[hit]
        miss = ~hit
        active, p = active[miss], p[miss] + 1
    return top, pos


class _ReachCounter:
    """Round-by-round tallies over a :func:`reach_matrix`.

    Keeps each row's current choice; on an elimination only the rows sitting with the
    eliminated candidates are moved on, and (for integral weights) their weights are added to
    the new choices' tallies, exactly, instead of recounting every row.
    """

    def __init__(self, C: np.ndarray, w: np.ndarray, n: int, alive: np.ndarray, integral: bool):
        self.C = np.ascontiguousarray(C)
        self.width = C.shape[1]
        self.flat = self.C.reshape(-1)
        self.n = n
        self.wf = w.astype(np.float64)
        k = C.shape[0]
        stop = self._stop(alive)
        top = self.C[:, 0].astype(np.int64) if self.width else np.full(k, -1, dtype=np.int64)
        self.pos = np.zeros(k, dtype=np.int64)
        far = np.flatnonzero(~stop[top])
        if far.size:
            t2, p2 = _first_stop(self.flat, self.width, stop, far, np.ones(far.size, dtype=np.int64))
            top[far] = t2
            self.pos[far] = p2
        self.top = top
        self.incremental = integral and float(self.wf.sum()) < _EXACT_FLOAT
        if self.incremental:
            self.tally = self._bincount(np.where(top >= 0, top, n), self.wf)

    def _stop(self, alive: np.ndarray) -> np.ndarray:
        stop = np.zeros(self.n + 2, dtype=bool)
        stop[: self.n] = alive
        stop[-1] = True  # code -1: the ballot exhausts
        return stop

    def _bincount(self, top: np.ndarray, wf: np.ndarray) -> np.ndarray:
        """Exact integer tallies (index ``n``: exhausted) of rows at ``top`` weighing ``wf``."""
        t = np.bincount(top, weights=wf, minlength=self.n + 1) if top.size else np.zeros(self.n + 1)
        return t.astype(np.int64)

    def tallies(self) -> np.ndarray:
        if self.incremental:
            return self.tally
        top = self.top
        live = top >= 0
        return np.bincount(top[live], weights=self.wf[live], minlength=self.n)

    def exhausted(self) -> float:
        return float(self.wf[self.top < 0].sum())

    def eliminate(self, eliminated: list[int], alive: np.ndarray) -> None:
        top = self.top
        if len(eliminated) == 1:
            moved = np.flatnonzero(top == eliminated[0])
        else:
            out = np.zeros(self.n + 2, dtype=bool)
            out[eliminated] = True
            moved = np.flatnonzero(out[top])
        if not moved.size:
            return
        t2, p2 = _first_stop(self.flat, self.width, self._stop(alive), moved, self.pos[moved] + 1)
        top[moved] = t2
        self.pos[moved] = p2
        if self.incremental:
            self.tally[eliminated] = 0
            # -1 (exhausted) lands in the extra slot n
            self.tally += self._bincount(np.where(t2 >= 0, t2, self.n), self.wf[moved])


class _WalkCounter:
    """Round-by-round tallies with :class:`BallotWalker` (marks whose reading depends on who continues)."""

    def __init__(self, b: Ballots, rows: np.ndarray, w: np.ndarray, marks: MarkOptions, alive: np.ndarray):
        self.n = b.n_candidates
        self.rows = rows
        self.wf = w.astype(np.float64)
        self.walker = BallotWalker(b, marks)
        self.top, self.pos = self.walker.advance(rows, np.zeros(len(rows), dtype=np.int64), alive)
        self.incremental = False

    def tallies(self) -> np.ndarray:
        top = self.top
        live = top >= 0
        return np.bincount(top[live], weights=self.wf[live], minlength=self.n)

    def exhausted(self) -> float:
        return float(self.wf[self.top < 0].sum())

    def eliminate(self, eliminated: list[int], alive: np.ndarray) -> None:
        top = self.top
        moved = np.nonzero(np.isin(top, eliminated))[0]
        if moved.size:
            t2, p2 = self.walker.advance(self.rows[moved], self.pos[moved] + 1, alive)
            top[moved] = t2
            self.pos[moved] = p2


@dataclass(frozen=True)
class IRVOptions:
    """Options of an instant-runoff count (see the module docstring).

    ``until``: ``"majority"`` stops when a candidate has more than half of the continuing
    votes; ``"two"`` goes on until two remain. ``batch``: eliminate at once every candidate
    who cannot win (the lowest group whose total is below the next-higher candidate).
    ``min_votes``: candidates below this many first-round votes are eliminated together.
    """

    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    until: str = "majority"
    batch: bool = False
    min_votes: float | None = None
    tiebreak: TieBreakPolicy = TieBreakPolicy("backwards")  # noqa: RUF009

    def __post_init__(self) -> None:
        if self.until not in ("majority", "two"):
            raise InputError("until must be 'majority' or 'two'")


def _num(x: Any, integral: bool) -> Number:
    return int(x) if integral else float(x)


@METHODS.register(
    "av",
    summary="alternative vote / instant runoff (one seat)",
    aliases=("irv",),
    options=option_names(IRVOptions),
    properties=("float-conservation", "permutation-invariant", "seeded", "single-winner", "fills-seats"),
    places=4,
)
def irv(ballots: Ballots, seats: int | None = 1, options: IRVOptions | None = None, **kw: Any) -> Result:
    """Count by the alternative vote (instant runoff); one winner.

    Keyword shortcuts: ``overvote``, ``skipped_limit``, ``duplicates``, ``equal_rankings``,
    ``until``, ``batch``, ``min_votes``, ``tiebreak`` (name or policy), ``seed``, ``order``.
    ``seats=None``: the ballot file's, else 1 (more than one is an error).
    """
    b, seats = one_set(ballots, seats, "av", default=1)
    if seats != 1:
        raise RuleError("the alternative vote fills one seat; use an STV method for more")
    opts = merge_options(IRVOptions, options, kw, rule="av")
    n = b.n_candidates
    integral = b.is_integral
    ok = valid_rows(b)
    if ok.all():
        rows, R, w = None, b.rankings, b.weights
    else:
        rows = np.flatnonzero(ok)
        R, w = b.rankings[rows], b.weights[rows]
    valid = _num(w.sum(), integral)
    alive = np.ones(n, dtype=bool)
    alive[list(b.withdrawn)] = False
    if alive.sum() == 0:
        raise RuleError("every candidate has withdrawn")
    C = reach_matrix(R, n, bool(b.groups), opts.marks)
    counter: _ReachCounter | _WalkCounter
    if C is not None:
        counter = _ReachCounter(C, w, n, alive, integral)
    else:
        counter = _WalkCounter(b, np.arange(len(R)) if rows is None else rows, w, opts.marks, alive)
    breaker = TieBreaker(opts.tiebreak, b.candidates)
    rounds: list[Round] = []
    prev: dict[str, Number] | None = None
    prev_exh: Number = 0
    winners: tuple[str, ...] = ()
    rnd = 0
    while True:
        rnd += 1
        tally = counter.tallies()
        tallies = {c: _num(tally[c], integral) for c in range(n) if alive[c]}
        breaker.record(tallies)
        exhausted = valid - sum(tallies.values()) if integral else counter.exhausted()
        names = {b.candidates[c]: v for c, v in tallies.items()}
        transfers = {}
        if prev is not None:
            transfers = {c: names.get(c, 0) - v for c, v in prev.items()}
        cont_total = sum(tallies.values())
        ties: list[TieBreak] = []
        elected: tuple[str, ...] = ()
        eliminated: list[int] = []
        n_alive = len(tallies)
        top_cand = max(tallies, key=lambda c: tallies[c])
        majority = tallies[top_cand] * 2 > cont_total
        # two left: the one with more votes wins now (a tie is broken by the policy, as RCTab
        # does), with no last round of one candidate
        if n_alive <= 2 or (majority and opts.until == "majority") or cont_total == 0:
            if n_alive > 1:
                top_cand, tie = pick_extreme(
                    tallies, lowest=False, breaker=breaker, round_no=rnd, purpose="elect"
                )
                if tie:
                    ties.append(tie)
            elected = (b.candidates[top_cand],)
            winners = elected
        else:
            if rnd == 1 and opts.min_votes is not None:
                below = [c for c, v in tallies.items() if v < opts.min_votes]
                if len(below) <= n_alive - 2:
                    eliminated = below
            if not eliminated and opts.batch:
                eliminated = batch_losers(tallies, keep=2)
            if not eliminated:
                loser, tie = pick_extreme(
                    tallies, lowest=True, breaker=breaker, round_no=rnd, purpose="eliminate"
                )
                if tie:
                    ties.append(tie)
                eliminated = [loser]
        rounds.append(
            Round(
                number=rnd,
                tallies=names,
                exhausted=exhausted,
                transfers=transfers,
                exhausted_transfer=exhausted - prev_exh if prev is not None else 0,
                elected=elected,
                eliminated=tuple(b.candidates[c] for c in eliminated),
                action="first preferences" if rnd == 1 else "transfer of " + ", ".join(rounds[-1].eliminated),
                ties=tuple(ties),
            )
        )
        if winners:
            break
        prev, prev_exh = names, exhausted
        alive[eliminated] = False
        counter.eliminate(eliminated, alive)
    return Result(
        method="av",
        seats=1,
        candidates=b.candidates,
        winners=winners,
        rounds=tuple(rounds),
        valid=valid,
        options=_options_dict(opts),
    )


def batch_losers(tallies: dict[int, Number], keep: int) -> list[int]:
    """The largest group of lowest candidates whose combined votes are below the next one up.

    Leaves at least ``keep`` candidates. Empty when no group of two or more qualifies.
    """
    order = sorted(tallies, key=lambda c: tallies[c])
    best = 0
    total: Number = 0
    for k in range(1, len(order) - keep + 1):
        total += tallies[order[k - 1]]
        if total < tallies[order[k]]:
            best = k
    return order[:best] if best >= 2 else []


def _options_dict(opts: IRVOptions) -> dict[str, Any]:
    d = asdict(opts.marks)
    d.update(until=opts.until, batch=opts.batch, min_votes=opts.min_votes, tiebreak=opts.tiebreak.describe())
    return d
