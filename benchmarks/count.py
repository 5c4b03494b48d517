"""Benchmark: kingmaker's AV and STV counts against peer libraries, in the same run.

Ballots come from a Plackett-Luce model (fixed seed, truncated rankings). Each peer runs in
its own subprocess with a timeout; a peer that is not installed or times out is reported as
such. Peers: pyrankvote, votelib (Gregory transfers, Droop quota, a retainer that breaks a
last-place tie by candidate number since votelib raises on one), pref_voting (IRV,
``stv_scottish`` and ``stv_meek``, the only installed peer with Meek's method, given
``--meek-timeout``), votekit, and pystv (the PyPI distribution ``pystv`` installs the module
``pyrcv``; it breaks ties at random). Run alone: ``.venv/bin/python benchmarks/count.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _fresh_runs import load_line  # noqa: E402


def plackett_luce(n_ballots: int, n_cand: int, seed: int = 2024, max_len: int | None = None) -> np.ndarray:
    """Rankings (padded with -1) drawn from Plackett-Luce with Zipf-like worths, truncated."""
    rng = np.random.default_rng(seed)
    worth = 1.0 / np.arange(1, n_cand + 1) ** 0.8
    # Gumbel trick: sorting log-worth + Gumbel noise samples a Plackett-Luce ranking
    keys = np.log(worth)[None, :] + rng.gumbel(size=(n_ballots, n_cand))
    order = np.argsort(-keys, axis=1).astype(np.int32)
    max_len = max_len or n_cand
    lengths = rng.integers(1, max_len + 1, size=n_ballots)
    order[np.arange(n_cand)[None, :] >= lengths[:, None]] = -1
    return order


PEER_CODE = r"""
import json, sys, time
import numpy as np
peer, kind, path, seats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if peer != "kingmaker":
    __import__({"pystv": "pyrcv", "votelib": "votelib.evaluate.sequential"}.get(peer, peer))  # untimed
t_read = time.perf_counter()
c_read = time.process_time()  # CPU seconds too: steadier than wall time on a loaded machine
if peer == "kingmaker":
    pass  # reads the file itself, below
elif path.endswith(".blt"):  # end to end: read the ballot file and aggregate, as a peer user must
    from collections import Counter
    agg = Counter()
    with open(path) as f:
        nc = int(f.readline().split()[0])
        for line in f:
            toks = line.split()
            if toks == ["0"]:
                break
            agg[tuple(int(t) - 1 for t in toks[1:-1])] += int(toks[0])
    width = max(map(len, agg), default=0)
    mat = np.full((len(agg), width), -1, dtype=np.int32)
    for i, r in enumerate(agg):
        mat[i, : len(r)] = r
    w = np.fromiter(agg.values(), dtype=np.int64, count=len(agg))
else:
    data = np.load(path)
    mat = data["rows"]; w = data["weights"]; nc = int(data["nc"])
if peer != "kingmaker":
    names = [f"C{i}" for i in range(nc)]
    rankings = [[names[c] for c in row if c >= 0] for row in mat]
t0 = time.perf_counter()
if peer == "kingmaker":  # end to end only: read, group and count, all timed
    from kingmaker.ballots import Ballots
    from kingmaker.counting import count as km_count
    tiny = Ballots.read(b"2 1\n1 1 2 0\n0\n\"A\"\n\"B\"\n", format="blt")  # imports, untimed
    km_count(tiny, method="av" if kind == "av" else "stv-scottish", seats=1)
    t_read = time.perf_counter()
    c_read = time.process_time()
    b = Ballots.read(path)
    t1 = t0 = time.perf_counter()
    winners = list(km_count(b, method="av" if kind == "av" else "stv-scottish", seats=seats).winners)
