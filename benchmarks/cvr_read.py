"""Reading vendor CVRs: kingmaker's readers vs the plain-Python route a user would otherwise take.

Generates (once, cached under the temp dir) a 1M-ballot NIST CDF JSON report and a 1M-row
ES&S-style ``.xlsx`` (written with xlsxwriter's constant-memory mode), then times, each in a
fresh process and each side the same number of times:

* CDF JSON: ``kingmaker.io.read_ballots`` vs ``json.load`` + ``pandas.json_normalize`` down to
  the marks, pivoted to one row per ballot and grouped (``value_counts``) into unique rankings;
* xlsx: ``read_ballots`` (kingmaker's array-based sheet reader, calamine as its fallback) vs
  ``pandas.read_excel`` with its default engine (openpyxl), grouped the same way; openpyxl
  read-only directly (``iter_rows(values_only=True)`` into a ``Counter``); and pandas with
  ``engine="calamine"``. The ratio target is measured against pandas' default route (the one a
  user who has not heard of calamine takes); calamine is an opt-in and is shown beside it.

Every route ends in the same grouped ballots (the totals and unique-row counts are printed
beside each). Prints min and median wall seconds, the child's CPU seconds (steadier than wall
time on a shared machine), peak resident memory (``ru_maxrss`` of the child), the machine's
load average, and the ratios. The 1M-row files are built once (about a minute each) and cached
in ``$TMPDIR/kingmaker-bench-cvr/``; delete them to rebuild. Usage::

    .venv/bin/python benchmarks/cvr_read.py [--ballots 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CANDS = [f"Candidate {c}" for c in "ABCDEFGH"]
RANKS = 3


def _ballots(n: int, seed: int = 1) -> list[list[str]]:
    """``n`` random ranked ballots of up to RANKS candidates (some short, some overvoted)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice((1, 2, 3, 3, 3))
        out.append(rng.sample(CANDS, k))
    return out


