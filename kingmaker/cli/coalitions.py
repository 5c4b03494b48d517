"""``kingmaker coalitions``: the governments the numbers allow."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kingmaker.cli.common import (
    FileOption,
    Format,
    FormatOption,
    PresetOption,
    SeatsOption,
    ThresholdOption,
    load_parliament,
    parliament_inputs,
    parse_pairs,
    parse_threshold,
)
from kingmaker.cli.tables import Column, WideOption, console_for, fitted_table, print_fitted
from kingmaker.errors import InputError, KingmakerError
from kingmaker.provenance import provenance

if TYPE_CHECKING:  # the analysis (NumPy) is imported when the command runs, not for --help
    from kingmaker.coalitions import Coalition, CoalitionTable, Completion
    from kingmaker.parliament import Parliament

THEORY_TAGS = (
    ("minimal_winning", "MW", "minimal winning (every member pivotal)"),
    ("minimum_winning", "MinW", "minimum winning (fewest seats)"),
    ("minimal_connected_winning", "MCW", "minimal connected winning (Axelrod)"),
    ("minimal_range", "MR", "minimal range"),
    ("fewest_parties", "FP", "fewest parties (Leiserson's bargaining proposition)"),
)
TABLE_DEFAULT_TOP = 20
#: ``--sort`` values: ``likely`` (the formation model's probability) and the analysis's orders.
SORTS = ("likely", "seats", "surplus", "parties", "range")
#: Parties above which ``--sort likely`` falls back to ``seats``: the formation model's prediction
#: and the scoring of every winning coalition stay well under a second up to here (the web
#: page's governments table uses the same bound).
LIKELY_MAX_PARTIES = 15


def _tags(c: Coalition) -> str:
    return " ".join(tag for attr, tag, _ in THEORY_TAGS if getattr(c, attr))


def _header(parliament: Parliament, threshold_label: str, quota: int, out: Console) -> None:
    title = parliament.title or parliament.name
    out.print(f"[bold]{title}[/bold]")
    for line in parliament.explain():
        out.print(f"  {line}")
    out.print(f"Threshold used: [bold]{threshold_label}[/bold], {quota} seats.\n")


#: The table's columns and the order they are dropped in when the terminal is narrow (highest
#: ``drop`` first): connectedness, range, party count, surplus and majority go before the veto
#: players and the theories; the coalition, its probability and its seats always stay.
COLUMNS = (
    Column("Coalition"),
    Column("P(forms)", "right"),
    Column("Seats", "right"),
    Column("Majority", "right", drop=3),
    Column("Surplus", "right", drop=4),
    Column("Parties", "right", drop=5),
    Column("Range", "right", drop=6),
    Column("Connected", "center", drop=7),
    Column("Theories", drop=1),
    Column("Pivotal (veto)", drop=2),
)


def _percent(p: float | None) -> str:
    return "-" if p is None else f"{p:.1%}"


def _coalition_table(
    rows: Sequence[Coalition],
    title: str,
    out: Console,
    probabilities: Sequence[float | None] | None = None,
) -> tuple[Table, list[str]]:
    """The coalitions as a table fitted to ``out`` (see :data:`COLUMNS`), with the formation
    model's probability of each where given; and the headers of the columns dropped to fit."""
    columns = [c for c in COLUMNS if probabilities is not None or c.header != "P(forms)"]
    cells = []
    for i, c in enumerate(rows):
        row = ["+".join(c.parties)]
        if probabilities is not None:
            row.append(_percent(probabilities[i]))
        row += [
            str(c.seats),
            f"{c.majority:+d}",
            str(c.surplus),
            str(c.n_parties),
            "-" if c.range is None else f"{c.range:.2f}",
            {True: "yes", False: "no", None: "?"}[c.connected],
            _tags(c),
            ", ".join(c.pivotal) or "-",
        ]
        cells.append(row)
    return fitted_table(columns, cells, out, title=title, title_justify="left")


def _likeliest(
    parliament: Parliament, table: CoalitionTable, limit: int | None
) -> tuple[CoalitionTable, list[float | None], dict[str, Any]] | None:
    """``table`` re-sorted likeliest first by the formation model (its probability that each
    coalition is the government that forms), cut to ``limit`` rows, with the probabilities and the
    model's description; ``None`` where the model cannot score the parliament (more than
    :data:`LIKELY_MAX_PARTIES` parties, or no party placed on left-right).

    Coalitions the model does not enumerate (more than its largest government) have no probability
    and follow the scored ones. Ties (and the unscored) keep the seats order: smallest first, then
    fewest parties, then the parliament's party order.
    """
    from kingmaker.formation import formation

    if len(parliament.parties) > LIKELY_MAX_PARTIES:
        return None
    try:
        result = formation(parliament, top=None)
    except KingmakerError:
        return None
    by_group = {frozenset(g.parties): g.probability for g in result.governments}
    rows = list(table.coalitions)
    probs = [by_group.get(frozenset(c.parties)) for c in rows]
    order = sorted(range(len(rows)), key=lambda i: (probs[i] is None, -(probs[i] or 0.0), i))
    if limit is not None:
        order = order[:limit]
    chosen = replace(table, coalitions=tuple(rows[i] for i in order))
    return chosen, [probs[i] for i in order], result.model