elif peer == "pyrankvote":
    import pyrankvote
    from pyrankvote import Candidate, Ballot
    cands = [Candidate(n) for n in names]
    bl = []
    for r, k in zip(rankings, w):
        b = Ballot(ranked_candidates=[cands[int(x[1:])] for x in r])
        bl.extend([b] * int(k))
    t1 = time.perf_counter()
    if kind == "meek":
        raise SystemExit("no Meek method")
    if kind == "av":
        res = pyrankvote.instant_runoff_voting(cands, bl)
    else:
        res = pyrankvote.single_transferable_vote(cands, bl, number_of_seats=seats)
    winners = [c.name for c in res.get_winners()]
elif peer == "votelib":
    import votelib.evaluate.sequential
    class Retain:
        # votelib raises NotImplementedError on a tie for last place; keep the n best and
        # drop the later-numbered of tied candidates (kingmaker looks back instead)
        def evaluate(self, votes, n_seats):
            return sorted(votes, key=lambda c: (-votes[c], int(c[1:])))[:n_seats]
    votes = {}
    for r, k in zip(rankings, w):
        votes[tuple(r)] = votes.get(tuple(r), 0) + int(k)
    t1 = time.perf_counter()
    # Gregory transfers (votelib's default) and the Droop quota floor(v/(s+1)) + 1, as SSI 2007/42
    ev = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop", retainer=Retain())
    winners = list(ev.evaluate(votes, 1 if kind == "av" else seats))
elif peer == "pref_voting":
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.voting_methods import instant_runoff
    from pref_voting.proportional_methods import stv_meek, stv_scottish
    rks = [{names.index(c): i + 1 for i, c in enumerate(r)} for r in rankings]
    prof = ProfileWithTies(rks, rcounts=[int(k) for k in w], candidates=list(range(nc)))
    prof.use_extended_strict_preference()
    t1 = time.perf_counter()
    if kind == "av":
        winners = [names[c] for c in instant_runoff(prof)]
    elif kind == "meek":
        winners = [names[c] for c in stv_meek(prof, num_seats=seats)]
    else:
        winners = [names[c] for c in stv_scottish(prof, num_seats=seats)]
elif peer == "votekit":
    from votekit import PreferenceProfile
    from votekit.elections import IRV, STV
    from fractions import Fraction
    try:
        from votekit import RankBallot as B
        bl = [B(ranking=tuple(frozenset({c}) for c in r), weight=int(k)) for r, k in zip(rankings, w)]
        prof = PreferenceProfile(ballots=tuple(bl), candidates=tuple(names))
    except ImportError:
        from votekit import Ballot as B
        bl = [B(ranking=tuple(frozenset({c}) for c in r), weight=Fraction(int(k))) for r, k in zip(rankings, w)]
        prof = PreferenceProfile(ballots=tuple(bl), candidates=tuple(names))
    t1 = time.perf_counter()
    if kind == "meek":
        raise SystemExit("no Meek method")
    el = IRV(prof) if kind == "av" else STV(prof, m=seats)
    winners = sorted(c for s in el.get_elected() for c in s)
elif peer == "pystv":
    import pyrcv  # the PyPI distribution "pystv" installs the module "pyrcv"
    md = pyrcv.RaceMetadata("bench", 1 if kind == "av" else seats, names)
    race = pyrcv.RaceData(md, [[int(c) + 1 for c in row if c >= 0] for row in mat], [int(k) for k in w])
    t1 = time.perf_counter()
    res = pyrcv.run_rcv(race)
    winners = [names[c - 1] for rnd in res.rounds for c in rnd.elected]  # per-round lists
else:
    raise SystemExit("unknown peer")
t2 = time.perf_counter()
print(json.dumps({"read": t0 - t_read, "build": t1 - t0, "count": t2 - t1, "total": t2 - t_read,
                  "cpu": time.process_time() - c_read, "winners": sorted(winners)}))
