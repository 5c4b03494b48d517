"""The 2013 Minneapolis mayoral election (80,101 ballots, 35 candidates, 33 rounds), read and
counted by RCTab's rules, against pyrankvote and votelib on the same ballots.

kingmaker reads the ES&S ``.xlsx`` through the contest configuration (``read_config`` +
``config_ballots``) and counts it with the ``rctab`` method (RCTab's rules: overvotes exhaust,
two consecutive skipped ranks exhaust, batch elimination), and, for reference, with the
vectorised ``av`` method under the same mark rules. The peers cannot read CVRs nor apply
overvote or skipped-rank rules, so they get the ballots with those rules applied once (each
ranking cut at its exhausting mark, passed-over marks dropped, repeats dropped) and count plain
instant runoff (votelib: ``TransferableVoteSelector`` with the Droop quota, one seat); each
peer runs in its own process with a timeout, timed from ballots built to winner. Every side
must elect BETSY HODGES. Prints min and median wall seconds of ``--repeat`` runs, the least CPU
seconds (``time.process_time``: steadier than wall time on a shared machine) and the ratios,
with the machine's load average (wall figures are only comparable on a quiet machine). Usage::

    .venv/bin/python benchmarks/rctab_minneapolis.py [--repeat 3] [--timeout 600]
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
CONFIG = ROOT.parent / "shared/data/ballots/rctab/2013_minneapolis_mayor/2013_minneapolis_mayor_config.json"
WINNER = "BETSY HODGES"

PEER = r"""
import sys, time, json
import numpy as np
data = np.load(sys.argv[2], allow_pickle=False)
mat, w, names = data["mat"], data["w"], [str(x) for x in data["names"]]
rankings = [[names[c] for c in row if c >= 0] for row in mat]
peer = sys.argv[1]
t0, c0 = time.perf_counter(), time.process_time()
if peer == "pyrankvote":
    import pyrankvote
    from pyrankvote import Ballot, Candidate
    cands = {n: Candidate(n) for n in names}
    bl = []
    for r, k in zip(rankings, w):
        b = Ballot(ranked_candidates=[cands[x] for x in r])
        bl.extend([b] * int(k))
    t1, c1 = time.perf_counter(), time.process_time()
    winners = [c.name for c in pyrankvote.instant_runoff_voting(list(cands.values()), bl).get_winners()]