def _print_completion(result: Completion, parliament: Parliament, threshold_label: str, out: Console) -> None:
    _header(parliament, threshold_label, result.quota, out)
    group = "+".join(result.group)
    if result.wins:
        out.print(
            f"[bold]{group}[/bold] = {result.seats} seats: a majority of {result.majority} "
            f"({result.seats - result.quota} over the {result.quota} needed)."
        )
        out.print(f"Pivotal (veto) members: {', '.join(result.pivotal) or 'none'}")
        return
    out.print(
        f"[bold]{group}[/bold] = {result.seats} seats: short by {result.shortfall} of the {result.quota} needed."
    )
    if not result.completions:
        out.print("No combination of the other parties completes it.")
        return
    print_fitted(
        *_coalition_table(result.completions, "Smallest sets of partners that complete it", out), out
    )


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
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            "--order",
            help="likely (the formation model's probability that the coalition forms, likeliest "
            f"first; the table's default, up to {LIKELY_MAX_PARTIES} parties), seats (fewest first; "
            "json/csv default), surplus, parties (fewest first) or range (narrowest first).",
        ),
    ] = None,
    minimal: Annotated[bool, typer.Option("--minimal", help="Only minimal winning coalitions.")] = False,
    exclude: Annotated[str | None, typer.Option(help="Parties that join no coalition, e.g. DUP,SNP.")] = None,
    incompatible: Annotated[
        str | None, typer.Option(help="Pairs that will not sit together, e.g. Con:Lab,LD:DUP.")
    ] = None,
    format: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """List every government the numbers allow, with the coalition theories and each one's veto players."""
    # The table lists the likeliest governments first where the formation model can score the
    # parliament (else, and in json/csv, the tightest first): see --sort.
    from kingmaker.coalitions import coalitions, complete

    out = console_for(wide)
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
    order = sort if sort is not None else ("likely" if format == Format.table else "seats")
    if order not in SORTS:
        raise InputError(f"unknown order {order!r} for --sort; use one of {', '.join(SORTS)}")
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
            _print_completion(result, parliament, label, out)
        return

    likely = order == "likely"
    table = coalitions(
        parliament,
        thr,
        top=None if likely else limit,
        order="seats" if likely else order,  # type: ignore[arg-type]
        minimal_only=minimal,
        excluded=excluded,
        incompatible=pairs,  # type: ignore[arg-type]
    )
    probabilities: list[float | None] | None = None
    model: dict[str, Any] = {}
    fallback = ""
    if likely:
        scored = _likeliest(parliament, table, limit)
        if scored is None:
            fallback = (
                "The formation model cannot score this parliament (more than "
                f"{LIKELY_MAX_PARTIES} parties, or none placed on left-right): sorted by seats."
            )
            table = coalitions(
                parliament,
                thr,
                top=limit,
                minimal_only=minimal,
                excluded=excluded,
                incompatible=pairs,  # type: ignore[arg-type]
            )
        else:
            table, probabilities, model = scored
    if format == Format.json:
        options = {"threshold": thr, "top": limit, "order": order, "minimal": minimal, "exclude": excluded}
        block = provenance("coalitions", {**options, "incompatible": pairs}, inputs)
        tail: dict[str, Any] = {}
        if probabilities is not None:
            tail = {"formation": [None if p is None else round(p, 4) for p in probabilities]}
            tail["formation_model"] = model
        tail["provenance"] = block
        _stream_json(table.iter_json(), head=table.head(), key="coalitions", tail=tail)
        return
    if format == Format.csv:
        rows = table.iter_dicts()
        if probabilities is not None:
            rows = ({**r, "formation": p} for r, p in zip(rows, probabilities, strict=True))
        _stream_csv(rows)
        return
    _header(parliament, label, table.quota, out)
    kind = "minimal winning" if minimal else "winning"
    how = (
        "likeliest first (formation model)"
        if probabilities is not None
        else "by seats"
        if fallback
        else f"by {order}"
    )
    print_fitted(
        *_coalition_table(table.coalitions, f"{kind.capitalize()} coalitions, {how}", out, probabilities), out
    )
    shown = len(table.coalitions)
    total = table.total_minimal_winning if minimal else table.total_winning
    if shown < total:
        out.print(f"Showing {shown} of {total} {kind} coalitions; --top 0 shows all.")
    if fallback:
        out.print(fallback)
    if probabilities is not None:
        out.print(
            "P(forms): the formation model's probability that this coalition is the government "
            "(minority and single-party governments take the rest; kingmaker formation lists them); "
            "--sort seats lists the tightest first."
        )
    out.print("Theories: " + "; ".join(f"{tag} = {text}" for _, tag, text in THEORY_TAGS))


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
