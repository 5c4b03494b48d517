"""Mixed systems: AMS, MMP (overhang, levelling), AV+ and AV counterfactuals."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from kingmaker.errors import InputError
from kingmaker.io.transfers_csv import illustrative_transfers, read_transfer_matrix
from kingmaker.seats.av_counterfactual import av_counterfactual, av_plus_counterfactual
from kingmaker.seats.mixed import ams, ams_counterfactual, av_plus, mmp, mmp_counterfactual
from kingmaker.transfers import synthetic_ballots
from kingmaker.votes import VoteTable
from tests.conftest import shared_path


def test_ams_first_divisor_is_constituency_seats_plus_one():
    lists = VoteTable(np.array([[100, 80, 40, 20]]), ("A", "B", "C", "D"), ("Region",))
    result = ams(lists, np.array([[5, 2, 0, 0]]), 7)
    # bids: C 40; B 80/3; then B 80/4, C 40/2, D 20/1 (all 20); A 100/6; B 80/5 -> 7 seats
    assert result.components["list"].tolist() == [1, 3, 2, 1]
    assert result.as_dict() == {"A": 6, "B": 5, "C": 2, "D": 1}
    assert result.ties == ()
    as_mapping = ams(lists, {"Region": {"A": 5, "B": 2}}, 7)
    assert as_mapping.as_dict() == result.as_dict()


def test_scottish_parliament_2011_national_figures():
    """FACTS.md 7.1 (Electoral Commission summary): 73 constituency + 56 list seats.

    Per-region list votes for 2011 are not in shared/data (marked UNVERIFIED there), so the
    regional D'Hondt allocation cannot be replayed; this checks the national arithmetic that
    AMS must satisfy and that our result type carries (constituency + list = total).
    """
    path = shared_path("facts", "scottish_parliament_2011.csv")
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["constituency_seats"] and r["party"] != "TOTAL"]
    const = sum(int(r["constituency_seats"]) for r in rows)
    lists = sum(int(r["list_seats"]) for r in rows)
    assert const == 73 and lists == 56
    for r in rows:
        assert int(r["constituency_seats"]) + int(r["list_seats"]) == int(r["total_seats"])


DATA = Path(__file__).parent / "data"


def _scottish_regions(year: int) -> tuple[VoteTable, np.ndarray, np.ndarray]:
    """List votes (regions x parties), constituency seats and published list seats."""
    path = DATA / f"scottish_parliament_{year}_regions.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    table = VoteTable.from_records(
        [(r["region"], r["party"], int(r["list_votes"])) for r in rows], source=str(path)
    )
    const = np.zeros(table.votes.shape, dtype=np.int64)
    published = np.zeros(table.votes.shape, dtype=np.int64)
    for r in rows:
        d, p = table.district_index(r["region"]), table.party_index(r["party"])
        const[d, p] = int(r["constituency_seats"])
        published[d, p] = int(r["list_seats_published"])
    return table, const, published


def test_scottish_parliament_2016_list_seats_reproduced_per_region_and_party():
    """AMS (regional D'Hondt, first divisor = constituency seats + 1, 7 list seats per region)
    reproduces every region's published list seats in the 2016 Scottish Parliament election.

    Figures: ``tests/data/scottish_parliament_2016_regions.csv``, each row with its source.
    List votes of SNP, Labour, Conservative, Green and Liberal Democrat in every region:
    github.com/moaiii/sn1-snp (src/utils/Region.js, commit 0b3df09), cross-checked digit for
    digit against the BBC's region result pages for Glasgow, Mid Scotland and Fife and West
    Scotland (bbc.co.uk/news/politics/scotland-regions/S17000010, S17000013, S17000016, which also
    give every minor list there), arcofprosperity.org "Digesting the results" (Central Scotland,
    Glasgow, with UKIP) and danieldwilliam.dreamwidth.org/143515.html (Highlands and Islands,
    with the minor lists). Constituency and list seats per region: the same sources and
    ballotbox.scot/scottish-parliament/2016-elections/. In Lothian, North East and South Scotland
    only the five parties are given; a minor list would have needed more than 16,792 votes
    (about 5% there) to take a seat, far above any minor list's figure in the other regions
    (UKIP's best: 6,088).
    National result: SNP 63 = 59 + 4, Con 31 = 7 + 24, Lab 24 = 3 + 21, Green 6 = 0 + 6,
    LD 5 = 4 + 1.
    """
    table, const, published = _scottish_regions(2016)
    assert table.n_districts == 8 and int(const.sum()) == 73
    result = ams(table, const, 7)
    list_seats = np.asarray(result.district_seats) - const
    for d, region in enumerate(table.districts):
        got = {p: int(n) for p, n in zip(table.parties, list_seats[d], strict=True) if n}
        want = {p: int(n) for p, n in zip(table.parties, published[d], strict=True) if n}
        assert got == want, region
    assert result.ties == ()
    seats = {p: n for p, n in result.as_dict().items() if n}
    assert seats == {"SNP": 63, "Con": 31, "Lab": 24, "Green": 6, "LD": 5}
    comp = {k: dict(zip(result.parties, v.tolist(), strict=True)) for k, v in result.components.items()}
    assert [comp["constituency"][p] for p in ("SNP", "Con", "Lab", "Green", "LD")] == [59, 7, 3, 0, 4]
    assert [comp["list"][p] for p in ("SNP", "Con", "Lab", "Green", "LD")] == [4, 24, 21, 6, 1]
    assert result.house_size == 129


def test_mmp_overhang():
    result = mmp({"A": 50, "B": 30, "C": 20}, {"A": 7}, 10)
    assert result.as_dict() == {"A": 7, "B": 3, "C": 2}
    assert result.components["overhang"].tolist() == [2, 0, 0]
    assert result.house_size == 12


def test_mmp_levelling():
    result = mmp({"A": 50, "B": 30, "C": 20}, {"A": 7}, 10, levelling=True)
    assert result.as_dict() == {"A": 7, "B": 4, "C": 3}
    assert result.components["overhang"].sum() == 0
    assert result.components["levelling"].sum() == 4


def test_mmp_threshold_and_direct_mandates():
    votes = {"A": 48, "B": 45, "C": 4, "D": 3}
    result = mmp(votes, {"A": 3, "C": 1, "D": 3}, 20, threshold="5%")
    assert "C" in result.excluded and result.seats_of("C") == 1  # keeps its constituency
    from fractions import Fraction

    from kingmaker.seats.allocation import VoteThreshold

    alt = mmp(
        votes, {"A": 3, "C": 1, "D": 3}, 20, threshold=VoteThreshold(national=Fraction(5, 100), districts=3)
    )
    assert "D" not in alt.excluded and alt.seats_of("D") >= 3
    with pytest.raises(InputError):
        mmp({"A": 1}, {"A": 1}, 0)


def test_av_plus_top_up_is_corrective():
    votes = VoteTable(np.array([[50, 30, 20], [40, 45, 20]]), ("A", "B", "C"), ("North", "South"))
    result = av_plus({"North": {"A": 4}, "South": {"A": 2, "B": 2}}, votes, 2)
    assert result.components["top-up"].tolist() == [0, 2, 2]
    assert result.house_size == 12


def test_transfer_matrix_and_synthetic_ballots(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("# test matrix\nfrom,to,share\nC,B,0.8\nC,A,0.1\nB,C,0.5\n")
    m = read_transfer_matrix(path)
    assert m.label == "test matrix"
    ballots = synthetic_ballots({"A": 40, "B": 35, "C": 25}, m)
    assert float(ballots.total) == pytest.approx(100)
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to,share\nC,B,1.5\n")
    with pytest.raises(InputError, match="between 0 and 1") as info:
        read_transfer_matrix(bad)
    assert info.value.line == 2
    assert "ILLUSTRATIVE" in illustrative_transfers().label


def test_av_counterfactual_flips_a_seat(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("from,to,share\nC,B,0.8\nC,A,0.1\n")
    t = VoteTable(np.array([[40, 35, 25], [60, 30, 10]]), ("A", "B", "C"), ("x", "y"))
    result = av_counterfactual(t, transfers=path)
    assert result.as_dict() == {"A": 1, "B": 1, "C": 0}  # x: B 35 + 20 = 55 beats A 42.5
    assert "1 constituencies change hands" in result.notes[1]


def test_counterfactuals_on_a_small_table():
    t = VoteTable(
        np.array([[50, 30, 20], [45, 35, 20], [30, 50, 20], [40, 38, 22]]),
        ("Con", "Lab", "LD"),
        ("a", "b", "c", "d"),
        regions=("R1", "R1", "R2", "R2"),
        nations=("E", "E", "E", "E"),
    )
    a = ams_counterfactual(t, top_up=4)
    assert a.components["constituency"].sum() == 4 and a.components["list"].sum() == 4
    assert a.seats_of("LD") > 0
    m = mmp_counterfactual(t, keep_constituencies=True)  # every constituency kept, house doubled
    assert m.house_size >= 8
    p = av_plus_counterfactual(t, top_up=2)
    assert p.house_size == 6
    # defaults: the house stays the table's size, the constituency tier is scaled
    fixed = mmp_counterfactual(t)
    assert fixed.house_size == 4 and fixed.components["constituency"].sum() == 2
    assert "house of 4" in fixed.notes[0]
    a = ams_counterfactual(t)
    assert a.house_size == 4 and "house of 4 fixed" in a.notes[0]
    assert ams_counterfactual(t, house=8).house_size == 8


def test_ams_threshold_reports_removed_parties_and_counts_constituency_wins():
    """A 5% threshold removes D (4.2%) from the lists and says so; with the German-style
    alternative "or win 1 constituency", C (4.5%, one seat won) keeps its list seats."""
    from fractions import Fraction

    from kingmaker.seats.allocation import VoteThreshold

    lists = VoteTable(np.array([[500, 300, 45, 42, 113]]), ("A", "B", "C", "D", "E"), ("Region",))
    const = np.array([[6, 3, 1, 0, 0]])
    plain = ams(lists, const, 10, threshold="5%")
    assert plain.excluded == ("C", "D")
    assert plain.components["list"][2:4].tolist() == [0, 0]
    alt = ams(lists, const, 10, threshold=VoteThreshold(national=Fraction(1, 20), districts=1))
    assert alt.excluded == ("D",)
    assert sum(alt.seats) == 20


def test_ams_sets_lumped_column_aside_and_leaves_swamped_list_seats_unfilled():
    from kingmaker.seats import allocate
    from kingmaker.votes import VoteTable, lumped_column_note

    votes = [[50, 30, 20]] * 4 + [[5, 0, 95]] * 2
    t = VoteTable(
        votes,
        ("A", "B", "oth"),
        tuple(f"d{i}" for i in range(6)),
        regions=("R1",) * 4 + ("R2",) * 2,
        independents={"oth": lumped_column_note("oth")},
    )
    r = allocate(t, "ams", top_up=4)
    assert r.components["constituency"].tolist() == [4, 0, 2]  # oth keeps its constituencies
    assert r.components["list"][2] == 0 and r.set_aside == {"oth": 270}
    assert any(n.startswith("oth lumps many parties and independents: 270 votes set aside") for n in r.notes)
    assert any("left unfilled in R2" in n for n in r.notes)
    mmp = allocate(t, "mmp", keep_constituencies=True)
    assert mmp.components["list"][2] == 0 and mmp.set_aside == {"oth": 270}
