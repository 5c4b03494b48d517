"""``kingmaker coalitions``: the governments the numbers allow."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kingmaker.cli.common import (
    FileOption,
    Format,
    FormatOption,
    PresetOption,
    SeatsOption,
    ThresholdOption,
    console,
    load_parliament,
    parliament_inputs,
    parse_pairs,
    parse_threshold,
)
from kingmaker.errors import InputError
from kingmaker.provenance import provenance

if TYPE_CHECKING:  # the analysis (NumPy) is imported when the command runs, not for --help
    from kingmaker.coalitions import Coalition, Completion
    from kingmaker.parliament import Parliament

THEORY_TAGS = (
    ("minimal_winning", "MW", "minimal winning (every member pivotal)"),
    ("minimum_winning", "MinW", "minimum winning (fewest seats)"),
    ("minimal_connected_winning", "MCW", "minimal connected winning (Axelrod)"),
    ("minimal_range", "MR", "minimal range"),
    ("fewest_parties", "FP", "fewest parties (Leiserson's bargaining proposition)"),
)
TABLE_DEFAULT_TOP = 20


def _tags(c: Coalition) -> str:
    return " ".join(tag for attr, tag, _ in THEORY_TAGS if getattr(c, attr))


def _header(parliament: Parliament, threshold_label: str, quota: int) -> None:
    title = parliament.title or parliament.name
    console.print(f"[bold]{title}[/bold]")
    for line in parliament.explain():
        console.print(f"  {line}")
    console.print(f"Threshold used: [bold]{threshold_label}[/bold], {quota} seats.\n")


def _coalition_table(rows: tuple[Coalition, ...], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col, just in (
        ("Coalition", "left"),
        ("Seats", "right"),
        ("Majority", "right"),
        ("Surplus", "right"),
        ("Parties", "right"),
        ("Range", "right"),
        ("Connected", "center"),
        ("Theories", "left"),
        ("Pivotal (veto)", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in rows:
        table.add_row(
            "+".join(c.parties),
            str(c.seats),
            f"{c.majority:+d}",
            str(c.surplus),
            str(c.n_parties),
            "-" if c.range is None else f"{c.range:.2f}",
            {True: "yes", False: "no", None: "?"}[c.connected],
            _tags(c),
            ", ".join(c.pivotal) or "-",
        )
    return table


def _print_completion(result: Completion, parliament: Parliament, threshold_label: str) -> None:
    _header(parliament, threshold_label, result.quota)
    group = "+".join(result.group)
    if result.wins:
        console.print(
            f"[bold]{group}[/bold] = {result.seats} seats: a majority of {result.majority} "
            f"({result.seats - result.quota} over the {result.quota} needed)."
        )
        console.print(f"Pivotal (veto) members: {', '.join(result.pivotal) or 'none'}")
        return
    console.print(
        f"[bold]{group}[/bold] = {result.seats} seats: short by {result.shortfall} of the {result.quota} needed."
    )
    if not result.completions:
        console.print("No combination of the other parties completes it.")
        return
    console.print(_coalition_table(result.completions, "Smallest sets of partners that complete it"))


def coalitions_command(
    preset: PresetOption = None,
    file: FileOption = None,
    seats: SeatsOption = None,
    threshold: ThresholdOption = "absolute",
    with_: Annotated[
        str | None,
        typer.Option(
            "--with", help="A group, e.g. Lab,LD: its shortfall and the smallest sets that complete it."
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(help=f"Show the first N (table default {TABLE_DEFAULT_TOP}; 0 = all; json/csv: all)."),
    ] = None,
    order: Annotated[str, typer.Option(help="Sort by seats, parties or range.")] = "seats",
    minimal: Annotated[bool, typer.Option("--minimal", help="Only minimal winning coalitions.")] = False,
    exclude: Annotated[str | None, typer.Option(help="Parties that join no coalition, e.g. DUP,SNP.")] = None,
    incompatible: Annotated[
        str | None, typer.Option(help="Pairs that will not sit together, e.g. Con:Lab,LD:DUP.")
    ] = None,
    format: FormatOption = Format.table,
) -> None:
    """List every government the numbers allow, with the coalition theories and each one's veto players."""
    from kingmaker.coalitions import coalitions, complete

    parliament = load_parliament(preset, file, seats)
    thr = parse_threshold(threshold)
    excluded = parliament.parse_party_list(exclude, "--exclude") if exclude else ()
    pairs = [
        (parliament.resolve(a, "--incompatible"), parliament.resolve(b, "--incompatible"))
        for a, b in parse_pairs(incompatible)
    ]
    for a, b in pairs:
        if a == b:  # the same party spelt two ways (Green:grn)
            raise InputError(f"--incompatible: a party cannot be incompatible with itself ({a!r})")
    if top is not None and top < 0:
        raise InputError(f"--top must be 0 (all) or positive, got {top}")
    limit = top if top else None
    if top is None and format == Format.table:
        limit = TABLE_DEFAULT_TOP
    label = threshold if isinstance(thr, str) else f"custom quota {thr}"
    inputs = parliament_inputs(preset, file, seats, parliament)

    if with_ is not None:
        group = parliament.parse_party_list(with_, "--with")
        result = complete(parliament, group, thr, top=limit, excluded=excluded, incompatible=pairs)
        if format == Format.json:
            options = {"with": list(result.group), "threshold": thr, "top": limit, "exclude": excluded}
            block = provenance("coalitions", {**options, "incompatible": pairs}, inputs)
            _stream_json(
                result.iter_json(), head=result.head(), key="completions", tail={"provenance": block}
            )
        elif format == Format.csv:
            _stream_csv(result.iter_dicts())
        else:
            _print_completion(result, parliament, label)
        return

    table = coalitions(
        parliament,
        thr,
        top=limit,
        order=order,
        minimal_only=minimal,
        excluded=excluded,
        incompatible=pairs,  # type: ignore[arg-type]
    )
    if format == Format.json:
        options = {"threshold": thr, "top": limit, "order": order, "minimal": minimal, "exclude": excluded}
        block = provenance("coalitions", {**options, "incompatible": pairs}, inputs)
        _stream_json(table.iter_json(), head=table.head(), key="coalitions", tail={"provenance": block})
        return
    if format == Format.csv:
        _stream_csv(table.iter_dicts())
        return
    _header(parliament, label, table.quota)
    kind = "minimal winning" if minimal else "winning"
    console.print(_coalition_table(table.coalitions, f"{kind.capitalize()} coalitions, by {order}"))
    shown = len(table.coalitions)
    total = table.total_minimal_winning if minimal else table.total_winning
    if shown < total:
        console.print(f"Showing {shown} of {total} {kind} coalitions; --top 0 shows all.")
    console.print("Theories: " + "; ".join(f"{tag} = {text}" for _, tag, text in THEORY_TAGS))


