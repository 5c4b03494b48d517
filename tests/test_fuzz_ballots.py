"""Fuzzing every ballot reader (issue 10 section 4): BLT, PrefLib, CVR CSV, the simple CSV, the
Irish releases and each vendor format (ES&S workbooks, Dominion and Hart folders, Clear Ballot,
NIST CDF JSON/XML, RCTab CSV), each under a memory limit: a file is read or refused with a
:class:`~kingmaker.errors.KingmakerError`, never anything else (see tests/test_fuzz_harness.py)."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.io import BALLOT_FORMATS, DEFAULT_LIMITS, read_ballots
from kingmaker.web.models import UPLOAD_LIMITS
from tests.test_fuzz_harness import DATA, PROFILE, harmless, mutated_bytes

TEXT_SEEDS: dict[str, list[bytes]] = {
    "blt": [
        (DATA / "small.blt").read_bytes(),
        (DATA / "scottish_ward.blt").read_bytes()[:4000],
        b'3 2\n-2\n4 1 2 3 0\n1 2 3 0\n2 3 =1 0\n1.5 3 0\n0\n"A" "B" "C"\n"Title"\n',
    ],
    "preflib": [
        (DATA / "small.toi").read_bytes(),
        b"3\n1,A\n2,B\n3,C\n4,4,2\n3,1,2,3\n1,{2,3},1\n",
        b"# FILE NAME: x.soi\n# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 6\n"
        b"# NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n"
        b"# ALTERNATIVE NAME 3: C\n4: 1,2,3\n2: 3\n",
    ],
    "cvr": [(DATA / "cvr.csv").read_bytes(), b"Rank 1,Rank 2,weight\nA,B,2\nB,,1\n,A,0.5\nA,A,1\n"],
    "csv": [(DATA / "simple.csv").read_bytes(), b"count,r1,r2,r3\n3,A,B,C\n2.5,C,,B\n1,B,A\n"],
    "irish": [b'"Sarg" "Ryan" "XXXXX"\r\n"Ryan" "XXXXX" "XXXXX"\r\n"Glen" "Sarg" "Ryan"\r\n'],
    "irish-json": [
        b'{"Number of Seats": 2, "Candidate": [{"Ref": "Sarg", "Name": "T S", "Index": 0}, '
        b'{"Ref": "Ryan", "Name": "S R", "Index": 1}], "Ballot": [[1, 2], [0, 1], [2, 1]]}\n',
    ],
    "cdf": [(DATA / "cvr" / "cdf.json").read_bytes(), (DATA / "cvr" / "cdf.xml").read_bytes()],
    "clear_ballot": [(DATA / "cvr" / "clear_ballot.csv").read_bytes()],
    "rctab_csv": [(DATA / "cvr" / "rctab_export.csv").read_bytes()],
}
FOLDERS = {"dominion": DATA / "cvr" / "dominion", "hart": DATA / "cvr" / "hart"}
XLSX = DATA / "cvr" / "ess.xlsx"
#: An XML entity expansion bomb ("billion laughs") put before an XML file's root element.
LAUGHS = (
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(9))
    + b"]>"
)


def _with_laughs(data: bytes) -> bytes:
    """``data`` (XML) with :data:`LAUGHS` declared and used in its first element's text."""
    start = data.find(b"<", data.find(b"?>") + 1 if b"?>" in data else 0)
    close = data.find(b">", start)
    return data[:start] + LAUGHS + data[start : close + 1] + b"&j;" + data[close + 1 :]


def test_every_registered_format_is_fuzzed() -> None:
    assert set(TEXT_SEEDS) | set(FOLDERS) | {"ess"} == set(BALLOT_FORMATS.names())


@pytest.mark.parametrize("fmt", sorted(TEXT_SEEDS))
@settings(PROFILE)
@given(draw=st.data(), limits=st.sampled_from([UPLOAD_LIMITS, DEFAULT_LIMITS]), detect=st.booleans())
def test_fuzz_text_ballot_formats(fmt: str, draw, limits, detect: bool) -> None:  # type: ignore[no-untyped-def]
    data = draw.draw(mutated_bytes(TEXT_SEEDS[fmt]))
    if fmt in ("cdf",) and data.lstrip().startswith(b"<") and detect:
        data = _with_laughs(data)
    harmless(fmt, lambda: read_ballots(data, None if detect else fmt, name="fuzz", limits=limits))


@settings(PROFILE)
@given(st.sampled_from(sorted(FOLDERS)).flatmap(lambda f: st.tuples(st.just(f), st.data())))
def test_fuzz_vendor_folders(case) -> None:  # type: ignore[no-untyped-def]
    fmt, data = case
    folder = FOLDERS[fmt]
    files = sorted(p.name for p in folder.iterdir())
    target = data.draw(st.sampled_from(files))
    original = (folder / target).read_bytes()
    body = data.draw(mutated_bytes([original]))
    if target.endswith(".xml") and data.draw(st.integers(0, 4)) == 0:
        body = _with_laughs(body)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / fmt
        shutil.copytree(folder, copy)
        (copy / target).write_bytes(body)
        harmless(fmt, lambda: read_ballots(copy, fmt, limits=UPLOAD_LIMITS))


def _xlsx_members() -> dict[str, bytes]:
    with zipfile.ZipFile(XLSX) as z:
        return {n: z.read(n) for n in z.namelist()}


@settings(PROFILE)
@given(st.data())
def test_fuzz_ess_workbooks(data) -> None:  # type: ignore[no-untyped-def]
    """ES&S workbooks: a member of the zip (the sheet, its shared strings, the workbook) mutated
    and the workbook zipped again, so the fuzzer gets past the zip layer; sometimes the zip's own
    bytes mutated."""
    members = _xlsx_members()
    target = data.draw(
        st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
    )
    members[target] = data.draw(mutated_bytes([members[target]]))
    if data.draw(st.integers(0, 5)) == 0:
        members[target] = _with_laughs(members[target])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    raw = buf.getvalue()
    if data.draw(st.integers(0, 5)) == 0:
        raw = data.draw(mutated_bytes([raw], most=2))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cvr.xlsx"
        path.write_bytes(raw)
        harmless("ess", lambda: read_ballots(path, "ess", limits=UPLOAD_LIMITS))
