"""``kingmaker seats marginal``'s table: each seat's winner and runner-up as a readable party label
with the candidate's name below it, fitted to the terminal (:mod:`kingmaker.cli.tables`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from kingmaker.cli.tables import Column, fitted_table, print_fitted
from kingmaker.votes import VoteTable

#: ``seats marginal`` columns; when the terminal is narrow the region goes first, then the
#: majority's share (the swing needed is half of it). Winner and runner-up cells hold the party's
#: label with the candidate's name below it.
MARGINAL_COLUMNS = (
    Column("seat", overflow="fold"),
    Column("region", drop=2),
    Column("winner", overflow="fold"),
    Column("runner-up", overflow="fold"),
    Column("majority", "right"),
    Column("maj %", "right", drop=1),
    Column("swing %", "right"),
)


def named(rec: dict[str, Any], table: VoteTable, people: dict[tuple[str, str], str]) -> dict[str, Any]:
    """A marginality record with each party's readable label and the candidates' names (``None``
    where the file does not name them)."""
    from kingmaker.party_names import party_label

    rec = dict(rec)
    for side in ("winner", "runner_up"):
        key = rec.get(side)
        if not isinstance(key, str):  # no runner-up (an unopposed or one-column seat)
            key = rec[side] = None
        rec[f"{side}_party"] = (
            None if key is None else party_label(key, names=table.party_names, election=table.election)
        )
        rec[f"{side}_name"] = None if key is None else people.get((rec["code"], key))
    return rec


def _who(party: str | None, name: str | None) -> str:
    """A table cell: the party's label, and the candidate's name below it where known."""
    if party is None:
        return "-"
    return f"{party}\n{name}" if name else party


def print_marginal(
    records: dict[str, list[dict[str, Any]]], label: str, has_names: bool, out: Console
) -> None:
    """One table per list of ``records`` (rows of :func:`named`), titled ``label: list``; and
    whether the file names its candidates (``has_names``)."""
    for title, recs in records.items():
        cells = [
            [
                rec["district"],
                str(rec.get("region") or ""),
                _who(rec["winner_party"], rec["winner_name"]),
                _who(rec["runner_up_party"], rec["runner_up_name"]),
                f"{rec['majority']:,}",
                f"{rec['majority_share'] * 100:.2f}",
                f"{rec['swing_needed'] * 100:.2f}",
            ]
            for rec in recs
        ]
        print_fitted(*fitted_table(MARGINAL_COLUMNS, cells, out, title=f"{label}: {title}"), out)
    out.print(
        "maj %: the majority as a share of the votes; swing %: the swing that would tie the seat (half of it)."
    )
    if not has_names:
        out.print("This results file does not name the candidates (the 2015-2024 files do).")
