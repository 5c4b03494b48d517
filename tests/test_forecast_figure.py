"""``plot forecast``'s figure: one seat-distribution axis per party, each on its own scale, and no
two labels overlapping (matplotlib text bounding boxes, after drawing)."""

from __future__ import annotations

import itertools
import warnings

import pytest

from kingmaker.forecast import forecast
from kingmaker.projection import ProjectionWarning
from kingmaker.report.forecast_plots import forecast_figure
from tests.test_forecast import SHARES, table


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProjectionWarning)
        return forecast(table(60), SHARES, sims=800, seed=5, coalitions=["Con+LD", "Lab+LD+SNP"])


def _drawn(fig):
    """``fig`` drawn on an Agg canvas (as savefig does: the constrained layout runs), and its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _texts(fig):
    """Every text drawn on the figure (titles, axis labels, tick labels of the ticks in view, value
    labels) with its bounding box in pixels."""
    renderer = _drawn(fig)
    texts = [fig._suptitle]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            texts += [t.label1 for t in axis.get_major_ticks() if lo <= t.get_loc() <= hi]
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if t is not None and t.get_visible() and t.get_text().strip()
    ]


@pytest.mark.parametrize("parties", [6, 3])
def test_one_axis_per_party_each_on_its_scale(result, parties):
    fig = forecast_figure(result, parties=parties)
    shown = result.shown_parties()[:parties]
    panels, outcomes = fig.axes[:-1], fig.axes[-1]
    assert [ax.get_title(loc="left") for ax in panels] == list(shown)
    assert outcomes.get_title() == "Outcome probabilities"
    for ax, party in zip(panels, shown, strict=True):
        col = result.seats[:, result.parties.index(party)]
        lo, hi = ax.get_xlim()
        assert lo <= col.min() and col.max() <= hi  # the whole distribution is in view
        assert hi - lo <= (col.max() - col.min()) * 1.2 + 4.5  # ... on the party's own scale
        assert f"median {result.median[party]}" in ax.get_title(loc="right")


def test_no_two_labels_overlap(result):
    texts = _texts(forecast_figure(result))
    assert len(texts) > 30
    clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(texts, 2) if ba.overlaps(bb)]
    assert clashes == []


def test_value_labels_sit_on_their_bars(result):
    """Each outcome bar's value label is inside the bar's end (long bars) or just past it."""
    fig = forecast_figure(result)
    ax = fig.axes[-1]
    renderer = _drawn(fig)
    bars = sorted(ax.patches, key=lambda p: p.get_y())
    labels = sorted(ax.texts, key=lambda t: t.get_position()[1])
    assert len(bars) == len(labels)
    for bar, label in zip(bars, labels, strict=True):
        box, text = bar.get_window_extent(renderer), label.get_window_extent(renderer)
        assert box.y0 <= (text.y0 + text.y1) / 2 <= box.y1  # on the bar's row
        if bar.get_width() >= 0.12:
            assert box.x0 <= text.x0 and text.x1 <= box.x1  # inside the bar
        else:
            assert text.x0 >= box.x1  # just past its end
        assert text.x1 <= ax.get_window_extent(renderer).x1  # never beyond the axis
