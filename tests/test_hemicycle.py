"""Hemicycle geometry."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.parliament import Parliament
from kingmaker.report.hemicycle import hemicycle_layout, party_order


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=900))
def test_layout_places_every_seat_once_on_upper_half(n):
    layout = hemicycle_layout(n)
    assert len(layout.x) == n
    assert np.all(layout.y > 0)
    assert np.all(np.diff(layout.angle) >= 0)
    r = np.hypot(layout.x, layout.y)
    assert np.all((r >= 0.49) & (r <= 1.01))


def test_party_order_left_to_right():
    order = party_order(Parliament.preset("uk-2010"))
    assert order.index("Lab") < order.index("LD") < order.index("Con")
    assert order[-2:] == ["SF", "Speaker"]
