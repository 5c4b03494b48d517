"""STV: hand-checked Scottish count, ERS97, Gregory, Meek, and invariants."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.counting.stv import droop_quota, stv_ers97, stv_gregory, stv_meek, stv_scottish

DATA = Path(__file__).parent / "data"


def test_scottish_hand_checked_ward() -> None:
    """100 ballots, 3 seats. Quota floor(100/4)+1 = 26.

    Stage 1: Ann 60 elected (surplus 34). Stage 2: each Ann paper moves at 34*1/60 =
    0.566666.. truncated to 0.56666: Bob +40*0.56666 = 22.6664, Cat +20*0.56666 = 11.3332,
    loss 34 - 33.9996 = 0.0004; Bob 37.6664 elected (surplus 11.6664). Stage 3: Bob's papers
    have no further preference: 15 at 11.6664*1/37.6664 -> 0.30972 and 40 at
    11.6664*0.56666/37.6664 -> 0.17551, so 4.6458 + 7.0204 = 11.6662 non-transferable,
    loss +0.0002. Eve (5) excluded; stage 4 Dan 13, Cat 23.3332; Dan excluded, which leaves
    Cat as the one continuing candidate for the one vacancy: deemed elected under rule 52(1),
    and by rule 52(2) Dan's papers are not transferred.
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
    assert r.rounds[3].tallies["Cat"] == F("23.3332") and r.rounds[3].elected == ("Cat",)
    assert len(r.rounds) == 4 and r.rounds[3].exhausted == F("11.6662")


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
    from kingmaker.counting.stv import _engine as stv_mod
    from kingmaker.counting.stv.scottish import SCOTTISH

    b = Ballots.from_rankings([["A", "B", "C"]] * 70 + [["B", "C"]] * 20 + [["C"]] * 10)
    st_ = stv_mod._Count(b, 2, SCOTTISH, stv_mod.STVOptions())
    assert st_.value.max() == 100_000
    r = stv_scottish(b, 2)
    assert r.rounds[1].tallies["B"] == 20 + F(70 * (36 * 100_000 * 100_000 // 7_000_000), 100_000)


# ---------------------------------------------------------------- ERS97 sub-stages and deferral
ERS97_SUBSTAGES = Ballots.from_rankings(
    [["A", "E"]] * 40
    + [["A", "D", "B", "C"]] * 12
    + [["B"]] * 20
    + [["C"]] * 22
    + [["D", "B", "C"]] * 14
    + [["E"]] * 14,
    candidates="ABCDE",
)


def test_ers97_exclusion_moves_in_sub_stages_by_value() -> None:
    """122 papers, 3 seats, quota 122/4 = 30.50 (ERS97 5.1.6).

    Stage 1: A 52 elected, surplus 21.50 (not deferred: D and E are level, and D+E+21.50 is
    more than B's 20). Stage 2: all 52 A papers move at 21.50/52 -> 0.41: E +16.40 = 30.40,
    D +4.92 = 18.92, loss 0.18. D is lowest and excluded; D's papers form two batches
    (5.4.1): 14 at 1.00 and 12 at 0.41. Stage 3 (first batch): B +14 = 34, elected (5.4.9).
    Stage 4 (second batch): the 12 "A D B C" papers skip B, now elected (5.4.10), and give
    C +4.92 = 26.92. B's surplus 3.50 exceeds the gap C-E 3.48 and is not deferred. Stage 5:
    the last batch B received (14 papers, 5.3.2) moves at 3.50/14 = 0.25: C 30.42. C reaches
    the total active vote (30.42 + 30.40) / 2 = 30.41 (5.3.13(b)) and is elected.

    Moving D's papers in one stage instead gives B 38.92 and a surplus of 8.42 from a mixed
    parcel; C gets only 8.32 (30.32) and E (30.40) would win the last seat.
    """
    r = stv_ers97(ERS97_SUBSTAGES, 3)
    r.check_conservation()
    assert r.quota == F("30.5") and r.winners == ("A", "B", "C")
    s2 = r.rounds[1].tallies
    assert s2["E"] == F("30.4") and s2["D"] == F("18.92") and r.rounds[1].loss == F("0.18")
    assert r.rounds[1].eliminated == ("D",)
    b1, b2 = r.rounds[2], r.rounds[3]
    assert b1.action == "exclusion of D: papers at 1.00 (1 of 2)" and b1.elected == ("B",)
    assert b1.tallies["B"] == 34 and b1.tallies["D"] == F("4.92") and b1.transfers["D"] == -14
    assert b2.action == "exclusion of D: papers at 0.41 (2 of 2)"
    assert b2.tallies["C"] == F("26.92") and b2.tallies["B"] == 34 and "D" not in b2.tallies
    last = r.rounds[4]
    assert last.action == "surplus of B" and last.tallies["C"] == F("30.42") and last.elected == ("C",)
    assert not r.ties


def test_ers97_one_stage_exclusion_would_elect_someone_else() -> None:
    import dataclasses

    from kingmaker.counting.stv import _engine as stv_mod
    from kingmaker.counting.stv.ers97 import ERS97

    one_stage = dataclasses.replace(ERS97, substages=False)
    opts = stv_mod._with_default_tb(stv_mod.STVOptions(), "forwards")
    r = stv_mod._run_parcel_stv(ERS97_SUBSTAGES, 3, one_stage, opts)
    assert r.winners == ("A", "B", "E") and r.rounds[3].tallies["C"] == F("30.32")


def test_ers97_surplus_equal_to_the_gap_is_deferred() -> None:
    """5.2.2: deferred when the surplus "does not exceed" the gap (equality defers).

    45 papers, 2 seats, quota 15. A 20 (surplus 5); B 12, C 9, D 4: the two lowest differ by
    exactly 5, so D is excluded first (D's papers to C: 13); then the gap B-C is 1 and A's
    surplus moves at 5/20 = 0.25 a paper: B 17, elected.
    """
    b = Ballots.from_rankings([["A", "B"]] * 20 + [["B"]] * 12 + [["C"]] * 9 + [["D", "C"]] * 4)
    r = stv_ers97(b, 2)
    r.check_conservation()
    assert r.rounds[0].elected == ("A",) and r.rounds[0].eliminated == ("D",)
    assert r.rounds[1].action == "exclusion of D" and r.rounds[1].tallies["C"] == 13
    assert r.rounds[2].action == "surplus of A" and r.rounds[2].tallies["B"] == 17
    assert r.winners == ("A", "B")


def test_ers97_quota_recalculated_before_anyone_is_elected() -> None:
    """5.4.8: papers non-transferable before any election lower the quota."""
    b = Ballots.from_rankings([["A"]] * 30 + [["B"]] * 29 + [["C", "A"]] * 17 + [["D"]] * 16 + [["E"]] * 19)
    r = stv_ers97(b, 2)
    r.check_conservation()
    assert r.rounds[0].quota == 37  # 111/3
    assert any("5.4.8" in n for n in r.notes)
    assert r.rounds[1].quota == F("31.67")  # D's 16 papers exhausted: 95/3 -> 31.67


def test_ers97_ties_look_forwards() -> None:
    """5.2.5: of tied lowest candidates, exclude the one with fewer votes "at the first stage
    or at the earliest point in the count ... where they had unequal votes".

    Stage 1: A 15, Y 6, X 5, W 4, Z 3; Z excluded (3 + 4 > 5, no bulk): X 8. Stage 2: W
    excluded: Y 8 (two W papers exhaust; 5.4.8 lowers the quota to 15.50). Stage 3: X and Y
    tie at 8; at the first stage X had fewer (5 < 6), so X goes (looking back from the most
    recent stage would pick Y: 8 > 6).
    """
    b = Ballots.from_rankings(
        [["A"]] * 15 + [["Y"]] * 6 + [["X"]] * 5 + [["W", "Y"]] * 2 + [["W"]] * 2 + [["Z", "X"]] * 3
    )
    r = stv_ers97(b, 1)
    r.check_conservation()
    assert r.options["tiebreak"].startswith("forwards")
    assert r.rounds[2].tallies["X"] == 8 and r.rounds[2].tallies["Y"] == 8
    (tie,) = r.ties
    assert tie.purpose == "eliminate" and set(tie.tied) == {"X", "Y"} and tie.round == 3
    assert tie.chosen == "X" and tie.policy == "forwards" and tie.detail == "round 1 tallies"
    assert r.winners == ("A",)
    assert stv_ers97(b, 1, tiebreak="backwards").ties[0].chosen == "Y"


# ---------------------------------------------------------------- Scottish ties and rule 52
#: Stage 1: A 60 (quota 88//3 + 1 = 30), X 10, Y 11, Z 7. Stage 2: A's surplus 30 moves at
#: 0.5 a paper, 4 papers to X: X 12, Y 11. Stage 3: Z excluded, one paper to Y: X 12, Y 12.
TIE_BALLOTS = Ballots.from_rankings(
    [["A", "X"]] * 4 + [["A"]] * 56 + [["X"]] * 10 + [["Y"]] * 11 + [["Z", "Y"]] * 1 + [["Z"]] * 6
)


def test_scottish_exclusion_tie_uses_most_recent_preceding_stage() -> None:
    """SSI 2007/42 rule 51(2)(a): X and Y tie at 12 at stage 3; at stage 2, the most recent
    preceding stage where they differed, Y had fewer (11 < 12), so Y is excluded, leaving X
    as the one continuing candidate for the last vacancy (rule 52). Looking at the first
    stage instead (X 10 < Y 11) would exclude X."""
    r = stv_scottish(TIE_BALLOTS, 2)
    r.check_conservation()
    assert r.options["tiebreak"] == "backwards, then random (seed 0)"
    assert r.rounds[2].tallies["X"] == 12 and r.rounds[2].tallies["Y"] == 12
    (tie,) = r.ties
    assert tie.round == 3 and tie.purpose == "eliminate" and set(tie.tied) == {"X", "Y"}
    assert tie.chosen == "Y" and tie.policy == "backwards" and tie.detail == "round 2 tallies"
    assert r.winners == ("A", "X") and r.rounds[2].elected == ("X",)
    forwards = stv_scottish(TIE_BALLOTS, 2, tiebreak="forwards")
    assert forwards.winners == ("A", "Y") and forwards.ties[0].chosen == "X"


def test_scottish_equal_surpluses_and_lot() -> None:
    """Rule 49(2): P and Q both reach 32 at stage 2 (surplus 2 each); Q had more at stage 1
    (29 > 28), so Q's surplus goes first. Rule 49(3)/51(2)(b): equal at every stage -> lot."""
    b = Ballots.from_rankings(
        [["A", "P"]] * 8
        + [["A", "Q"]] * 6
        + [["A"]] * 46
        + [["P", "R"]] * 28
        + [["Q", "S"]] * 29
        + [["R"]] * 14
        + [["S"]] * 15
    )
    r = stv_scottish(b, 4)
    r.check_conservation()
    assert r.quota == 30 and r.rounds[1].elected in (("P", "Q"), ("Q", "P"))
    surplus_ties = [t for t in r.ties if t.purpose == "surplus order"]
    assert surplus_ties and surplus_ties[0].chosen == "Q" and surplus_ties[0].policy == "backwards"
    assert r.rounds[2].action == "surplus of Q"
    lot = stv_scottish(Ballots.from_rankings([["A"]] * 5 + [["B"]] * 3 + [["C"]] * 3), 2, seed=7)
    (tie,) = lot.ties
    assert tie.purpose == "eliminate" and tie.policy == "backwards then random"
    assert "lot (seed 7)" in tie.detail


def test_scottish_rule_52_last_vacancies() -> None:
    """Rule 52(1): when D is excluded, B and C are the 2 continuing candidates for the 2
    vacancies left and are deemed elected below the quota; 52(2): D's papers are not moved."""
    b = Ballots.from_rankings([["A"]] * 50 + [["B"]] * 10 + [["C"]] * 12 + [["D", "B"]] * 3)
    r = stv_scottish(b, 3)
    r.check_conservation()
    assert r.quota == 19 and r.rounds[0].elected == ("A",)
    assert r.rounds[1].action == "surplus of A" and r.rounds[1].exhausted == 31
    last = r.rounds[-1]
    assert last.eliminated == ("D",) and last.elected == ("C", "B")
    assert last.tallies["D"] == 3 and last.tallies["B"] == 10 and len(r.rounds) == 2
    assert r.winners == ("A", "C", "B")
    r2 = stv_scottish(Ballots.from_rankings([["A", "B"]] * 50 + [["B"]] * 10 + [["C"]] * 12), 3)
    assert len(r2.rounds) == 1 and set(r2.rounds[0].elected) == {"A", "B", "C"}
    assert r2.rounds[0].tallies["A"] == 50  # no surplus transfer: the seats are filled


# ---------------------------------------------------------------- known peer defects
def test_ballot_value_after_a_surplus_is_kept() -> None:
    """A ballot's current value travels with it (pyrankvote's STV resets it to 1).

    110 papers, 2 seats, quota 37. A 60: surplus 23 moves at 23/60 -> 0.38333; 10 "A B D"
    papers give B 3.8333. B (6.8333) is excluded: 3 "B C" papers to C at 1 (28), the 10
    "A B D" papers to D at 0.38333 (25.8333). D is excluded and C wins. Counting the
    10 papers at full value would give D 32 > 28 and elect D.
    """
    b = Ballots.from_rankings(
        [["A", "B", "D"]] * 10 + [["A"]] * 50 + [["B", "C"]] * 3 + [["C"]] * 25 + [["D"]] * 22
    )
    r = stv_scottish(b, 2)
    r.check_conservation()
    assert r.rounds[1].tallies["B"] == F("6.8333")
    assert r.rounds[2].tallies["C"] == 28 and r.rounds[2].tallies["D"] == F("25.8333")
    assert r.winners == ("A", "C")
    naive_d = 22 + 10 * 1
    assert naive_d > 28  # the naive count elects D


def test_two_elected_together_each_reduce_a_ballot_once() -> None:
    """A and B are elected at stage 1 (quota 26). A's papers pass over B (elected) to C at
    A's transfer value 14/40 = 0.35 only: C 10 + 14 = 24 (pystv also applies B's 9/35,
    giving 0.09 a paper and C 13.6). B's surplus then gives D 35 x 0.25714 = 8.9999:
    23.9999 < 24, so D is excluded and C wins."""
    b = Ballots.from_rankings([["A", "B", "C"]] * 40 + [["B", "D"]] * 35 + [["C"]] * 10 + [["D"]] * 15)
    r = stv_scottish(b, 3)
    r.check_conservation()
    assert r.quota == 26 and set(r.rounds[0].elected) == {"A", "B"}
    assert r.rounds[1].action == "surplus of A" and r.rounds[1].transfers["C"] == 14
    assert r.rounds[1].tallies["C"] == 24
    assert r.rounds[2].action == "surplus of B" and r.rounds[2].tallies["D"] == F("23.9999")
    assert r.winners[:2] == ("A", "B") and r.winners[2] == "C"
    assert not r.ties
