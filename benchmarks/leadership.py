"""Benchmark: 100,000 simulated leadership contests (5 candidates, 3 college sections).

Ours: :meth:`kingmaker.leadership.Contest.simulate`, vectorised over simulations.
Peer: the same contests counted one at a time by the engine's college rule
(:func:`kingmaker.counting.college.college`, exact Fractions), timed on a sample and scaled up.
A second row times the same run with transfer uncertainty (Dirichlet noise of concentration 50
on every transfer row, 200 distinct matrices, their landing tables built inside the timing);
its sampled contests are checked against the engine with each one's own noisy matrix.
Both run here, in the same process. Target: ours under 5 s on 2 cores.

Run: ``.venv/bin/python benchmarks/leadership.py [--sims N] [--peer-sample M]``
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from kingmaker.leadership import Contest

CONFIG = """
title = "Benchmark: 5 candidates, 3 sections"
rules = "labour-2010"
candidates = ["A", "B", "C", "D", "E"]
concentration = 300

[transfers]
A = { B = 40, C = 30, D = 20, E = 5 }
B = { A = 35, C = 35, D = 20, E = 5 }
C = { B = 45, A = 25, D = 20, E = 5 }
D = { C = 50, B = 25, A = 15, E = 5 }
E = { D = 40, C = 30, B = 20, A = 5 }

[sections.mps_meps]
voters = 266
shares = { A = 40, B = 30, C = 15, D = 10, E = 5 }

[sections.members]
voters = 127000
shares = { A = 44, B = 30, C = 10, D = 9, E = 7 }

[sections.affiliates]
voters = 211000
shares = { A = 28, B = 41, C = 10, D = 9, E = 12 }
"""


def main() -> None:
    """Time ours and the per-contest engine loop; print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=100_000)
    ap.add_argument("--peer-sample", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2010)
    args = ap.parse_args()
    contest = Contest.from_toml(CONFIG, source="benchmark")
    contest.simulate(1000, seed=0)  # warm up: ranking model and landing tables are cached
    t0 = time.perf_counter()
    sim = contest.simulate(args.sims, seed=args.seed, keep=args.peer_sample)
    ours = time.perf_counter() - t0

    shares = sim.kept["shares"]
    m = args.peer_sample
    agree = 0
    t0 = time.perf_counter()
    for j in range(m):
        result = contest.count(shares={k: v[j] for k, v in shares.items()})
        agree += result.winner == contest.candidates[int(sim.winners[j])]
    peer_sample = time.perf_counter() - t0
    peer = peer_sample / m * args.sims

    noisy = dataclasses.replace(
        contest, sections=tuple(dataclasses.replace(s, transfer_concentration=50.0) for s in contest.sections)
    )
    t0 = time.perf_counter()
    nsim = noisy.simulate(args.sims, seed=args.seed, keep=m)
    ours_noisy = time.perf_counter() - t0
    agree_noisy = 0
    for j in range(m):
        result = noisy.count(
            shares={k: v[j] for k, v in nsim.kept["shares"].items()},
            transfers={k: v[j] for k, v in nsim.kept["transfers"].items()},
        )
        agree_noisy += result.winner == noisy.candidates[int(nsim.winners[j])]

    print(f"leadership Monte Carlo: {args.sims:,} contests, 5 candidates, 3 sections (college, AV)")
    print(f"{'implementation':<52} {'time (s)':>10} {'ratio':>8}")
    print(f"{'kingmaker Contest.simulate (vectorised NumPy)':<52} {ours:>10.3f} {1.0:>8.1f}")
    print(
        f"{'engine college() per contest (scaled from ' + str(m) + ')':<52} {peer:>10.3f} {peer / ours:>8.1f}"
    )
    print(
        f"{'kingmaker, with transfer uncertainty (Dirichlet 50)':<52} {ours_noisy:>10.3f} {ours_noisy / ours:>8.1f}"
    )
    print(f"winners agree with the engine on {agree}/{m} sampled contests")
    print(f"with transfer uncertainty: winners agree with the engine on {agree_noisy}/{m} sampled contests")
    print("win probability: " + ", ".join(f"{c} {p:.4f}" for c, p in sim.win_probability.items()))
    print("with transfer uncertainty: " + ", ".join(f"{c} {p:.4f}" for c, p in nsim.win_probability.items()))
    print(f"target < 5 s: {'met' if ours < 5 else 'NOT met'} ({ours:.2f} s)")
    assert np.isclose(sum(sim.win_probability.values()), 1.0)


if __name__ == "__main__":
    main()
