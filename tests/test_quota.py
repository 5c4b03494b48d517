"""Largest remainder with Hare and Droop quotas: textbook cases, Alabama paradox, quota rule."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.errors import InputError, RuleError
from kingmaker.seats.quota import droop, droop_quota, hare, hare_quota, largest_remainder
from kingmaker.ties import TiePolicy

TEXTBOOK = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def test_quotas():
    assert hare_quota(230_000, 8) == Fraction(230_000, 8)
    assert droop_quota(230_000, 8) == 25_556  # floor(230000 / 9) + 1


def test_hare_and_droop_textbook():
    # Hare quota 28750: whole 3, 2, 1, 0 (6 seats); remainders .478, .783, .043, .696 -> B, D
    assert hare(TEXTBOOK, 8).as_dict() == {"A": 3, "B": 3, "C": 1, "D": 1}
    # Droop quota 25556: whole 3, 3, 1, 0 (7); remainders 23332, 3332, 4444, 20000 -> A
    assert droop(TEXTBOOK, 8).as_dict() == {"A": 4, "B": 3, "C": 1, "D": 0}


def test_alabama_paradox():
    """Hamilton's method: one more seat in the house costs C a seat (populations 6, 6, 2)."""
    votes = {"A": 6, "B": 6, "C": 2}
    assert hare(votes, 10).as_dict() == {"A": 4, "B": 4, "C": 2}
    assert hare(votes, 11).as_dict() == {"A": 5, "B": 5, "C": 1}


def test_remainder_tie_reported_and_policies():
    votes = {"A": 5, "B": 5, "C": 2}
    with pytest.raises(RuleError, match="equal votes"):
        hare({"A": 5, "B": 5}, 1)
    result = hare({"A": 3, "B": 3, "C": 2}, 1, tie="lot", seed=4)
    assert result.house_size == 1 and len(result.ties) == 1
    assert set(result.ties[0].tied) == {"A", "B"}
    with pytest.raises(RuleError):
        hare({"A": 3, "B": 3, "C": 2}, 1, tie="raise")
    assert hare(votes, 4, threshold="20%").excluded == ("C",)


def test_bad_requests():
    with pytest.raises(InputError):
        hare(TEXTBOOK, 0)
    with pytest.raises(InputError, match="removes every party"):
        droop({"A": 1, "B": 1}, 2, threshold="51%")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10_000), min_size=2, max_size=8).filter(lambda v: sum(v) > 0), st.integers(1, 50)
)
def test_hare_satisfies_quota_and_sums(votes, seats):
    s, _ = largest_remainder(np.array(votes), seats, "hare", tie=TiePolicy("lot", seed=0))
    total = sum(votes)
    assert s.sum() == seats
    for v, n in zip(votes, s[0], strict=True):
        q = Fraction(v * seats, total)
        assert q.numerator // q.denominator <= n <= -(-q.numerator // q.denominator)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10_000), min_size=2, max_size=8).filter(lambda v: sum(v) > 0), st.integers(1, 50)
)
def test_droop_sums_to_house(votes, seats):
    s, _ = largest_remainder(np.array(votes), seats, "droop", tie=TiePolicy("lot", seed=0))
    assert s.sum() == seats
