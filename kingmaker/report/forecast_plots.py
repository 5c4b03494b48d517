"""Drawings of a :class:`~kingmaker.forecast.Forecast`: seat distributions and outcome probabilities.

Matplotlib figures rendered with the Agg canvas (no display, no pyplot state). :func:`plot_forecast` writes both panels to
one file; :func:`draw_seat_distributions` and :func:`draw_outcome_probabilities` draw on given axes.
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


def draw_seat_distributions(ax: Any, result: Any, parties: int = 6) -> None:
    """Histogram of seats per party (the ``parties`` with most seats), with the majority line."""
    shown = result.shown_parties()[:parties]
    for i, p in enumerate(shown):
        col = result.seats[:, result.parties.index(p)].astype(int)
        lo, hi = int(col.min()), int(col.max())
        counts = np.bincount(col - lo, minlength=hi - lo + 1) / len(col)
        ax.step(
            np.arange(lo, hi + 1),
            counts,
            where="mid",
            color=_colour(p, i),
            label=f"{p} (median {result.median[p]})",
        )
        ax.fill_between(np.arange(lo, hi + 1), counts, step="mid", color=_colour(p, i), alpha=0.25)
    ax.axvline(result.absolute_majority, color="black", linestyle="--", linewidth=1)
    ax.text(
        result.absolute_majority, ax.get_ylim()[1] * 0.95, f" majority {result.absolute_majority}", fontsize=8
    )
    ax.set_xlabel("seats")
    ax.set_ylabel("share of simulations")
    ax.set_title(f"Seat distributions ({result.sims:,} simulations, {result.model} swing)")
    ax.legend(fontsize=8, frameon=False)


def draw_outcome_probabilities(ax: Any, result: Any) -> None:
    """Horizontal bars: P(largest party), P(majority), P(hung), and each coalition's P(majority)."""
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
    ax.barh(y, values, color=colours)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    for yy, v in zip(y, values, strict=True):
        ax.text(min(v + 0.01, 0.9), yy, f"{v:.0%}", va="center", fontsize=7)
    ax.set_title("Outcome probabilities")


def plot_forecast(result: Any, path: str | Path, parties: int = 6) -> Path:
    """Draw the seat distributions and the outcome probabilities to ``path`` (PNG, SVG, PDF)."""
    from matplotlib.figure import Figure  # no pyplot: Agg canvas, no global state

    path = Path(path)
    rows = 6 + len(result.coalitions)
    fig = Figure(figsize=(14, max(5.0, 0.3 * (rows + 8))))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    draw_seat_distributions(left, result, parties)
    draw_outcome_probabilities(right, result)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
