"""Benchmark: Monte Carlo forecast throughput, local (threads) and on a 2-worker Dask LocalCluster.

650 single-member seats, 10 parties, 12 regions (synthetic, fixed seed), regional swing, default
polling error. Target: 100,000 simulations in under 10 s with the local backend on 2 cores and
under 2 GB of memory. The Dask run uses the same seed and must give identical seats; its overhead
ratio is Dask time / local time (cluster start-up reported apart). Also timed: the same run on one
thread, and the Strong Transition Model on 650 seats x 20 parties (10,000 simulations). Wall and
CPU seconds are both printed, with the load average, so that a run on a shared machine can be told
apart. No peer library does this pipeline, so there is no peer column. Run alone:
``.venv/bin/python benchmarks/forecast.py [--sims N] [--transition-sims N] [--no-dask]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kingmaker.forecast import forecast  # noqa: E402
from kingmaker.votes import UK_REGIONS, VoteTable  # noqa: E402

T = TypeVar("T")


def synthetic_country(seats: int = 650, parties: int = 10, seed: int = 2010) -> VoteTable:
    """A country of ``seats`` x ``parties`` with regional strongholds."""
    rng = np.random.default_rng(seed)
    regions = [UK_REGIONS[i % 11] for i in range(seats)]
    strength = rng.gamma(2.0, 1.0, size=(11, parties)) * np.linspace(3, 0.3, parties)[None, :]
    alpha = np.array([strength[UK_REGIONS.index(r)] for r in regions])
    votes = (
        rng.dirichlet(np.ones(parties), size=seats) * 0 + np.vstack([rng.dirichlet(a) for a in alpha])
    ) * 45_000
    return VoteTable(
        votes.round().astype(np.int64),
        tuple(f"P{i}" for i in range(parties)),
        tuple(f"Seat {d}" for d in range(seats)),
        regions=tuple(regions),
        nations=tuple(
            "Scotland" if r == "Scotland" else "Wales" if r == "Wales" else "England" for r in regions
        ),
    )


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """``run()``, its wall-clock seconds and the CPU seconds of this process (all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sims", type=int, default=100_000)
    ap.add_argument("--transition-sims", type=int, default=10_000)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    base = synthetic_country()
    shares = {p: float(s) * 100 for p, s in zip(base.parties, base.shares(), strict=True)}
    shares["P0"] += 2.0
    shares["P1"] -= 2.0
    kw = {"model": "regional", "sims": args.sims, "seed": 1, "coalitions": ["P0+P2", "P1+P2+P3"]}
    warnings.simplefilter("ignore")
    forecast(base, shares, **(kw | {"sims": 2000}))  # warm-up (imports, normal table)
    local, t_local, cpu_local = timed(lambda: forecast(base, shares, **kw))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [("local (threads)", "regional", args.sims, t_local, cpu_local, "1.00", "")]
    one, t_one, cpu_one = timed(lambda: forecast(base, shares, **kw, workers=1))
    rows.append(
        (
            "local, 1 thread",
            "regional",
            args.sims,
            t_one,
            cpu_one,
            f"{t_one / t_local:.2f}",
            f"identical={np.array_equal(local.seats, one.seats)}",
        )
    )
    if args.transition_sims:
        base20 = synthetic_country(parties=20)
        shares20 = {p: float(s) * 100 for p, s in zip(base20.parties, base20.shares(), strict=True)}
        shares20["P0"] += 2.0
        shares20["P1"] -= 2.0
        kw20 = {"model": "transition", "sims": args.transition_sims, "seed": 1}
        forecast(base20, shares20, **(kw20 | {"sims": 500}))
        _, t_tr, cpu_tr = timed(lambda: forecast(base20, shares20, **kw20))
        rows.append(("local (threads)", "transition, 20 p.", args.transition_sims, t_tr, cpu_tr, "", ""))
    if not args.no_dask:
        from dask.distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        startup = time.perf_counter() - t0
        try:
            before = client.run(time.process_time)
            remote, t_dask, cpu_dask = timed(
                lambda: forecast(base, shares, **kw, backend="dask", scheduler=client)
            )
            after = client.run(time.process_time)
            cpu_dask += sum(after[w] - before[w] for w in after if w in before)
        finally:
            client.close()
            cluster.close()
        same = np.array_equal(local.seats, remote.seats)
        rows.append(
            (
                "dask, 2-worker LocalCluster",
                "regional",
                args.sims,
                t_dask,
                cpu_dask,
                f"{t_dask / t_local:.2f}",
                f"identical={same}; cluster start-up {startup:.1f} s not included",
            )
        )
    print(
        f"Forecast benchmark: 650 seats, synthetic; {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) at the start"
    )
    print(
        f"{'backend':<28} {'model':<18} {'sims':>8} {'wall (s)':>9} {'CPU (s)':>8} {'sims/s':>9} "
        f"{'ratio':>6}  note"
    )
    for name, model, sims, secs, cpu, ratio, note in rows:
        print(
            f"{name:<28} {model:<18} {sims:>8,} {secs:>9.2f} {cpu:>8.2f} {sims / secs:>9,.0f} {ratio:>6}  {note}"
        )
    print(
        f"peak resident memory of this process: {peak_mb:,.0f} MB; target: 100,000 regional local "
        "< 10 s, < 2 GB. CPU = process time of all threads (and Dask workers): wall well above "
        "CPU / cores means the machine was shared"
    )
    print(f"P(hung) = {local.p_hung:.3f}; median seats P0 = {local.median['P0']}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
