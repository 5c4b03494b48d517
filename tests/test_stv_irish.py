"""Irish Dáil STV (Electoral Act 1992 Part XIX): hand-checked counts, random papers, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.counting.stv.irish import irish_count, stv_irish
from kingmaker.errors import RuleError
from tests.cli_runner import invoke

DATA = Path(__file__).parent / "data"


def _rows_of(b: Ballots, ids: np.ndarray) -> dict[tuple[str, ...], int]:
    """Papers per ranking among the paper ``ids`` (ids number papers in row order)."""
    ends = np.cumsum(b.weights.astype(np.int64))
    rows = np.searchsorted(ends, ids, side="right")
    out: dict[tuple[str, ...], int] = {}
    for r in rows.tolist():
        key = tuple(b.candidates[c] for c in b.rankings[r] if c >= 0)
        out[key] = out.get(key, 0) + 1
    return out


def _first_count_surplus() -> Ballots:
    # 60 valid, 2 seats: quota 60 // 3 + 1 = 21
    return Ballots.from_rankings(
        [["A", "B"]] * 13 + [["A", "C"]] * 9 + [["A"]] * 8 + [["B"]] * 10 + [["C"]] * 9 + [["D", "C"]] * 11,
        candidates="ABCD",
    )


def test_first_count_surplus_subparcel_sizes() -> None:
    """A 30 is elected at the first count with a surplus of 9. All 30 papers are examined
    (s.121(2)(a)): 22 transferable, B 13 and C 9 (8 non-transferable). Sub-parcel shares:
    13*9/22 = 5 r 7, 9*9/22 = 3 r 15; one paper short of 9, so C's larger fraction counts
    as one: B 5, C 4. Count 2: B 15, C 13, D 11, nothing non-transferable. D (11 + no
    surplus < 13) is excluded, and the 11 D-C papers give C 24 >= 21 at count 3."""
    b = _first_count_surplus()
    ic = irish_count(b, 2, seed=7)
    r = ic.result
    r.check_conservation()
    assert r.quota == 21 and r.winners == ("A", "C") and r.method == "stv-irish"
    assert r.rounds[0].elected == ("A",)
    assert ic.subparcels[2] == {"B": (5, 13), "C": (4, 9)}
    t2 = r.rounds[1].tallies
    assert (t2["A"], t2["B"], t2["C"], t2["D"]) == (21, 15, 13, 11) and r.rounds[1].exhausted == 0
    assert r.rounds[1].action == "surplus of A" and r.rounds[1].eliminated == ("D",)
    assert r.rounds[2].tallies["C"] == 24 and r.rounds[2].elected == ("C",)
    # the papers actually moved are 9 whole papers: 5 of the A-B papers and 4 of the A-C ones
    assert len(ic.moved[2]) == 9 and _rows_of(b, ic.moved[2]) == {("A", "B"): 5, ("A", "C"): 4}
    assert r.options["seed"] == 7
    assert any("drawn by lot (seed 7" in n for n in r.notes)
    assert all(isinstance(v, int) or v.denominator == 1 for rd in r.rounds for v in rd.tallies.values())


def test_seed_changes_only_which_papers_move() -> None:
    b = _first_count_surplus()
    base = irish_count(b, 2, seed=1)
    again = irish_count(b, 2, seed=1)
    assert np.array_equal(base.moved[2], again.moved[2]) and base.result.to_dict() == again.result.to_dict()
    other = [irish_count(b, 2, seed=s) for s in (2, 3, 4)]
    for o in other:
        assert o.subparcels == base.subparcels  # sizes fixed by s.121(4)
        assert o.result.rounds[1].tallies == base.result.rounds[1].tallies
        assert o.result.winners == base.result.winners
        assert _rows_of(b, o.moved[2]) == {("A", "B"): 5, ("A", "C"): 4}
    assert any(not np.array_equal(o.moved[2], base.moved[2]) for o in other)


def test_last_parcel_surplus() -> None:
    """88 valid, 3 seats: quota 23. A 30 ("A" only): surplus 7, all non-transferable (it could
    elect B, so it is not deferred). C 10 is excluded; its papers give B 21 + 10 = 31, a
    surplus of 8. Only that last parcel (s.121(2)(b)) is examined: D 6, E 3, 1 exhausted,
    9 transferable > 8: 6*8/9 = 5 r 3, 3*8/9 = 2 r 6 -> D 5, E 3 (not B's own B-E papers).
    Count 4: D 14 + 5 = 19, E 13 + 3 = 16; one seat left and D is ahead of E with no surplus
    left (s.124(2))."""
    b = Ballots.from_rankings(
        [["A"]] * 30
        + [["B", "E"]] * 21
        + [["C", "B", "D"]] * 6
        + [["C", "B", "E"]] * 3
        + [["C", "B"]]
        + [["D"]] * 14
        + [["E"]] * 13,
        candidates="ABCDE",
    )
    ic = irish_count(b, 3, seed=3)
    r = ic.result
    r.check_conservation()
    assert r.quota == 23 and r.winners == ("A", "B", "D")
    assert r.rounds[1].exhausted == 7 and r.rounds[1].eliminated == ("C",)
    assert r.rounds[2].tallies["B"] == 31 and r.rounds[2].elected == ("B",)
    assert ic.subparcels[4] == {"D": (5, 6), "E": (3, 3)}
    assert _rows_of(b, ic.moved[4]) == {("C", "B", "D"): 5, ("C", "B", "E"): 3}
    t4 = r.rounds[3].tallies
    assert (t4["B"], t4["D"], t4["E"]) == (23, 19, 16) and r.rounds[3].elected == ("D",)
    assert any("last parcel received (count 3)" in n for n in r.notes)


def test_multiple_exclusion_with_deferred_surplus() -> None:
    """70 valid, 2 seats: quota 24. A 25: surplus 1, deferred: it cannot elect (C 17 + 1),
    E 6 is already over a quarter quota, and E 6 + D 7 + 1 = 14 < B 15, so D and E are
    excluded together in one count (while E 6 + 1 = 7 alone would tie D). Count 2: B 21,
    C 24 elected."""
    b = Ballots.from_rankings(
        [["A"]] * 25 + [["B"]] * 15 + [["C"]] * 17 + [["D", "C"]] * 7 + [["E", "B"]] * 6,
        candidates="ABCDE",
    )
    r = stv_irish(b, 2)
    r.check_conservation()
    assert r.quota == 24 and r.winners == ("A", "C")
    assert set(r.rounds[0].eliminated) == {"D", "E"} and len(r.rounds) == 2
    t2 = r.rounds[1].tallies
    assert (t2["A"], t2["B"], t2["C"]) == (25, 21, 24)  # A's surplus never transferred
    assert r.rounds[1].elected == ("C",)


def test_tie_broken_by_earliest_count() -> None:
    """Count 1: X 10, Y 11; R excluded gives X 12 (count 2: X 12 > Y 11); Q excluded gives
    Y 12 (count 3: X 12 = Y 12, P 24, so no multiple exclusion). The earliest count at which
    they differed is count 1, where X was lower: X is excluded (the most recent count would
    have excluded Y). Then P 24 > Y 12 wins the last seat (s.124(2))."""
    b = Ballots.from_rankings(
        [["X"]] * 10
        + [["Y"]] * 11
        + [["P"]] * 24
        + [["Q", "Y"]]
        + [["Q"]] * 7
        + [["R", "X"]] * 2
        + [["R"]] * 5,
        candidates=["P", "Q", "R", "X", "Y"],
    )
    r = stv_irish(b, 1)
    r.check_conservation()
    assert [rd.eliminated for rd in r.rounds[:3]] == [("R",), ("Q",), ("X",)]
    (tie,) = r.ties
    assert tie.tied == ("X", "Y") and tie.chosen == "X" and tie.policy == "forwards"
    assert "round 1" in tie.detail
    assert r.winners == ("P",)
    assert stv_irish(b, 1, tiebreak="backwards").rounds[2].eliminated == ("Y",)


def test_last_seats_without_further_count() -> None:
    # s.124(1A): one more continuing candidate than seats, the lowest + surpluses below the next
    b = Ballots.from_rankings([["A"]] * 9 + [["B"]] * 8 + [["C"]] * 3, candidates="ABC")
    r = stv_irish(b, 2)
    assert r.winners == ("A", "B") and len(r.rounds) == 1 and r.quota == 7


def test_fractional_weights_refused() -> None:
    b = Ballots.from_rankings([["A"], ["B"]], candidates="AB", weights=[1.5, 2])
    with pytest.raises(RuleError, match="whole ballot papers"):
        stv_irish(b, 1)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.permutations(list(range(5))), st.integers(1, 5), st.integers(1, 30)),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 3),
    st.integers(0, 5),
)
def test_conservation_and_whole_votes(rows: list, seats: int, seed: int) -> None:
    b = Ballots.from_rankings([p[:k] for p, k, _ in rows], candidates="ABCDE", weights=[w for *_, w in rows])
    ic = irish_count(b, seats, seed=seed)
    r = ic.result
    r.check_conservation()
    assert len(r.winners) == seats and len(set(r.winners)) == seats
    for rd in r.rounds:
        assert all(v == int(v) for v in rd.tallies.values()) and rd.loss == 0
    for n, ids in ic.moved.items():
        assert len(np.unique(ids)) == len(ids) == sum(m for m, _ in ic.subparcels[n].values())


def test_count_and_cli(tmp_path: Path) -> None:
    b = _first_count_surplus()
    assert count(b, method="irish", seats=2, seed=7).to_dict() == stv_irish(b, 2, seed=7).to_dict()
    path = str(DATA / "scottish_ward.blt")
    out = invoke("count", path, "--method", "stv-irish", "--seed", "5", "--format", "json")
    assert out.exit_code == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["method"] == "stv-irish" and d["quota"] == 26 and len(d["winners"]) == 3
    assert d["options"]["seed"] == 5 and d["options"]["tiebreak"].startswith("forwards")
    table = invoke("count", path, "--method", "stv-irish")
    assert table.exit_code == 0 and "Quota: 26" in table.stdout
    assert "stv-irish" in invoke("count", "--help").stdout
