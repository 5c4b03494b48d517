"""STV: hand-checked Scottish count, ERS97, Gregory, Meek, and invariants."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.rules.stv import droop_quota, stv_ers97, stv_gregory, stv_meek, stv_scottish

DATA = Path(__file__).parent / "data"


def test_scottish_hand_checked_ward() -> None:
    """100 ballots, 3 seats. Quota floor(100/4)+1 = 26.

    Stage 1: Ann 60 elected (surplus 34). Stage 2: each Ann paper moves at 34*1/60 =
    0.566666.. truncated to 0.56666: Bob +40*0.56666 = 22.6664, Cat +20*0.56666 = 11.3332,
    loss 34 - 33.9996 = 0.0004; Bob 37.6664 elected (surplus 11.6664). Stage 3: Bob's papers
    have no further preference: 15 at 11.6664*1/37.6664 -> 0.30972 and 40 at
    11.6664*0.56666/37.6664 -> 0.17551, so 4.6458 + 7.0204 = 11.6662 non-transferable,
    loss +0.0002. Eve (5) excluded; stage 4 Dan 13; Dan excluded; stage 5 Cat 31.3332.
    """
    r = count(Ballots.read(DATA / "scottish_ward.blt"), method="stv-scottish")
    r.check_conservation()
    assert r.quota == 26 and r.winners == ("Ann", "Bob", "Cat")
    s2 = r.rounds[1].tallies
    assert s2["Bob"] == F("37.6664") and s2["Cat"] == F("23.3332") and s2["Ann"] == 26
    assert r.rounds[1].loss == F("0.0004")
    assert r.rounds[2].exhausted == F("11.6662") and r.rounds[2].loss == F("0.0006")
    assert r.rounds[2].eliminated == ("Eve",)
    assert r.rounds[3].tallies["Dan"] == 13 and r.rounds[3].eliminated == ("Dan",)
    assert r.rounds[4].tallies["Cat"] == F("31.3332") and r.rounds[4].elected == ("Cat",)
    assert r.rounds[4].exhausted == F("16.6662")


def test_droop_quota() -> None:
    assert droop_quota(100, 3) == 26 and droop_quota(99, 2) == 34 and droop_quota(10, 1) == 6


def test_ers97_quota_values_and_loss() -> None:
    b = Ballots.from_rankings(
        [["A", "B", "C"]] * 60 + [["B", "A"]] * 25 + [["C", "B"]] * 15 + [["D", "C"]] * 20
    )
    r = stv_ers97(b, 2)
    r.check_conservation()
    assert r.quota == 40  # 120/3 to two places, rounded up
    assert r.rounds[1].tallies["B"] == F("44.8")  # 20/60 -> 0.33 a paper
    assert r.rounds[1].loss == F("0.2")
    b2 = Ballots.from_rankings([["A"]] * 7 + [["B"]] * 5 + [["C"]] * 4, candidates="ABC")
    assert stv_ers97(b2, 2).quota == F("5.34")  # 16/3 = 5.333.. -> 5.34


def test_ers97_bulk_exclusion_and_deferral() -> None:
    b = Ballots.from_rankings(
        [["A", "B"]] * 25 + [["B"]] * 20 + [["C"]] * 18 + [["D", "C"]] * 6 + [["E", "C"]] * 2
    )
    r = stv_ers97(b, 2)
    r.check_conservation()
    # quota 71/3 -> 23.67; A's surplus 1.33 is deferred (below the gap 6-2 between the two
    # lowest, and B's 20 + 1.33 cannot reach the quota); D and E (8, plus 1.33) are below
    # C's 18 and are excluded in bulk.
    assert r.quota == F("23.67") and r.rounds[0].elected == ("A",)
    assert set(r.rounds[0].eliminated) == {"D", "E"}
    assert r.rounds[1].tallies["C"] == 26 and r.rounds[1].action == "exclusion of E, D"
    assert r.winners == ("A", "C")


def test_gregory_exact_last_parcel() -> None:
    b = Ballots.from_rankings([["A", "B"]] * 50 + [["A"]] * 10 + [["B"]] * 5 + [["C"]] * 25 + [["D"]] * 10)
    r = stv_gregory(b, 2)
    r.check_conservation()
    # quota 34; surplus 26 from 60 papers of which 50 transferable: 26/50 each, exact
    assert r.rounds[1].tallies["B"] == 5 + 26 and r.rounds[1].loss == 0
    assert r.rounds[1].exhausted == 0 and r.winners == ("A", "B")


def test_meek_reaches_quota_within_tolerance() -> None:
    b = Ballots.from_rankings(
        [["A", "B", "C"]] * 60 + [["B", "A"]] * 25 + [["C", "B"]] * 15 + [["D", "C"]] * 20
    )
    r = stv_meek(b, 2)
    r.check_conservation()
    assert r.winners == ("A", "B")
    last = r.rounds[-1]
    assert abs(last.tallies["A"] - last.quota) < F(1, 10**5)


def test_withdrawn_and_equal_rankings_in_stv() -> None:
    b = Ballots.read(DATA / "small.blt")
    for rule in (stv_scottish, stv_ers97, stv_gregory, stv_meek):
        r = rule(b, 2)
        r.check_conservation()
        assert "Dave" not in r.winners and len(r.winners) == 2


profiles = st.lists(
    st.tuples(st.permutations(range(5)), st.integers(1, 5), st.integers(1, 6)),
    min_size=3,
    max_size=25,
)


def _ballots(data) -> Ballots:  # type: ignore[no-untyped-def]
    return Ballots.from_rankings([list(p[:k]) for p, k, _ in data], list("ABCDE"), [w for *_, w in data])


@settings(max_examples=40, deadline=None)
@given(profiles, st.integers(1, 3))
def test_conservation_and_scottish_truncation(data, seats) -> None:  # type: ignore[no-untyped-def]
    b = _ballots(data)
    for rule in (stv_scottish, stv_ers97, stv_gregory, stv_meek):
        r = rule(b, seats)
        r.check_conservation()
        assert len(r.winners) == seats
    r = stv_scottish(b, seats)
    prev_loss = F(0)
    for rnd in r.rounds:
        for v in (*rnd.tallies.values(), rnd.exhausted, rnd.loss):
            assert (F(v) * 100_000).denominator == 1  # five decimal places, exactly
        assert rnd.loss >= prev_loss  # truncation only ever loses value
        prev_loss = rnd.loss


@settings(max_examples=40, deadline=None)
@given(profiles, st.randoms(use_true_random=False))
def test_stv_permutation_invariant(data, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(data)
    rnd.shuffle(shuffled)
    for rule in (stv_scottish, stv_meek):
        a, b = rule(_ballots(data), 2), rule(_ballots(shuffled), 2)
        assert a.winners == b.winners
        assert [dict(x.tallies) for x in a.rounds] == [dict(x.tallies) for x in b.rounds]


def test_scottish_transfer_values_never_exceed_one() -> None:
    from kingmaker.rules import stv as stv_mod

    b = Ballots.from_rankings([["A", "B", "C"]] * 70 + [["B", "C"]] * 20 + [["C"]] * 10)
    st_ = stv_mod._Count(b, 2, stv_mod.SCOTTISH, stv_mod.STVOptions())
    assert st_.value.max() == 100_000
    r = stv_scottish(b, 2)
    assert r.rounds[1].tallies["B"] == 20 + F(70 * (36 * 100_000 * 100_000 // 7_000_000), 100_000)
