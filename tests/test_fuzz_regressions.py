"""Every bug the fuzzing harness found (tests/test_fuzz_*.py, issue 10 section 4), kept as a plain
test: each input used to raise something other than a KingmakerError (OverflowError, ValueError,
csv.Error, RecursionError, TypeError, UnicodeDecodeError) or was read into a wrong answer (a
weight beyond 64 bits, odds of 1.0 or infinity); now each is refused with an InputError that
says where and what."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kingmaker.counting.rctab.config import read_config
from kingmaker.errors import InputError, KingmakerError
from kingmaker.io.cvr_sources import CvrSource
from kingmaker.io.hoc import read_results
from kingmaker.io.limits import parse_whole
from kingmaker.io.long_csv import read_long_csv
from kingmaker.io.parlgov import REQUIRED, read_parlgov
from kingmaker.io.transfers_csv import read_transfer_matrix
from kingmaker.io.weights_csv import read_weights_csv
from kingmaker.leadership import Contest
from kingmaker.odds.parse import Market, parse_price
from kingmaker.parliament import Parliament

HOC_1918 = (
    "constituency_id,seats,constituency_name,country/region,electorate,con_votes,lib_votes,"
    "lab_votes,natSW_votes,oth_votes,total_votes,election\n"
    "E1,1,Aldershot,South East,70000,20000,10000,8000,,2000,40000,2010\n"
)
HOC_CONSTITUENCIES = (
    "ONS ID,Constituency name,Region name,Country name,Electorate,Con,Lab,LD,All other candidates\n"
    "E14000530,Aldershot,South East,England,72430,26950,11950,6950,50\n"
)
HOC_CANDIDATES = (
    "ONS ID,Constituency name,Region name,Country name,Party name,Party abbreviation,Votes\n"
    "E14000530,Aldershot,South East,England,Conservative,Con,26955\n"
)


def _results(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "results.csv"
    path.write_text(text)
    return read_results(path, election="2010")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # OverflowError: a count beyond int64 reached numpy
        (HOC_1918.replace("20000,10000", "99999999999999999999,10000"), r":2: con votes .* beyond the limit"),
        (HOC_CANDIDATES.replace("26955", "1e30"), r":2: votes '1e30' is beyond the limit"),
        # ValueError: int(float('nan'))
        (HOC_1918.replace("20000,10000", "nan,10000"), r":2: con votes 'nan' is not a number"),
        (HOC_1918.replace("20000,10000", "inf,10000"), r":2: con votes 'inf' is not a number"),
        # a constituency returning a billion seats, or minus three
        (
            HOC_1918.replace("E1,1,", "E1,1000000000,"),
            r":2: seats '1000000000' is beyond the limit of 10,000",
        ),
        (HOC_1918.replace("E1,1,", "E1,-3,"), r":2: seats '-3' is negative"),
        # ValueError: 'con' is not in list
        (HOC_CONSTITUENCIES.replace(",Con,", ",Cons,"), r":1: missing column 'con'"),
        (HOC_CONSTITUENCIES.replace("26950", "-26950"), r":2: Con '-26950' is negative"),
    ],
)
def test_house_of_commons_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _results(tmp_path, text)


def test_house_of_commons_readers_still_read_thousands_and_decimals(tmp_path: Path) -> None:
    table = _results(tmp_path, HOC_CONSTITUENCIES.replace("26950", '"26,950"').replace("11950", "11950.0"))
    assert table.votes.tolist() == [[26950, 11950, 6950, 50]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"district,party,votes\nA,Con,99999999999999999999\n", r":2: votes .* beyond the limit"),
        (
            b"district,party,votes,electorate\nA,Con,1,18446744073709551616\n",
            r"A: electorate .* beyond the limit",
        ),
        (
            b"district,party,votes,seats\nA,Con,1,99999999999999999999\n",
            r"A: seats is 99,999,.*max_seats",
        ),
        (b"district,party,votes," + b"x" * 140_000 + b"\nA,B,1\n", r":1: malformed CSV: field larger"),
    ],
)
def test_long_vote_csv(data: bytes, message: str) -> None:
    with pytest.raises(KingmakerError, match=message):
        read_long_csv(data, name="f.csv")


def test_weights_beyond_the_limit_are_refused_not_read() -> None:
    """Read as 99999999999999999999 before: a wrong answer (the power indices then overflow)."""
    with pytest.raises(InputError, match=r"f.csv:2: the weight of A .* beyond the limit"):
        read_weights_csv(b"player,weight\nA,99999999999999999999\nB,1\n", name="f.csv")
    with pytest.raises(InputError, match="add up to more than"):
        read_weights_csv(b"player,weight\nA,999999999999999\nB,999999999999999\n", name="f.csv")
    with pytest.raises(InputError, match="must be a whole number"):
        read_weights_csv("player,weight\nA,\u0663\n".encode(), name="f.csv")
    assert read_weights_csv(b"player,weight\nA,0010\n") == {"A": 10}


def test_parliament_csv_with_a_bare_carriage_return() -> None:
    """csv.Error ('new-line character seen in unquoted field') before; a bare CR is a line break."""
    parl = Parliament.read(b"party,seats\nA,3\rB,4\n", name="p.csv")
    assert dict(zip(parl.names, (p.seats for p in parl.parties), strict=True)) == {"A": 3, "B": 4}
    with pytest.raises(InputError, match=r"p.csv:\d+: malformed CSV"):
        Parliament.read(b"party,seats\nA," + b"9" * 140_000 + b"\n", name="p.csv")


def test_parlgov_malformed_csv() -> None:
    with pytest.raises(InputError, match=r"<bytes>:\d+: malformed CSV"):
        read_parlgov(",".join(REQUIRED).encode() + b"\n" + b"x" * 140_000 + b"\n")
    with pytest.raises(InputError, match="missing column"):
        read_parlgov(b"\rcountry_name_short\n")


def test_transfer_matrix_malformed_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("from,to,share\nA,B," + "1" * 140_000 + "\n")
    with pytest.raises(InputError, match=r"t\.csv: malformed CSV"):
        read_transfer_matrix(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5/9999999999999999999", "its decimal odds round to 1"),  # was read as a price of 1.0
        ("9" * 400, "beyond the range of a number"),  # was read as a price of inf
        ("9" * 400 + "/1", "beyond the range of a number"),
        ("+" + "9" * 400, "beyond the range of a number"),
    ],
)
def test_odds_that_pay_nothing_or_overflow(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_price(text, runner="R")
    with pytest.raises(InputError, match="beyond the range"):
        Market.from_prices({"A": float("inf"), "B": 2.0})


def test_leadership_numbers_beyond_float() -> None:
    """OverflowError (int too large to convert to float) before."""
    toml = (
        'rules = "labour-2010"\ncandidates = ["A", "B"]\n[spatial]\npositions = {A = 1, B = 2}\n'
        "voters = VOTERS\n[sections.members]\nshares = {A = 50, B = 50}\n"
    )
    with pytest.raises(InputError, match=r"c.toml: spatial.voters is a 400-digit number, beyond the limit"):
        Contest.from_toml(toml.replace("VOTERS", "9" * 400), source="c.toml")
    with pytest.raises(InputError, match=r"spatial.voters must be a finite number, got nan"):
        Contest.from_toml(toml.replace("VOTERS", "nan"), source="c.toml")


RCTAB = {
    "cvrFileSources": [{"filePath": "cvr.csv", "provider": "clear_ballot"}],
    "candidates": [{"name": "A"}, {"name": "B"}],
    "rules": {"numberOfWinners": "1", "winnerElectionMode": "singleWinnerMajority"},
}


def _config(tmp_path: Path, data: bytes | dict[str, Any]) -> Path:
    path = tmp_path / "c_config.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # RecursionError
        (b'{"rules": "\xff"}', r"not UTF-8 text"),  # UnicodeDecodeError
        ({**RCTAB, "rules": {"overvoteRule": []}}, "rules.overvoteRule must be a string"),  # TypeError
        ({**RCTAB, "candidates": True}, "'candidates' must be a list"),  # TypeError
        ({**RCTAB, "outputSettings": True}, "'outputSettings' must be an object"),  # AttributeError
        ({**RCTAB, "candidates": [{"name": "A", "aliases": [[]]}]}, "aliases must be a list of names"),
        (
            {**RCTAB, "rules": {**RCTAB["rules"], "minimumVoteThreshold": "1e-999999999"}},
            "minimumVoteThreshold must be a number",  # built a billion-digit Fraction
        ),
    ],
)
def test_rctab_contest_configs(tmp_path: Path, data: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_config(_config(tmp_path, data))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"filePath": "x", "provider": "ess", "firstVoteColumnIndex": float("inf")},
            "whole number",
        ),  # OverflowError
        ({"filePath": True, "provider": "ess"}, "filePath must be a string"),  # TypeError: Path / bool
        ({"filePath": "x", "provider": "ess", "firstVoteRowIndex": 10**30}, "below a billion"),
        ({"filePath": "x", "provider": "ess", "treatBlankAsUndeclaredWriteIn": "yes"}, "true or false"),
    ],
)
def test_cvr_file_source_fields(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        CvrSource.from_config(entry)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("1200.0", 1200), ("1.2e3", 1200), (" 7 ", 7), ("-3", None), ("1.5", None), ("nan", None)],
)
def test_parse_whole(text: str, expected: int | None) -> None:
    read: Callable[[], int] = lambda: parse_whole(text, "votes", "f", 3)  # noqa: E731
    if expected is None:
        with pytest.raises(InputError, match=r"^f:3: votes "):
            read()
    else:
        assert read() == expected


def test_ess_cell_reference_beyond_the_rows_is_refused_before_calamine_allocates() -> None:
    """A 15 KB workbook whose cell "F7" became "F3000000" made calamine allocate 18 million cells
    (the process aborted under the fuzzer's memory limit; a server would grow by gigabytes)."""
    import io
    import zipfile

    from kingmaker.io import read_ballots
    from kingmaker.web.models import UPLOAD_LIMITS

    source = Path(__file__).parent / "data" / "cvr" / "ess.xlsx"
    for old, new, message in [
        # the array reader (kingmaker.io._xlsx) refuses the row against the limits as it scans;
        # calamine's route checks the reference against the sheet's own rows first
        (
            b'r="F7"',
            b'r="F3000000"',
            "cell reference F3000000 lies beyond the sheet's highest row, 7|the highest row number is 3,000,000",
        ),
        (b'r="F7"', b'r="ZZZZ7"', "more than three column letters"),
    ]:
        buf = io.BytesIO()
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buf, "w") as zout:
            for n in zin.namelist():
                body = zin.read(n)
                zout.writestr(n, body.replace(old, new) if n == "xl/worksheets/sheet1.xml" else body)
        with pytest.raises(KingmakerError, match=message):  # InputError or TooLargeError
            read_ballots(buf.getvalue(), "ess", name="up.xlsx", limits=UPLOAD_LIMITS)
    assert read_ballots(source).total == 6


