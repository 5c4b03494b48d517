"""BLT reader and writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError

DATA = Path(__file__).parent / "data"


def test_read_small_blt() -> None:
    b = Ballots.read(DATA / "small.blt")
    assert b.candidates == ("Alice", "Bob", "Carol", "Dave")
    assert b.seats == 2 and b.title == "Small test election"
    assert b.withdrawn == frozenset({3})
    rows = dict(b)
    assert rows[("Alice", "Bob")] == 3
    assert rows[(frozenset({"Bob", "Carol"}), "Alice")] == 2
    assert rows[("Carol", None, "Alice")] == 1


def test_blt_round_trip(tmp_path: Path) -> None:
    b = Ballots.read(DATA / "small.blt")
    b.write(tmp_path / "out.blt")
    again = Ballots.read(tmp_path / "out.blt")
    assert again == b and again.seats == 2 and again.title == b.title


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n', 2, "out of range"),
        ('2 1\nx 1 2 0\n0\n"A"\n"B"\n', 2, "non-numeric ballot weight"),
        ("2 1\n1 1 2 0\n1 2 0\n", 3, "missing terminator"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n', 2, "end with 0"),
        ('2 1\n1 1 2 0\n0\n"A"\n', 4, "expected 2 candidate names"),
        ("two one\n", 1, "header"),
    ],
)
def test_blt_errors_name_file_and_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    p = tmp_path / "bad.blt"
    p.write_text(text)
    with pytest.raises(InputError, match=problem) as info:
        Ballots.read(p)
    assert info.value.line == line and info.value.source == str(p)
    assert f"bad.blt:{line}:" in str(info.value)
