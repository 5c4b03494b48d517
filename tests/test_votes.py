"""VoteTable validation and the long CSV reader."""

from __future__ import annotations

import numpy as np
import pytest

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io.long_csv import read_long_csv, write_long_csv
from kingmaker.votes import VoteTable, canonical_region, nation_of_region


def small() -> VoteTable:
    return VoteTable(
        np.array([[10, 5, 0], [3, 8, 2], [1, 1, 9]]),
        ("A", "B", "C"),
        ("d1", "d2", "d3"),
        regions=("North", "North", "South"),
        nations=("X", "X", "Y"),
        electorates=np.array([20, 20, 20]),
    )


def test_table_basics_and_immutability():
    t = small()
    assert t.n_districts == 3 and t.n_parties == 3
    assert t.totals().tolist() == [14, 14, 11]
    assert t.party_index("b") == 1  # case-insensitive fallback
    with pytest.raises(ValueError):
        t.votes[0, 0] = 99
    with pytest.raises(AttributeError):
        t.parties = ("X",)  # type: ignore[misc]
    agg = t.aggregate("region")
    assert agg.districts == ("North", "South")
    assert agg.votes.tolist() == [[13, 13, 2], [1, 1, 9]]
    assert agg.seat_magnitudes().tolist() == [2, 1]
    assert agg.nations == ("X", "Y")
    assert t.select([True, False, True]).districts == ("d1", "d3")


def test_negative_votes_rejected():
    with pytest.raises(InputError, match="negative votes"):
        VoteTable(np.array([[1, -2]]), ("A", "B"), ("d",))


def test_duplicate_districts_and_parties_rejected():
    with pytest.raises(InputError, match="duplicate district"):
        VoteTable(np.ones((2, 2)), ("A", "B"), ("d", "d"))
    with pytest.raises(InputError, match="duplicate party"):
        VoteTable(np.ones((1, 2)), ("A", "A"), ("d",))
    with pytest.raises(InputError, match="duplicate district"):
        VoteTable(np.ones((2, 1)), ("A",), ("x", "y"), codes=("c", "c"))


def test_shape_and_type_errors():
    with pytest.raises(InputError):
        VoteTable(np.ones((2, 2)), ("A",), ("d", "e"))
    with pytest.raises(InputError, match="whole"):
        VoteTable(np.array([[1.5, 2]]), ("A", "B"), ("d",))


def test_unknown_party():
    with pytest.raises(UnknownNameError, match="unknown party 'Z'"):
        small().party_index("Z")


def test_region_names():
    assert canonical_region("Eastern") == "East of England"
    assert canonical_region("Yorkshire & The Humber") == "Yorkshire and The Humber"
    assert nation_of_region("London") == "England"
    assert nation_of_region("Wales") == "Wales"


def test_long_csv_round_trip(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("district,party,votes,region\nd1,A,10,R\nd1,B,5,R\nd2,A,1,S\nd2,C,7,S\n")
    t = read_long_csv(path)
    assert t.parties == ("A", "B", "C")
    assert t.votes.tolist() == [[10, 5, 0], [1, 0, 7]]
    assert t.regions == ("R", "S")
    out = tmp_path / "w.csv"
    write_long_csv(t, out)
    assert read_long_csv(out).votes.tolist() == t.votes.tolist()


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("district,party,votes\nd1,A,10\nd1,B,-3\n", 3, "negative votes"),
        ("district,party,votes\nd1,A,10\nd1,A,4\n", 3, "duplicate row"),
        ("district,party,votes\nd1,A,ten\n", 2, "not a whole number"),
        ("district,party,votes\nd1,A\n", 2, "expected 3 fields"),
        ("district,party\nd1,A\n", 1, "missing column"),
    ],
)
def test_long_csv_errors_name_file_and_line(tmp_path, body, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(InputError, match=message) as info:
        read_long_csv(path)
    assert info.value.line == line
    assert str(path) in str(info.value)
