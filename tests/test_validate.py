"""Shared argument checks (kingmaker._validate): one behaviour and the caller's label everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from kingmaker._validate import check_seed, check_shares, check_sims
from kingmaker.errors import InputError, TooLargeError


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "10", None])
def test_check_sims_refuses_what_is_not_a_positive_whole_number(bad):
    with pytest.raises(InputError, match="the number of simulations must be a positive whole number"):
        check_sims(bad, maximum=100)


def test_check_sims_limits_and_labels():
    assert check_sims(np.int64(7), maximum=100) == 7 and check_sims(0, minimum=0, maximum=5) == 0
    with pytest.raises(TooLargeError, match="101 simulations is more than the limit of 100"):
        check_sims(101, maximum=100)
    with pytest.raises(InputError, match=r"^draws must be a whole number of at least 0, got -1$"):
        check_sims(-1, minimum=0, maximum=5, what="draws")


def test_check_seed():
    assert check_seed(None) is None and check_seed(np.uint8(3)) == 3
    for bad in (-1, 1.5, False, "7"):
        with pytest.raises(InputError, match=r"^seed must be a whole number >= 0"):
            check_seed(bad)
    with pytest.raises(InputError, match=r"^random state"):
        check_seed(None, allow_none=False, what="random state")


def test_check_shares():
    assert check_shares({"A": "36", "B": 64}) == {"A": 36.0, "B": 64.0}
    for bad, match in (
        ({"A": "x"}, "must be a number"),
        ({"A": float("nan")}, "is not a finite"),
        ({"A": -1}, "is negative"),
    ):
        with pytest.raises(InputError, match=f"^poll: share of 'A' {match}"):
            check_shares(bad, what="poll: ")
