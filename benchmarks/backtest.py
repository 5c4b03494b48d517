"""Back-test of the swing models: 2010 -> 2015 and 2015 -> 2017, same boundaries, real shares.

For each pair the base is the earlier result (House of Commons Library / Electoral Commission files
in ``shared/data/uk``) and the shares are the later election's real ones: Great Britain-wide for
``uniform`` and ``proportional`` (Northern Ireland kept as it was), per region (the 9 English
regions, Scotland, Wales, Northern Ireland) for ``regional`` and ``transition``. Reported per
model: the sum over parties of |projected seats - actual seats|, and the share of the 650
constituencies whose winner it called right. Seats are joined on the ONS code, which the readers
attach (the 2010 flat file has none: :func:`kingmaker.io.ec_2010.read_ec_2010` takes them from the
embedded table; should that fail they are matched by votes with
:func:`kingmaker.io.ec_2010.match_codes_by_votes`). Party names come aligned from the readers
(:mod:`kingmaker.party_names`: ``Grn``/``Green``, ``Spk``/``Speaker``, ``APNI``/``Alliance``);
the back-test adds its own succession ``UCUNF`` -> ``UUP`` (a joint ticket the shared table
deliberately keeps apart) and counts every independent column as ``Ind``; the later election's
parties with no base vote are folded into ``Other``.

Run alone: ``.venv/bin/python benchmarks/backtest.py [--data-dir shared/data/uk]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kingmaker.datasets import load_dataset  # noqa: E402
from kingmaker.io.ec_2010 import match_codes_by_votes  # noqa: E402
from kingmaker.party_names import canonical_party, is_independent_column  # noqa: E402
from kingmaker.projection import SWING_MODELS, project  # noqa: E402
from kingmaker.votes import VoteTable  # noqa: E402

#: Successions the shared alias table deliberately keeps apart, merged for the back-test only.
SUCCESSORS = {"UCUNF": "UUP"}


def canonical(party: str) -> str:
    """One name per party across the files (independents all ``Ind``)."""
    if is_independent_column(party):
        return "Ind"
    name = canonical_party(party)
    return SUCCESSORS.get(name, name)


def with_codes_2010(ec: VoteTable, data_dir: Path) -> VoteTable:
    """The 2010 EC table with ONS codes: as read (embedded table), else matched by votes against
    the HoC 1918-2019 file's 2010 rows."""
    if ec.codes is not None:
        return ec
    hoc = load_dataset("uk-1918-2019-results", election=2010, data_dir=data_dir)
    code_of = match_codes_by_votes(ec, hoc, (("Con", "con"), ("LD", "lib"), ("Lab", "lab")))
    return dataclasses.replace(ec, codes=tuple(code_of[d] for d in ec.districts))


def shares_of(target: VoteTable, base: VoteTable, mask: np.ndarray) -> dict[str, float]:
    """Target shares (percent) over the seats in ``mask``, keyed by the base's party names."""
    totals = target.votes[mask].sum(axis=0).astype(float)
    pct = 100 * totals / totals.sum()
    by_name: Counter[str] = Counter()
    for p, v in zip(target.parties, pct, strict=True):
        by_name[canonical(p)] += v
    base_names = {canonical(p): p for p in base.parties if not is_independent_column(p)}
    out: dict[str, float] = {}
    other = 0.0
    for name, v in by_name.items():
        if name in base_names and name != "Ind":
            out[base_names[name]] = v
        else:
            other += v
    out["Other"] = other
    return out


def evaluate(
    base: VoteTable, target: VoteTable, model: str
) -> tuple[int, float, dict[str, int], dict[str, int]]:
    """Sum of absolute seat errors, share of winners right, projected and actual seats."""
    order = {c: i for i, c in enumerate(target.codes)}
    rows = np.array([order[c] for c in base.codes])
    tv = target.votes[rows]
    if model in ("uniform", "proportional"):
        shares: dict = shares_of(target, base, np.array([n != "Northern Ireland" for n in target.nations]))
    else:
        shares = {}
        t_regions = np.array(target.regions)
        for region in dict.fromkeys(base.regions):
            shares[region] = shares_of(target, base, t_regions == region)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = project(base, shares, model)
    projected = [canonical(w) for w in p.winners]
    actual = [canonical(target.parties[i]) for i in tv.argmax(axis=1)]
    right = float(np.mean([a == b for a, b in zip(projected, actual, strict=True)]))
    ps, acts = Counter(projected), Counter(actual)
    error = sum(abs(ps[k] - acts[k]) for k in set(ps) | set(acts))
    return error, right, dict(ps), dict(acts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data" / "uk")
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        print(f"data not available: {args.data_dir} is absent")
        return
    t0 = time.perf_counter()
    y2010 = with_codes_2010(load_dataset("uk-2010-results", data_dir=args.data_dir), args.data_dir)
    y2015 = load_dataset("uk-2015-results", data_dir=args.data_dir)
    y2017 = load_dataset("uk-2017-results", data_dir=args.data_dir)
    print(
        "Back-test: projected vs actual, real shares (GB-wide for uniform/proportional, per region otherwise)"
    )
    print(
        f"{'pair':<12} {'model':<13} {'seat error':>10} {'winners right':>14}   key parties projected (actual)"
    )
    for label, base, target in (("2010->2015", y2010, y2015), ("2015->2017", y2015, y2017)):
        for model in SWING_MODELS.names():
            error, right, ps, acts = evaluate(base, target, model)
            keys = ("Con", "Lab", "LD", "SNP", "UKIP")
            detail = ", ".join(
                f"{k} {ps.get(k, 0)} ({acts.get(k, 0)})" for k in keys if ps.get(k) or acts.get(k)
            )
            print(f"{label:<12} {model:<13} {error:>10} {right:>13.1%}   {detail}")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
