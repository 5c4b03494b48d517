"""The Meek count as it was before it was made fast: the slow reference for tests/test_meek_fast.py.

A verbatim copy of ``kingmaker/counting/stv/meek.py`` at commit 00bcd31 (a loop over every rank
position of every distinct ranking per iteration, marks resolved by a Python loop per row), with
a ``trace`` hook added that records each iteration's keep values and tallies. Not registered.
"""

from __future__ import annotations

from dataclasses import asdict
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.counting._walk import valid_rows
from kingmaker.counting.options import merge_options, one_set
from kingmaker.counting.result import Result, Round
from kingmaker.counting.stv._engine import STVOptions, _with_default_tb
from kingmaker.counting.stv.meek import MeekOptions
from kingmaker.errors import RuleError
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, pick_extreme


def _meek_pass(
    R: np.ndarray, w: np.ndarray, keep: np.ndarray, unit: int, n: int, stop_codes: np.ndarray
) -> tuple[np.ndarray, int]:
    """One Meek distribution: votes per candidate and the exhausted weight, in 1/unit."""
    rem = np.full(R.shape[0], unit, dtype=np.int64)
    votes = np.zeros(n + 1, dtype=np.int64)
    keep_ext = np.concatenate([keep, [0]])
    for j in range(R.shape[1]):
        code = R[:, j]
        cidx = np.where(code >= 0, code, n)
        k = keep_ext[cidx]
        give = rem * k // unit  # rounded down (HWW 1987)
        give = np.where(stop_codes[:, j], 0, give)
        rem = np.where(stop_codes[:, j], 0, rem - give)
        votes += np.bincount(cidx, weights=(give * w).astype(np.float64), minlength=n + 1).astype(np.int64)
    exhausted = int((rem * w).sum())
    return votes[:n], exhausted


def reference_meek(
    ballots: Ballots,
    seats: int | None = None,
    options: STVOptions | None = None,
    trace: list[tuple[int, int, list[int], list[int], int]] | None = None,
    **kw: Any,
) -> Result:
    """The slow Meek count; ``trace`` collects (stage, iteration, keep, votes, exhausted)."""
    b, seats = one_set(ballots, seats, "stv-meek")
    opts = _with_default_tb(merge_options(MeekOptions, options, kw, rule="stv-meek"), "backwards")
    if not b.is_integral:
        raise RuleError("stv-meek needs whole-number ballot weights")
    n = b.n_candidates
    unit = 10**opts.precision
    rows = np.nonzero(valid_rows(b))[0]
    R0 = b.rankings[rows].astype(np.int64)
    w = b.weights[rows].astype(np.int64)
    if int(w.sum()) * unit >= 2**53:
        raise RuleError("too many ballots for the fixed-point precision; lower precision")
    # resolve marks once: positions after an exhausting mark are stopped; skip marks give nothing
    m = R0.shape[1]
    stop = np.zeros(R0.shape, dtype=bool)
    R = R0.copy()
    marks = opts.marks
    for i_row in range(R.shape[0]) if (R0 < -1).any() or marks.duplicates == "exhaust" else ():
        skips = 0
        seen: set[int] = set()
        ended = False
        for j in range(m):
            c = int(R0[i_row, j])
            if ended:
                stop[i_row, j] = True
                continue
            if c == PAD:
                ended = True
                stop[i_row, j] = True
            elif c == SKIPPED:
                skips += 1
                R[i_row, j] = -1
                if marks.skipped_limit is not None and skips >= marks.skipped_limit:
                    ended = True
                    stop[i_row, j] = True
            elif c == OVERVOTE or c <= GROUP_BASE:
                skips = 0
                R[i_row, j] = -1
                if marks.overvote == "exhaust":
                    ended = True
                    stop[i_row, j] = True
            else:
                skips = 0
                if c in seen:
                    R[i_row, j] = -1
                    if marks.duplicates == "exhaust":
                        ended = True
                        stop[i_row, j] = True
                seen.add(c)
    if not (R0 < -1).any() and marks.duplicates == "skip":
        # repeated candidates get nothing the second time round (their remainder is already kept)
        dup = np.zeros(R.shape, dtype=bool)
        for j in range(1, m):
            for k in range(j):
                dup[:, j] |= (R0[:, k] == R0[:, j]) & (R0[:, j] >= 0)
        R[dup] = -1
    valid_units = int(w.sum()) * unit
    keep = np.full(n, unit, dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)  # 0 hopeful, 1 elected, 2 excluded
    for c in b.withdrawn:
        keep[c] = 0
        state[c] = 2
    hopeful = int((state == 0).sum())
    if hopeful < seats:
        raise RuleError(f"{hopeful} candidates for {seats} seats")
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
            votes, exh = _meek_pass(R, w, keep, unit, n, stop)
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