def test_a_path_too_long_to_look_up_is_an_input_error(tmp_path: Path) -> None:
    """OSError (File name too long) from an RCTab config's filePath before."""
    from kingmaker.io import read_ballots

    with pytest.raises(InputError, match="not a usable path"):
        read_ballots(str(tmp_path / ("x" * 5000)), "clear_ballot")
    with pytest.raises(InputError, match="not a usable path"):
        read_ballots(str(tmp_path / ("x" * 5000)))


def test_parlgov_row_with_fewer_fields() -> None:
    """AttributeError ('NoneType' object has no attribute 'strip') before."""
    with pytest.raises(InputError, match=r"<bytes>:2: fewer fields than the header has"):
        read_parlgov(",".join(REQUIRED).encode() + b"\nATL,Atlantis\n")


def test_live_results_csv_with_a_bare_carriage_return() -> None:
    """csv.Error out of ``POST /api/live/results.csv`` (a 500) before."""
    pytest.importorskip("duckdb")
    from kingmaker.web.live import parse_results_csv

    with pytest.raises(InputError, match="CSV header must have"):
        parse_results_csv(b"\r\x00")
    rows = parse_results_csv(b"constituency,party,votes\rSeat 1,Lab,5\r")
    assert [(r.constituency, dict(r.votes)) for r in rows] == [("Seat 1", {"Lab": 5})]
    with pytest.raises(InputError, match="malformed CSV"):
        parse_results_csv(b"constituency,party,votes\nA,B," + b"1" * 140_000 + b"\n")


