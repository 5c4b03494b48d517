"""``kingmaker count`` through the real entry point: every method, the mark options, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import invoke

DATA = Path(__file__).parent / "data"


def _blt(path: Path, seats: int, lines: list[str], names: str = "ABCD") -> str:
    body = [f"{len(names)} {seats}", *lines, "0", *(f'"{c}"' for c in names), '"test"']
    path.write_text("\n".join(body) + "\n")
    return str(path)


def _json(*args: str) -> dict:
    out = invoke("count", *args, "--format", "json")
    assert out.exit_code == 0, out.stderr
    return json.loads(out.stdout)


def _error(*args: str) -> str:
    out = invoke("count", *args)
    assert out.exit_code == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


@pytest.fixture
def av_file(tmp_path: Path) -> str:
    # A 6, B 4, C 2 (then B), D 1 (then A)
    return _blt(tmp_path / "av.blt", 1, ["6 1 0", "4 2 0", "2 3 2 0", "1 4 1 0"])


@pytest.fixture
def marks_file(tmp_path: Path) -> str:
    """A CVR with an overvote, two skipped ranks and a repeated candidate."""
    rows = (
        [["A", "B", "", ""]] * 4
        + [["B", "C", "", ""]] * 3
        + [["C", "overvote", "B", ""]] * 2
        + [["C", "", "", "B"]] * 2
        + [["D", "D", "B", ""]] * 2
        + [["D", "A", "", ""]]
    )
    path = tmp_path / "marks.csv"
    text = "BallotID,Rank 1,Rank 2,Rank 3,Rank 4\n" + "".join(
        f"{i + 1}," + ",".join(x or "undervote" for x in r) + "\n" for i, r in enumerate(rows)
    )
    path.write_text(text)
    return str(path)


def test_college_one_file_per_section(tmp_path: Path) -> None:
    mps = _blt(tmp_path / "mps.blt", 1, ["3 1 2 0", "2 2 0", "1 3 2 0"], "ABC")
    members = _blt(tmp_path / "members.blt", 1, ["10 2 0", "8 1 0", "5 3 1 0"], "ABC")
    d = _json(mps, members, "--method", "college")
    assert d["method"] == "college" and d["winners"] == ["A"]
    first = d["rounds"][0]
    assert set(first["sections"]) == {"mps", "members"}  # section names from the file names
    assert first["sections"]["mps"]["A"] == 3 and first["sections"]["members"]["B"] == 10
    # each section is worth half: A (3/6 + 8/23) / 2 of the college, in percent
    assert abs(first["tallies"]["A"] - 100 * (3 / 6 + 8 / 23) / 2) < 1e-3  # JSON: 3 places
    named = _json(mps, members, "--method", "college", "--sections", "MPs,Members", "--weights", "1,3")
    assert set(named["rounds"][0]["sections"]) == {"MPs", "Members"}
    assert abs(named["rounds"][0]["tallies"]["B"] - 100 * (2 / 6 * 1 + 10 / 23 * 3) / 4) < 1e-3
    table = invoke("count", mps, members, "--method", "college")
    assert table.exit_code == 0 and "college" in table.stdout and "Stage 2" in table.stdout


def test_exhaustive_ballot(tmp_path: Path) -> None:
    mps = _blt(tmp_path / "mps.blt", 1, ["5 1 0", "4 2 0", "3 3 2 0"], "ABC")
    members = _blt(tmp_path / "members.blt", 1, ["40 1 0", "60 2 1 0"], "ABC")
    d = _json(mps, members, "--method", "exhaustive")
    assert d["method"] == "exhaustive" and d["winners"] == ["B"]
    assert d["rounds"][0]["eliminated"] == ["C"] and d["rounds"][-1]["tallies"] == {"A": 40, "B": 60}
    assert _error(mps, "--method", "exhaustive").startswith("error: the exhaustive ballot needs two")


def test_stv_methods(tmp_path: Path) -> None:
    path = str(DATA / "scottish_ward.blt")
    ers = _json(path, "--method", "stv-ers97")
    assert ers["method"] == "stv-ers97" and ers["quota"] == 25 and len(ers["winners"]) == 3
    assert ers["options"]["tiebreak"].startswith("forwards")
    meek = _json(path, "--method", "stv-meek", "--seats", "2")
    assert meek["method"] == "stv-meek" and meek["winners"][:1] == ["Ann"] and len(meek["winners"]) == 2
    greg = _json(path, "--method", "gregory")
    assert greg["method"] == "stv-gregory" and greg["quota"] == 26 and greg["winners"][:2] == ["Ann", "Bob"]
    sc = _json(path, "--method", "stv")
    assert sc["options"]["tiebreak"].startswith("backwards") and sc["winners"] == ["Ann", "Bob", "Cat"]
    table = invoke("count", path, "--method", "stv-ers97")
    assert table.exit_code == 0 and "Quota: 25\n" in table.stdout


def test_mark_options(marks_file: str) -> None:
    base = _json(marks_file)
    assert base["winners"] == ["B"] and base["rounds"][2]["exhausted"] == 2  # overvote exhausts
    skip = _json(marks_file, "--overvote", "skip")
    assert skip["rounds"][2]["tallies"]["B"] == 9 and skip["rounds"][2]["exhausted"] == 0
    assert skip["options"]["overvote"] == "skip"
    limit = _json(marks_file, "--skipped-limit", "2")
    assert limit["winners"] == ["A"] and limit["rounds"][2]["exhausted"] == 4
    first, second = [t for r in limit["rounds"] for t in r["ties"]]
    assert first["tied"] == ["B", "D"] and first["policy"] == "backwards then random"
    # the last two tie: the tie-break elects A at once (no extra round of one candidate)
    assert second["tied"] == ["A", "B"] and second["chosen"] == "A" and second["policy"] == "backwards"
    assert second["purpose"] == "elect" and len(limit["rounds"]) == 3
    dup = _json(marks_file, "--duplicates", "exhaust")
    assert dup["winners"] == ["C"] and dup["rounds"][1]["exhausted"] == 2
    stv = _json(marks_file, "--method", "stv-scottish", "--seats", "2", "--overvote", "skip")
    assert stv["options"]["overvote"] == "skip" and len(stv["winners"]) == 2


def test_batch_and_until(av_file: str) -> None:
    plain = _json(av_file)
    assert [r["eliminated"] for r in plain["rounds"]] == [["D"], []] and plain["winners"] == ["A"]
    batch = _json(av_file, "--batch")
    assert sorted(batch["rounds"][0]["eliminated"]) == ["C", "D"]
    assert batch["rounds"][1]["tallies"] == {"A": 7, "B": 6}
    two = _json(av_file, "--until", "two")
    assert len(two["rounds"]) == 3 and two["rounds"][-1]["tallies"] == {"A": 7, "B": 6}
    assert (
        _error(av_file, "--method", "stv-ers97", "--batch")
        == "error: --batch: not an option of stv-ers97 (methods that take it: av, rctab)"
    )


def test_csv_output(av_file: str) -> None:
    out = invoke("count", av_file, "--format", "csv")
    assert out.exit_code == 0 and out.stdout.splitlines()[0] == "candidate,1,2"


def test_bad_input(tmp_path: Path, av_file: str) -> None:
    assert "missing.blt" in _error(str(tmp_path / "missing.blt"))
    assert "unknown method" in _error(av_file, "--method", "borda")
    assert "unknown format" in _error(av_file, "--format", "xml")
    assert "section names" in _error(av_file, av_file, "--method", "college", "--sections", "one")
    assert "bad --weights" in _error(av_file, av_file, "--method", "college", "--weights", "x,y")
    assert "counts one ballot file" in _error(av_file, av_file, "--method", "stv")
    assert "overvote" in _error(av_file, "--overvote", "maybe")
    assert "tie-break" in _error(av_file, "--tiebreak", "coin")
    assert "seats" in _error(av_file, "--method", "stv", "--seats", "9")
    empty = tmp_path / "empty.blt"
    empty.write_text("")
    assert "empty.blt" in _error(str(empty))
    garbage = tmp_path / "garbage.blt"
    garbage.write_text("3 1\n1 1 x 0\n0\n")
    assert "garbage.blt:2" in _error(str(garbage))


def test_papers_option_reaches_stv_irish(tmp_path):
    """``--papers as-they-lie`` selects surplus papers in file order, and the count says so."""
    f = tmp_path / "tiny.txt"
    rows = ['"Aaaa" "Bbbb" "XXXXX"'] * 6 + ['"Bbbb" "Cccc" "XXXXX"'] * 3 + ['"Cccc" "Aaaa" "XXXXX"'] * 2
    f.write_text("\r\n".join(rows) + "\r\n")
    res = invoke(
        "count",
        str(f),
        "--method",
        "stv-irish",
        "--seats",
        "2",
        "--papers",
        "as-they-lie",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.stderr
    assert "as-they-lie" in res.stdout or "as they lie" in res.stdout
    res = invoke("count", str(f), "--method", "av", "--papers", "as-they-lie")
    assert res.exit_code == 2 and "--papers: not an option of av" in res.stderr
