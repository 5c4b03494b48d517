"""Shared by the grouping, reading and count benchmarks: run one side of a comparison N times, each in a fresh process.

Every side (kingmaker or a peer) gets the same treatment: a new Python process per run (so no
side profits from a warm cache or a JIT the other lacks), the same input file, and its time
taken inside the process around the work itself. Reported: min and median of the runs, the
process's peak resident memory, and the machine load when it ran.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Prepended to every snippet: timing and peak-memory helpers; the snippet sets ``result``.
PRELUDE = r"""
import json, resource, sys, time
sys.path.insert(0, ROOT)
def peak_mb():
    # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec)
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
"""

EPILOGUE = r"""
result.setdefault("peak_mb", peak_mb())
print("RESULT " + json.dumps(result))
"""


def run_fresh(code: str, args: list[str], repeats: int, timeout: float) -> list[dict] | str:
    """Run ``code`` (which sets ``result``, a dict with ``seconds``) ``repeats`` times in fresh
    processes with ``sys.argv[1:] = args``; the results, or the error of the first failed run."""
    out: list[dict] = []
    script = f"ROOT = {str(ROOT)!r}\n" + PRELUDE + code + EPILOGUE
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(repeats):
        try:
            proc = subprocess.run(
                [sys.executable, "-c", script, *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired:
            return f"timeout > {timeout:.0f} s"
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            return "not installed" if "ModuleNotFoundError" in last else last[:80]
        out.append(json.loads(lines[-1][len("RESULT ") :]))
    return out


def summary(runs: list[dict], key: str = "seconds") -> tuple[float, float]:
    """Min and median of ``key`` over the runs."""
    values = [r[key] for r in runs]
    return min(values), statistics.median(values)


def load_line() -> str:
    """The machine's load averages and core count, printed beside every table."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
