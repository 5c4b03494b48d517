"""Benchmark: kingmaker's Meek STV against kingmaker's Scottish STV and pref_voting's stv_meek.

Issue 15's Meek row: Meek's method within 20x of the Scottish count on the same ballots, at
sizes past the comfortable ones. Ballots come from a Plackett-Luce model (Zipf-like worths,
fixed seed) with a realistic rank-length distribution (geometric from 1, mean about 3.6, capped
at the number of candidates); each size is written once to a BLT file.

Each side runs ``--repeats`` times, each time in a fresh subprocess, and reports two times:
end to end (read the BLT file, group the ballots, count) and count only (the count call on
ballots already read). pref_voting has no BLT reader, so its side reads the file with a short
Python parser and builds its ``ProfileWithTies`` (that is its read + group); its runs have a
timeout, and at sizes above ``--peer-max`` ballots it is skipped (said so in the table).
Printed: min and median of each, the Meek / Scottish ratio (the issue's target: at most 20x),
the peer / kingmaker Meek ratio, whether the winners agree, and the machine load
(``os.getloadavg()``) before and after each size. Run alone:
``.venv/bin/python benchmarks/meek.py [--quick] [--big] [--repeats N] [--sizes '200 x 8 x 3,...']``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]

SIZES = {
    "200 x 8 x 3": (200, 8, 3),  # a size the peer finishes at (about 40 s for it)
    "10k x 20 x 5": (10_000, 20, 5),
    "100k x 40 x 7": (100_000, 40, 7),
    "100k x 100 x 7": (100_000, 100, 7),
    "1M x 40 x 7": (1_000_000, 40, 7),
}


def ballots(n_ballots: int, n_cand: int, seed: int = 2024) -> np.ndarray:
    """Rankings padded with -1: Plackett-Luce orders cut to a geometric length from 1 (mean ~3.6)."""
    rng = np.random.default_rng(seed)
    worth = 1.0 / np.arange(1, n_cand + 1) ** 0.8
    keys = np.log(worth)[None, :] + rng.gumbel(size=(n_ballots, n_cand))  # Gumbel trick
    order = np.argsort(-keys, axis=1).astype(np.int32)
    lengths = np.minimum(rng.geometric(0.28, size=n_ballots), n_cand)
    order[np.arange(n_cand)[None, :] >= lengths[:, None]] = -1
    return order


KINGMAKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from kingmaker.ballots import Ballots
from kingmaker.counting import count
method, path, seats = sys.argv[1], sys.argv[2], int(sys.argv[4])
count(Ballots.from_rankings([["a", "b"], ["b"], ["c"]]), method=method, seats=1)  # imports, as the peer's
t0 = time.perf_counter()
b = Ballots.read(path)
t1 = time.perf_counter()
r = count(b, method=method, seats=seats)
t2 = time.perf_counter()
print(json.dumps({"e2e": t2 - t0, "count": t2 - t1, "winners": sorted(r.winners),
                  "iterations": r.options.get("iterations"), "unique": b.n_unique}))
"""

PREF_VOTING = r"""
import json, sys, time
path, seats = sys.argv[1], int(sys.argv[2])
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_meek
t0 = time.perf_counter()
with open(path, encoding="utf-8") as f:
    lines = [ln.strip() for ln in f if ln.strip()]
nc = int(lines[0].split()[0])
grouped = {}
i = 1
while lines[i] != "0":
    parts = lines[i].split()
    key = tuple(int(x) - 1 for x in parts[1:-1])
    grouped[key] = grouped.get(key, 0) + int(parts[0])
    i += 1
names = [ln.strip('"') for ln in lines[i + 1 : i + 1 + nc]]
rks = [{c: k + 1 for k, c in enumerate(r)} for r in grouped]
prof = ProfileWithTies(rks, rcounts=list(grouped.values()), candidates=list(range(nc)))
prof.use_extended_strict_preference()
t1 = time.perf_counter()
winners = stv_meek(prof, num_seats=seats)
t2 = time.perf_counter()
print(json.dumps({"e2e": t2 - t0, "count": t2 - t1, "winners": sorted(names[c] for c in winners)}))
"""