def test_ess_workbook_xml_in_an_unknown_encoding_is_an_input_error() -> None:
    """LookupError (unknown encoding: UTF0) from the array xlsx reader's workbook.xml parse before;
    it now leaves the workbook to calamine, which refuses it in its words."""
    import contextlib
    import io
    import zipfile

    from kingmaker.io import read_ballots

    source = Path(__file__).parent / "data" / "cvr" / "ess.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buf, "w") as zout:
        for n in zin.namelist():
            body = zin.read(n)
            if n == "xl/workbook.xml":
                body = body.replace(b'encoding="UTF-8"', b'encoding="UTF0"', 1)
                assert b'encoding="UTF0"' in body
            zout.writestr(n, body)
    with contextlib.suppress(KingmakerError):  # a refusal is fine; any other exception fails the test
        read_ballots(buf.getvalue(), "ess", name="up.xlsx")


def test_ess_sheet_of_five_bytes_does_not_hang() -> None:
    """A sheet1.xml of b'\\xff\\xfe\\n\\xff\\xfe' (no row, under 6 bytes) made the array xlsx reader
    loop for ever at the end of the member (found by the ESS fuzz run)."""
    import contextlib
    import io
    import zipfile

    from kingmaker.io import read_ballots

    source = Path(__file__).parent / "data" / "cvr" / "ess.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buf, "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, b"\xff\xfe\n\xff\xfe" if n == "xl/worksheets/sheet1.xml" else zin.read(n))
    from tests.test_fuzz_harness import bounded

    with bounded(seconds=20), contextlib.suppress(KingmakerError):  # a refusal is fine; a hang is not
        read_ballots(buf.getvalue(), "ess", name="up.xlsx")


@pytest.mark.parametrize("text", [b"3 2\n-2", b"3 2\n-2 -3", b"3 2\n-2\n"])
def test_blt_of_only_a_withdrawn_line_is_an_input_error(text: bytes) -> None:
    """IndexError (string index out of range) in the plain-block finder before: the withdrawn
    line ran to the end of the text, so the block started past it (found by the BLT fuzz run)."""
    from kingmaker.io import read_ballots

    with pytest.raises(InputError, match=r"x\.blt"):
        read_ballots(text, "blt", name="x.blt")
