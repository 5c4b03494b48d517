"""PrefLib reader and writer, and the real Labour 2010 MPs/MEPs file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from tests.conftest import shared_path

DATA = Path(__file__).parent / "data"


def test_read_toi_with_ties() -> None:
    b = Ballots.read(DATA / "small.toi")
    assert b.candidates == ("Ann", "Ben", "Cat") and b.total == 6 and b.title == "toi test"
    assert dict(b)[(frozenset({"Ben", "Cat"}), "Ann")] == 2


def test_round_trip(tmp_path: Path) -> None:
    b = Ballots.read(DATA / "small.toi")
    b.write(tmp_path / "x.toi")
    assert Ballots.read(tmp_path / "x.toi") == b
    with pytest.raises(InputError, match=r"toc/\.toi"):
        b.write(tmp_path / "x.soi")


def test_errors(tmp_path: Path) -> None:
    p = tmp_path / "bad.soi"
    p.write_text("# NUMBER ALTERNATIVES: 2\n3: 1,2\n1: 1,{2}\n")
    with pytest.raises(InputError, match="only allowed") as info:
        Ballots.read(p)
    assert info.value.line == 3
    p.write_text("# NUMBER ALTERNATIVES: 2\n3: 1,4\n")
    with pytest.raises(InputError, match="out of range"):
        Ballots.read(p)
    p.write_text("# NUMBER ALTERNATIVES: 2\nx: 1,2\n")
    with pytest.raises(InputError, match="non-numeric count"):
        Ballots.read(p)


def test_labour_2010_file() -> None:
    b = Ballots.read(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    assert b.total == 266 and b.n_unique == 76 and b.n_candidates == 5
    assert b.first_preferences() == {
        "D.Abbott": 7,
        "E.Balls": 40,
        "A.Burnhm": 24,
        "D.Milbnd": 111,
        "E.Milbnd": 84,
    }
