"""Benchmark: kingmaker.power against the PyPI packages ``powerindex`` and ``powerindices``.

Run alone: ``.venv/bin/python benchmarks/power.py [--timeout SECONDS]`` (needs the ``bench`` extra:
``pip install powerindex powerindices``).

Games:

* the US Electoral College, 2012-2020 apportionment (51 units: 50 states winner-take-all, Maine and
  Nebraska counted as single units, plus DC; 538 electors, quota 270). Source: U.S. National
  Archives, "Distribution of Electoral Votes" (based on the 2010 Census),
  https://www.archives.gov/electoral-college/allocation ;
* random games of 50, 100, 200 and 400 players with integer weights 1..100 drawn with
  ``numpy.random.default_rng(0).integers(1, 101, n)`` (a fresh seed-0 generator per size), quota
  ``floor(total / 2) + 1``;
* Banzhaf at 800 players (same recipe);
* large weights (``--large``, also run by default): Shapley-Shubik of 100 players whose weights
  are the random n=100 weights times 1000 (against the same game in units: weights and quota are
  divided by their gcd first), and Banzhaf of 200 players with weights
  ``default_rng(0).integers(1, 10**6, 200)`` (a size guard refuses it: the time is the time to
  refuse). These run ``--runs`` times each, kingmaker and every peer alike, each in a fresh process
  (imports untimed), and show min and median with the machine load.

Each peer runs in its own subprocess with a time limit (60 s by default): the table says "timeout"
when it is killed, "error: <Exception>" when it raises, "wrong (...)" when its values are negative
or differ from ours by more than 1e-9, and otherwise its time and the ratio peer / kingmaker.
Timings of the peers are of the computing call only (imports and game set-up excluded); ours are
of the public function (validation included), best of three where a run takes under a second.
Ours are checked against ``exact=True`` (Fractions) on the Electoral College.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fresh import load, measure
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kingmaker.power import banzhaf, banzhaf_absolute, shapley_shubik

# fmt: off
ELECTORAL_COLLEGE_2012_2020 = {
    "AL": 9, "AK": 3, "AZ": 11, "AR": 6, "CA": 55, "CO": 9, "CT": 7, "DE": 3, "DC": 3, "FL": 29,
    "GA": 16, "HI": 4, "ID": 4, "IL": 20, "IN": 11, "IA": 6, "KS": 6, "KY": 8, "LA": 8, "ME": 4,
    "MD": 10, "MA": 11, "MI": 16, "MN": 10, "MS": 6, "MO": 10, "MT": 3, "NE": 5, "NV": 6, "NH": 4,
    "NJ": 14, "NM": 5, "NY": 29, "NC": 15, "ND": 3, "OH": 18, "OK": 7, "OR": 7, "PA": 20, "RI": 4,
    "SC": 9, "SD": 3, "TN": 11, "TX": 38, "UT": 6, "VT": 3, "VA": 13, "WA": 12, "WV": 5, "WI": 10,
    "WY": 3,
}
# fmt: on
assert sum(ELECTORAL_COLLEGE_2012_2020.values()) == 538 and len(ELECTORAL_COLLEGE_2012_2020) == 51

TOLERANCE = 1e-9

#: Code each peer runs in a subprocess: reads {"weights", "quota"} on stdin, prints {"time", "values"}.
#: powerindex's Banzhaf is normalised; powerindices' ``compute_pbi`` is the absolute (Penrose) one.
PEERS: dict[tuple[str, str], str] = {
    ("powerindex", "ss"): "import powerindex as px\ng = px.Game(quota, weights=list(weights))\n"
    "t = time.perf_counter(); g.calc_shapley_shubik(); t = time.perf_counter() - t\nvalues = g.shapley_shubik",
    ("powerindex", "bz"): "import powerindex as px\ng = px.Game(quota, weights=list(weights))\n"
    "t = time.perf_counter(); g.calc_banzhaf(); t = time.perf_counter() - t\nvalues = g.banzhaf",
    ("powerindices", "ss"): "import powerindices as pi\nw = list(weights)\n"
    "t = time.perf_counter(); values = pi.compute_ssi(quota, w); t = time.perf_counter() - t",
    ("powerindices", "bz"): "import powerindices as pi\nw = list(weights)\n"
    "t = time.perf_counter(); values = pi.compute_pbi(quota, w); t = time.perf_counter() - t",
}
WRAPPER = """
import json, sys, time
data = json.load(sys.stdin)
weights, quota = data["weights"], data["quota"]
{code}
print(json.dumps({{"time": t, "values": [float(v) for v in values]}}))
"""


@dataclass
class Outcome:
    """One peer's run: its time, or why there is none."""

    seconds: float | None
    status: str  # "ok", "timeout", "error: X", "wrong (...)"


