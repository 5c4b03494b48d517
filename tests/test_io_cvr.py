"""Cast-vote-record CSV and the simple count CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io.cvr import read_cvr, write_cvr

DATA = Path(__file__).parent / "data"


def test_read_cvr_labels() -> None:
    b = Ballots.read(DATA / "cvr.csv")
    assert set(b.candidates) == {"Alice", "Bob", "Carol", "Write-in"}
    rows = dict(b)
    assert rows[("Bob", "<overvote>", "Alice")] == 1
    assert rows[(None, "Carol", "Alice")] == 1  # skipped first rank kept
    assert rows[("Alice", "Bob")] == 1  # trailing undervote is the end of the ballot
    assert rows[("Carol", "Carol", "Bob")] == 1  # duplicate kept as cast
    assert rows[()] == 1  # a blank ballot


def test_custom_labels_and_candidates(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("choice_1,choice_2,weight\nA,OV,2\nB,,1\nUWI,A,1\n")
    b = read_cvr(p, candidates=["A", "B", "Write-in"], overvote=["OV"], write_in=["UWI"])
    assert dict(b)[("A", "<overvote>")] == 2
    p.write_text("Rank 1,Rank 2\nA,B\nA,Zed\n")
    with pytest.raises(InputError, match="unknown candidate 'Zed'") as info:
        read_cvr(p, candidates=["A", "B"])
    assert info.value.line == 3


def test_cvr_write_round_trip(tmp_path: Path) -> None:
    b = Ballots.read(DATA / "cvr.csv")
    write_cvr(b, tmp_path / "o.csv")
    again = read_cvr(tmp_path / "o.csv", candidates=list(b.candidates))
    assert again == b


def test_no_rank_columns(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="no rank columns"):
        read_cvr(p)


def test_simple_csv_round_trip(tmp_path: Path) -> None:
    b = Ballots.read(DATA / "simple.csv")
    assert b.candidates == ("Alice", "Bob", "Carol")
    assert dict(b)[("Carol", frozenset({"Alice", "Bob"}))] == 2
    assert dict(b)[("Bob", None, "Carol")] == 3
    b.write(tmp_path / "o.csv")
    assert Ballots.read(tmp_path / "o.csv") == b
    bad = tmp_path / "bad.csv"
    bad.write_text("count,rank1\n2,A\nlots,B\n")
    with pytest.raises(InputError, match="non-numeric count") as info:
        Ballots.read(bad)
    assert info.value.line == 3