"""


def run_peer(peer: str, kind: str, path: str, seats: int, timeout: float, repeats: int = 1) -> dict:
    """Run one side ``repeats`` times, each in a fresh process; each timing is the min over runs
    and ``total_median`` the median end-to-end time."""
    runs = []
    for _ in range(repeats):
        try:
            out = subprocess.run(
                [sys.executable, "-c", PEER_CODE, peer, kind, path, str(seats)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timeout > {timeout:.0f} s"}
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["failed"])[-1]
            return {"error": ("not installed" if "ModuleNotFoundError" in last else last[:60])}
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {k: min(r[k] for r in runs) for k in ("read", "build", "count", "total", "cpu")}
    return {
        **best,
        "total_median": statistics.median(r["total"] for r in runs),
        "cpu_median": statistics.median(r["cpu"] for r in runs),
        "winners": runs[0]["winners"],
    }


def write_blt_lines(path: str, mat: np.ndarray) -> None:
    """One ballot a line, weight 1: the unaggregated file that the end-to-end column reads."""
    nc = mat.shape[1]
    with open(path, "w") as f:
        f.write(f"{nc} 1\n")
        step = 200_000
        for i in range(0, len(mat), step):
            f.write(
                "".join("1 " + " ".join(str(c + 1) for c in r if c >= 0) + " 0\n" for r in mat[i : i + step])
            )
        f.write("0\n" + "".join(f'"C{i}"\n' for i in range(nc)) + '"bench"\n')


def ours(kind: str, mat: np.ndarray, seats: int, method: str) -> dict:
    from kingmaker.ballots import Ballots
    from kingmaker.counting import count

    names = [f"C{i}" for i in range(mat.shape[1])]
    t0 = time.perf_counter()
    b = Ballots.from_matrix(mat, names)
    t1 = time.perf_counter()
    r = count(b, method=method, seats=seats)
    t2 = time.perf_counter()
    best = t2 - t1
    for _ in range(2):  # best of three for the count itself
        t = time.perf_counter()
        count(b, method=method, seats=seats)
        best = min(best, time.perf_counter() - t)
    return {"build": t1 - t0, "count": best, "winners": sorted(r.winners), "ballots": b}


def cvr_load(n: int) -> float:
    from kingmaker.io.cvr import read_cvr

    mat = plackett_luce(n, 10, seed=5)
    names = np.array([f"Candidate {i}" for i in range(10)] + ["undervote"], dtype=object)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "cvr.csv"
        import pandas as pd

        df = pd.DataFrame(
            {f"Rank {j + 1}": names[np.where(mat[:, j] >= 0, mat[:, j], 10)] for j in range(10)}
        )
        df.to_csv(p, index=False)
        t0 = time.perf_counter()
        b = read_cvr(p)
        dt = time.perf_counter() - t0
        assert b.total == n
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--meek-timeout", type=float, default=400.0, help="timeout of the Meek peer run")
    ap.add_argument("--peers", default="pyrankvote,votelib,pref_voting,votekit,pystv")
    ap.add_argument("--repeats", type=int, default=3, help="fresh-process runs a side, end to end")
    ap.add_argument("--e2e-peers", default="pyrankvote,pystv,votelib", help="peers in the end-to-end table")
    args = ap.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    cases = [
        ("av", 10_000, 10, 1, "av"),
        ("av", 100_000, 10, 1, "av"),
        ("av", 1_000_000, 10, 1, "av"),
        ("stv", 100_000, 15, 5, "stv-scottish"),
        ("stv", 10_000, 15, 5, "stv-meek"),
    ]
    e2e_cases = [(100_000, 20), (1_000_000, 20)]
    if args.quick:
        cases = [c for c in cases if c[1] <= 10_000] + [("stv", 10_000, 15, 5, "stv-scottish")]
        e2e_cases = [(10_000, 20)]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for kind, n, nc, seats, method in cases:
            mat = plackett_luce(n, nc, max_len=nc if kind == "av" else 6)
            mine = ours(kind, mat, seats, method)
            b = mine.pop("ballots")
            path = os.path.join(d, f"{kind}_{n}.npz")
            np.savez(path, rows=b.rankings, weights=b.weights, nc=nc)
            label = f"{method} {n:,} ballots ({b.n_unique:,} unique)"
            rows.append((label, "kingmaker", mine["build"], mine["count"], "-"))
            peer_kind = "meek" if method == "stv-meek" else kind
            for peer in peers:
                if method == "stv-meek" and peer != "pref_voting":
                    continue  # the only installed peer with Meek's method is pref_voting
                timeout = max(args.timeout, args.meek_timeout) if method == "stv-meek" else args.timeout
                res = run_peer(peer, peer_kind, path, seats, timeout)
                if "error" in res:
                    rows.append((label, peer, None, None, res["error"]))
                else:
                    agree = "yes" if res["winners"] == mine["winners"] else f"NO {res['winners']}"
                    rows.append((label, peer, res["build"], res["count"], agree))
    print(load_line())
    print(f"{'case':44} {'library':12} {'build s':>9} {'count s':>9} {'count ratio':>12}  winners agree")
    ours_count = {}
    for label, lib, build, cnt, agree in rows:
        if lib == "kingmaker":
            ours_count[label] = cnt
        ratio = f"{cnt / ours_count[label]:.1f}x" if cnt is not None and lib != "kingmaker" else ""
        b = f"{build:9.3f}" if build is not None else f"{'-':>9}"
        c = f"{cnt:9.4f}" if cnt is not None else f"{'-':>9}"
        print(f"{label:44} {lib:12} {b} {c} {ratio:>12}  {agree}")
    print("count ratio = peer count time / kingmaker count time, ballots already loaded and aggregated")
    if e2e_cases:
        end_to_end(e2e_cases, [p for p in args.e2e_peers.split(",") if p], args)
    if not args.quick:
        print(f"\nCVR CSV, 1,000,000 rows x 10 ranks: loaded in {cvr_load(1_000_000):.2f} s")
    print(load_line())


def end_to_end(cases: list[tuple[int, int]], peers: list[str], args: argparse.Namespace) -> None:
    """AV from an unaggregated BLT file (one ballot a line): read + group + count, every side in
    fresh processes ``--repeats`` times. Peers read the file with plain Python and aggregate
    identical rankings (collections.Counter) as their APIs need; all of that is charged to them."""
    print(f"\nEnd to end, AV: read file + group + count ({args.repeats} fresh runs a side; min, median)")
    print(
        f"{'case':30} {'library':12} {'read s':>8} {'build s':>8} {'count s':>8} {'total min':>10} "
        f"{'median':>8} {'cpu min':>8} {'cpu med':>8} {'e2e ratio':>10} {'cpu ratio':>10}  winners agree"
    )
    with tempfile.TemporaryDirectory() as d:
        for n, nc in cases:
            path = os.path.join(d, f"av_{n}_{nc}.blt")
            write_blt_lines(path, plackett_luce(n, nc))
            label = f"AV {n:,} ballot lines x {nc}"
            mine = None
            for side in ["kingmaker", *peers]:
                res = run_peer(side, "av", path, 1, args.timeout, args.repeats)
                if "error" in res:
                    print(f"{label:30} {side:12} {res['error']}")
                    continue
                if side == "kingmaker":
                    mine = res
                peer = mine and side != "kingmaker"
                ratio = f"{res['total'] / mine['total']:.1f}x" if peer else ""
                cpu_ratio = f"{res['cpu'] / mine['cpu']:.1f}x" if peer else ""
                agree = (
                    ""
                    if side == "kingmaker" or not mine
                    else ("yes" if res["winners"] == mine["winners"] else f"NO {res['winners']}")
                )
                print(
                    f"{label:30} {side:12} {res['read']:8.3f} {res['build']:8.3f} {res['count']:8.4f} "
                    f"{res['total']:10.3f} {res['total_median']:8.3f} {res['cpu']:8.3f} "
                    f"{res['cpu_median']:8.3f} {ratio:>10} {cpu_ratio:>10}  {agree}",
                    flush=True,
                )
                print(f"{'':30} {'':12} {load_line()}", flush=True)
    print(
        "e2e ratio = peer total / kingmaker total (wall, min over runs); cpu ratio = the same in CPU "
        "seconds of each process (steadier when the machine is shared); kingmaker's read includes grouping"
    )


if __name__ == "__main__":
    main()
