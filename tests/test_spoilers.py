"""Spoilers, Condorcet and other methods via pref_voting: hand-made profiles, real ballots, CLI."""

from __future__ import annotations

import json

import pytest

from kingmaker.ballots import OVERVOTE, Ballots
from kingmaker.errors import InputError
from kingmaker.spoilers import (
    ballot_orders,
    condorcet,
    method_winners,
    spoiler_analysis,
    to_pref_voting,
    weighted_union,
)
from tests.cli_runner import invoke
from tests.conftest import shared_path

pytest.importorskip("pref_voting")


def centre_squeeze() -> Ballots:
    """A 35 (A>B>C), C 33 (C>B>A), B 32 (16 B>A>C, 16 B>C>A).

    AV: B out first, 16/16 split, A beats C 51-49. Without C, C's voters go to B: B 65-35.
    So C, a loser, is a spoiler; B, the AV loser, beats A 65-35 and C 67-33 (Condorcet winner).
    Borda by hand: A 86, B 132, C 82.
    """
    return Ballots.from_rankings(
        [["A", "B", "C"], ["C", "B", "A"], ["B", "A", "C"], ["B", "C", "A"]],
        candidates=["A", "B", "C"],
        weights=[35, 33, 16, 16],
    )


def test_losing_candidate_who_changes_the_av_winner_is_caught() -> None:
    rep = spoiler_analysis(centre_squeeze())
    assert rep.winner == "A"
    assert [s.to_dict() for s in rep.spoilers] == [
        {"spoiler": "C", "winner_with": "A", "winner_without": "B"}
    ]
    assert rep.spoilers[0].describe() == "without C, B wins instead of A"
    by = {r.removed: r for r in rep.recounts}
    assert by["B"].winner == "A" and not by["B"].changed
    assert by["A"].was_winner and by["A"].changed  # the winner standing down is not a spoiler


def test_condorcet_winner_who_loses_av_is_reported() -> None:
    rep = spoiler_analysis(centre_squeeze())
    assert rep.condorcet_winner == "B"
    assert rep.condorcet_winner_loses
    assert any("Condorcet winner B" in n for n in rep.notes)
    assert rep.condorcet_loser == "C"  # C loses to A 51-49 and to B 67-33
    assert rep.methods == {
        "plurality": ("A",),
        "borda": ("B",),
        "copeland": ("B",),
        "schulze": ("B",),
        "ranked_pairs": ("B",),
    }
    frame = rep.to_frame()
    assert frame.loc["Alternative vote", "winners"] == "A"
    assert frame.loc["Borda", "winners"] == "B"


def test_condorcet_winner_loses_av_with_truncated_ballots() -> None:
    # M is the wings' compromise with few first preferences; some voters plump for one wing.
    b = Ballots.from_rankings(
        [["L", "M"], ["R", "M"], ["M", "L"], ["M", "R"], ["L"], ["R"]],
        weights=[30, 30, 10, 9, 8, 13],
    )
    rep = spoiler_analysis(b)
    # AV: L 38, R 43, M 19; M out, 10 to L and 9 to R: L 48, R 52, so R wins.
    assert rep.winner == "R"
    # Ranked over unranked: M beats R 30+10+9 = 49 to 30+13 = 43 and L 30+10+9 = 49 to 30+8 = 38.
    prof = to_pref_voting(b)
    m, r = prof.candidates[names_index(prof, "M")], prof.candidates[names_index(prof, "R")]
    assert prof.support(m, r) == 49 and prof.support(r, m) == 43
    assert rep.condorcet_winner == "M" and rep.condorcet_winner_loses
    assert rep.methods["copeland"] == ("M",) and rep.methods["schulze"] == ("M",)
    # without L, the L>M ballots reach M: M 49, R 43, so L is a spoiler too
    assert [x.to_dict() for x in rep.spoilers] == [
        {"spoiler": "L", "winner_with": "R", "winner_without": "M"}
    ]


def names_index(prof, name: str) -> int:
    return next(i for i, n in prof.cmap.items() if n == name)


