"""Benchmark: reading ballot files (BLT, PrefLib) against pandas and pyarrow on the same bytes.

Files hold one ballot per line (weight or count 1), Plackett-Luce rankings of 20 candidates
(fixed seed, truncated): 1M lines, and 10M with ``--big`` (run once). kingmaker reads the whole
file into :class:`~kingmaker.ballots.Ballots`: it parses, validates every number and limit,
and groups identical rankings. The peers only tokenise the ballot lines (the same bytes,
written without the header and names, since they cannot read either format):
``pandas.read_csv(sep=" " or ",", header=None)`` and ``pyarrow.csv`` reading each line as a
string, split and cast to integers. So the ratio is kingmaker's whole read over the peers'
tokenising alone. Each side runs ``--repeats`` times in fresh processes; min and median of
the wall clock, and the min of the CPU time (user + system: steadier on a busy machine).
Run: ``.venv/bin/python benchmarks/reading.py [--quick] [--big] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fresh_runs import load_line, run_fresh, summary
from count import plackett_luce

N_CAND = 20

SIDE = r"""
side, fmt, path, block = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if side == "kingmaker":
    from kingmaker.ballots import Ballots
    tiny = '2 1\n1 1 2 0\n0\n"A"\n"B"\n' if fmt == "blt" else "# NUMBER ALTERNATIVES: 1\n1: 1\n"
    Ballots.read(tiny.encode(), format="blt" if fmt == "blt" else "preflib")  # imports, untimed
    t0, c0 = time.perf_counter(), time.process_time()
    b = Ballots.read(path)
    result = {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "ballots": int(b.total)}
elif side == "pandas":
    import pandas as pd
    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(block, sep=" " if fmt == "blt" else ",", header=None, names=range(22))
    result = {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "ballots": len(df)}
else:
    import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv
    t0, c0 = time.perf_counter(), time.process_time()
    t = pcsv.read_csv(block, read_options=pcsv.ReadOptions(column_names=["line"]),
                      parse_options=pcsv.ParseOptions(delimiter="\x1f", quote_char=False))
    col = t.column("line")
    if fmt == "preflib":
        col = pc.replace_substring(col, ":", ",")
    toks = pc.split_pattern(col, " " if fmt == "blt" else ",")
    vals = pc.cast(pc.utf8_trim_whitespace(pc.list_flatten(toks)), pa.int32())
    result = {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "ballots": len(col)}
"""


def write_files(d: Path, n: int, fmt: str) -> tuple[Path, Path]:
    """The ballot file and its ballot lines alone (what the peers read), written in slices."""
    path = d / f"b{n}.{'blt' if fmt == 'blt' else 'soi'}"
    block = d / f"b{n}_{fmt}.txt"
    step = 1_000_000
    with open(path, "w") as f, open(block, "w") as g:
        if fmt == "blt":
            f.write(f"{N_CAND} 1\n")
        else:
            f.write(f"# DATA TYPE: soi\n# TITLE: bench\n# NUMBER ALTERNATIVES: {N_CAND}\n")
            f.write("".join(f"# ALTERNATIVE NAME {i + 1}: C{i}\n" for i in range(N_CAND)))
            f.write(f"# NUMBER VOTERS: {n}\n# NUMBER UNIQUE ORDERS: {n}\n")
        for i in range(0, n, step):
            mat = plackett_luce(min(step, n - i), N_CAND, seed=2024 + i // step) + 1
            if fmt == "blt":
                lines = ["1 " + " ".join(map(str, r[r > 0])) + " 0\n" for r in mat]
            else:
                lines = ["1: " + ",".join(map(str, r[r > 0])) + "\n" for r in mat]
            text = "".join(lines)
            f.write(text)
            g.write(text)
        if fmt == "blt":
            f.write("0\n" + "".join(f'"C{i}"\n' for i in range(N_CAND)) + '"bench"\n')
    return path, block


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="100k lines only")
    ap.add_argument("--big", action="store_true", help="also 10M lines, one run each side")
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()
    sizes = [(100_000 if args.quick else 1_000_000, args.repeats)] + ([(10_000_000, 1)] if args.big else [])
    print(load_line())
    print(
        f"{'file':26} {'side':10} {'min s':>8} {'median s':>9} {'peak MB':>8} {'vs pandas':>10} "
        f"{'vs pyarrow':>10} {'min CPU s':>10} {'CPU vs pandas':>14}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for n, reps in sizes:
            for fmt in ("blt", "preflib"):
                path, block = write_files(d, n, fmt)
                mb = path.stat().st_size / 2**20
                label = f"{fmt} {n:,} lines ({mb:.0f} MB)"
                best: dict[str, float] = {}
                best_cpu: dict[str, float] = {}
                for side in ("pandas", "pyarrow", "kingmaker"):
                    runs = run_fresh(SIDE, [side, fmt, str(path), str(block)], reps, args.timeout)
                    if isinstance(runs, str):
                        print(f"{label:26} {side:10} {runs}")
                        continue
                    assert all(r["ballots"] == n for r in runs), runs
                    lo, med = summary(runs)
                    best[side] = lo
                    best_cpu[side] = min(r["cpu"] for r in runs)
                    peak = max(r["peak_mb"] for r in runs)
                    ratios = ["", "", ""]
                    if side == "kingmaker":
                        ratios = [f"{lo / best[p]:.1f}x" if p in best else "-" for p in ("pandas", "pyarrow")]
                        ratios.append(
                            f"{best_cpu[side] / best_cpu['pandas']:.1f}x" if "pandas" in best_cpu else "-"
                        )
                    print(
                        f"{label:26} {side:10} {lo:8.3f} {med:9.3f} {peak:8.0f} {ratios[0]:>10} {ratios[1]:>10} "
                        f"{best_cpu[side]:10.3f} {ratios[2]:>14}"
                    )
                path.unlink()
                block.unlink()
    print(load_line())
    print("vs pandas / vs pyarrow = kingmaker min / peer min: kingmaker's whole read (parse, validate,")
    print("group) over the peer's tokenising of the ballot lines alone (lower is better); CPU = user +")
    print("system time of the process (steadier than the wall clock when the machine is busy)")


if __name__ == "__main__":
    main()
