"""Electoral college (Labour 2010) and the Conservative exhaustive ballot."""

from __future__ import annotations

from fractions import Fraction as F

from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.counting.college import college, college_from_tallies, college_totals
from kingmaker.counting.exhaustive import exhaustive_ballot
from tests.conftest import shared_path


def test_college_totals_reproduce_labour_round_one() -> None:
    """FACTS.md 3.2: section percentages averaged give the published college totals."""
    pct = {
        "mps": {"DM": "41.729", "EM": "31.579", "Balls": "15.038", "Burnham": "9.023", "Abbott": "2.632"},
        "members": {"DM": "44.064", "EM": "29.934", "Balls": "10.113", "Burnham": "8.547", "Abbott": "7.341"},
        "affiliates": {
            "DM": "27.547",
            "EM": "41.463",
            "Balls": "10.234",
            "Burnham": "8.476",
            "Abbott": "12.279",
        },
    }
    tot = college_totals(pct)
    published = {"DM": 37.78, "EM": 34.33, "Balls": 11.79, "Burnham": 8.68, "Abbott": 7.42}
    for c, v in published.items():  # published to 2 dp from 3-dp section figures
        assert abs(float(tot[c]) - v) < 0.006
    assert sum(tot.values()) == 100
    r = college_from_tallies(
        [pct, {s: {c: v for c, v in t.items() if c != "Abbott"} for s, t in pct.items()}]
    )
    assert r.rounds[0].eliminated == ("Abbott",) and r.winners == ("DM",)


def test_college_counts_sections_and_weights() -> None:
    mps = Ballots.read(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    names = mps.candidates
    members = Ballots.from_rankings([[names[4], names[3]]] * 60 + [[names[3]]] * 40, names)
    r = college({"MPs": mps, "members": members})
    r.check_conservation()
    first = r.rounds[0]
    assert first.sections["MPs"]["D.Milbnd"] == 111 and first.sections["members"]["E.Milbnd"] == 60
    assert first.tallies["E.Milbnd"] == F(1, 2) * F(100 * 84, 266) + F(1, 2) * 60
    assert r.winners == ("E.Milbnd",)
    # weights change the outcome: MPs worth 9 to 1
    assert college({"MPs": mps, "members": members}, [9, 1]).winners == ("D.Milbnd",)
    assert count({"MPs": mps}, method="college").winners == ("D.Milbnd",)


def test_exhaustive_ballot_conservative_style() -> None:
    c = ["Davis", "Cameron", "Fox", "Clarke"]
    mps = Ballots.from_rankings(
        [["Davis", "Cameron"]] * 62
        + [["Cameron"]] * 56
        + [["Fox", "Cameron"]] * 42
        + [["Clarke", "Cameron"]] * 38,
        c,
    )
    members = Ballots.from_rankings([["Cameron"]] * 134446 + [["Davis"]] * 64398, c)
    r = exhaustive_ballot(mps, members)
    r.check_conservation()
    assert r.rounds[0].eliminated == ("Clarke",) and r.rounds[1].eliminated == ("Fox",)
    assert dict(r.rounds[1].tallies) == {"Davis": 62, "Cameron": 94, "Fox": 42}
    assert dict(r.rounds[2].tallies) == {"Davis": 64398, "Cameron": 134446}
    assert r.winners == ("Cameron",) and r.rounds[2].valid == 198844
