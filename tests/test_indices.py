"""Disproportionality indices against hand-computed values."""

from __future__ import annotations

import math

import pytest

from kingmaker.errors import InputError
from kingmaker.seats.indices import (
    disproportionality,
    effective_number_of_parties,
    gallagher,
    loosemore_hanby,
    seat_vote_gaps,
)


def test_gallagher_and_loosemore_hanby_by_hand():
    votes, seats = [50, 30, 20], [60, 30, 10]
    # differences 10, 0, -10 points: LSq = sqrt((100 + 0 + 100) / 2) = 10; LH = 20 / 2 = 10
    assert gallagher(votes, seats) == pytest.approx(10.0)
    assert loosemore_hanby(votes, seats) == pytest.approx(10.0)
    votes2, seats2 = [40, 40, 20], [50, 50, 0]
    assert gallagher(votes2, seats2) == pytest.approx(math.sqrt((100 + 100 + 400) / 2))
    assert loosemore_hanby(votes2, seats2) == pytest.approx(20.0)


def test_proportional_is_zero():
    assert gallagher([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)


def test_effective_number_of_parties():
    assert effective_number_of_parties([1, 1, 1, 1]) == pytest.approx(4.0)
    assert effective_number_of_parties([50, 50]) == pytest.approx(2.0)
    assert effective_number_of_parties([0.5, 0.3, 0.2]) == pytest.approx(1 / 0.38)


def test_gaps_and_bundle():
    assert seat_vote_gaps([50, 50], [75, 25]).tolist() == pytest.approx([25.0, -25.0])
    d = disproportionality([50, 30, 20], [60, 30, 10], ["A", "B", "C"])
    assert d.to_dict()["seat_minus_vote_share"]["C"] == pytest.approx(-10.0)
    assert d.enp_seats == pytest.approx(1 / (0.36 + 0.09 + 0.01))


def test_bad_input():
    with pytest.raises(InputError):
        gallagher([0, 0], [1, 1])
    with pytest.raises(InputError):
        gallagher([-1, 2], [1, 1])
