"""``kingmaker spoilers``: recount without each candidate; Condorcet and other methods beside AV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kingmaker.ballots import Ballots
from kingmaker.cli.common import TableOrJson, TableOrJsonOption, console, print_json
from kingmaker.spoilers import SPOILER_METHODS, SpoilerReport, method_title, spoiler_analysis


def render_report(rep: SpoilerReport, title: str) -> None:
    """Print the methods table, the Condorcet verdicts and the recounts."""
    table = Table(title=f"{title}: winners by method")
    table.add_column("Method")
    table.add_column("Winner(s)")
    table.add_row(method_title(rep.method), rep.winner)
    for m, w in rep.methods.items():
        table.add_row(method_title(m), " = ".join(w) + (" (tie)" if len(w) > 1 else ""))
    table.add_row("Condorcet winner", rep.condorcet_winner or "none (majority cycle or tie)")
    table.add_row("Condorcet loser", rep.condorcet_loser or "none")
    console.print(table)
    if rep.head_to_head and len(rep.candidates) <= MAX_HEAD_TO_HEAD:
        console.print(render_head_to_head(rep))
    for who, verb in ((rep.condorcet_winner, "beats"), (rep.condorcet_loser, "loses to")):
        if who is not None:
            rows = rep.record(who) if verb == "beats" else rep.record(who)[::-1]
            parts = [f"{r} {_n(a)}-{_n(b)}" for r, a, b in rows]
            console.print(f"{who} {verb} every rival head to head: {', '.join(parts)}.")
    rec = Table(title="Recount without each candidate")
    rec.add_column("Withdrawn")
    rec.add_column("Winner")
    rec.add_column("")
    for r in rep.recounts:
        flag = "the winner stood down" if r.was_winner else ("SPOILER" if r.changed else "")
        rec.add_row(r.removed, r.winner, flag)
    console.print(rec)
    if rep.spoilers:
        for s in rep.spoilers:
            console.print(f"Spoiler: {s.describe()}.")
    else:
        console.print("No spoiler: withdrawing any losing candidate leaves the winner unchanged.")
    for note in rep.notes:
        console.print(f"Note: {note}")


#: Above this many candidates the head-to-head table is left out (it is in the JSON).
MAX_HEAD_TO_HEAD = 10


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def render_head_to_head(rep: SpoilerReport) -> Table:
    """Pairwise majorities: the ballots preferring the row candidate to the column candidate."""
    table = Table(title="Head to head: ballots preferring row to column")
    table.add_column("")
    for c in rep.candidates:
        table.add_column(c, justify="right")
    for a in rep.candidates:
        cells = []
        for b in rep.candidates:
            if a == b:
                cells.append("—")
                continue
            x, y = rep.head_to_head[a][b], rep.head_to_head[b][a]
            cells.append(f"[bold]{_n(x)}[/bold]" if x > y else _n(x))
        table.add_row(a, *cells)
    return table


def _parse_methods(text: str | None) -> tuple[str, ...] | None:
    """``--methods``: None (all), ``()`` for "none", else canonical names checked in the registry."""
    if text is None:
        return None
    names = [x.strip() for x in text.split(",") if x.strip()]
    if [n.lower() for n in names] == ["none"]:
        return ()
    return tuple(SPOILER_METHODS.canonical(n, what="--methods") for n in names)


def spoilers(
    file: Annotated[
        Path,
        typer.Argument(help="Ballot file (BLT, PrefLib, CVR or simple CSV) or a leadership contest TOML."),
    ],
    fmt: TableOrJsonOption = TableOrJson.table,
    ballot_format: Annotated[
        str | None, typer.Option("--ballot-format", help="Force the reader: blt, preflib, cvr or csv.")
    ] = None,
    methods: Annotated[
        str | None,
        typer.Option(
            "--methods",
            help="Comma-separated methods to set beside the count (default: all): "
            + ", ".join(SPOILER_METHODS.names())
            + '; "none" for none.',
            show_default=False,
        ),
    ] = None,
) -> None:
    """Spoilers (recount without each candidate), Condorcet winner and loser, other methods beside AV."""
    chosen = _parse_methods(methods)
    if file.suffix.lower() == ".toml":
        from kingmaker.leadership import Contest

        contest = Contest.read(file)
        rep = contest.spoilers(chosen)
        title = contest.title or file.name
    else:
        ballots = Ballots.read(file, format=ballot_format)
        rep = spoiler_analysis(ballots, methods=chosen)
        title = ballots.title or file.name
    if fmt == TableOrJson.json:
        options = {"ballot_format": ballot_format, "methods": chosen}
        print_json(rep.to_dict(), "spoilers", options=options, inputs={str(file): file})
        return
    render_report(rep, title)


def register(app: typer.Typer) -> None:
    """Add the ``spoilers`` command to ``app``."""
    app.command("spoilers")(spoilers)
