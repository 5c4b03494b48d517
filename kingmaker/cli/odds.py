"""``kingmaker odds``: bookmakers' prices to fair probabilities, with an optional model's edge."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kingmaker.cli.common import Format, print_json, read_json_file
from kingmaker.cli.tables import Column, WideOption, console_for, fitted_table, print_fitted
from kingmaker.errors import InputError
from kingmaker.odds import (
    DEVIG_METHODS,
    OddsAnalysis,
    analyse_odds,
    parse_aliases,
    parse_market,
    read_model_probabilities,
)


def _title(method: str) -> str:
    """A method's column heading, from its registry entry."""
    return str(DEVIG_METHODS.get(method).extra.get("title") or method)


def _parameter_label(method: str, value: float) -> str:
    """``power k=1.23``: the fitted parameter as the registry entry formats it."""
    label = DEVIG_METHODS.get(method).extra.get("label")
    return str(label).format(value) if label else f"{method} {value:.4g}"


#: How a model name was paired with a runner (:class:`~kingmaker.odds.names.RunnerMatch`), as shown.
MATCH_TEXT = {
    "alias": "by --alias",
    "same": "ignoring case and dots",
    "surname": "by surname and initials",
}


class PriceFormat(StrEnum):
    """How prices are read (``auto`` follows the documented rule)."""

    auto = "auto"
    fractional = "fractional"
    decimal = "decimal"
    american = "american"
    exchange = "exchange"


def _percent(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:+.2%}" if signed else f"{x:.2%}"


def render_table(analysis: OddsAnalysis, out: Console) -> tuple[Table, list[str]]:
    """A Rich table fitted to ``out``: one row per runner, one column per method (plus model,
    edge, EV); when too wide, the raw column goes first, then the methods other than the one the
    edge is measured against (right to left); and the headers of the columns dropped."""
    market = analysis.market
    has_model = analysis.model is not None
    columns = [
        Column("Runner"),
        Column("Price", "right"),
        Column("Raw", "right", drop=len(analysis.results) + 1),
    ]
    for i, result in enumerate(analysis.results):
        keep = result.method == analysis.edge_method
        columns.append(Column(_title(result.method), "right", drop=0 if keep else i + 1))
    if has_model:
        columns.append(Column("Model", "right"))
        columns.append(Column(f"Edge vs {_title(analysis.edge_method)}", "right"))
        columns.append(Column("EV of 1 unit", "right"))
    edge, ev = analysis.edge, analysis.expected_value
    rows = []
    for i, (runner, price) in enumerate(zip(market.runners, market.prices, strict=True)):
        row = [runner, price.text, _percent(float(market.raw_probabilities[i]))]
        row += [_percent(r.probabilities[i]) for r in analysis.results]
        if has_model and analysis.model is not None:
            row.append(_percent(analysis.model[i]))
            row.append(_percent(edge[i], signed=True) if edge is not None else "—")
            row.append(f"{ev[i]:+.3f}" if ev is not None and ev[i] is not None else "—")
        rows.append(row)
    kind = "overround" if market.overround >= 0 else "underround"
    summary = f"booksum {market.booksum:.2%}, {kind} {market.overround:+.2%}"
    if market.commission:
        summary += f", prices net of {market.commission:.2%} commission"
    parameters = [
        _parameter_label(r.method, r.parameter) for r in analysis.results if r.parameter is not None
    ]
    caption = summary + "\n" + "; ".join(parameters)
    return fitted_table(columns, rows, out, title="Implied probabilities by de-vig method", caption=caption)


def odds(
    market: Annotated[
        list[str],
        typer.Argument(
            help='Runners and prices, e.g. "D Miliband 4/6, E Miliband 5/2, Balls 16/1" '
            "(several arguments are joined with commas).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Format, typer.Option("--format", "-f", help="Output: table, json or csv.")
    ] = Format.table,
    price_format: Annotated[
        PriceFormat,
        typer.Option(
            "--price-format",
            help="Read prices as this form. auto: evens and a/b are fractional, +250/-150 "
            "American, a plain number decimal, 2.1/2.14 an exchange back/lay pair.",
        ),
    ] = PriceFormat.auto,
    commission: Annotated[
        float,
        typer.Option(help="Exchange commission on net winnings (e.g. 0.05), netted off each price."),
    ] = 0.0,
    model: Annotated[
        Path | None,
        typer.Option(
            help='JSON with {"probabilities": {runner: p}} or {"win_probability": {runner: p}}: '
            "adds the model's probability, its edge and the EV of a unit back bet.",
            show_default=False,
        ),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias",
            help='How the model names a market runner, e.g. --alias "Edward Miliband=E Miliband" '
            "(repeatable; commas separate pairs). Without one, names match when they are the same "
            "up to case and dots, or by surname with agreeing forenames or initials (D Miliband = "
            "David Miliband), when that is unambiguous; the matches made are shown.",
            show_default=False,
        ),
    ] = None,
    wide: WideOption = False,
    edge_method: Annotated[
        str,
        typer.Option(
            help="De-vig method the model's edge is measured against: "
            + ", ".join(DEVIG_METHODS.names())
            + ".",
        ),
    ] = "shin",
) -> None:
    """Bookmakers' odds to probabilities: overround and every standard de-vig method."""
    edge = DEVIG_METHODS.canonical(edge_method, what="--edge-method")
    parsed = parse_market(", ".join(market), price_format.value, commission)
    model_probabilities = None
    if model is not None:
        data = read_json_file(model, "model file")
        if not isinstance(data, dict):
            raise InputError("expected a JSON object", source=str(model))
        model_probabilities = read_model_probabilities(data, source=str(model))
    aliases = parse_aliases(alias or [], "--alias")
    analysis = analyse_odds(parsed, DEVIG_METHODS.names(), model_probabilities, edge, aliases)
    if output is Format.json:
        options = {"market": list(market), "price_format": price_format.value, "commission": commission}
        options |= {"edge_method": edge, "alias": aliases}
        print_json(analysis.to_dict(), "odds", options=options, inputs={str(model): model} if model else {})
    elif output is Format.csv:
        sys.stdout.write(analysis.to_frame().to_csv())
    else:
        out = console_for(wide)
        print_fitted(*render_table(analysis, out), out)
        for method, reason in analysis.skipped:
            out.print(f"{_title(method)} not shown: {reason}")
        for how, text in MATCH_TEXT.items():
            pairs = [f"{m.name} → {m.runner}" for m in analysis.matches if m.how == how]
            if pairs:
                out.print(f"Model names matched {text}: {', '.join(pairs)}")


def register(app: typer.Typer) -> None:
    """Add the ``odds`` command to ``app``."""
    app.command("odds")(odds)
