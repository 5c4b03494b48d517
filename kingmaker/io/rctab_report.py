"""Writers for RCTab's detailed JSON report and the Universal RCV Tabulator summary.

:func:`rctab_report` gives a count's rounds in the schema of RCTab's
``*_detailed_report.json`` (``config``, ``jsonFormatVersion``, ``results`` with per round
``round``, ``tally``, ``tallyResults`` (``elected``/``eliminated`` with ``transfers``),
``threshold`` and ``inactiveBallots``, and a ``summary``); :func:`urcvt_summary` gives the
Universal RCV Tabulator summary that result visualisers such as rcvis read (``config`` with
the threshold, ``results`` with ``round``, ``tally`` and ``tallyResults``). Vote amounts are
decimal strings, as RCTab writes them. Any count's :class:`~kingmaker.counting.result.Result`
can be written; a count that records no flows (``Round.flows``) shows the next round's gains.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

#: Round.inactive key -> RCTab's ``inactiveBallots`` key.
INACTIVE_KEYS = {
    "overvotes": "overvotes",
    "skipped_rankings": "skippedRankings",
    "exhausted_choices": "exhaustedChoices",
    "repeated_rankings": "repeatedRankings",
}


def decimal_string(x: Any, places: int = 4) -> str:
    """An exact decimal string for ``x`` (a whole number, a decimal fraction, else ``places`` places)."""
    if x is None:
        return "0"
    f = Fraction(x) if not isinstance(x, float) else Fraction(str(x))
    if f.denominator == 1:
        return str(f.numerator)
    d = f.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d == 1:
        digits = max(twos, fives)
        return (
            str(Decimal(f.numerator) / Decimal(f.denominator)) if digits <= 28 else f"{float(f):.{places}f}"
        )
    return f"{float(f):.{places}f}"


def _actions(result: Any, i: int, places: int) -> list[dict[str, Any]]:
    r = result.rounds[i]
    nxt = result.rounds[i + 1] if i + 1 < len(result.rounds) else None
    out = []
    for kind, who in [("elected", c) for c in r.elected] + [("eliminated", c) for c in r.eliminated]:
        if r.flows or not nxt:
            flows: Mapping[str, Any] = r.flows.get(who, {})
        elif len(r.elected) + len(r.eliminated) == 1:
            flows = {c: v for c, v in nxt.transfers.items() if v > 0}
            if nxt.exhausted_transfer:
                flows = {**flows, "exhausted": nxt.exhausted_transfer}
        else:
            flows = {}
        out.append({kind: who, "transfers": {k: decimal_string(v, places) for k, v in flows.items() if v}})
    return out


def _meta(result: Any, meta: Mapping[str, Any] | None) -> dict[str, Any]:
    m = dict(meta or {})
    return {
        "contest": m.get("contestName", m.get("contest", "")),
        "date": m.get("contestDate", m.get("date", "")),
        "jurisdiction": m.get("contestJurisdiction", m.get("jurisdiction", "")),
        "office": m.get("contestOffice", m.get("office", "")),
    }


def _inactive(result: Any, r: Any, places: int, last: bool) -> dict[str, str]:
    if r.inactive:
        out = {v: decimal_string(r.inactive.get(k, 0), places) for k, v in INACTIVE_KEYS.items()}
        if last and "final_round_surplus" in r.inactive:
            out["finalRoundSurplus"] = decimal_string(r.inactive["final_round_surplus"], places)
        return out
    out = {v: "0" for v in INACTIVE_KEYS.values()}
    out["exhaustedChoices"] = decimal_string(r.exhausted, places)
    return out


def rctab_report(result: Any, meta: Mapping[str, Any] | None = None, places: int = 4) -> dict[str, Any]:
    """``result`` in the schema of RCTab's detailed JSON report (``meta``: the config's outputSettings)."""
    rounds = result.rounds
    results = []
    for i, r in enumerate(rounds):
        results.append(
            {
                "round": r.number,
                "tally": {c: decimal_string(v, places) for c, v in r.tallies.items()},
                "tallyResults": _actions(result, i, places),
                "threshold": decimal_string(r.quota, places) if r.quota is not None else None,
                "inactiveBallots": _inactive(result, r, places, i == len(rounds) - 1),
            }
        )
    first = rounds[0] if rounds else None
    undervotes = first.inactive.get("no_rankings", 0) if first is not None else 0
    return {
        "config": {**_meta(result, meta), "generatedBy": "kingmaker"},
        "jsonFormatVersion": "1",
        "results": results,
        "summary": {
            "finalThreshold": decimal_string(rounds[-1].quota, places)
            if rounds and rounds[-1].quota is not None
            else None,
            "numCandidates": len(result.candidates),
            "numWinners": result.seats,
            "totalNumBallots": decimal_string(result.valid, places),
            "undervotes": int(undervotes),
        },
    }


def urcvt_summary(result: Any, meta: Mapping[str, Any] | None = None, places: int = 4) -> dict[str, Any]:
    """``result`` in the Universal RCV Tabulator summary format (read by rcvis)."""
    cfg = _meta(result, meta)
    if result.quota is not None:
        cfg["threshold"] = decimal_string(result.quota, places)
    return {
        "config": cfg,
        "results": [
            {
                "round": r.number,
                "tally": {c: decimal_string(v, places) for c, v in r.tallies.items()},
                "tallyResults": _actions(result, i, places),
            }
            for i, r in enumerate(result.rounds)
        ],
    }


__all__ = ["INACTIVE_KEYS", "decimal_string", "rctab_report", "urcvt_summary"]
