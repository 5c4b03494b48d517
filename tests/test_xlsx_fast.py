"""The array-based .xlsx reader (kingmaker.io._xlsx) reads exactly what calamine reads, or declines.

Every workbook here is read twice, once through the fast path and once through calamine (the
fast path switched off), and the two must give the same ballots or the same error.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import kingmaker.io.ess as ess
from kingmaker.errors import InputError, TooLargeError
from kingmaker.io import read_ballots
from kingmaker.io._xlsx import read_sheet
from kingmaker.io.limits import DEFAULT_LIMITS
from tests.conftest import shared_path

SKELETON = Path(__file__).parent / "data" / "cvr" / "ess.xlsx"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES = (
    f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0"/>'
    '</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="2"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    "</cellXfs></styleSheet>"
)
WORDS = ["Alice", "Bob", " Carol ", "A|D", "overvote", "undervote", "UWI", "Tom &amp; Jerry", "", "P1", "P2"]


def _column(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def book(rows: list[list[str | None]], shared: list[str] | None = None, styles: str = STYLES) -> bytes:
    """A workbook from the test skeleton whose sheet has these cells (markup after ``r=``)."""
    xml = [f'<?xml version="1.0"?><worksheet {NS}><sheetData>']
    for i, row in enumerate(rows, 1):
        xml.append(f'<row r="{i}">')
        for j, body in enumerate(row, 1):
            if body is not None:
                xml.append(f'<c r="{_column(j)}{i}"{body}')
        xml.append("</row>")
    xml.append("</sheetData></worksheet>")
    sst = (
        f'<?xml version="1.0"?><sst {NS}>' + "".join(f"<si><t>{s}</t></si>" for s in shared or []) + "</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf, zipfile.ZipFile(SKELETON) as orig:
        for info in orig.infolist():
            data = orig.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = "".join(xml).encode()
            elif info.filename == "xl/sharedStrings.xml":
                data = sst.encode()
            elif info.filename == "xl/styles.xml":
                data = styles.encode()
            zf.writestr(info.filename, data)
    return out.getvalue()


def both(data: bytes, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple[object, object]:
    """(fast path's answer, calamine's answer): Ballots with precinct names, or the error text."""

    def answer() -> object:
        try:
            b = read_ballots(data, "ess", name="t.xlsx", **options)
        except InputError as exc:
            return f"{type(exc).__name__}: {exc}"
        return b, b.precinct_names

    fast = answer()
    with monkeypatch.context() as m:
        m.setattr(ess, "read_sheet", lambda *a, **k: None)
        slow = answer()
    return fast, slow


def cell(kind: str, word: str, index: int, style: str) -> str:
    """The markup of one cell after its reference."""
    return {
        "shared": f' t="s"{style}><v>{index}</v></c>',
        "shared-first": f'{style} t="s"><v>{index}</v></c>',
        "inline": f' t="inlineStr"><is><t xml:space="preserve">{word}</t></is></c>',
        "number": f"{style}><v>{len(word)}.0</v></c>",
        "fraction": f' t="n"><v>{len(word)}.5</v></c>',
        "bool": f' t="b"><v>{index % 2}</v></c>',
        "str": f' t="str"><v>{word}</v></c>',
        "empty": f"{style}/>",
    }[kind]


CELLS = st.one_of(
    st.none(),
    st.tuples(
        # no booleans: the calamine route's factorising takes False for 0.0 (equal Python keys)
        st.sampled_from(["shared", "shared-first", "inline", "number", "fraction", "str", "empty"]),
        st.integers(0, len(WORDS) - 1),
        st.sampled_from(["", ' s="0"', ' s="1"']),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    grid=st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=7),
    first_vote_column=st.integers(1, 3),
    first_vote_row=st.integers(1, 2),
    precinct_column=st.sampled_from([None, 1, 2]),
    delimiter=st.sampled_from(["|", None]),
)
# a formula's empty cached text is a present cell to calamine: the row is a (blank) ballot
@example(
    grid=[[("shared", 0, "")], [("str", 8, "")]],
    first_vote_column=1,
    first_vote_row=1,
    precinct_column=None,
    delimiter="|",
)
@example(  # the same in a column the reader does not decode
    grid=[[None, ("shared", 0, "")], [("str", 8, "")]],
    first_vote_column=2,
    first_vote_row=1,
    precinct_column=None,
    delimiter="|",
)
def test_the_fast_path_reads_what_calamine_reads(
    monkeypatch: pytest.MonkeyPatch,
    grid: list[list[tuple[str, int, str] | None]],
    first_vote_column: int,
    first_vote_row: int,
    precinct_column: int | None,
    delimiter: str | None,
) -> None:
    rows = [[None if c is None else cell(c[0], WORDS[c[1]], c[1], c[2]) for c in row] for row in grid]
    fast, slow = both(
        book(rows, WORDS),
        monkeypatch,
        first_vote_column=first_vote_column,
        first_vote_row=first_vote_row,
        precinct_column=precinct_column,
        overvote_label="overvote",
        undervote_label="undervote",
        undeclared_write_in_label="UWI",
        overvote_delimiter=delimiter,
    )
    assert fast == slow


@pytest.mark.parametrize(
    "body",
    [
        "><f>1+1</f><v>2</v></c>",  # a formula
        ' t="inlineStr"><is><t>x_x000D_y</t></is></c>',  # an escape calamine resolves
        ' s="2"><v>41234</v></c>',  # a number in a date format
        ' s="3"><v>4</v></c>',  # a number in a custom format
        ' t="e"><v>#N/A</v></c>',  # an error value
        ' t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>',  # rich inline text
        ' cm="1" t="s"><v>0</v></c>',  # an attribute the fast path does not know
    ],
)
def test_markup_the_fast_path_does_not_know_is_left_to_calamine(
    monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    data = book([[' t="s"><v>0</v></c>', ' t="s"><v>1</v></c>'], [' t="s"><v>2</v></c>', body]], WORDS)
    assert read_sheet(data, 0, "t.xlsx", DEFAULT_LIMITS, keep=lambda c: True) is None
    fast, slow = both(data, monkeypatch, first_vote_column=1)
    assert fast == slow


def test_a_sheet_is_found_by_name_and_a_missing_one_is_calamines_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = book([[' t="s"><v>0</v></c>'], [' t="s"><v>1</v></c>']], WORDS)
    grid = read_sheet(data, "Marked Sheet", "t.xlsx", DEFAULT_LIMITS, keep=lambda c: True)
    assert grid is not None and grid.values == ["Alice", "Bob"]
    assert read_sheet(data, "nope", "t.xlsx", DEFAULT_LIMITS, keep=lambda c: True) is None
    fast, slow = both(data, monkeypatch, sheet="nope")
    assert fast == slow and "not a readable .xlsx" in str(fast)


def test_a_shared_string_sheet_spanning_the_grid_is_refused_before_allocating() -> None:
    rows: list[list[str | None]] = [[' t="s"><v>0</v></c><c r="XFD1048576" t="s"><v>1</v></c>']]
    data = book(rows, WORDS)
    with pytest.raises(TooLargeError, match="max_"):
        read_ballots(data, "ess", name="huge.xlsx")


def test_the_minneapolis_sheet_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared_path("ballots", "rctab", "2013_minneapolis_mayor", "2013_minneapolis_mayor_cvr.xlsx")
    data = path.read_bytes()
    options = {"precinct_column": 1, "overvote_label": "overvote", "undervote_label": "undervote"}
    fast, slow = both(data, monkeypatch, **options, undeclared_write_in_label="UWI")
    assert fast == slow
    b, precincts = fast  # type: ignore[misc]
    assert b.total == 80_101 and len(precincts) > 100
    assert read_sheet(data, 0, "m.xlsx", DEFAULT_LIMITS, keep=lambda c: True) is not None
