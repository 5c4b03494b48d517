"""A count drawn round by round: one small panel of horizontal bars per stage.

Each panel shows every candidate still in the count after that stage: the part of the bar
held before the stage in a solid colour, the votes received at that stage in a lighter shade,
the exhausted (non-transferable) votes in grey at the bottom, and, for STV, the quota as a
dashed line; where the count says why ballots are inactive (``Round.inactive``: overvotes,
skipped rankings, repeated rankings, exhausted choices), the grey bar is split by reason.
Candidates elected are green from the stage they are elected, a candidate
eliminated at that stage is red. Matplotlib's object API with the Agg canvas (no pyplot).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kingmaker.counting.result import Result

CONTINUING = "#4c72b0"
ELECTED = "#2a9d4b"
ELIMINATED = "#d1495b"
EXHAUSTED = "#9a9a9a"
#: Shades of the exhausted bar by reason, where the count records why (Round.inactive).
INACTIVE_SHADES = {
    "exhausted_choices": "#9a9a9a",
    "overvotes": "#6f6f6f",
    "skipped_rankings": "#b8b8b8",
    "repeated_rankings": "#d4d4d4",
    "no_rankings": "#e6e6e6",
    "final_round_surplus": "#505050",
}


def _label(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.2f}"


def _short(action: str, limit: int = 44) -> str:
    return action if len(action) <= limit else action[: limit - 1] + "…"


def plot_rounds(result: Result, *, title: str | None = None, max_cols: int = 4) -> Any:
    """A :class:`matplotlib.figure.Figure` of ``result`` with one panel per round."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rounds = result.rounds
    if not rounds:
        from kingmaker.errors import RuleError

        raise RuleError("the count has no rounds to draw")
    first = rounds[0].tallies
    order = sorted(
        (c for c in result.candidates if any(c in r.tallies for r in rounds)),
        key=lambda c: (-float(first.get(c, 0)), result.candidates.index(c)),
    )
    show_exhausted = any(r.exhausted for r in rounds)
    rows = [*order, "exhausted"] if show_exhausted else order
    n = len(rounds)
    ncols = min(n, max_cols)
    nrows = math.ceil(n / ncols)
    height = max(2.2, 0.32 * len(rows) + 1.0)
    fig = Figure(figsize=(3.3 * ncols + 1.2, height * nrows + 0.9))
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    top = max(
        [float(v) for r in rounds for v in r.tallies.values()]
        + [float(r.exhausted) for r in rounds]
        + [float(r.quota) for r in rounds if r.quota is not None]
    )
    elected: set[str] = set()
    gone: set[str] = set()  # eliminated (an ERS97 exclusion can take several stages)
    for i, r in enumerate(rounds):
        ax = axes.flat[i]
        elected |= set(r.elected)
        gone |= set(r.eliminated)
        for y, c in enumerate(rows):
            if c == "exhausted":
                v, gain, colour = float(r.exhausted), float(r.exhausted_transfer), EXHAUSTED
            elif c in r.tallies:
                v, gain = float(r.tallies[c]), float(r.transfers.get(c, 0))
                colour = ELECTED if c in elected else ELIMINATED if c in gone else CONTINUING
            else:
                continue
            gain = max(gain, 0.0) if i else 0.0
            if c == "exhausted" and r.inactive:
                left = 0.0
                for key, shade in INACTIVE_SHADES.items():
                    part = float(r.inactive.get(key, 0))
                    if part:
                        ax.barh(y, part, left=left, color=shade, height=0.7)
                        left += part
                ax.text(v + top * 0.01, y, _label(v), va="center", fontsize=7)
                continue
            ax.barh(y, v - gain, color=colour, height=0.7)
            if gain:
                ax.barh(y, gain, left=v - gain, color=colour, alpha=0.45, height=0.7)
            mark = " ✓" if c in r.elected else " ✗" if c in r.eliminated else ""
            ax.text(v + top * 0.01, y, _label(v) + mark, va="center", fontsize=7)
        if r.quota is not None:
            ax.axvline(float(r.quota), color="black", linestyle="--", linewidth=0.9)
        ax.set_title(f"Stage {r.number}: {_short(r.action or 'count')}", fontsize=8, loc="left")
        ax.set_xlim(0, top * 1.28)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    for j in range(n, nrows * ncols):
        axes.flat[j].set_visible(False)
    ax0 = axes.flat[0]
    ax0.set_yticks(range(len(rows)), rows)
    ax0.invert_yaxis()
    handles = [
        Patch(color=CONTINUING, label="continuing"),
        Patch(color=CONTINUING, alpha=0.45, label="received at this stage"),
        Patch(color=ELECTED, label="elected ✓"),
        Patch(color=ELIMINATED, label="eliminated ✗"),
    ]
    reasons = [k for k in INACTIVE_SHADES if any(r.inactive.get(k) for r in rounds)]
    if show_exhausted and reasons:
        handles += [Patch(color=INACTIVE_SHADES[k], label=k.replace("_", " ")) for k in reasons]
    elif show_exhausted:
        handles.append(Patch(color=EXHAUSTED, label="exhausted"))
    if any(r.quota is not None for r in rounds):
        handles.append(
            Line2D([], [], color="black", linestyle="--", label=f"quota {_label(float(rounds[-1].quota))}")
        )
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8, frameon=False)
    winners = ", ".join(result.winners) or "nobody"
    fig.suptitle(title or f"{result.method}, {result.seats} seat(s): {winners} elected", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig


def save_rounds_plot(result: Result, path: str | Path, *, title: str | None = None) -> Path:
    """Draw :func:`plot_rounds` to ``path`` (PNG, SVG or PDF by extension)."""
    path = Path(path)
    plot_rounds(result, title=title).savefig(path, dpi=120)
    return path
