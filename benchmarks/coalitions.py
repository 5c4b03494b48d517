"""Benchmark: coalition analysis at 18, 20 and 22 parties against its floor.

Run alone: ``.venv/bin/python benchmarks/coalitions.py [--runs N] [--sizes 18,20,22]``.

The floor is the least any exhaustive analysis must do: every one of the ``2**n`` coalition
weights, by NumPy doubling (``w[2**i:2**(i+1)] = w[:2**i] + w_i``). Against it:

* ``complete()``: the two largest parties as the group, the ten smallest completions;
* ``coalitions()``: every winning coalition, held as columns (no Python object per coalition);
* JSON: ``kingmaker coalitions --format json`` through the CLI entry point, every winning
  coalition streamed to ``/dev/null`` (millions of rows at 22 parties).

Parliaments: seats ``numpy.random.default_rng(0).integers(1, 101, n)``, left-right positions
``default_rng(1).uniform(-1, 1, n)``; absolute majority. Every case runs ``--runs`` times, each in a
fresh interpreter (imports untimed); the table shows min and median seconds, the peak resident
memory of the process, and min / floor min. Targets (issue 15): within 100x of the floor and
under 500 MB at 22 parties for the analyses; JSON streamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fresh import Timing, load, measure

SETUP = """
import numpy as np
from kingmaker.parliament import Parliament
from kingmaker.coalitions import coalitions, complete
n = {n}
seats = [int(x) for x in np.random.default_rng(0).integers(1, 101, n)]
positions = [float(x) for x in np.random.default_rng(1).uniform(-1, 1, n)]
names = [f"P{{i}}" for i in range(n)]
parliament = Parliament.from_seats(dict(zip(names, seats)), positions=dict(zip(names, positions)))
group = [names[i] for i in np.argsort(seats)[-2:]]
import contextlib, os
from kingmaker.cli.main import run
"""

CASES = {
    "floor: 2**n weights": """
w = np.zeros(1 << n, dtype=np.int32)
for i, x in enumerate(seats):
    np.add(w[: 1 << i], x, out=w[1 << i : 2 << i])
""",
    "complete()": "result = complete(parliament, group)",
    "coalitions()": "table = coalitions(parliament)",
    "JSON (CLI, all rows)": """
with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.suppress(SystemExit):
    run(["coalitions", "--seats", ",".join(f"{p}={s}" for p, s in zip(names, seats)), "--format", "json"])
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="18,20,22")
    args = parser.parse_args()
    console = Console(width=120)
    console.print(f"before: {load()}")
    table = Table(title=f"Coalition analysis, {args.runs} fresh processes per case")
    for col in ("parties", "case", "min s", "median s", "peak MB", "min / floor"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for n in (int(x) for x in args.sizes.split(",")):
        floor: Timing | None = None
        for name, code in CASES.items():
            t = measure(code, SETUP.format(n=n), runs=args.runs)
            floor = floor or t
            table.add_row(str(n), name, *t.cells(), f"{t.min_s / floor.min_s:.0f}x")
            console.print(f"  {n} parties, {name}: min {t.min_s:.3f} s, {t.peak_mb:.0f} MB")
    console.print(table)
    console.print(f"after: {load()}")


if __name__ == "__main__":
    main()