def run_peer(
    peer: str, index: str, weights: list[int], quota: int, ours: list[float], timeout: float
) -> Outcome:
    """Run one peer in a subprocess and judge its values against ours."""
    code = WRAPPER.format(code=PEERS[(peer, index)])
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps({"weights": weights, "quota": quota}),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, "timeout")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return Outcome(None, f"error: {last.split(':')[0]}")
    data = json.loads(proc.stdout)
    values = np.array(data["values"], dtype=float)
    seconds = float(data["time"])
    if len(values) != len(ours):
        return Outcome(seconds, f"wrong ({len(values)} values)")
    if not np.all(np.isfinite(values)):
        return Outcome(seconds, "wrong (not finite)")
    if np.any(values < 0):
        return Outcome(seconds, "wrong (negative values)")
    diff = float(np.max(np.abs(values - np.array(ours))))
    if diff > TOLERANCE:
        return Outcome(seconds, f"wrong (differs by {diff:.1e})")
    return Outcome(seconds, "ok")


def time_ours(fn, weights: list[int], quota: int) -> tuple[float, list[float]]:
    """Best-of-three time (one run if it takes over a second) and the values."""
    best = float("inf")
    values: dict[str, float] = {}
    for _ in range(3):
        start = time.perf_counter()
        values = fn(weights, quota)
        best = min(best, time.perf_counter() - start)
        if best > 1.0:
            break
    return best, [float(v) for v in values.values()]


def random_game(n: int) -> tuple[list[int], int]:
    weights = [int(x) for x in np.random.default_rng(0).integers(1, 101, n)]
    return weights, sum(weights) // 2 + 1


def fmt_seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


LARGE_SETUP = """
import numpy as np
from kingmaker.errors import TooLargeError
from kingmaker.power import banzhaf, shapley_shubik
units = [int(x) for x in np.random.default_rng(0).integers(1, 101, 100)]
thousands = [1000 * x for x in units]
wide = [int(x) for x in np.random.default_rng(0).integers(1, 10**6, 200)]
"""
LARGE_CASES: dict[str, str] = {
    "SS, 100 players in units": "shapley_shubik(units, sum(units) // 2 + 1)",
    "SS, 100 players x 1000": "shapley_shubik(thousands, sum(thousands) // 2 + 1)",
    "Banzhaf, 200 players to 1e6 (refused)": """
try:
    banzhaf(wide, sum(wide) // 2 + 1)
except TooLargeError:
    pass
""",
}
#: The same games for the peers (their computing call only), by case.
LARGE_PEERS: dict[str, dict[str, str]] = {
    "SS, 100 players x 1000": {
        "powerindex": "import powerindex as px\ng = px.Game(sum(thousands) // 2 + 1, weights=thousands)\n"
        "g.calc_shapley_shubik()",
        "powerindices": "import powerindices as pi\npi.compute_ssi(sum(thousands) // 2 + 1, thousands)",
    },
    "Banzhaf, 200 players to 1e6 (refused)": {
        "powerindex": "import powerindex as px\ng = px.Game(sum(wide) // 2 + 1, weights=wide)\ng.calc_banzhaf()",
        "powerindices": "import powerindices as pi\npi.compute_pbi(sum(wide) // 2 + 1, wide)",
    },
}


