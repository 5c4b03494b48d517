"""Shared by the benchmarks: run a snippet N times, each in a fresh interpreter, and summarise.

Each run prints one JSON line ``{"time": seconds, "peak_mb": resident peak}``; :func:`measure`
returns min and median of both, so kingmaker and its peers (or its floor) are timed the same way.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Wrapped around every snippet: ``setup`` is untimed, ``code`` is timed.
_WRAPPER = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
{setup}
_t = time.perf_counter()
{code}
_t = time.perf_counter() - _t
print(json.dumps({{"time": _t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


@dataclass(frozen=True)
class Timing:
    """Min and median over fresh-process runs."""

    runs: int
    min_s: float
    median_s: float
    peak_mb: float
    cpu_min_s: float = 0.0  # user + system CPU of the fastest run (steadier than wall on a busy machine)

    def cells(self) -> list[str]:
        return [f"{self.min_s:.4g}", f"{self.median_s:.4g}", f"{self.peak_mb:.0f}"]


def measure(code: str, setup: str = "", runs: int = 3, timeout: float = 600) -> Timing:
    """Time ``code`` (after an untimed ``setup``) in ``runs`` fresh interpreters."""
    script = _WRAPPER.format(root=str(ROOT), setup=setup, code=code)
    times, peaks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, check=True
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(data["time"])
        peaks.append(data["peak_mb"])
    return Timing(runs, min(times), statistics.median(times), max(peaks))


def wall(argv: list[str], runs: int = 3, timeout: float = 120) -> Timing:
    """Wall time of a whole command (start-up included) in ``runs`` fresh processes; peak via getrusage."""
    import resource
    import time

    times, cpus = [], []
    peak = 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(argv, capture_output=True, timeout=timeout, check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        peak = max(peak, after.ru_maxrss / 1024)
    return Timing(runs, min(times), statistics.median(times), peak, min(cpus))


def load() -> str:
    """The machine's load averages and core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
