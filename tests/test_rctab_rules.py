"""Each RCTab ``rules`` switch on small hand-made ballots, the config reader, and the section-5 fixes.

Expected values are worked by hand from RCTab's ``Tabulator.java`` (BrightSpots/rcv 2167c240).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import OVERVOTE, Ballots
from kingmaker.counting import count
from kingmaker.counting.options import SeatsNotGiven
from kingmaker.counting.rctab.config import merge_sources, read_config
from kingmaker.counting.rctab.javarandom import JavaRandom
from kingmaker.counting.rctab.method import count_config
from kingmaker.counting.result import Result
from kingmaker.errors import InputError, RuleError
from tests.cli_runner import invoke

ABC = ("A", "B", "C")


def ballots(rows: list[tuple[list[Any], int]], cands: tuple[str, ...] = ABC) -> Ballots:
    return Ballots.from_rankings([r for r, _ in rows], cands, [w for _, w in rows])


def rctab(
    rows: list[tuple[list[Any], int]], cands: tuple[str, ...] = ABC, seats: int = 1, **kw: Any
) -> Result:
    r = count(ballots(rows, cands), "rctab", seats, **kw)
    r.check_conservation()
    return r


# ---------------------------------------------------------------- Java's generator
def test_java_random_matches_the_jvm() -> None:
    # values printed by OpenJDK: new Random(42).nextDouble(); new Random(42).nextInt(10), nextInt(100); new Random(0).nextInt(100)
    assert JavaRandom(42).next_double() == 0.7275636800328681
    r = JavaRandom(42)
    assert (r.next_int(10), r.next_int(100)) == (0, 63)
    assert JavaRandom(0).next_int(100) == 60
    items = list(range(10))
    JavaRandom(7).shuffle(items)
    assert sorted(items) == list(range(10)) and items != list(range(10))


# ---------------------------------------------------------------- marks
OVER_ROWS = [([OVERVOTE, "B"], 1), (["A"], 3), (["B"], 2), (["C"], 1)]


def test_overvote_exhausts_immediately() -> None:
    r = rctab(OVER_ROWS, overvote="exhaust")
    assert r.rounds[0].inactive == {"overvotes": 1} and r.rounds[0].tallies == {"A": 3, "B": 2, "C": 1}


def test_overvote_skips_to_next_rank() -> None:
    r = rctab(OVER_ROWS, overvote="skip")
    assert r.rounds[0].tallies["B"] == 3 and not r.rounds[0].inactive
    # an overvote at the last rank is an exhausted choice, not an overvote (RCTab's rule)
    last = rctab([(["A", OVERVOTE], 1), (["B"], 3), (["C"], 2)], overvote="skip")
    assert last.rounds[1].inactive == {"exhausted_choices": 1}


def test_delimited_overvote_exhausts_only_if_several_continue() -> None:
    # A|D at rank 1 (an equal-ranking group): D is excluded, so it counts for A
    rows = [([{"A", "D"}], 2), (["B"], 1), (["C"], 1)]
    cands = ("A", "B", "C", "D")
    kw = {"overvote": "exhaust", "equal_rankings": "resolve"}
    assert rctab(rows, cands, excluded=("D",), **kw).rounds[0].tallies["A"] == 2
    both = rctab(rows, cands, **kw)
    assert both.rounds[0].inactive == {"overvotes": 2}
    # with exhaustImmediately a delimited overvote exhausts whoever continues
    assert rctab(rows, cands, excluded=("D",)).rounds[0].inactive == {"overvotes": 2}
    with pytest.raises(InputError, match="exhaustIfMultipleContinuing"):
        rctab(OVER_ROWS, **kw)


def test_skipped_rankings() -> None:
    rows = [(["C", None, None, "A"], 1), (["C", None, "B"], 1), (["A"], 3), (["B"], 2), (["C", None], 0)]
    # maxSkippedRanksAllowed 1 -> two consecutive skips exhaust when a later rank is reached
    r = rctab(rows, skipped_limit=2)
    assert r.rounds[0].eliminated == ("C",) and r.rounds[1].inactive == {"skipped_rankings": 1}
    assert r.rounds[1].tallies == {"A": 3, "B": 3}
    free = rctab(rows)  # unlimited
    assert free.rounds[1].tallies == {"A": 4, "B": 3}


def test_repeated_ranking_exhausts_or_is_passed() -> None:
    rows = [(["C", "C", "A"], 1), (["A"], 3), (["B"], 3)]
    assert rctab(rows, duplicates="exhaust").rounds[1].inactive == {"repeated_rankings": 1}
    assert rctab(rows).rounds[1].tallies == {"A": 4, "B": 3}


def test_max_rankings_refuses_longer_ballots() -> None:
    with pytest.raises(InputError, match="allows 2"):
        rctab([(["A", "B", "C"], 1)], max_rankings=2)


# ---------------------------------------------------------------- eliminations
def test_batch_elimination() -> None:
    rows = [(["A"], 10), (["B"], 8), (["C", "A"], 2), (["D", "B"], 3)]
    r = rctab(rows, ("A", "B", "C", "D"), batch=True)
    assert sorted(r.rounds[0].eliminated) == ["C", "D"] and len(r.rounds) == 2
    one = rctab(rows, ("A", "B", "C", "D"))
    assert one.rounds[0].eliminated == ("C",)


def test_undeclared_write_ins_go_first_and_cannot_win() -> None:
    cands = ("A", "B", "Undeclared Write-ins")
    r = rctab([(["Undeclared Write-ins", "B"], 9), (["A"], 4), (["B"], 3)], cands)
    assert r.rounds[0].eliminated == ("Undeclared Write-ins",) and r.rounds[0].elected == ()
    assert r.winners == ("B",) and r.rounds[1].tallies == {"A": 4, "B": 12}


def test_excluded_candidates_are_passed_over() -> None:
    r = rctab([(["C", "A"], 3), (["A"], 1), (["B"], 2)], excluded=("C",))
    assert "C" not in r.rounds[0].tallies and r.winners == ("A",)
    with pytest.raises(InputError, match="Zed"):
        rctab([(["A"], 1)], excluded=("Zed",))


def test_minimum_votes() -> None:
    rows = [(["A"], 5), (["B"], 4), (["C", "B"], 2), (["D", "B"], 1)]
    r = rctab(rows, ("A", "B", "C", "D"), min_votes=3)
    assert sorted(r.rounds[0].eliminated) == ["C", "D"]


def test_continue_until_two_freezes_the_threshold() -> None:
    rows = [(["A"], 6), (["B"], 2), (["C", "B"], 1), (["D", "B"], 1)]
    r = rctab(rows, ("A", "B", "C", "D"), until="two")
    assert r.rounds[0].elected == ("A",) and r.rounds[0].quota == 6
    # no elimination in the round a winner is declared; then down to two
    assert [len(x.tallies) for x in r.rounds] == [4, 4, 3, 2]
    assert {x.quota for x in r.rounds} == {6}  # fixed once the winner is found
    assert r.winners == ("A",)


def test_first_round_threshold() -> None:
    rows = [(["A"], 4), (["B"], 3), (["C"], 2)]  # C's ballots exhaust: 7 active, threshold stays 5
    r = rctab(rows, first_round_threshold=True)
    assert [x.quota for x in r.rounds] == [5, 5]
    # two left, nobody at the threshold: the top one is elected in that round
    assert r.rounds[-1].elected == ("A",) and len(r.rounds) == 2


# ---------------------------------------------------------------- thresholds and decimals
MULTI = [(["A", "B"], 7), (["B"], 2), (["C"], 3), (["D", "C"], 1)]
ABCD = ("A", "B", "C", "D")


def test_multi_winner_surplus_is_truncated() -> None:
    r = rctab(MULTI, ABCD, seats=2, decimals=4)
    first = r.rounds[0]
    assert first.quota == 5 and first.elected == ("A",)  # floor(13 / 3) + 1
    # surplus fraction (7 - 5) / 7 = 0.2857 (truncated); each ballot moves 0.2857
    assert r.rounds[1].tallies["B"] == 2 + 7 * Fraction("0.2857")
    assert r.rounds[1].tallies["A"] == 5 and r.rounds[1].loss == 7 - 5 - 7 * Fraction("0.2857")
    # A keeps 7 x 0.7143 = 5.0001: the 0.0001 over the threshold is residual surplus
    assert first.flows["A"] == {"B": 7 * Fraction("0.2857"), "residual surplus": Fraction("0.0001")}
    coarse = rctab(MULTI, ABCD, seats=2, decimals=1)
    assert coarse.rounds[1].tallies["B"] == 2 + 7 * Fraction("0.2")


def test_non_integer_and_hare_thresholds() -> None:
    assert rctab(MULTI, ABCD, seats=2, non_integer_threshold=True).rounds[0].quota == Fraction("4.3334")
    assert rctab(MULTI, ABCD, seats=2, non_integer_threshold=True, decimals=2).rounds[0].quota == Fraction(
        "4.34"
    )
    assert rctab(MULTI, ABCD, seats=2, hare=True).rounds[0].quota == 7  # ceil(13 / 2)
    with pytest.raises(InputError, match="exclude each other"):
        rctab(MULTI, ABCD, seats=2, hare=True, non_integer_threshold=True)


def test_final_round_surplus_is_reported() -> None:
    r = rctab([(["A", "B"], 8), (["B", "A"], 7), (["C"], 1)], seats=2)
    assert r.winners == ("A", "B") and r.rounds[0].quota == 6
    # 8 x 2/8 + 7 x 0.1428 (1/7 truncated) stay unused once every seat is filled
    assert r.rounds[-1].inactive == {"final_round_surplus": 2 + 7 * Fraction("0.1428")}


# ---------------------------------------------------------------- winner modes
def test_one_winner_per_round_defers_the_others() -> None:
    rows = [(["A"], 5), (["B"], 5), (["C"], 1)]
    many = rctab(rows, seats=2, winner_mode="multi")
    assert many.rounds[0].elected == ("A", "B")
    one = rctab(rows, seats=2, winner_mode="multi-one", tiebreak="order")
    assert one.rounds[0].elected == ("A",) and one.rounds[1].elected == ("B",)


def test_multi_pass_irv_excludes_each_winner() -> None:
    rows = [(["A", "B"], 5), (["B", "A"], 4), (["C", "B"], 3)]
    r = rctab(rows, seats=2, winner_mode="multi-pass")
    assert r.winners == ("B", "A")  # pass 1: C out, B wins 7-5; pass 2 without B: A has 9 of 12
    assert any("pass 2" in n for n in r.notes)


def test_bottoms_up_modes() -> None:
    rows = [(["A"], 5), (["B"], 4), (["C", "A"], 2), (["D", "B"], 1)]
    r = rctab(rows, ABCD, seats=2, winner_mode="bottoms-up")
    assert r.winners == ("A", "B") and all(x.loss == 0 for x in r.rounds)
    pct = rctab(rows, ABCD, seats=1, winner_mode="bottoms-up-threshold", percentage="0.3")
    assert set(pct.winners) == {"A", "B"}  # everyone left above 30% of the active votes


def test_stop_after() -> None:
    r = rctab([(["A"], 3), (["B"], 2), (["C"], 1)], stop_after=1)
    assert len(r.rounds) == 1 and r.winners == ()


# ---------------------------------------------------------------- ties
TIE = [(["A"], 2), (["B"], 1), (["C"], 1)]


def test_candidate_order_eliminates_the_latest() -> None:
    r = rctab(TIE, tiebreak="order")
    assert r.rounds[0].eliminated == ("C",) and r.ties[0].policy == "useCandidateOrder"
    assert rctab(TIE, tiebreak="order", order=("C", "B", "A")).rounds[0].eliminated == ("B",)


def test_random_tiebreak_is_javas_draw() -> None:
    r = rctab(TIE, tiebreak="random", seed=5)
    i = int(JavaRandom(5).next_double() * 2)
    assert r.rounds[0].eliminated == (("B", "C")[i],)
    assert "java.util.Random(seed=5)" in r.ties[0].detail and any("Java" in n for n in r.notes)


def test_permutation_tiebreak() -> None:
    perm = ["A", "B", "C"]
    JavaRandom(9).shuffle(perm)
    r = rctab(TIE, tiebreak="permutation", seed=9)
    latest = next(c for c in reversed(perm) if c in ("B", "C"))
    assert r.rounds[0].eliminated == (latest,)


def test_previous_round_counts() -> None:
    rows = [(["A"], 5), (["B"], 3), (["C"], 2), (["D", "C"], 1), (["E", "B"], 0)]
    cands = ("A", "B", "C", "D", "E")
    r = rctab(rows, cands, tiebreak="backwards")
    # round 3: B 3, C 3 tied; round 2 had B 3, C 3 too; round 1 B 3, C 2: C goes
    assert [t.detail for t in r.ties][-1].startswith("C had the fewest")
    with pytest.raises(RuleError, match="stopCountingAndAsk"):
        rctab(TIE, tiebreak="ask")
    with pytest.raises(RuleError, match="previousRoundCountsThenAsk"):
        rctab(TIE, tiebreak="backwards-then-ask")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["A", "B", "C", "D", None]), min_size=0, max_size=4), st.integers(0, 4)
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 3),
)
def test_every_round_accounts_for_every_ballot(rows: list[tuple[list[Any], int]], seats: int) -> None:
    """Conservation, exactly, whatever the ballots and seats (RCTab's arithmetic loses only residuals)."""
    rows = [(r[: max(i for i, x in enumerate(r) if x is not None) + 1] if any(r) else [], w) for r, w in rows]
    try:
        r = rctab(rows, ABCD, seats=seats)
    except InputError as exc:  # no candidate ever held a vote: refused, not a winner by lot (issue 10)
        assert "no valid votes" in str(exc)
        assert not any(w for ranking, w in rows if ranking and ranking[0] is not None)
        return
    total = sum(w for _, w in rows)
    assert r.valid == total
    for x in r.rounds:
        assert sum(x.inactive.values()) == x.exhausted
    assert len(r.winners) <= seats


# ---------------------------------------------------------------- the config
def _config(tmp_path: Path, **rules: Any) -> Path:
    cfg = {
        "outputSettings": {"contestName": "Test"},
        "cvrFileSources": [{"filePath": "x.xlsx", "provider": "ess"}],
        "candidates": [
            {"name": "A", "aliases": ["Ay"], "excluded": False},
            {"name": "B", "aliases": [], "excluded": True},
        ],
        "rules": {
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "tiebreakMode": "useCandidateOrder",
            **rules,
        },
    }
    p = tmp_path / "t_config.json"
    p.write_text(json.dumps(cfg))
    return p


def test_config_maps_every_switch(tmp_path: Path) -> None:
    cfg = read_config(
        _config(
            tmp_path,
            overvoteRule="alwaysSkipToNextRank",
            maxSkippedRanksAllowed="1",
            maxRankingsAllowed="3",
            exhaustOnDuplicateCandidate=True,
            batchElimination=True,
            continueUntilTwoCandidatesRemain=True,
            decimalPlacesForVoteArithmetic="2",
            tiebreakMode="random",
            randomSeed="12",
        )
    )
    o = cfg.options
    assert (o["overvote"], o["skipped_limit"], o["max_rankings"], o["duplicates"]) == (
        "skip",
        2,
        3,
        "exhaust",
    )
    assert (o["batch"], o["until"], o["decimals"], o["tiebreak"], o["seed"]) == (True, "two", 2, "random", 12)
    assert o["excluded"] == ("B",) and cfg.candidates[0].aliases == ("Ay",) and cfg.seats == 1


def test_config_problems_are_reported_together(tmp_path: Path) -> None:
    p = _config(tmp_path, overvoteRule="nope", tiebreakMode="random", numberOfWinners="two")
    with pytest.raises(InputError) as e:
        read_config(p)
    msg = str(e.value)
    assert str(p) in msg and "overvoteRule" in msg and "randomSeed" in msg and "numberOfWinners" in msg


def test_config_counts_given_ballots_and_merges_sources(tmp_path: Path) -> None:
    p = _config(tmp_path)
    one = Ballots.from_rankings([["A"], ["B", "A"]], ["B", "A"])
    two = Ballots.from_rankings([[{"A", "B"}]], ["A", "B"])
    merged = merge_sources([one, two], ("A", "B"), "t")
    assert merged.candidates == ("A", "B") and merged.groups == ((0, 1),)
    r = count_config(p, ballots=merged)
    assert r.winners == ("A",) and "B" not in r.rounds[0].tallies


# ---------------------------------------------------------------- section 5 and the CLI
def test_stv_without_seats_is_an_error(tmp_path: Path) -> None:
    b = Ballots.from_rankings([["A", "B"], ["B"], ["C"]], ABC)
    with pytest.raises(SeatsNotGiven):
        count(b, "stv-scottish")
    path = tmp_path / "no_seats.csv"
    path.write_text("count,rank1,rank2\n3,A,B\n2,B,\n1,C,\n")
    out = invoke("count", str(path), "--method", "stv-ers97")
    assert out.exit_code != 0 and "--seats" in out.stderr
    assert count(b, "av").winners  # one seat is the alternative vote's own


def test_av_last_two_tie_is_broken_not_counted_again() -> None:
    b = Ballots.from_rankings([["A"], ["B"], ["A"], ["B"], ["C", "A"], ["C", "B"]], ABC)
    r = count(b, "av", tiebreak="order", order=("B", "A", "C"))
    assert len(r.rounds) == 2 and r.winners == ("B",)
    assert r.rounds[-1].elected == ("B",) and r.rounds[-1].ties[0].purpose == "elect"
    assert all(len(x.tallies) >= 2 for x in r.rounds)
    same = count(b, "rctab", tiebreak="order", order=("B", "A", "C"))
    assert same.winners == r.winners and len(same.rounds) == len(r.rounds)


def test_equal_rankings_on_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "eq.blt"
    # D goes first, then B: B's ballots rank A=D next, and only A still continues
    path.write_text('4 1\n1 4 0\n2 2 1=4 0\n3 1 0\n4 3 0\n0\n"A"\n"B"\n"C"\n"D"\n"eq"\n')
    plain = json.loads(invoke("count", str(path), "--format", "json").stdout)
    resolved = invoke("count", str(path), "--format", "json", "--equal-rankings", "resolve")
    assert resolved.exit_code == 0, resolved.stderr
    d = json.loads(resolved.stdout)
    assert d["options"]["equal_rankings"] == "resolve" and plain["options"]["equal_rankings"] == "overvote"
    assert d["winners"] == ["A"] and d["rounds"][-1]["tallies"] == {"A": 5, "C": 4}
    assert plain["winners"] == ["C"] and plain["rounds"][-1]["tallies"] == {"A": 3, "C": 4}


def test_order_with_commas_repeated_or_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "t.blt"
    path.write_text('3 1\n1 1 0\n1 2 0\n1 3 0\n0\n"Smith, Ann"\n"Jones, Bob"\n"Lee, Cy"\n"t"\n')
    args = ["count", str(path), "-m", "rctab", "--format", "json", "--tiebreak", "order"]
    rep = invoke(*args, "--order", "Lee, Cy", "--order", "Jones, Bob", "--order", "Smith, Ann")
    assert rep.exit_code == 0, rep.stderr
    assert json.loads(rep.stdout)["winners"] == ["Lee, Cy"]
    f = tmp_path / "order.txt"
    f.write_text("Jones, Bob\nLee, Cy\nSmith, Ann\n")
    assert json.loads(invoke(*args, "--order", f"@{f}").stdout)["winners"] == ["Jones, Bob"]


def test_rctab_switches_on_the_cli_and_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "m.blt"
    path.write_text('3 2\n8 1 2 0\n7 2 1 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"m"\n')
    out = invoke(
        "count", str(path), "-m", "rctab", "--winner-mode", "multi-one", "--decimals", "2", "--exclude", "C"
    )
    assert out.exit_code == 0, out.stderr
    # one winner per round: A, then B with A's surplus; the sheet breaks the inactive ballots down
    assert (
        "Elected: A, B" in out.stdout
        and "final round surplus" in out.stdout
        and "exhausted choices" in out.stdout
    )
    rep = json.loads(invoke("count", str(path), "-m", "rctab", "--format", "rctab").stdout)
    assert rep["results"][0]["tallyResults"][0]["elected"] == "A" and rep["summary"]["numWinners"] == 2
    bad = invoke("count", str(path), "--hare")
    assert bad.exit_code != 0 and "rctab" in bad.stderr


def test_rounds_plot_splits_the_inactive_ballots(tmp_path: Path) -> None:
    from kingmaker.report.rounds_plot import plot_rounds

    r = rctab([*OVER_ROWS, (["C", "C", "A"], 1)], duplicates="exhaust")
    fig = plot_rounds(r)
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "overvotes" in labels and "repeated rankings" in labels


def test_bottoms_up_percentage_config_has_no_seat_count(tmp_path: Path) -> None:
    p = _config(
        tmp_path,
        winnerElectionMode="bottomsUpUsingPercentageThreshold",
        numberOfWinners="0",
        multiSeatBottomsUpPercentageThreshold="25",
    )
    cfg = read_config(p)
    assert cfg.seats == 1 and cfg.options["percentage"] == Fraction(1, 4)
    assert cfg.options["winner_mode"] == "bottoms-up-threshold"