else:
    import votelib.evaluate.sequential
    class Retain:
        # votelib raises on a tie for last place; keep the best, later names go first
        def evaluate(self, votes, n_seats):
            return sorted(votes, key=lambda c: (-votes[c], names.index(c)))[:n_seats]
    votes = {}
    for r, k in zip(rankings, w):
        if r:
            votes[tuple(r)] = votes.get(tuple(r), 0) + int(k)
    t1, c1 = time.perf_counter(), time.process_time()
    ev = votelib.evaluate.sequential.TransferableVoteSelector(quota_function="droop", retainer=Retain())
    winners = [str(x) for x in ev.evaluate(votes, 1)]
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"build": t1 - t0, "count": t2 - t1, "cpu": c2 - c1, "winners": winners}))
"""


CPU: dict[int, list[float]] = {}


def _timed(fn, repeat: int) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    """Wall seconds of ``repeat`` calls (their CPU seconds kept in CPU under the list's id)."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[id(times)] = cpu
    return times, out


def _cleaned(b, marks) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Rankings with the mark rules applied once: -1 after an exhausting mark, passed marks and repeats dropped."""
    from kingmaker.counting._walk import reach_matrix

    C = reach_matrix(b.rankings, b.n_candidates, bool(b.groups), marks)
    out = np.full(C.shape, -1, dtype=np.int64)
    for i, row in enumerate(C.tolist()):
        seen: list[int] = []
        for c in row:
            if c < 0:
                break
            if c < b.n_candidates and c not in seen:
                seen.append(c)
        out[i, : len(seen)] = seen
    return out, np.asarray(b.weights)


def _sum(a: list[float], b: list[float]) -> list[float]:
    out = [x + y for x, y in zip(a, b, strict=True)]
    CPU[id(out)] = [x + y for x, y in zip(CPU[id(a)], CPU[id(b)], strict=True)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--peers", default="pyrankvote,votelib")
    args = ap.parse_args()
    if not CONFIG.exists():
        raise SystemExit(f"{CONFIG} is absent")
    from kingmaker.counting import count
    from kingmaker.counting.rctab.config import config_ballots, read_config

    cfg = read_config(CONFIG)
    read_t, b = _timed(lambda: config_ballots(cfg), args.repeat)
    opts = {k: v for k, v in cfg.options.items()}
    count_t, res = _timed(lambda: count(b, "rctab", 1, **opts), args.repeat)
    av_kw = {k: opts[k] for k in ("overvote", "skipped_limit", "duplicates", "batch", "until")}
    av_t, av = _timed(lambda: count(b, "av", 1, **av_kw), args.repeat)
    assert res.winners == (WINNER,) and len(res.rounds) == 33, (res.winners, len(res.rounds))
    assert av.winners == (WINNER,)
    rows = [
        ("kingmaker read (.xlsx via config)", read_t),
        ("kingmaker count rctab (33 rounds)", count_t),
        ("kingmaker read + count rctab", _sum(read_t, count_t)),
        (f"kingmaker count av (same rules, {len(av.rounds)} rounds)", av_t),
    ]
    from kingmaker.counting.options import MarkOptions

    mat, w = _cleaned(b, MarkOptions(overvote=opts["overvote"], skipped_limit=opts["skipped_limit"]))
    peer_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ballots.npz"
        np.savez(path, mat=mat, w=w, names=np.array(b.candidates))
        script = Path(tmp) / "peer.py"
        script.write_text(PEER)
        for peer in [p for p in args.peers.split(",") if p]:
            times, builds, cpus, note = [], [], [], ""
            for _ in range(args.repeat):
                try:
                    run = subprocess.run(
                        [sys.executable, str(script), peer, str(path)],
                        capture_output=True,
                        text=True,
                        timeout=args.timeout,
                    )
                except subprocess.TimeoutExpired:
                    note = f"timed out after {args.timeout:.0f} s"
                    break
                if run.returncode:
                    note = "failed: " + (run.stderr.strip().splitlines() or ["?"])[-1]
                    break
                out = json.loads(run.stdout)
                if out["winners"] != [WINNER]:
                    note = f"elected {out['winners']}"
                times.append(out["count"])
                cpus.append(out["cpu"])
                builds.append(out["build"])
            peer_rows.append((peer, times, builds, cpus, note))
    base = statistics.median(count_t)
    base_cpu = min(CPU[id(count_t)])
    load = os.getloadavg()
    print(f"2013 Minneapolis mayor: {int(b.weights.sum()):,} ballots, {b.n_candidates} candidates")
    print(
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs; {args.repeat} runs each\n"
    )
    print(f"{'step':<48}{'min s':>10}{'median s':>10}{'x rctab':>10}{'cpu s':>10}{'x rctab':>10}")
    for name, t in rows:
        c = min(CPU[id(t)])
        print(
            f"{name:<48}{min(t):>10.3f}{statistics.median(t):>10.3f}{statistics.median(t) / base:>10.2f}"
            f"{c:>10.3f}{c / base_cpu:>10.2f}"
        )
    for peer, t, bt, cpus, note in peer_rows:
        if t:
            m = statistics.median(t)
            print(
                f"{peer + ' count (IRV)':<48}{min(t):>10.3f}{m:>10.3f}{m / base:>10.2f}"
                f"{min(cpus):>10.3f}{min(cpus) / base_cpu:>10.2f}  {note}"
            )
            print(f"{peer + ' building its ballots':<48}{min(bt):>10.3f}{statistics.median(bt):>10.3f}")
        else:
            print(f"{peer:<48}{note:>30}")


if __name__ == "__main__":
    main()