def run(code: str, args: list[str], timeout: float) -> dict:
    """One fresh process; its JSON line, or the reason there is none."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": "not installed" if "ModuleNotFoundError" in last else last[:70]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def side(code: str, args: list[str], repeats: int, timeout: float) -> dict:
    """``repeats`` fresh runs of one side: min and median of both times (or the first error)."""
    runs = []
    for _ in range(repeats):
        res = run(code, args, timeout)
        if "error" in res:
            return res
        runs.append(res)
    out = dict(runs[0])
    for key in ("e2e", "count"):
        vals = [r[key] for r in runs]
        out[key] = (min(vals), statistics.median(vals))
    return out


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="only 200 x 8 x 3 and 10k x 20 x 5")
    ap.add_argument("--big", action="store_true", help="add 100k x 100 x 7 and 1M x 40 x 7")
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes per side")
    ap.add_argument("--timeout", type=float, default=600.0, help="timeout of one kingmaker run")
    ap.add_argument("--peer-timeout", type=float, default=300.0, help="timeout of one pref_voting run")
    ap.add_argument("--peer-max", type=int, default=10_000, help="largest size the peer is run at")
    ap.add_argument("--sizes", help="comma-separated sizes to run, from: " + ", ".join(SIZES))
    args = ap.parse_args()
    names = list(SIZES)[:2] if args.quick else list(SIZES)[:3]
    if args.big:
        names += ["100k x 100 x 7", "1M x 40 x 7"]
    if args.sizes:
        names = [x.strip() for x in args.sizes.split(",")]
        unknown = [x for x in names if x not in SIZES]
        if unknown:
            raise SystemExit(f"unknown size {unknown[0]!r}: choose from {', '.join(SIZES)}")
    print(f"{os.cpu_count()} CPUs; {args.repeats} fresh processes per side; times in seconds (min / median)")
    head = f"{'size':15} {'side':22} {'e2e min':>8} {'e2e med':>8} {'count min':>9} {'count med':>9}  note"
    print(head)
    summary = []
    with tempfile.TemporaryDirectory() as d:
        for label in names:
            n, nc, seats = SIZES[label]
            from kingmaker.ballots import Ballots

            path = os.path.join(d, f"meek_{n}_{nc}.blt")
            b = Ballots.from_matrix(ballots(n, nc), [f"C{i}" for i in range(nc)], seats=seats)
            b.write(path)
            before = load()
            km = [str(ROOT), str(seats)]
            meek = side(KINGMAKER, ["stv-meek", path, *km], args.repeats, args.timeout)
            scot = side(KINGMAKER, ["stv-scottish", path, *km], args.repeats, args.timeout)
            if n > args.peer_max:
                peer = {"error": f"skipped: over --peer-max {args.peer_max:,} ballots"}
            else:
                peer = side(PREF_VOTING, [path, str(seats)], args.repeats, args.peer_timeout)
            after = load()
            for who, res in (
                ("kingmaker stv-meek", meek),
                ("kingmaker stv-scottish", scot),
                ("pref_voting stv_meek", peer),
            ):
                if "error" in res:
                    print(f"{label:15} {who:22} {'-':>8} {'-':>8} {'-':>9} {'-':>9}  {res['error']}")
                    continue
                note = ""
                if who == "kingmaker stv-meek":
                    note = f"{res['unique']:,} distinct rankings, {res['iterations']} iterations"
                elif who.startswith("pref_voting") and "winners" in meek:
                    note = (
                        "winners agree"
                        if res["winners"] == meek["winners"]
                        else f"winners DIFFER {res['winners']}"
                    )
                e, c = res["e2e"], res["count"]
                print(f"{label:15} {who:22} {e[0]:8.3f} {e[1]:8.3f} {c[0]:9.4f} {c[1]:9.4f}  {note}")
            print(f"{label:15} load average before {before}, after {after}")
            summary.append((label, meek, scot, peer))
    print("\nratios of min times (median in brackets):")
    for label, meek, scot, peer in summary:
        if "error" in meek:
            continue
        parts = []
        for key in ("e2e", "count"):
            if "error" not in scot:
                r = [meek[key][i] / scot[key][i] for i in (0, 1)]
                parts.append(f"Meek/Scottish {key} {r[0]:.1f}x ({r[1]:.1f}x)")
            if "error" not in peer:
                r = [peer[key][i] / meek[key][i] for i in (0, 1)]
                parts.append(f"pref_voting/Meek {key} {r[0]:.1f}x ({r[1]:.1f}x)")
        print(f"  {label:15} " + "; ".join(parts))
    print("target (issue 15): Meek/Scottish at most 20x on the same ballots")


if __name__ == "__main__":
    main()
