"""The classic parliament arc: seats in concentric rows, parties from left to right.

Layout follows the usual parliament-diagram construction: rows of seats on concentric half circles,
each row holding seats in proportion to its radius, and seats dealt to parties in order of angle so
that every party forms a wedge. Parties are ordered by left-right position (unplaced parties, then
non-voting members such as the Speaker, at the right end).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kingmaker.errors import InputError
from kingmaker.parliament import Parliament

_FALLBACK_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7")


@dataclass(frozen=True)
class SeatLayout:
    """Seat centres (x, y), their angle from the left end, and the seat radius."""

    x: np.ndarray
    y: np.ndarray
    angle: np.ndarray
    radius: float


def hemicycle_layout(n_seats: int, rows: int | None = None) -> SeatLayout:
    """Place ``n_seats`` on concentric half circles of radii 1/2..1, ordered by angle (left first)."""
    if n_seats <= 0:
        raise InputError("a hemicycle needs at least one seat")
    if rows is None:
        rows = max(1, int(np.ceil(np.sqrt(n_seats / 4.0))))
    radii = np.linspace(0.5, 1.0, rows) if rows > 1 else np.array([0.75])
    share = radii / radii.sum()
    per_row = np.floor(share * n_seats).astype(int)
    # hand the remaining seats to the outer rows first (largest remainders)
    remainder = n_seats - per_row.sum()
    order = np.argsort(-(share * n_seats - per_row), kind="stable")
    per_row[order[:remainder]] += 1
    xs, ys, angles = [], [], []
    for r, k in zip(radii, per_row, strict=True):
        theta = np.pi * (1 - (np.arange(k) + 0.5) / k) if k > 0 else np.array([])
        xs.append(r * np.cos(theta))
        ys.append(r * np.sin(theta))
        angles.append(np.pi - theta)
    x, y, angle = (np.concatenate(a) for a in (xs, ys, angles))
    by_angle = np.lexsort((-np.hypot(x, y), angle))
    seat_radius = 0.5 / rows * 0.42 if rows > 1 else 0.1
    return SeatLayout(x[by_angle], y[by_angle], angle[by_angle], float(seat_radius))


def party_order(parliament: Parliament) -> list[str]:
    """Left to right: placed parties by position, then unplaced voting parties, then non-voting ones."""
    placed = [p for p in parliament.parties if p.position is not None and parliament.voting_seats(p.name) > 0]
    unplaced = [p for p in parliament.parties if p.position is None and parliament.voting_seats(p.name) > 0]
    silent = [p for p in parliament.parties if parliament.voting_seats(p.name) == 0]
    placed.sort(key=lambda p: p.position)  # type: ignore[arg-type, return-value]
    return [p.name for p in placed + unplaced + silent]


def plot_hemicycle(
    parliament: Parliament,
    coalition: Iterable[str] = (),
    *,
    seats: dict[str, int] | None = None,
    title: str | None = None,
    ax=None,
):
    """Draw the parliament (or ``seats`` from any result) as an arc; returns the matplotlib Figure.

    A highlighted ``coalition`` is drawn in full colour and the others faded; dashed lines mark the
    absolute majority and, where conventions differ, the working-majority threshold.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    coalition = set(parliament.parse_party_list(list(coalition), "coalition")) if coalition else set()
    counts = seats if seats is not None else {p.name: p.seats for p in parliament.parties}
    order = [name for name in party_order(parliament) if counts.get(name, 0) > 0]
    total = sum(counts[n] for n in order)
    layout = hemicycle_layout(total)
    colours: list[str] = []
    labels: list[str] = []
    for i, name in enumerate(order):
        colour = parliament.party(name).colour or _FALLBACK_COLOURS[i % len(_FALLBACK_COLOURS)]
        colours += [colour] * counts[name]
        labels += [name] * counts[name]
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 5.4), dpi=120)
    else:
        fig = ax.figure
    alpha = np.array([1.0 if (not coalition or lab in coalition) else 0.18 for lab in labels])
    ax.scatter(
        layout.x,
        layout.y,
        s=(layout.radius * 340) ** 2,
        c=colours,
        alpha=None if not coalition else alpha,
        edgecolors="#444444",
        linewidths=0.3,
    )

    def threshold_line(seat_count: int, style: str, label: str) -> Line2D:
        a = _angle_at(layout.angle, seat_count)
        theta = np.pi - a
        (line,) = ax.plot(
            [0.42 * np.cos(theta), 1.06 * np.cos(theta)],
            [0.42 * np.sin(theta), 1.06 * np.sin(theta)],
            style,
            color="black",
            lw=1.2,
            label=label,
        )
        return line

    handles = [
        threshold_line(parliament.absolute_majority, "--", f"majority: {parliament.absolute_majority}")
    ]
    if parliament.working_majority_threshold != parliament.absolute_majority:
        handles.append(
            threshold_line(
                parliament.working_majority_threshold,
                ":",
                f"working majority: {parliament.working_majority_threshold} of {parliament.voting_members} voting",
            )
        )
    party_handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            markersize=8,
            markerfacecolor=colours[labels.index(n)],
            markeredgecolor="#444444",
            label=f"{n} {counts[n]}",
        )
        for n in order
    ]
    ax.legend(
        handles=party_handles + handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=min(6, len(party_handles) + len(handles)),
        frameon=False,
        fontsize=8,
    )
    if coalition:
        in_seats = sum(counts.get(n, 0) for n in coalition)
        ax.text(
            0,
            0.12,
            f"{'+'.join(n for n in order if n in coalition)}\n{in_seats} seats",
            ha="center",
            va="bottom",
            fontsize=12,
            weight="bold",
        )
    ax.set_title(title or parliament.title or parliament.name)
    ax.set_aspect("equal")
    ax.set_xlim(-1.12, 1.12)
    ax.set_ylim(-0.05, 1.12)
    ax.axis("off")
    fig.tight_layout()
    return fig


def _angle_at(angles: np.ndarray, seat_count: int) -> float:
    """Angle between seat ``seat_count - 1`` and ``seat_count`` (1-based), clipped to the ends."""
    k = min(max(seat_count, 1), len(angles))
    before = angles[k - 2] if k >= 2 else angles[0]
    return float((before + angles[k - 1]) / 2)


def save_figure(fig, path: str, formats: Sequence[str] = (".png", ".svg", ".pdf")) -> None:
    """Save a figure; the file extension picks the format."""
    if not any(str(path).lower().endswith(ext) for ext in formats):
        raise InputError(f"output file {path!r} must end in one of {', '.join(formats)}")
    fig.savefig(path, bbox_inches="tight")