def make_cdf(path: Path, n: int) -> None:
    """A compact CDF JSON report of ``n`` CVRs for one contest, as vendors export it."""
    sel = {c: f"cs-{i}" for i, c in enumerate(CANDS)}
    election = {
        "@id": "election-1",
        "@type": "CVR.Election",
        "Candidate": [{"@id": f"c-{i}", "Name": c} for i, c in enumerate(CANDS)],
        "Contest": [
            {
                "@id": "contest-1",
                "@type": "CVR.CandidateContest",
                "Name": "Mayor",
                "ContestSelection": [
                    {"@id": sel[c], "@type": "CVR.CandidateSelection", "CandidateIds": [f"c-{i}"]}
                    for i, c in enumerate(CANDS)
                ],
            }
        ],
    }
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"@type":"CVR.CastVoteRecordReport","Election":[')
        fh.write(json.dumps(election, separators=(",", ":")))
        fh.write('],"CVR":[')
        for i, ranking in enumerate(_ballots(n)):
            cvr = {
                "@type": "CVR.CVR",
                "BallotPrePrintedId": str(i + 1),
                "CurrentSnapshotId": f"s-{i + 1}",
                "CVRSnapshot": [
                    {
                        "@id": f"s-{i + 1}",
                        "@type": "CVR.CVRSnapshot",
                        "Type": "original",
                        "CVRContest": [
                            {
                                "@type": "CVR.CVRContest",
                                "ContestId": "contest-1",
                                "CVRContestSelection": [
                                    {
                                        "@type": "CVR.CVRContestSelection",
                                        "ContestSelectionId": sel[c],
                                        "SelectionPosition": [
                                            {
                                                "@type": "CVR.SelectionPosition",
                                                "HasIndication": "yes",
                                                "NumberVotes": 1,
                                                "Rank": r + 1,
                                            }
                                        ],
                                    }
                                    for r, c in enumerate(ranking)
                                ],
                            }
                        ],
                    }
                ],
            }
            fh.write(("," if i else "") + json.dumps(cvr, separators=(",", ":")))
        fh.write("]}")


def make_xlsx(path: Path, n: int) -> None:
    """An ES&S-style sheet: Cast Vote Record, Precinct, 1st..3rd Choice; 'undervote' for blanks."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Marked Sheet")
    ws.write_row(0, 0, ["Cast Vote Record", "Precinct", "1st Choice", "2nd Choice", "3rd Choice"])
    rng = random.Random(2)
    for i, ranking in enumerate(_ballots(n)):
        cells = [*ranking, *["undervote"] * (RANKS - len(ranking))]
        if rng.random() < 0.01:
            cells[1] = "overvote"
        ws.write_row(i + 1, 0, [i + 1, f"P-{rng.randrange(200):03d}", *cells])
    wb.close()


KINGMAKER_CDF = """
from kingmaker.io import read_ballots
b = read_ballots(PATH)
print(b.total, b.n_unique)
"""
# The route a pandas user takes: load, normalise the nested records to marks, pivot, group.
PANDAS_CDF = """
import json, pandas as pd
with open(PATH, encoding="utf-8") as fh:
    doc = json.load(fh)
sel = {s["@id"]: s["CandidateIds"][0] for e in doc["Election"] for c in e["Contest"] for s in c["ContestSelection"]}
names = {c["@id"]: c["Name"] for e in doc["Election"] for c in e["Candidate"]}
cvr = pd.json_normalize(doc["CVR"], record_path=["CVRSnapshot", "CVRContest", "CVRContestSelection", "SelectionPosition"],
                        meta=["BallotPrePrintedId", ["CVRSnapshot", "CVRContest", "CVRContestSelection", "ContestSelectionId"]])
cvr["cand"] = cvr["CVRSnapshot.CVRContest.CVRContestSelection.ContestSelectionId"].map(sel).map(names)
wide = cvr.pivot_table(index="BallotPrePrintedId", columns="Rank", values="cand", aggfunc="first")
counts = wide.fillna("").value_counts()
print(int(counts.sum()), len(counts))
"""
KINGMAKER_XLSX = """
from kingmaker.io import read_ballots
b = read_ballots(PATH, overvote_label="overvote", undervote_label="undervote", precinct_column=2, first_vote_column=3)
print(b.total, b.n_unique)
"""
PANDAS_XLSX = """
import pandas as pd
df = pd.read_excel(PATH, engine=ENGINE, dtype=str)
counts = df[["Precinct", "1st Choice", "2nd Choice", "3rd Choice"]].value_counts()
print(int(counts.sum()), len(counts))
"""

OPENPYXL_READ_ONLY = """
import collections, openpyxl
wb = openpyxl.load_workbook(PATH, read_only=True)
rows = wb.worksheets[0].iter_rows(min_row=2, min_col=2, max_col=5, values_only=True)
counts = collections.Counter(rows)
print(sum(counts.values()), len(counts))
"""

CHILD = """
import resource, sys, time
PATH = sys.argv[1]
ENGINE = sys.argv[2] if len(sys.argv) > 2 else None
t0 = time.perf_counter()
{body}
print("SECONDS", time.perf_counter() - t0)
print("CPU", time.process_time())
print("PEAK_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run(body: str, *args: str) -> tuple[float, float, str, float]:
    """Run ``body`` in a fresh interpreter; (seconds, peak MB, what it printed first, CPU seconds)."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(body=body), *args], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    secs = float(next(x for x in out if x.startswith("SECONDS")).split()[1])
    peak = float(next(x for x in out if x.startswith("PEAK_MB")).split()[1])
    cpu = float(next(x for x in out if x.startswith("CPU")).split()[1])
    return secs, peak, out[0], cpu


def compare(
    label: str, ours: str, theirs: list[tuple[str, str, tuple[str, ...]]], path: Path, repeat: int
) -> None:
    """Time kingmaker against each route ``repeat`` times, alternating; print the table."""
    results: dict[str, list[tuple[float, float, str, float]]] = {"kingmaker": []}
    for name, _, _ in theirs:
        results[name] = []
    for _ in range(repeat):
        results["kingmaker"].append(run(ours, str(path)))
        for name, body, args in theirs:
            results[name].append(run(body, str(path), *args))
    base = min(r[0] for r in results["kingmaker"])
    base_cpu = min(r[3] for r in results["kingmaker"])
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{label} ({path.stat().st_size / 1e6:.0f} MB), {repeat} runs each, load average now {load}")
    print(
        f"{'route':32} {'min s':>8} {'median s':>9} {'x ours':>7} {'cpu s':>7} {'x ours':>7} {'peak MB':>8}"
        "  total, unique"
    )
    for name, runs in results.items():
        secs = [r[0] for r in runs]
        cpu = min(r[3] for r in runs)
        print(
            f"{name:32} {min(secs):8.2f} {statistics.median(secs):9.2f} {min(secs) / base:7.1f}"
            f" {cpu:7.2f} {cpu / base_cpu:7.1f} {max(r[1] for r in runs):8.0f}  {runs[0][2]}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=("cdf", "xlsx"), default=None)
    args = ap.parse_args()
    cache = Path(tempfile.gettempdir()) / "kingmaker-bench-cvr"
    cache.mkdir(exist_ok=True)
    print(f"load average at start {os.getloadavg()}, {os.cpu_count()} CPUs")
    if args.only in (None, "cdf"):
        cdf = cache / f"cdf_{args.ballots}.json"
        if not cdf.exists():
            make_cdf(cdf, args.ballots)
        compare(
            "CDF JSON", KINGMAKER_CDF, [("json + pandas.json_normalize", PANDAS_CDF, ())], cdf, args.repeat
        )
    if args.only in (None, "xlsx"):
        xlsx = cache / f"ess_{args.ballots}.xlsx"
        if not xlsx.exists():
            make_xlsx(xlsx, args.ballots)
        compare(
            "ES&S xlsx",
            KINGMAKER_XLSX,
            [
                ("pandas.read_excel (openpyxl)", PANDAS_XLSX, ("openpyxl",)),
                ("openpyxl read-only, iter_rows", OPENPYXL_READ_ONLY, ()),
                ("pandas.read_excel (calamine)", PANDAS_XLSX, ("calamine",)),
            ],
            xlsx,
            args.repeat,
        )


if __name__ == "__main__":
    main()