#: Rows written to stdout at a time when streaming.
_BATCH = 4096


def _batches(lines: Iterator[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _stream_json(
    rows: Iterator[str],
    *,
    head: dict[str, Any] | None = None,
    key: str = "",
    tail: dict[str, Any] | None = None,
) -> None:
    """JSON on stdout, written as the rows are produced: a list of rows, or ``head``'s keys, then
    the JSON rows under ``key``, then ``tail``'s keys (the provenance block), one compact row per
    line: the same data :func:`~kingmaker.cli.common.print_json` would give."""
    out = sys.stdout
    indent = "  " if head is None else "    "
    if head is None:
        out.write("[")
    else:
        out.write("{\n")
        for k, v in head.items():
            out.write(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n")
        out.write(f"  {json.dumps(key)}: [")
    first = True
    for text in _batches(("\n" + indent + row + ",") for row in rows):
        if not first:
            out.write(",")
        out.write(text[:-1])  # the last row's comma waits for the next batch
        first = False
    if head is None:
        out.write(("\n" if not first else "") + "]\n")
    else:
        out.write(("\n" if not first else "") + "  ]")
        for k, v in (tail or {}).items():
            out.write(f",\n  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}")
        out.write("\n}\n")
    out.flush()


def _stream_csv(rows: Iterator[dict[str, Any]]) -> None:
    """CSV on stdout (header from the first row; party lists joined with '+'), written as produced."""
    buf = io.StringIO()
    writer: csv.DictWriter | None = None
    for n, row in enumerate(rows, start=1):
        for name in ("partners", "parties", "pivotal"):
            if name in row:
                row[name] = "+".join(row[name])
        if writer is None:
            writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
        if n % _BATCH == 0:
            sys.stdout.write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    sys.stdout.write(buf.getvalue())
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add ``coalitions`` to the CLI."""
    app.command("coalitions")(coalitions_command)