def test_real_labour_2010_mps_ballots() -> None:
    b = Ballots.read(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    rep = spoiler_analysis(b)
    # PrefLib 00030 (rangevoting.org/LabourUK2010.html): the MPs' section alone elects D. Miliband.
    assert rep.winner == "D.Milbnd"
    assert rep.condorcet_winner == "D.Milbnd"
    assert rep.condorcet_loser == "D.Abbott"
    assert all(w == ("D.Milbnd",) for w in rep.methods.values())
    assert rep.spoilers == ()
    # head to head, checked by hand against the .soi text (a ranked candidate beats an unranked one)
    assert hand_pairwise(shared_path("facts", "labour_leadership_2010_mps_meps.soi")) == rep.head_to_head
    assert rep.record("D.Milbnd") == [
        ("D.Abbott", 208, 12),
        ("A.Burnhm", 178, 43),
        ("E.Balls", 166, 64),
        ("E.Milbnd", 140, 122),
    ]


def hand_pairwise(path) -> dict[str, dict[str, int]]:
    """Pairwise counts straight from a PrefLib .soi file, with no kingmaker code."""
    names: dict[int, str] = {}
    ballots: list[tuple[int, list[int]]] = []
    for line in path.read_text().splitlines():
        if line.startswith("# ALTERNATIVE NAME "):
            k, v = line.removeprefix("# ALTERNATIVE NAME ").split(": ")
            names[int(k)] = v
        elif line and not line.startswith("#"):
            n, order = line.split(":")
            ballots.append((int(n), [int(x) for x in order.split(",")]))

    def prefers(order: list[int], a: int, b: int) -> bool:
        pos = {c: i for i, c in enumerate(order)}
        return pos.get(a, 99) < pos.get(b, 99)

    return {
        names[a]: {names[b]: sum(n for n, o in ballots if prefers(o, a, b)) for b in names if b != a}
        for a in names
    }


# ----------------------------------------------------------------------------- converter
def test_to_pref_voting_complete_ballots_give_a_linear_profile() -> None:
    prof = to_pref_voting(centre_squeeze())
    assert type(prof).__name__ == "Profile"
    assert prof.num_voters == 100
    assert prof.margin(1, 0) == 30  # B over A: 65 - 35
    # a ballot ranking all but one candidate is a complete order too
    b = Ballots.from_rankings([["A", "B"], ["C", "A"]], candidates=["A", "B", "C"])
    assert type(to_pref_voting(b)).__name__ == "Profile"


def test_to_pref_voting_truncation_ties_and_marks() -> None:
    b = Ballots.from_rankings(
        [
            ["A"],  # truncated
            ["B", {"A", "C"}],  # equal ranking
            ["C", None, "D"],  # skipped rank: passed over
            ["D", OVERVOTE, "A"],  # overvote: ranking ends there
            ["A", "A", "B"],  # repeated candidate ignored
            ["E", "B"],  # E withdrawn below
        ],
        candidates=["A", "B", "C", "D", "E"],
        weights=[3, 2, 1, 1, 1, 4],
        withdrawn=["E"],
    )
    names, orders, weights = ballot_orders(b)
    assert names == ["A", "B", "C", "D"]
    got = {
        tuple(tuple(names[c] for c in tier) for tier in o): w for o, w in zip(orders, weights, strict=True)
    }
    assert got == {
        (("A",),): 3,
        (("B",), ("A", "C")): 2,
        (("C",), ("D",)): 1,
        (("D",),): 1,
        (("A",), ("B",)): 1,
        (("B",),): 4,
    }
    prof = to_pref_voting(b)
    assert type(prof).__name__ == "ProfileWithTies"
    assert prof.using_extended_strict_preference
    a, bb, c = 0, 1, 2
    # A over B: the 3 A-only and 1 A>B ballots; B over A: the 2 B>A=C and 4 (E>)B ballots
    assert prof.support(a, bb) == 4 and prof.support(bb, a) == 6
    assert prof.support(a, c) == 4 and prof.support(c, a) == 1  # A=C tie counts for neither
    with pytest.raises(InputError):
        to_pref_voting(b, kind="linear")


def test_method_winners_unknown_method_and_empty_profile() -> None:
    with pytest.raises(InputError, match="unknown method"):
        method_winners(centre_squeeze(), ["approval"])
    empty = Ballots.from_rankings([[None]], candidates=["A", "B"])
    with pytest.raises(Exception, match="no valid ballots"):
        to_pref_voting(empty)


def test_condorcet_cycle_has_no_winner() -> None:
    b = Ballots.from_rankings([["A", "B", "C"], ["B", "C", "A"], ["C", "A", "B"]], weights=[10, 9, 8])
    assert condorcet(b) == (None, None)
    rep = spoiler_analysis(b)
    assert rep.condorcet_winner is None and not rep.condorcet_winner_loses


def test_weighted_union_scales_sections() -> None:
    s1 = Ballots.from_rankings([["A", "B"], ["B", "A"]], candidates=["A", "B"], weights=[1, 3])
    s2 = Ballots.from_rankings([["A", "B"]], candidates=["A", "B"], weights=[1000])
    u = weighted_union([(s1, 1.0), (s2, 1.0)])
    assert u.first_preferences() == pytest.approx({"A": 1.25, "B": 0.75})


# ----------------------------------------------------------------------------- CLI
def test_cli_spoilers_on_the_real_soi_file() -> None:
    path = shared_path("facts", "labour_leadership_2010_mps_meps.soi")
    res = invoke("spoilers", str(path))
    assert res.exit_code == 0, res.stderr
    for word in (
        "Alternative vote",
        "Plurality",
        "Borda",
        "Copeland",
        "Schulze",
        "Ranked pairs",
        "Condorcet winner",
        "D.Milbnd",
        "No spoiler",
    ):
        assert word in res.stdout
    js = invoke("spoilers", str(path), "--format", "json")
    data = json.loads(js.stdout)
    assert data["winner"] == "D.Milbnd" and data["methods"]["schulze"] == ["D.Milbnd"]


GOLDEN_MPS_METHODS = """\
   2010 UK Labor Leadership:
       winners by method
┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Method           ┃ Winner(s) ┃
┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ Alternative vote │ D.Milbnd  │
│ Plurality        │ D.Milbnd  │
│ Borda            │ D.Milbnd  │
│ Copeland         │ D.Milbnd  │
│ Schulze          │ D.Milbnd  │
│ Ranked pairs     │ D.Milbnd  │
│ Condorcet winner │ D.Milbnd  │
│ Condorcet loser  │ D.Abbott  │
└──────────────────┴───────────┘
"""


def test_cli_spoilers_golden_method_table_and_head_to_head() -> None:
    """Golden output for the MPs' and MEPs' 266 ballots (PrefLib 00030, rangevoting.org).

    Hand check: D. Miliband leads on first preferences (111 of 266), AV (140-122 in the
    last round) and Borda (692 points to Ed's 648, 4-3-2-1-0 on ranked places), and beats every
    rival head to head (see :func:`hand_pairwise`), so every method elects him.
    """
    res = invoke("spoilers", str(shared_path("facts", "labour_leadership_2010_mps_meps.soi")))
    assert res.exit_code == 0, res.stderr
    golden = GOLDEN_MPS_METHODS.splitlines()
    assert [line.rstrip() for line in res.stdout.splitlines()[: len(golden)]] == golden
    assert "│ D.Milbnd │      208 │     166 │      178 │        — │      140 │" in res.stdout
    assert (
        "D.Milbnd beats every rival head to head: D.Abbott 208-12, A.Burnhm 178-43, E.Balls 166-64, "
        "E.Milbnd 140-122." in res.stdout
    )
    assert "D.Abbott loses to every rival head to head: D.Milbnd 12-208," in res.stdout
    assert res.stdout.rstrip().endswith(
        "No spoiler: withdrawing any losing candidate leaves the winner unchanged."
    )
    data = json.loads(
        invoke(
            "spoilers", str(shared_path("facts", "labour_leadership_2010_mps_meps.soi")), "--format", "json"
        ).stdout
    )
    assert data["head_to_head"]["D.Milbnd"]["E.Milbnd"] == 140


def test_ballots_to_pref_voting_delegates_to_the_converter() -> None:
    b = centre_squeeze()
    prof = b.to_pref_voting()
    assert type(prof).__name__ == "Profile" and prof.num_voters == 100
    assert prof.condorcet_winner() == names_index(prof, "B")
    ties = b.to_pref_voting(kind="ties")
    assert type(ties).__name__ == "ProfileWithTies"
    assert ties.support(names_index(ties, "B"), names_index(ties, "A")) == 65
    short = Ballots.from_rankings([["A"], ["B", "A"]], candidates=["A", "B", "C"], weights=[2, 1])
    with pytest.raises(InputError, match="truncated"):
        short.to_pref_voting(kind="linear")
    assert short.to_pref_voting().cmap == to_pref_voting(short).cmap


def test_cli_spoilers_on_a_simple_csv(tmp_path) -> None:
    f = tmp_path / "squeeze.csv"
    f.write_text("count,rank1,rank2,rank3\n35,A,B,C\n33,C,B,A\n16,B,A,C\n16,B,C,A\n")
    res = invoke("spoilers", str(f))
    assert res.exit_code == 0, res.stderr
    assert "Spoiler: without C, B wins instead of A." in res.stdout
    assert "SPOILER" in res.stdout


def test_cli_spoilers_on_a_blt_file(tmp_path) -> None:
    f = tmp_path / "squeeze.blt"
    f.write_text('3 1\n35 1 2 3 0\n33 3 2 1 0\n16 2 1 3 0\n16 2 3 1 0\n0\n"A"\n"B"\n"C"\n"Squeeze"\n')
    data = json.loads(invoke("spoilers", str(f), "--format", "json").stdout)
    assert data["spoilers"] == [{"spoiler": "C", "winner_with": "A", "winner_without": "B"}]
    assert data["condorcet_winner"] == "B" and data["condorcet_winner_loses"]


def test_cli_spoilers_bad_input_is_one_line_exit_2(tmp_path) -> None:
    res = invoke("spoilers", str(tmp_path / "missing.soi"))
    assert res.exit_code == 2
    assert res.stderr.startswith("error:") and res.stderr.count("\n") == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("x")
    res = invoke("spoilers", str(bad))
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
