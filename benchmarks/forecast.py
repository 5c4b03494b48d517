"""Benchmark: Monte Carlo forecast throughput, local (threads) and on a 2-worker Dask LocalCluster.

650 single-member seats, 10 parties, 12 regions (synthetic, fixed seed), regional swing, default
polling error. Target: 100,000 simulations in under 10 s with the local backend on 2 cores and
under 2 GB of memory. The Dask run uses the same seed and must give identical seats; its overhead
ratio is Dask time / local time (cluster start-up reported apart). No peer library does this
pipeline, so there is no peer column. Run alone: ``.venv/bin/python benchmarks/forecast.py
[--sims N] [--no-dask]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kingmaker.forecast import forecast  # noqa: E402
from kingmaker.votes import UK_REGIONS, VoteTable  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sims", type=int, default=100_000)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    base = synthetic_country()
    shares = {p: float(s) * 100 for p, s in zip(base.parties, base.shares(), strict=True)}
    shares["P0"] += 2.0
    shares["P1"] -= 2.0
    kw = {"model": "regional", "sims": args.sims, "seed": 1, "coalitions": ["P0+P2", "P1+P2+P3"]}
    warnings.simplefilter("ignore")
    forecast(base, shares, **(kw | {"sims": 2000}))  # warm-up (imports, normal table)
    t = time.perf_counter()
    local = forecast(base, shares, **kw)
    t_local = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [("local (threads)", t_local, args.sims / t_local, "1.00", "")]
    if not args.no_dask:
        from dask.distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        startup = time.perf_counter() - t0
        try:
            t = time.perf_counter()
            remote = forecast(base, shares, **kw, backend="dask", scheduler=client)
            t_dask = time.perf_counter() - t
        finally:
            client.close()
            cluster.close()
        same = np.array_equal(local.seats, remote.seats)
        rows.append(
            (
                "dask, 2-worker LocalCluster",
                t_dask,
                args.sims / t_dask,
                f"{t_dask / t_local:.2f}",
                f"identical={same}; cluster start-up {startup:.1f} s not included",
            )
        )
    print(f"Forecast benchmark: {args.sims:,} simulations, 650 seats x 10 parties, regional swing")
    print(f"{'backend':<30} {'time (s)':>9} {'sims/s':>10} {'ratio':>6}  note")
    for name, secs, rate, ratio, note in rows:
        print(f"{name:<30} {secs:>9.2f} {rate:>10,.0f} {ratio:>6}  {note}")
    print(f"peak resident memory of this process: {peak_mb:,.0f} MB; target: local < 10 s, < 2 GB")
    print(f"P(hung) = {local.p_hung:.3f}; median seats P0 = {local.median['P0']}")


if __name__ == "__main__":
    main()