def large_weights(console: Console, runs: int, timeout: float) -> None:
    """The large-weight games, kingmaker and peers alike: ``runs`` fresh processes each."""
    console.print(f"before: {load()}")
    table = Table(title=f"Large weights: {runs} fresh processes per cell, min / median")
    for col in ("Game", "kingmaker", "powerindex", "powerindices"):
        table.add_column(col, justify="left" if col == "Game" else "right")
    for label, code in LARGE_CASES.items():
        ours = measure(code, LARGE_SETUP, runs=runs, timeout=timeout)
        cells = [label, f"{fmt_seconds(ours.min_s)} / {fmt_seconds(ours.median_s)}, {ours.peak_mb:.0f} MB"]
        for peer in ("powerindex", "powerindices"):
            peer_code = LARGE_PEERS.get(label, {}).get(peer)
            if peer_code is None:
                cells.append("-")
                continue
            try:
                t = measure(peer_code, LARGE_SETUP, runs=runs, timeout=timeout)
                cells.append(f"{fmt_seconds(t.min_s)} ({t.min_s / ours.min_s:,.0f}x)")
            except subprocess.TimeoutExpired:
                cells.append(f"timeout (>{timeout:g} s)")
            except subprocess.CalledProcessError as exc:
                last = (exc.stderr.strip().splitlines() or ["?"])[-1]
                cells.append(f"error: {last.split(':')[0]}")
        table.add_row(*cells)
    console.print(table)
    console.print(f"after: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per peer run (default 60)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per large-weight cell")
    parser.add_argument("--large", action="store_true", help="only the large-weight games")
    args = parser.parse_args()
    if args.large:
        large_weights(Console(highlight=False, width=150), args.runs, args.timeout)
        return

    ec_weights = list(ELECTORAL_COLLEGE_2012_2020.values())
    exact = shapley_shubik(ec_weights, 270, exact=True)
    fast = shapley_shubik(ec_weights, 270)
    worst = max(abs(fast[k] - float(exact[k])) for k in fast)
    exact_bz = banzhaf(ec_weights, 270, exact=True)
    fast_bz = banzhaf(ec_weights, 270)
    worst = max(worst, max(abs(fast_bz[k] - float(exact_bz[k])) for k in fast_bz))

    cases: list[tuple[str, str, list[int], int]] = [
        ("US Electoral College", "ss", ec_weights, 270),
        ("US Electoral College", "bz", ec_weights, 270),
    ]
    for n in (50, 100, 200, 400):
        w, q = random_game(n)
        cases.append((f"random n={n}", "ss", w, q))
        cases.append((f"random n={n}", "bz", w, q))
    w, q = random_game(800)
    cases.append(("random n=800", "bz", w, q))

    console = Console(highlight=False, width=150)
    table = Table(title="Power indices: kingmaker vs powerindex 0.3.5 and powerindices 1.0.2 (same run)")
    for col in ("Game", "Index", "kingmaker", "powerindex", "ratio", "powerindices", "ratio "):
        table.add_column(col, justify="left" if col in ("Game", "Index") else "right")
    for label, index, weights, quota in cases:
        name = "Shapley-Shubik" if index == "ss" else "Banzhaf"
        ours_s, ours_norm = time_ours(shapley_shubik if index == "ss" else banzhaf, weights, quota)
        _, ours_abs = time_ours(banzhaf_absolute, weights, quota) if index == "bz" else (0.0, ours_norm)
        cells = [label, name, fmt_seconds(ours_s)]
        for peer in ("powerindex", "powerindices"):
            reference = ours_abs if (peer, index) == ("powerindices", "bz") else ours_norm
            console.print(f"  running {peer} {name} on {label} ...", style="dim")
            out = run_peer(peer, index, weights, quota, reference, args.timeout)
            if out.status == "ok" and out.seconds is not None:
                cells += [fmt_seconds(out.seconds), f"{out.seconds / ours_s:,.0f}x"]
            elif out.seconds is not None:
                cells += [f"{out.status}, {fmt_seconds(out.seconds)}", "-"]
            else:
                cells += [out.status if out.status != "timeout" else f"timeout (>{args.timeout:g} s)", "-"]
        table.add_row(*cells)
    console.print(table)
    console.print(
        f"kingmaker float vs exact (Fractions) on the Electoral College: max difference {worst:.1e}. "
        "powerindices' Banzhaf is the absolute (Penrose) index and is compared with ours; "
        f"values must agree to {TOLERANCE:g}."
    )
    large_weights(console, args.runs, args.timeout)


if __name__ == "__main__":
    main()
