"""Benchmark: kingmaker's divisor engine against votelib, measured in the same run.

Cases (random votes, fixed seed):
  1. 20 parties into 650 seats (one national D'Hondt / Sainte-Laguë allocation);
  2. 10,000 districts x 10 parties x 10 seats each, D'Hondt.
Ties: kingmaker resolves every tie for a last seat by a named policy ('most-votes') and reports
it; votelib returns such seats unresolved. Run: ``.venv/bin/python benchmarks/seats.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from kingmaker.seats.divisor import highest_averages
from kingmaker.ties import TiePolicy

SEED = 20240501


def timeit(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    rng = np.random.default_rng(SEED)
    try:
        import votelib.evaluate.proportional as vp
    except ImportError:
        vp = None
        print("votelib not installed (pip install votelib): peer columns left empty")

    rows = []
    # Case 1: 20 parties, 650 seats.
    national = rng.integers(1_000, 5_000_000, size=20)
    names = [f"P{i}" for i in range(20)]
    for method, vl_name in (("dhondt", "DHondt"), ("sainte-lague", "SainteLague")):
        ours, (seats, ties) = timeit(lambda m=method: highest_averages(national, 650, m, names=names), 20)
        peer = None
        if vp is not None:
            ev = vp.HighestAverages(
                divisor_function=vl_name.lower()
                .replace("dhondt", "d_hondt")
                .replace("saintelague", "sainte_lague")
            )
            votes = dict(zip(names, national.tolist(), strict=True))
            peer, res = timeit(lambda ev=ev, votes=votes: ev.evaluate(votes, 650), 20)
            assert all(res.get(n, 0) == s for n, s in zip(names, seats[0], strict=True)), "mismatch"
        rows.append((f"20 parties -> 650 seats ({method})", ours, peer, len(ties), None))

    # Case 2: 10,000 districts x 10 parties x 10 seats.
    D, P, S = 10_000, 10, 10
    votes = rng.integers(0, 100_000, size=(D, P))
    pnames = [f"P{i}" for i in range(P)]
    policy = TiePolicy("most-votes", seed=SEED)  # equal votes too: lots, seeded
    ours, (seats, ties) = timeit(lambda: highest_averages(votes, S, "dhondt", names=pnames, tie=policy), 7)
    assert (seats.sum(axis=1) == S).all()
    peer = unresolved = None
    if vp is not None:
        ev = vp.HighestAverages(divisor_function="d_hondt")
        dicts = [dict(zip(pnames, row.tolist(), strict=True)) for row in votes]

        def run_votelib() -> list[dict]:
            return [ev.evaluate(d, S) for d in dicts]

        peer, results = timeit(run_votelib, 3)
        unresolved = 0
        mismatched = 0
        for d, res in enumerate(results):
            if any(not isinstance(key, str) for key in res):  # votelib's Tie({...}) keys
                unresolved += 1
            elif any(res.get(n, 0) != seats[d, i] for i, n in enumerate(pnames)):
                mismatched += 1
        assert mismatched == 0, f"{mismatched} districts disagree with votelib"
    rows.append((f"{D:,} districts x {P} parties x {S} seats (dhondt)", ours, peer, len(ties), unresolved))

    print(
        f"{'case':<48} {'kingmaker':>12} {'votelib':>12} {'ratio':>8} {'ties reported':>14} {'votelib unresolved':>19}"
    )
    for case, ours, peer, nties, unres in rows:
        peer_s = f"{peer * 1000:10.2f} ms" if peer is not None else "-"
        ratio = f"{peer / ours:7.1f}x" if peer is not None else "-"
        print(
            f"{case:<48} {ours * 1000:9.2f} ms {peer_s:>12} {ratio:>8} {nties:>14} {unres if unres is not None else '-':>19}"
        )
    for tie in ties[:10]:
        print(f"  tie: {tie}")


if __name__ == "__main__":
    main()
