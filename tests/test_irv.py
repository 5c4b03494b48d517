"""Alternative vote: golden cases, jurisdiction options, ties, invariants, the CLI."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import OVERVOTE, Ballots
from kingmaker.counting import av as irv_module
from kingmaker.counting import count
from kingmaker.counting._walk import reach_matrix
from kingmaker.counting.av import IRVOptions, irv
from kingmaker.counting.options import MarkOptions
from tests.cli_runner import invoke
from tests.conftest import shared_path


def _tallies(result, i):  # type: ignore[no-untyped-def]
    return dict(result.rounds[i].tallies)


def test_labour_2010_mps_meps_golden() -> None:
    """FACTS.md section 3: the AV recount of the 266 MP/MEP ballots, all four rounds."""
    b = Ballots.read(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    r = count(b, method="av")
    r.check_conservation()
    ab, ba, bu, dm, em = "D.Abbott", "E.Balls", "A.Burnhm", "D.Milbnd", "E.Milbnd"
    assert _tallies(r, 0) == {dm: 111, em: 84, ba: 40, bu: 24, ab: 7}
    assert _tallies(r, 1) == {dm: 111, em: 88, ba: 41, bu: 24}
    assert _tallies(r, 2) == {dm: 125, em: 96, ba: 43}
    assert _tallies(r, 3) == {dm: 140, em: 122}
    assert [x.exhausted for x in r.rounds] == [0, 2, 2, 4]
    assert [x.eliminated for x in r.rounds[:3]] == [(ab,), (bu,), (ba,)]
    assert r.winners == (dm,)
    assert r.rounds[1].transfers[ab] == -7 and r.rounds[1].transfers[em] == 4


def test_exhausted_heavy_count() -> None:
    b = Ballots.from_rankings([["A"]] * 40 + [["B"]] * 35 + [["C"]] * 25)
    r = irv(b)
    assert r.winners == ("A",)
    assert r.rounds[1].exhausted == 25 and _tallies(r, 1) == {"A": 40, "B": 35}
    r.check_conservation()


def test_overvote_options() -> None:
    b = Ballots.from_rankings([[OVERVOTE, "A"]] * 3 + [["B"]] * 2, candidates=["A", "B"])
    assert irv(b).winners == ("B",)
    assert irv(b).rounds[0].exhausted == 3
    assert irv(b, overvote="skip").winners == ("A",)


def test_skipped_ranks_limit() -> None:
    b = Ballots.from_rankings([[None, None, "A"]] * 3 + [[None, "A"]] * 1 + [["B"]] * 3)
    assert _tallies(irv(b), 0) == {"A": 4, "B": 3}
    r = irv(b, skipped_limit=2)  # Maine: two consecutive skipped ranks exhaust
    assert _tallies(r, 0) == {"A": 1, "B": 3} and r.rounds[0].exhausted == 3


def test_duplicates() -> None:
    b = Ballots.from_rankings([["C", "C", "A"]] * 2 + [["A"]] * 3 + [["B"]] * 4)
    assert irv(b).winners == ("A",)  # C's ballots skip the repeat and reach A
    r = irv(b, duplicates="exhaust")
    assert r.winners == ("B",) and r.rounds[1].exhausted == 2


def test_batch_elimination() -> None:
    b = Ballots.from_rankings([["A"]] * 10 + [["B"]] * 9 + [["C", "B"]] * 2 + [["D", "B"]] + [["E", "B"]])
    r = irv(b, batch=True)
    assert set(r.rounds[0].eliminated) == {"C", "D", "E"}
    assert _tallies(r, 1) == {"A": 10, "B": 13} and r.winners == ("B",)
    assert len(irv(b).rounds) == 4


def test_min_votes_and_until_two() -> None:
    b = Ballots.from_rankings([["A"]] * 60 + [["B"]] * 30 + [["C", "B"]] * 5 + [["D", "B"]] * 5)
    assert len(irv(b).rounds) == 1
    r = irv(b, until="two", min_votes=10)
    assert set(r.rounds[0].eliminated) == {"C", "D"} and len(r.rounds) == 2
    assert _tallies(r, 1) == {"A": 60, "B": 40}


def test_withdrawn_candidate_is_skipped() -> None:
    b = Ballots.from_rankings([["A", "B"]] * 5 + [["C"]] * 4, withdrawn=["A"])
    r = irv(b)
    assert "A" not in r.rounds[0].tallies and r.winners == ("B",)


def test_ties_are_recorded() -> None:
    b = Ballots.from_rankings([["A"]] * 3 + [["B", "A"]] * 2 + [["C", "A"]] * 2)
    r = irv(b, tiebreak="order", order=("A", "B", "C"))
    assert r.rounds[0].eliminated == ("C",)
    t = r.rounds[0].ties[0]
    assert t.tied == ("B", "C") and t.chosen == "C" and t.round == 1
    r1 = irv(b, tiebreak="random", seed=7)
    assert r1.ties[0].detail == "lot (seed 7)"
    assert irv(b, tiebreak="random", seed=7).ties[0].chosen == r1.ties[0].chosen
    # backwards: tied in round 2, decided by round 1
    b2 = Ballots.from_rankings([["A"]] * 5 + [["B"]] * 4 + [["C"]] * 3 + [["D", "C"]] + [["D"]])
    r2 = irv(b2)
    assert r2.rounds[1].ties[0].tied == ("B", "C") and r2.rounds[1].eliminated == ("C",)
    assert "round 1" in r2.rounds[1].ties[0].detail


def test_result_outputs() -> None:
    b = Ballots.from_rankings([["A", "B"]] * 3 + [["B"]] * 2 + [["C", "B"]] * 2)
    r = irv(b)
    d = r.to_dict()
    assert d["method"] == "av" and d["winners"] == ["B"]
    assert set(d["rounds"][0]) >= {"tallies", "elected", "eliminated", "exhausted", "transfers"}
    json.dumps(d)
    f = r.to_frame()
    assert list(f.columns) == [1, 2] and f.loc["B", 2] == 4
    assert set(r.rounds_frame()["candidate"]) >= {"A", "B", "exhausted"}
    assert "<table" in r._repr_html_()


# ---------------------------------------------------------------- invariants
rankings = st.lists(
    st.tuples(st.permutations(range(4)), st.integers(0, 4), st.integers(1, 5)),
    min_size=1,
    max_size=25,
)


def _ballots(data) -> Ballots:  # type: ignore[no-untyped-def]
    rows = [list(p[:k]) for p, k, _ in data]
    return Ballots.from_rankings(rows, ["A", "B", "C", "D"], [w for *_, w in data])


@settings(max_examples=60, deadline=None)
@given(rankings, st.randoms(use_true_random=False))
def test_permutation_and_conservation(data, rnd) -> None:  # type: ignore[no-untyped-def]
    b = _ballots(data)
    r = irv(b)
    r.check_conservation()
    shuffled = list(data)
    rnd.shuffle(shuffled)
    r2 = irv(_ballots(shuffled))
    assert r2.winners == r.winners
    assert [dict(x.tallies) for x in r2.rounds] == [dict(x.tallies) for x in r.rounds]


@settings(max_examples=60, deadline=None)
@given(rankings)
def test_majority_wins_round_one(data) -> None:  # type: ignore[no-untyped-def]
    b = _ballots(data)
    first = b.first_preferences()
    total = sum(first.values())
    top = max(first, key=lambda c: first[c])
    r = irv(b)
    if first[top] * 2 > total:
        assert r.winners == (top,) and len(r.rounds) == 1


@settings(max_examples=60, deadline=None)
@given(rankings, st.integers(1, 10))
def test_more_first_preferences_never_hurt(data, extra) -> None:  # type: ignore[no-untyped-def]
    b = _ballots(data)
    r = irv(b)
    if r.rounds[0].continuing_total == 0:
        return
    w = r.winner
    more = [*data, ((["A", "B", "C", "D"].index(w), 0, 1, 2), 1, extra)]
    assert irv(_ballots(more)).winner == w


# ------------------------------------------- the fast count against a simple reference
NAMES = ("A", "B", "C", "D")
mark_items = st.one_of(
    st.sampled_from(NAMES),  # repeats arise by drawing a name twice
    st.none(),  # a skipped rank
    st.just(OVERVOTE),
    st.sets(st.sampled_from(NAMES), min_size=2, max_size=3).map(frozenset),  # equal ranking
)
messy_ballots = st.lists(
    st.tuples(
        st.lists(mark_items, max_size=6),
        st.one_of(st.integers(0, 5), st.sampled_from([0.25, 0.5, 1.5, 2.75])),  # dyadic: exact sums
    ),
    min_size=1,
    max_size=20,
)
MARK_COMBOS = [
    MarkOptions(overvote=ov, skipped_limit=sl, duplicates=du, equal_rankings=eq)
    for ov, sl, du, eq in itertools.product(
        ("exhaust", "skip"), (None, 1, 2), ("skip", "exhaust"), ("overvote", "resolve")
    )
]


def _ref_choice(ballot: list, alive: list[str], marks: MarkOptions) -> str | None:  # type: ignore[type-arg]
    """Read one ballot as cast from its first rank: its first continuing candidate, or None."""
    run = 0
    seen: set[str] = set()
    for item in ballot:
        if item is None:
            run += 1
            if marks.skipped_limit is not None and run >= marks.skipped_limit:
                return None
            continue
        run = 0
        if item == OVERVOTE or isinstance(item, frozenset):  # an equal ranking is an overvote
            if marks.overvote == "exhaust":
                return None
            continue
        if item in seen and marks.duplicates == "exhaust":
            return None
        seen.add(item)
        if item in alive:
            return item
    return None


def _ref_count(data, withdrawn, marks, until, batch, min_votes):  # type: ignore[no-untyped-def]
    """Plain AV, every ballot re-read each round; ties go by the order A > B > C > D."""
    ballots = [(bal, w) for bal, w in data if any(x is not None for x in bal)]
    valid = sum(w for _, w in ballots)
    alive = [c for c in NAMES if c not in withdrawn]
    rounds = []
    while True:
        tally = dict.fromkeys(alive, 0)
        for bal, w in ballots:
            choice = _ref_choice(bal, alive, marks)
            if choice is not None:
                tally[choice] += w
        total = sum(tally.values())
        best = max(tally.values())
        # two left: the one with more votes (a tie by the order) wins with no one-candidate round
        if len(alive) <= 2 or (best * 2 > total and until == "majority") or total == 0:
            winner = min((c for c in alive if tally[c] == best), key=NAMES.index)
            rounds.append((tally, valid - total, ()))
            return winner, rounds
        out: list[str] = []
        if not rounds and min_votes is not None:
            below = [c for c in alive if tally[c] < min_votes]
            out = below if len(below) <= len(alive) - 2 else []
        if not out and batch:
            low = sorted(alive, key=lambda c: tally[c])
            ks = [k for k in range(2, len(low) - 1) if sum(tally[c] for c in low[:k]) < tally[low[k]]]
            out = low[: max(ks)] if ks else []
        if not out:
            least = min(tally.values())
            out = [max((c for c in alive if tally[c] == least), key=NAMES.index)]
        rounds.append((tally, valid - total, tuple(sorted(out))))
        alive = [c for c in alive if c not in out]


@pytest.mark.parametrize("marks", MARK_COMBOS, ids=str)
@settings(max_examples=40, deadline=None)
@given(
    messy_ballots,
    st.sets(st.sampled_from(NAMES), max_size=2),
    st.sampled_from(["majority", "two"]),
    st.booleans(),
    st.sampled_from([None, 2, 4.5]),
)
def test_fast_count_equals_reference(marks, data, withdrawn, until, batch, min_votes) -> None:  # type: ignore[no-untyped-def]
    """Every mark option the precomputed fast path handles, on ballots with overvotes, skipped
    ranks, repeats and equal rankings (not with ``resolve``, which takes the walker path)."""
    if marks.equal_rankings == "resolve":
        data = [([x for x in bal if not isinstance(x, frozenset)], w) for bal, w in data]
    b = Ballots.from_rankings([bal for bal, _ in data], NAMES, [w for _, w in data], withdrawn=withdrawn)
    assert reach_matrix(b.rankings, b.n_candidates, bool(b.groups), marks) is not None  # the fast path
    r = irv(
        b,
        options=IRVOptions(marks=marks, until=until, batch=batch, min_votes=min_votes),
        tiebreak="order",
        order=NAMES,
    )
    winner, rounds = _ref_count(data, withdrawn, marks, until, batch, min_votes)
    assert r.winners == (winner,)
    assert len(r.rounds) == len(rounds)
    for got, (tally, exhausted, out) in zip(r.rounds, rounds, strict=True):
        assert dict(got.tallies) == tally
        assert got.exhausted == exhausted
        assert tuple(sorted(got.eliminated)) == out
    r.check_conservation()


@settings(max_examples=80, deadline=None)
@given(
    messy_ballots, st.sets(st.sampled_from(NAMES), max_size=2), st.sampled_from(MARK_COMBOS), st.booleans()
)
def test_fast_count_equals_walker_count(data, withdrawn, marks, batch) -> None:  # type: ignore[no-untyped-def]
    """The precomputed path and the per-round walker give the same result, to the last field."""
    b = Ballots.from_rankings([bal for bal, _ in data], NAMES, [w for _, w in data], withdrawn=withdrawn)
    opts = IRVOptions(marks=marks, batch=batch)
    fast = irv(b, options=opts)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(irv_module, "reach_matrix", lambda *a: None)
        walked = irv(b, options=opts)
    assert fast.to_dict() == walked.to_dict()


def test_huge_integer_weights_are_counted_exactly() -> None:
    """Totals past 2**53 are recounted each round (float64 tallies are no longer exact)."""
    rows = [["A"], ["B", "A"], ["C", "B"], ["D", "C"]]
    b = Ballots.from_rankings(rows, NAMES, [2**52 + 5, 2**52 + 1, 2**51 + 3, 7])
    fast = irv(b)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(irv_module, "reach_matrix", lambda *a: None)
        walked = irv(b)
    assert fast.to_dict() == walked.to_dict()


def test_cli_count_table_json_csv_and_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    out = invoke("count", path)
    assert out.exit_code == 0, out.stderr
    assert "D.Milbnd" in out.stdout and "Exhausted" in out.stdout and "Stage 4" in out.stdout
    js = invoke("count", path, "--format", "json")
    d = json.loads(js.stdout)
    assert d["winners"] == ["D.Milbnd"] and d["rounds"][3]["tallies"]["E.Milbnd"] == 122
    cs = invoke("count", path, "--format", "csv", "--method", "stv-scottish", "--seats", "2")
    assert cs.exit_code == 0 and cs.stdout.startswith("candidate,1")
    bad = tmp_path / "bad.blt"
    bad.write_text("2 1\n1 1 9 0\n0\n")
    err = invoke("count", str(bad))
    assert err.exit_code == 2 and "bad.blt:2:" in err.stderr and "out of range" in err.stderr
    assert invoke("count", path, "--method", "nope").exit_code == 2
    np.testing.assert_equal(invoke("count", path, "--format", "xml").exit_code, 2)
