"""First past the post, majorities and marginality."""

from __future__ import annotations

import numpy as np
import pytest

from kingmaker.errors import InputError, RuleError
from kingmaker.seats.plurality import fptp, marginality
from kingmaker.votes import VoteTable


def table() -> VoteTable:
    return VoteTable(
        np.array([[500, 400, 100], [300, 600, 100], [450, 100, 440], [10, 0, 0]]),
        ("Con", "Lab", "LD"),
        ("North", "South", "East", "West"),
    )


def test_fptp_totals_and_per_district():
    result = fptp(table())
    assert result.as_dict() == {"Con": 3, "Lab": 1, "LD": 0}
    assert result.district_seats.sum(axis=1).tolist() == [1, 1, 1, 1]


def test_majority_and_swing_needed():
    m = marginality(table())
    assert m.majority.tolist() == [100, 300, 10, 10]
    assert m.majority_share[0] == pytest.approx(0.1)
    assert m.swing_needed[2] == pytest.approx(10 / 990 / 2)
    frame = m.most_marginal(2)
    assert frame["district"].tolist() == ["East", "North"]
    assert m.safest(1)["district"].tolist() == ["West"]
    assert m.runner_up[3] == -1  # nobody else stood
    targets = m.targets("LD")
    assert targets["district"].tolist() == ["East"]
    assert m.defences("Con")["district"].tolist()[:2] == ["East", "North"]


def test_first_place_tie():
    t = VoteTable(np.array([[5, 5, 1]]), ("A", "B", "C"), ("d",))
    with pytest.raises(RuleError, match="equal votes"):
        fptp(t)
    result = fptp(t, tie="lot", seed=2)
    assert result.house_size == 1 and result.ties[0].tied == ("A", "B")


def test_multi_member_refused():
    t = VoteTable(np.array([[5, 3]]), ("A", "B"), ("d",), magnitudes=np.array([2]))
    with pytest.raises(InputError, match="single-member"):
        fptp(t)
