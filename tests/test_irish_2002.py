"""The Irish 2002 e-vote releases: both readers, file order, seats, and the Dáil counts.

Real data: ``../shared/data/ballots/ireland-2002/`` (see its README): the raw ``dnorth.txt`` and
``DublinWest.txt`` (one ballot a line, codes only) and ``Meath2002.json`` (rank vectors, with
names and seats), plus PrefLib's aggregated copies. Winners per the press reports quoted there:
Dublin North Sargent, Ryan, Glennon, Wright; Dublin West Lenihan, Higgins, Burton; Meath
Dempsey, Bruton, Wallace, English, Brady. First preferences: the README's tables, which match
every official 2002 figure found (party totals, valid polls).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.ballots import SKIPPED, Ballots
from kingmaker.counting import count
from kingmaker.counting.stv.irish import IrishOptions, irish_count
from kingmaker.errors import InputError
from kingmaker.io import detect_format, read_ballots
from kingmaker.io.irish import read_irish_json, read_irish_raw
from tests.conftest import shared_path

# Names for the codes, from shared/data/ballots/README.md (the raw files have codes only).
DUBLIN_NORTH = {
    "Sarg": "Trevor Sargent",
    "Ryan": "Seán Ryan",
    "Glen": "Jim Glennon",
    "Wrig": "G. V. Wright",
    "Daly": "Clare Daly",
    "Kenn": "Michael Kennedy",
    "Owen": "Nora Owen",
    "Davi": "Mick Davis",
    "Bola": "Cathal Boland",
    "Goul": "Ciarán Goulding",
    "Quin": "Eamonn Quinn",
    "Wals": "David Henry Walshe",
}
DN_FIRST = [7294, 6359, 5892, 5658, 5501, 5253, 4012, 1350, 1177, 914, 285, 247]
DUBLIN_WEST = {
    "Leni": "Brian Lenihan",
    "Higg": "Joe Higgins",
    "Burt": "Joan Burton",
    "Terr": "Sheila Terry",
    "McDo": "Mary Lou McDonald",
    "Morr": "Tom Morrissey",
    "Dohe": "Deirdre Doherty Ryan",
    "Bonn": "Robert Bonnie",
    "Smyt": "John Thomas Smyth",
}
DW_FIRST = [8086, 6442, 3810, 3694, 2404, 2370, 2300, 748, 134]
# PrefLib's number for each Dublin West code (README table), for the cross-check of the ballots
DW_PREFLIB = {
    "Leni": 5,
    "Higg": 4,
    "Burt": 2,
    "Terr": 9,
    "McDo": 6,
    "Morr": 7,
    "Dohe": 3,
    "Bonn": 1,
    "Smyt": 8,
}
MEATH_WINNERS = {"Noel Dempsey", "John Bruton", "Mary Wallace", "Damien English", "Johnny Brady"}

RAW = '"A" "B" "XXXXX"\r\n"B" "XXXXX" "XXXXX"\r\n"A" "C" "B"\r\n'


def _ireland(*parts: str) -> Path:
    return shared_path("ballots", "ireland-2002", *parts)


# ----------------------------------------------------------------------------- readers
def test_raw_reader_keeps_file_order_and_has_no_seats() -> None:
    b = read_irish_raw(RAW)
    assert b.candidates == ("A", "B", "C") and b.seats is None
    assert b.rankings.tolist() == [[0, 1, -1], [1, -1, -1], [0, 2, 1]]  # file order, one row each
    assert b.weights.tolist() == [1, 1, 1]
    grouped = read_irish_raw(RAW + '"B" "XXXXX" "XXXXX"\r\n', keep_order=False)
    assert dict(grouped)[("B",)] == 2 and grouped.n_unique == 3
    named = read_irish_raw(RAW, names={"C": "Carol", "B": "Bob", "A": "Ann", "D": "Dan"})
    assert named.candidates == ("Carol", "Bob", "Ann", "Dan")  # the mapping's order; Dan no votes
    assert named.first_preferences() == {"Carol": 0, "Bob": 1, "Ann": 2, "Dan": 0}


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ('"A" "B"\n"A" "B" "C"\n', {}, r"3 tokens on this line but 2"),
        ('"A" "B"\nA B\n', {}, "double-quoted codes"),
        ('"A" "Z"\n"B" "A"\n', {"names": {"A": "Ann", "B": "Bob"}}, r"code 'Z' is not in the names"),
        ('"A" "B"\n"C" "A"\n', {}, "3 candidate codes but 2 tokens"),
        ("\n\n", {}, "no ballot lines"),
    ],
)
def test_raw_reader_refuses_malformed_files(text: str, kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_irish_raw(text, name="upload", **kwargs)


def test_raw_gap_is_kept_as_a_skipped_rank() -> None:
    b = read_irish_raw('"A" "XXXXX" "B"\n"B" "A" "XXXXX"\n')
    assert b.rankings.tolist()[0] == [0, SKIPPED, 1]


def test_json_reader_rank_vectors_names_and_seats() -> None:
    text = (
        '{"Constituency": "Tiny", "Election_Type": "General", "Date": {"Year": 2002}, "Number of Seats": 2,'
        ' "Candidate": [{"Ref": "Bbbb", "Name": "Bea ", "Index": 1}, {"Ref": "Aaaa", "Name": "Al", "Index": 0},'
        ' {"Ref": "Cccc", "Name": "Cy", "Index": 2}],'
        ' "Ballot": [[2, 1, 0], [1, 0, 0], [0, 2, 1], [1, 0, 3], [1, 1, 0]]}\n'
    )
    b = read_irish_json(text)
    assert b.candidates == ("Al", "Bea", "Cy") and b.seats == 2 and b.title == "Tiny General 2002"
    rows = [b.decode(r) for r in b.rankings]
    assert rows[:3] == [("Bea", "Al"), ("Al",), ("Cy", "Bea")]  # file order
    assert rows[3] == ("Al", None, "Cy")  # rank 2 missing: a skipped rank, kept as cast
    assert rows[4] == (frozenset({"Al", "Bea"}),)  # an equal ranking, kept as cast
    assert read_irish_json(text, names={"Aaaa": "Alice"}).candidates[0] == "Alice"
    for bad, message in [
        ('{"Candidate": [], "Ballots": []}\n', "no 'Ballot' field"),
        ('{"Candidate": [{"Index": 1}], "Ballot": [[1]]}\n', "Index 1"),
        ('{"Candidate": [{"Index": 0}], "Ballot": [[1, 0]]}\n', "not a list of 1 ranks"),
        ('{"Candidate": [{"Index": 0}], "Ballot": [[2]]}\n', "ranks must be whole numbers 0..1"),
        ('{"Candidate": [{"Index": 0}], "Ballot": [[1]], "Number of Seats": 0}\n', "at least 1"),
        ("[1, 2\n", "not JSON"),
    ]:
        with pytest.raises(InputError, match=message):
            read_irish_json(bad)


def test_both_forms_are_detected_by_content() -> None:
    assert detect_format(RAW.encode()) == "irish"
    assert detect_format(b'{"Candidate": [{"Index": 0}], "Ballot": [[1]]}\n') == "irish-json"
    assert detect_format(b"# NUMBER ALTERNATIVES: 2\n") == "preflib"  # others unaffected


def test_content_overrules_a_generic_extension(tmp_path: Path) -> None:
    """``.txt`` belongs to the raw Irish form, but a BLT saved as ``.txt`` is still a BLT, and
    the raw form under another extension is still found by its content."""
    blt = tmp_path / "election.txt"
    blt.write_text('2 1\n3 1 2 0\n1 2 0\n0\n"Ann"\n"Bob"\n"Title"\n', encoding="utf-8")
    assert detect_format(blt) == "blt" and read_ballots(blt).seats == 1
    raw = tmp_path / "ballots.dat"
    raw.write_text(RAW, encoding="utf-8")
    assert detect_format(raw) == "irish" and read_ballots(raw).total == 3
    irish_txt = tmp_path / "dn.txt"
    irish_txt.write_text(RAW, encoding="utf-8")
    assert detect_format(irish_txt) == "irish"


# ----------------------------------------------------------------------------- seats
def test_stv_without_seats_asks_for_them_and_av_does_not() -> None:
    b = read_irish_raw(RAW, name="tiny.txt")
    for method in ("stv-irish", "stv-scottish", "stv-meek"):
        with pytest.raises(InputError, match=r"tiny.txt: .*needs the number of seats"):
            count(b, method)
    assert count(b, method="stv-irish", seats=1).seats == 1
    assert count(b, method="av").winners  # single-winner: no seats needed
    with_seats = Ballots(b.rankings, b.weights, b.candidates, seats=1)
    assert count(with_seats, "stv-scottish").seats == 1


# ----------------------------------------------------------------------------- as they lie
def test_as_they_lie_moves_the_last_filed_papers_of_each_subparcel() -> None:
    """Quota 4 (9 papers, 2 seats). A has 6 first preferences in file order A-B, A-C, A-B, A-C,
    A-B, A-B; surplus 2, all 6 transferable: B 4 of 6 -> 4*2/6 = 1 r 2, C 2*2/6 = 0 r 4, so
    B 1 and C 1. As they lie, B's sub-parcel gives its last-filed A-B paper (paper 5) and C's
    its last A-C paper (paper 3); reversing the file gives the first ones instead."""
    lines = ["A B", "A C", "A B", "A C", "A B", "A B", "D", "D", "C"]
    text = "\n".join(" ".join(f'"{t}"' for t in s.split() + ["XXXXX"] * (4 - len(s.split()))) for s in lines)
    b = read_irish_raw(text + "\n")
    ic = irish_count(b, 2, papers="as-they-lie")
    assert ic.subparcels[2] == {"B": (1, 4), "C": (1, 2)}
    assert ic.moved[2].tolist() == [3, 5]
    assert ic.result.options["papers"] == "as-they-lie"
    assert ic.result.notes[0].startswith("papers: as-they-lie") and "file order" in ic.result.notes[0]
    assert "taken as they lie" in ic.result.notes[1]
    for seed in (1, 2, 3):  # no randomness at all
        assert irish_count(b, 2, papers="as-they-lie", seed=seed).moved[2].tolist() == [3, 5]
    rev = read_irish_raw("\n".join(reversed(text.splitlines())) + "\n")
    moved = irish_count(rev, 2, papers="as-they-lie").moved[2].tolist()
    assert moved == [7, 8]  # reversed: the papers that came first in the original file
    random = irish_count(b, 2, seed=1)
    assert random.result.options["papers"] == "random" and random.result.notes[0].startswith("papers: random")


def test_as_they_lie_on_grouped_ballots_says_so() -> None:
    b = Ballots.from_rankings([["A", "B"]] * 5 + [["A", "C"]] * 3 + [["B"]] * 2, "ABC")
    r = count(b, "stv-irish", 2, papers="as-they-lie")
    r.check_conservation()
    assert "grouped" in r.notes[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.permutations("ABCDE").map(lambda p: p[:3]), st.integers(1, 6)), min_size=3, max_size=12
    ),
    st.integers(1, 3),
)
def test_as_they_lie_grouped_rows_and_one_row_per_paper_agree(rows: list, seats: int) -> None:
    """Paper ids number the papers in row order either way, so a count as they lie must move
    the same papers whether a row of weight w is one entry or w one-paper rows in a run (the
    two book-keeping paths of the engine)."""
    grouped = Ballots(
        np.array([[ord(c) - 65 for c in r] for r, _ in rows], dtype=np.int32),
        np.array([w for _, w in rows], dtype=np.int64),
        tuple("ABCDE"),
    )
    flat = [r for r, w in rows for _ in range(w)]
    expanded = Ballots(
        np.array([[ord(c) - 65 for c in r] for r in flat], dtype=np.int32),
        np.ones(len(flat), dtype=np.int64),
        tuple("ABCDE"),
    )
    a = irish_count(grouped, seats, papers="as-they-lie")
    b = irish_count(expanded, seats, papers="as-they-lie")
    a.result.check_conservation()
    assert a.result.winners == b.result.winners
    assert [r.tallies for r in a.result.rounds] == [r.tallies for r in b.result.rounds]
    assert a.moved.keys() == b.moved.keys()
    assert all(np.array_equal(a.moved[k], b.moved[k]) for k in a.moved)


def test_unknown_paper_selection_is_an_input_error() -> None:
    with pytest.raises(InputError, match="papers must be one of random, as-they-lie"):
        count(read_irish_raw(RAW), "stv-irish", 1, papers="top")
    assert IrishOptions().papers == "random"


def test_transfers_file_moved_papers_after_those_on_the_pile() -> None:
    """Papers an exclusion moves are filed on top of the pile, parcel by parcel in the order
    received: the last filed are then not the last in the file.

    25 papers, 2 seats, quota 9: E-D-A-B (paper 0), E-C (1), D-A-B x3 (2-4), A x7, B x8,
    C x5. Count 2: E (2; with D 3 not below C 5) excluded alone: D 4, C 6. Count 3: D (4)
    excluded, its own parcel (2-4) then the one from E (0) go to A: A 11, surplus 2. The surplus
    comes from that last parcel, all four next for B, so 2 move: as they lie, the last filed
    are 4 and then 0 (in file order they would be 3 and 4)."""
    lines = ["E D A B", "E C"] + ["D A B"] * 3 + ["A"] * 7 + ["B"] * 8 + ["C"] * 5
    text = "\n".join(" ".join(f'"{t}"' for t in s.split() + ["XXXXX"] * (5 - len(s.split()))) for s in lines)
    b = read_irish_raw(text + "\n", names={c: c for c in "ABCDE"})
    ic = irish_count(b, 2, papers="as-they-lie")
    ic.result.check_conservation()
    assert [r.action for r in ic.result.rounds[:3]] == [
        "first preferences",
        "exclusion of E",
        "exclusion of D",
    ]
    assert ic.subparcels == {4: {"B": (2, 4)}}
    assert ic.moved[4].tolist() == [0, 4]
    assert ic.result.winners == ("A", "B")


# ----------------------------------------------------------------------------- real files
def test_dublin_north_raw_file() -> None:
    path = _ireland("dnorth.txt")
    b = read_ballots(path, names=DUBLIN_NORTH)
    assert detect_format(path) == "irish" and detect_format(path.read_bytes()) == "irish"
    assert b.total == 43_942 and b.n_candidates == 12 and b.seats is None
    assert b.rankings.shape[0] == 43_942  # every ballot its own row, in file order
    assert b.decode(b.rankings[0]) == ("G. V. Wright", "Jim Glennon")  # line 1 of the file
    assert sorted(b.first_preferences().values(), reverse=True) == DN_FIRST
    assert b.first_preferences()["Trevor Sargent"] == 7294
    with pytest.raises(InputError, match="needs the number of seats"):
        count(b, "stv-irish")


def test_dublin_west_raw_file_matches_the_preflib_copy() -> None:
    b = read_ballots(_ireland("DublinWest.txt"))
    assert b.total == 29_988 and sorted(b.first_preferences().values(), reverse=True) == DW_FIRST
    pl = read_ballots(_ireland("preflib", "00001-00000002.soi"))
    code_of = {pl.candidates[n - 1]: code for code, n in DW_PREFLIB.items()}
    ours = Counter(tuple(b.candidates[c] for c in row if c >= 0) for row in b.rankings.tolist())
    theirs = {
        tuple(code_of[pl.candidates[c]] for c in row if c >= 0): int(w)
        for row, w in zip(pl.rankings.tolist(), pl.weights.tolist(), strict=True)
    }
    assert dict(ours) == theirs


@pytest.mark.parametrize(
    ("name", "names", "seats", "winners"),
    [
        ("dnorth.txt", DUBLIN_NORTH, 4, {"Trevor Sargent", "Seán Ryan", "Jim Glennon", "G. V. Wright"}),
        ("DublinWest.txt", DUBLIN_WEST, 3, {"Brian Lenihan", "Joe Higgins", "Joan Burton"}),
        ("Meath2002.json", None, None, MEATH_WINNERS),
    ],
)
def test_dail_2002_counts_elect_the_winners(
    name: str, names: dict | None, seats: int | None, winners: set
) -> None:
    b = read_ballots(_ireland(name), **({"names": names} if names else {}))
    if name.endswith(".json"):
        assert b.seats == 5 and b.total == 64_081
    t = time.perf_counter()
    lie = count(b, "stv-irish", seats, papers="as-they-lie")
    elapsed = time.perf_counter() - t
    lie.check_conservation()
    assert set(lie.winners) == winners and lie.options["papers"] == "as-they-lie"
    assert "file order" in lie.notes[0]
    assert elapsed < 20  # about 0.5-1 s here; a regression to per-paper Python would be far slower
    again = count(b, "stv-irish", seats, papers="as-they-lie", seed=99)
    assert again.to_dict() == lie.to_dict() | {"options": again.to_dict()["options"]}
    for seed in (1, 2):
        r = count(b, "stv-irish", seats, seed=seed)
        r.check_conservation()
        assert set(r.winners) == winners and r.options["papers"] == "random"


def test_dublin_north_elected_order_and_quota() -> None:
    b = read_ballots(_ireland("dnorth.txt"), names=DUBLIN_NORTH)
    r = count(b, "stv-irish", 4, papers="as-they-lie")
    assert r.quota == 8_789  # README: the Droop quota on this count
    assert r.winners == ("Trevor Sargent", "Seán Ryan", "Jim Glennon", "G. V. Wright")
    assert np.all([rd.loss == 0 for rd in r.rounds])  # whole papers: nothing lost to rounding
