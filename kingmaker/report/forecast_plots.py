"""Drawings of a :class:`~kingmaker.forecast.Forecast`: seat distributions and outcome probabilities.

Matplotlib figures rendered with the Agg canvas (no display, no pyplot state). :func:`forecast_figure`
draws one seat-distribution panel per party, each on its own scale (a 300-seat party and a 6-seat
party side by side on one axis would flatten one of them), beside the outcome probabilities;
:func:`plot_forecast` writes it to a file. :func:`draw_party_distribution`,
:func:`draw_seat_distributions` and :func:`draw_outcome_probabilities` draw on given axes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: Colours of the main UK parties (party names as in the HoC / Electoral Commission files).
PARTY_COLOURS = {
    "Con": "#0087DC",
    "Lab": "#E4003B",
    "LD": "#FAA61A",
    "SNP": "#FDF38E",
    "PC": "#005B54",
    "Green": "#6AB023",
    "Grn": "#6AB023",
    "UKIP": "#70147A",
    "Brexit": "#12B6CF",
    "RUK": "#12B6CF",
    "DUP": "#D46A4C",
    "SF": "#326760",
    "SDLP": "#2AA82C",
    "APNI": "#F6CB2F",
    "Alliance": "#F6CB2F",
    "UUP": "#48A5EE",
    "Speaker": "#AAAAAA",
    "Spk": "#AAAAAA",
}


def _colour(party: str, i: int) -> str:
    return PARTY_COLOURS.get(party, f"C{i % 10}")


def _luminance(colour: str) -> float:
    """Relative luminance of a colour (0 black .. 1 white), to pick a legible label colour."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def draw_party_distribution(ax: Any, result: Any, party: str, colour: str, *, xlabel: bool = True) -> None:
    """One party's seat distribution on its own scale: a bar per seat count, the 90% interval
    shaded, the median marked, and the majority line where the range reaches it."""
    col = result.seats[:, result.parties.index(party)].astype(int)
    lo, hi = int(col.min()), int(col.max())
    counts = np.bincount(col - lo, minlength=hi - lo + 1) / len(col)
    x = np.arange(lo, hi + 1)
    ax.bar(x, counts, width=1.0, color=colour, edgecolor=colour, linewidth=0)
    low, high, median = result.low[party], result.high[party], result.median[party]
    ax.axvspan(low - 0.5, high + 0.5, color="#bbbbbb", alpha=0.3, linewidth=0, zorder=0)
    ax.axvline(median, color="black", linewidth=1)
    pad = max(2.0, 0.08 * (hi - lo))
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(0, counts.max() * 1.15)
    majority = result.absolute_majority
    if lo - pad <= majority <= hi + pad:
        ax.axvline(majority, color="black", linestyle="--", linewidth=1)
        ax.text(
            majority,
            0.88,
            f"majority {majority}",
            transform=ax.get_xaxis_transform(),
            ha="right" if majority > (lo + hi) / 2 else "left",
            va="center",
            fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
        )
    ax.set_title(party, loc="left", fontsize=10, fontweight="bold")
    ax.set_title(f"median {median}, 90% {low}-{high}", loc="right", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.yaxis.set_major_formatter(_percent_formatter())
    ax.yaxis.set_major_locator(_few_ticks())
    if xlabel:
        ax.set_xlabel("seats", fontsize=9)


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def _few_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(3)


def draw_seat_distributions(axes: Any, result: Any) -> None:
    """One panel per party (``axes``: one axis each, the parties with most seats first), each on
    its own seat and probability scale, so a 300-seat party and a 6-seat party are both readable."""
    shown = result.shown_parties()[: len(axes)]
    for i, (ax, p) in enumerate(zip(axes, shown, strict=False)):
        draw_party_distribution(ax, result, p, _colour(p, i), xlabel=i == len(shown) - 1)


def draw_outcome_probabilities(ax: Any, result: Any) -> None:
    """Horizontal bars: P(largest party), P(majority), P(hung), and each coalition's P(majority),
    each labelled with its value: inside the bar's end where the bar is long enough (in a colour
    that reads on the bar), just past it otherwise."""
    labels: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    for i, p in enumerate(result.shown_parties()[:4]):
        labels += [f"{p} largest party", f"{p} majority"]
        values += [result.p_largest[p], result.p_majority[p]]
        colours += [_colour(p, i)] * 2
    labels.append("hung parliament")
    values.append(result.p_hung)
    colours.append("#777777")
    for c in result.coalitions:
        labels += [f"{c.name} absolute majority", f"{c.name} working majority"]
        values += [c.p_absolute, c.p_working]
        colours += ["#444444", "#999999"]
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours, height=0.7)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.tick_params(axis="x", labelsize=8)
    for yy, v, colour in zip(y, values, colours, strict=True):
        text = f"{v:.0%}" if v >= 0.005 or v == 0 else "<1%"
        if v >= INSIDE_FROM:
            ink = "white" if _luminance(colour) < 0.5 else "black"
            ax.text(v - 0.01, yy, text, va="center", ha="right", fontsize=8, color=ink)
        else:
            ax.text(v + 0.01, yy, text, va="center", ha="left", fontsize=8)
    ax.set_title("Outcome probabilities", fontsize=11)


#: A bar at least this long carries its value label inside its end.
INSIDE_FROM = 0.12


def forecast_figure(result: Any, parties: int = 6) -> Any:
    """The forecast as a matplotlib ``Figure``: one seat-distribution panel per party (the
    ``parties`` with most seats) on the left, the outcome probabilities on the right."""
    from matplotlib.figure import Figure  # no pyplot: Agg canvas, no global state

    shown = result.shown_parties()[:parties]
    n = max(1, len(shown))
    bars = 2 * min(4, len(shown)) + 1 + 2 * len(result.coalitions)
    fig = Figure(figsize=(13, max(1.55 * n + 0.8, 0.32 * bars + 1.5)), layout="constrained")
    grid = fig.add_gridspec(n, 2, width_ratios=[3, 2])
    axes = [fig.add_subplot(grid[i, 0]) for i in range(n)]
    draw_seat_distributions(axes, result)
    draw_outcome_probabilities(fig.add_subplot(grid[:, 1]), result)
    fig.suptitle(
        f"Seat distributions ({result.sims:,} simulations, {result.model} swing): each party on its own "
        "scale; line = median, grey = 90% interval",
        fontsize=11,
    )
    return fig


def plot_forecast(result: Any, path: str | Path, parties: int = 6) -> Path:
    """Draw :func:`forecast_figure` to ``path`` (PNG, SVG, PDF)."""
    path = Path(path)
    forecast_figure(result, parties).savefig(path, dpi=120)
    return path
