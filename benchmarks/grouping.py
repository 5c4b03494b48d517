"""Benchmark: grouping identical rankings (``compress_rankings``) against the numpy floor.

The floor is ``np.unique`` over a byte (void) view of the same rows with ``return_inverse``,
the least any row grouping in numpy does. Rankings come from a Plackett-Luce model (fixed seed,
truncated). Sizes: 1M ballots x 10, 15, 16, 20, 30, 40, 60 and 100 candidates (15 -> 16 was a
10x cliff: the one packed int64 key ran out), and with ``--big`` 10M x 20 (run once).
Each side runs ``--repeats`` times, each in a fresh process; min, median and peak memory (the
process's VmHWM, input included) are printed with the machine load, and the CPU seconds of
the process beside the wall time (steadier when the machine is shared).
Run: ``.venv/bin/python benchmarks/grouping.py [--quick] [--big] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fresh_runs import load_line, run_fresh, summary
from count import plackett_luce

SIDE = r"""
import numpy as np
side, path = sys.argv[1], sys.argv[2]
mat = np.load(path)
from kingmaker.ballots import compress_rankings
sys.path.insert(0, ROOT + "/tests")
from _reference_grouping import compress_rankings_reference
before = peak_mb()
t0 = time.perf_counter()
c0 = time.process_time()
if side in ("kingmaker", "before"):  # before: the grouping as it was (tests/_reference_grouping.py)
    rows, w = (compress_rankings if side == "kingmaker" else compress_rankings_reference)(mat)
    k = len(rows)
else:  # the floor: np.unique over a void view of each row's bytes
    v = np.ascontiguousarray(mat).view(np.dtype((np.void, mat.shape[1] * mat.itemsize))).ravel()
    u, inv = np.unique(v, return_inverse=True)
    k = len(u)
result = {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "unique": k, "input_mb": before}
"""


def make(path: Path, n: int, n_cand: int) -> None:
    """Write ``n`` Plackett-Luce rankings of ``n_cand`` candidates as one .npy, in slices."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.int32, shape=(n, n_cand))
    step = 1_000_000
    for i in range(0, n, step):
        out[i : i + step] = plackett_luce(min(step, n - i), n_cand, seed=2024 + i // step)
    out.flush()
    del out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="100k ballots, 10/16/40 candidates")
    ap.add_argument("--big", action="store_true", help="also 10M x 20, one run each side")
    ap.add_argument("--only-big", action="store_true", help="10M x 20 alone")
    ap.add_argument(
        "--sides", default="floor,kingmaker", help="which sides to run (before: the old grouping)"
    )
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--before", action="store_true", help="also time the old grouping, once")
    args = ap.parse_args()
    cases = [(1_000_000, c, args.repeats) for c in (10, 15, 16, 20, 30, 40, 60, 100)]
    if args.quick:
        cases = [(100_000, c, args.repeats) for c in (10, 16, 40)]
    if args.big or args.only_big:
        cases = [*([] if args.only_big else cases), (10_000_000, 20, 1)]
    print(load_line())
    print(
        f"{'ballots x candidates':22} {'side':10} {'min s':>8} {'median s':>9} {'peak MB':>8} "
        f"{'input MB':>9} {'unique':>9} {'vs floor':>9} {'cpu min':>8} {'cpu vs floor':>12}"
    )
    with tempfile.TemporaryDirectory() as d:
        for n, nc, reps in cases:
            path = Path(d) / f"m_{n}_{nc}.npy"
            make(path, n, nc)
            floor = floor_cpu = None
            sides = [x for x in args.sides.split(",") if x] + (["before"] if args.before else [])
            for side in sides:
                runs = run_fresh(SIDE, [side, str(path)], 1 if side == "before" else reps, args.timeout)
                label = f"{n:,} x {nc}"
                if isinstance(runs, str):
                    print(f"{label:22} {side:10} {runs}")
                    continue
                lo, med = summary(runs)
                peak = max(r["peak_mb"] for r in runs)
                cpu = min(r["cpu"] for r in runs)
                ratio = cpu_ratio = ""
                if side != "floor" and floor is not None:
                    ratio, cpu_ratio = f"{lo / floor:.2f}x", f"{cpu / floor_cpu:.2f}x"
                if side == "floor":
                    floor, floor_cpu = lo, cpu
                print(
                    f"{label:22} {side:10} {lo:8.3f} {med:9.3f} {peak:8.0f} {runs[0]['input_mb']:9.0f} "
                    f"{runs[0]['unique']:9,} {ratio:>9} {cpu:8.3f} {cpu_ratio:>12}",
                    flush=True,
                )
            path.unlink()
    print(load_line())
    print("vs floor = kingmaker min / floor min (lower is better; below 1: faster than the floor)")
    print("cpu vs floor = the same in CPU seconds of each process")


if __name__ == "__main__":
    main()
