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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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
data = np.load(path)
mat = data["rows"]; w = data["weights"]; nc = int(data["nc"])
names = [f"C{i}" for i in range(nc)]
rankings = [[names[c] for c in row if c >= 0] for row in mat]
t0 = time.perf_counter()
if peer == "pyrankvote":
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
print(json.dumps({"build": t1 - t0, "count": t2 - t1, "winners": sorted(winners)}))
"""


def run_peer(peer: str, kind: str, path: str, seats: int, timeout: float) -> dict:
    try:
        out = subprocess.run(
            [sys.executable, "-c", PEER_CODE, peer, kind, path, str(seats)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": ("not installed" if "ModuleNotFoundError" in last else last[:60])}
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    args = ap.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    cases = [
        ("av", 10_000, 10, 1, "av"),
        ("av", 100_000, 10, 1, "av"),
        ("av", 1_000_000, 10, 1, "av"),
        ("stv", 100_000, 15, 5, "stv-scottish"),
        ("stv", 10_000, 15, 5, "stv-meek"),
    ]
    if args.quick:
        cases = [c for c in cases if c[1] <= 10_000] + [("stv", 10_000, 15, 5, "stv-scottish")]
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
    print(f"{'case':44} {'library':12} {'build s':>9} {'count s':>9} {'count ratio':>12}  winners agree")
    ours_count = {}
    for label, lib, build, cnt, agree in rows:
        if lib == "kingmaker":
            ours_count[label] = cnt
        ratio = f"{cnt / ours_count[label]:.1f}x" if cnt is not None and lib != "kingmaker" else ""
        b = f"{build:9.3f}" if build is not None else f"{'-':>9}"
        c = f"{cnt:9.4f}" if cnt is not None else f"{'-':>9}"
        print(f"{label:44} {lib:12} {b} {c} {ratio:>12}  {agree}")
    if not args.quick:
        print(f"\nCVR CSV, 1,000,000 rows x 10 ranks: loaded in {cvr_load(1_000_000):.2f} s")
    print("ratio = peer count time / kingmaker count time (higher: kingmaker faster)")


if __name__ == "__main__":
    main()
