"""Meek's method, fast path against the slow reference it replaced (tests/reference_meek.py).

The fast count walks each ballot only past elected candidates and merges equal paths; the
reference loops over every rank of every ranking each iteration. They must agree exactly:
the same winners in the same order, the same rounds, and the same keep values, tallies and
exhausted weight at every iteration, whatever the marks on the ballots and the mark options.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import OVERVOTE, Ballots
from kingmaker.counting._walk import _duplicate_mask, repeat_mask
from kingmaker.counting.options import merge_options
from kingmaker.counting.stv._engine import _with_default_tb
from kingmaker.counting.stv.meek import MeekOptions, _count, _Walk, stv_meek
from kingmaker.errors import RuleError
from tests.reference_meek import reference_meek


@st.composite
def profiles(draw: Any) -> tuple[Ballots, int, dict[str, Any]]:
    """Random ballots over 2-12 candidates: skips, overvotes, equal rankings, repeats, weights."""
    n = draw(st.integers(2, 12))
    names = [f"C{i}" for i in range(n)]
    cand = st.integers(0, n - 1)
    item = st.one_of(
        cand,
        cand,
        cand,
        st.none(),  # a skipped rank
        st.just(OVERVOTE),
        st.frozensets(cand, min_size=2, max_size=3),  # an equal ranking (one member: a candidate)
    )
    rows = draw(st.lists(st.lists(item, min_size=0, max_size=8), min_size=1, max_size=30))
    weights = draw(st.lists(st.integers(1, 50), min_size=len(rows), max_size=len(rows)))
    withdrawn = draw(st.sets(st.sampled_from(names), max_size=max(0, n - 2)))
    seats = draw(st.integers(1, max(1, n - len(withdrawn))))
    options = {
        "overvote": draw(st.sampled_from(["exhaust", "skip"])),
        "skipped_limit": draw(st.sampled_from([None, 1, 2])),
        "duplicates": draw(st.sampled_from(["skip", "exhaust"])),
        "precision": draw(st.sampled_from([9, 9, 6, 3])),
    }
    return Ballots.from_rankings(rows, names, weights, withdrawn=withdrawn), seats, options


def _both(b: Ballots, seats: int, options: dict[str, Any]) -> tuple[Any, Any, list[Any], list[Any]]:
    fast_trace: list[Any] = []
    slow_trace: list[Any] = []
    opts = _with_default_tb(merge_options(MeekOptions, None, options, rule="stv-meek"), "backwards")
    try:
        fast: Any = _count(b, seats, opts, trace=fast_trace)
    except RuleError as e:
        fast = f"RuleError: {e}"
    try:
        slow: Any = reference_meek(b, seats, trace=slow_trace, **options)
    except RuleError as e:
        slow = f"RuleError: {e}"
    except ZeroDivisionError:  # the old count's keep update divided by an elected candidate's 0
        slow = None
    return fast, slow, fast_trace, slow_trace


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_fast_meek_matches_the_reference(case: tuple[Ballots, int, dict[str, Any]]) -> None:
    b, seats, options = case
    fast, slow, fast_trace, slow_trace = _both(b, seats, options)
    if slow is None:  # where the old count crashed, the new one counts, conserves and fills the seats
        fast.check_conservation()
        assert len(fast.winners) == seats
        return
    if isinstance(slow, str):
        assert fast == slow
        return
    assert fast.winners == slow.winners  # same elected, same order
    assert fast_trace == slow_trace  # keep values, tallies and exhausted weight, each iteration
    assert fast.to_dict() == slow.to_dict()  # every round, quota, loss, tie and option
    fast.check_conservation()


def test_stv_meek_is_the_fast_count() -> None:
    """The registered rule gives what the traced count gives, and both what the reference gives."""
    b = Ballots.from_rankings(
        [["A", "B", "C"]] * 60 + [["B", None, "A"]] * 25 + [["C", {"A", "B"}]] * 15 + [["D", "C", "D"]] * 20
    )
    fast, slow, fast_trace, _ = _both(b, 2, {})
    assert stv_meek(b, 2).to_dict() == fast.to_dict() == slow.to_dict()
    assert len(fast_trace) == fast.options["iterations"] > len(fast.rounds)


def test_fast_meek_at_size_matches_the_reference() -> None:
    """Thousands of distinct rankings over 15 candidates, 4 seats: many iterations, merged paths."""
    rng = np.random.default_rng(7)
    n = 15
    keys = np.log(1.0 / np.arange(1, n + 1))[None, :] + rng.gumbel(size=(3000, n))
    mat = np.argsort(-keys, axis=1).astype(np.int32)
    mat[np.arange(n)[None, :] >= rng.integers(1, n + 1, size=3000)[:, None]] = -1
    b = Ballots.from_matrix(mat, [f"C{i}" for i in range(n)], rng.integers(1, 5, size=3000))
    fast, slow, fast_trace, slow_trace = _both(b, 4, {})
    assert fast_trace == slow_trace and fast.to_dict() == slow.to_dict()
    assert len(fast_trace) > 20


def test_precision_past_int64_is_exact() -> None:
    """At 12 places keep x value overflows int64; the count falls back to Python integers
    (the old count overflowed there) and still conserves every vote exactly."""
    b = Ballots.from_rankings(
        [["A", "B", "C"]] * 60 + [["B", "A"]] * 25 + [["C", "B"]] * 15 + [["D", "C"]] * 20
    )
    r = stv_meek(b, 2, precision=12)
    r.check_conservation()
    assert r.winners == stv_meek(b, 2).winners == ("A", "B")


@pytest.mark.parametrize("n", [3, 40, 70, 200])
def test_repeat_mask_matches_pairwise(n: int) -> None:
    rng = np.random.default_rng(n)
    R = rng.integers(-12, n, size=(500, 9)).astype(np.int32)
    assert np.array_equal(repeat_mask(R), _duplicate_mask(R))
    assert repeat_mask(R).any()


def test_elected_candidate_left_with_no_votes_does_not_divide_by_zero() -> None:
    """Every ballot exhausts after the two it ranks, four seats: the quota shrinks towards zero
    with the elected candidates' votes; the old count divided by a zero vote here."""
    b = Ballots.from_matrix(
        np.array([[-1, -1], [0, 1]], dtype=np.int32), [f"C{i}" for i in range(5)], [8, 14]
    )
    with pytest.raises(ZeroDivisionError):
        reference_meek(b, 4, precision=6)
    r = stv_meek(b, 4, precision=6)
    r.check_conservation()
    assert r.winners[:2] == ("C0", "C1") and len(r.winners) == 4


@settings(max_examples=40, deadline=None)
@given(profiles())
def test_fast_meek_without_merging_paths_matches(case: tuple[Ballots, int, dict[str, Any]]) -> None:
    """Where a path's key would not fit in int64 each ballot is its own group: same count."""
    b, seats, options = case
    limit = _Walk.KEY_LIMIT
    _Walk.KEY_LIMIT = 0
    try:
        fast, slow, fast_trace, slow_trace = _both(b, seats, options)
    finally:
        _Walk.KEY_LIMIT = limit
    if slow is None or isinstance(slow, str):
        return
    assert fast_trace == slow_trace and fast.to_dict() == slow.to_dict()
