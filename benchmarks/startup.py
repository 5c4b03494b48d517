"""Benchmark: CLI start-up (``kingmaker --help`` and each command's ``--help``) against ``import numpy``.

Run alone: ``.venv/bin/python benchmarks/startup.py [--runs N]``.

Each command line runs ``--runs`` times (default 5), each in a fresh process, wall clock from
spawn to exit, in rounds (one run of every line per round); so does the reference, ``python -c "import numpy"``. The table shows min and median
and min / reference min, and the same for CPU time (user + system, steadier when the machine is
busy); the target (issue 15) is within 3.5x. It ends with the slowest imports of
``kingmaker --help`` from ``python -X importtime`` (cumulative microseconds).

Both sides run with compiled bytecode, as an installed package has it (pip compiles on
install; NumPy's comes with the venv): ``PYTHONDONTWRITEBYTECODE`` is lifted, bytecode goes to
a temporary ``PYTHONPYCACHEPREFIX`` and every command line runs once untimed first. Without
that (a checkout under ``PYTHONDONTWRITEBYTECODE=1``) every kingmaker module is compiled from
source at each start while NumPy's is not; ``--source`` measures that case.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _fresh import ROOT, Timing, load, wall

from kingmaker.cli.main import COMMANDS

TARGET = 3.5


def _merge(runs: list[Timing]) -> Timing:
    """One timing from single runs: min and median of the wall clock, min of the CPU time."""
    walls = [t.min_s for t in runs]
    return Timing(
        len(runs),
        min(walls),
        statistics.median(walls),
        max(t.peak_mb for t in runs),
        min(t.cpu_min_s for t in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--source", action="store_true", help="no cached bytecode: kingmaker compiled from source each start"
    )
    args = parser.parse_args()
    console = Console(width=120)
    console.print(f"before: {load()}")
    env_py = [sys.executable]
    lines = [("kingmaker --help", ["--help"])] + [
        (f"kingmaker {name} --help", [name, "--help"]) for name, _, _ in COMMANDS
    ]
    cache = tempfile.TemporaryDirectory()
    if args.source:
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        console.print("bytecode: none cached for kingmaker (compiled from source at each start)")
    else:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = cache.name
        for argv in [["-c", "import numpy"]] + [["-m", "kingmaker", *a] for _, a in lines]:
            wall([*env_py, *argv], runs=1)  # compiles and caches the bytecode, untimed
        console.print("bytecode: compiled and cached first, as an installed package has it")
    # runs in rounds, one of each command line per round, so that a burst of load on the shared
    # machine falls on every line alike rather than on the few measured while it lasted
    argvs = [[*env_py, "-c", "import numpy"]] + [[*env_py, "-m", "kingmaker", *a] for _, a in lines]
    rounds = [[wall(argv, runs=1) for argv in argvs] for _ in range(args.runs)]
    timings = [_merge([r[i] for r in rounds]) for i in range(len(argvs))]
    reference = timings[0]
    table = Table(title=f"CLI start-up, {args.runs} fresh processes each, in rounds")
    for col in ("command", "min s", "median s", "min / import numpy", "min CPU s", "CPU / import numpy"):
        table.add_column(col, justify="left" if col == "command" else "right")
    table.add_row(
        'python -c "import numpy"',
        f"{reference.min_s:.3f}",
        f"{reference.median_s:.3f}",
        "1.00x",
        f"{reference.cpu_min_s:.3f}",
        "1.00x",
    )
    worst = worst_cpu = 0.0
    for (label, _), t in zip(lines, timings[1:], strict=True):
        ratio = t.min_s / reference.min_s
        cpu_ratio = t.cpu_min_s / reference.cpu_min_s
        worst, worst_cpu = max(worst, ratio), max(worst_cpu, cpu_ratio)
        table.add_row(
            label,
            f"{t.min_s:.3f}",
            f"{t.median_s:.3f}",
            f"{ratio:.2f}x",
            f"{t.cpu_min_s:.3f}",
            f"{cpu_ratio:.2f}x",
        )
    console.print(table)
    console.print(f"worst ratio: wall {worst:.2f}x, CPU {worst_cpu:.2f}x (target {TARGET}x)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [*env_py, "-X", "importtime", "-m", "kingmaker", "--help"], capture_output=True, text=True, env=env
    )
    rows = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    console.print("slowest imports of kingmaker --help (cumulative us): ")
    for us, name in sorted(rows, reverse=True)[:8]:
        console.print(f"  {us:>9,} {name}")
    console.print(f"after: {load()}")
    cache.cleanup()


if __name__ == "__main__":
    main()
