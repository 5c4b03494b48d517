"""Hostile ballot files: header claims checked before allocation, numbers beyond 64 bits, fuzzing.

Issue 10: a 150-byte PrefLib file claiming a billion alternatives grew ``kingmaker count`` (and
the web's ``/api/count``) to 23 GB; counts beyond int64 gave OverflowError tracebacks (a 500 over
the web); a BLT whose header disagreed with the names that followed was read wrongly.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError, KingmakerError, TooLargeError
from kingmaker.io import BALLOT_FORMATS, ReadLimits, detect_format, read_ballots
from kingmaker.io.limits import INT64_MAX
from kingmaker.web.models import UPLOAD_LIMITS
from tests.cli_runner import invoke

DATA = Path(__file__).parent / "data"

#: 150 bytes that used to cost 23 GB: a PrefLib header claiming a billion alternatives.
BILLION_ALTERNATIVES = (
    b"# FILE NAME: big.soi\n# TITLE: hostilexxxxxxxxxxx\n# DATA TYPE: soi\n"
    b"# NUMBER ALTERNATIVES: 1000000000\n# NUMBER VOTERS: 1\n# NUMBER UNIQUE ORDERS: 1\n1: 1\n"
)
HUGE = "1" + "0" * 29  # 10**29, beyond int64


def _peak_mb(fn) -> float:  # type: ignore[no-untyped-def]
    """Peak traced allocation (MB) while ``fn()`` runs (numpy and Python both report to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 1e6


# ----------------------------------------------------------------------------- the 150-byte file
def test_billion_alternatives_file_is_150_bytes_and_refused_at_its_line(tmp_path: Path) -> None:
    assert len(BILLION_ALTERNATIVES) == 150
    p = tmp_path / "big.soi"
    p.write_bytes(BILLION_ALTERNATIVES)
    with pytest.raises(TooLargeError, match=r"big\.soi:4: NUMBER ALTERNATIVES is 1,000,000,000.*10,000"):
        Ballots.read(p)


def test_billion_alternatives_refusal_stays_small_in_memory(tmp_path: Path) -> None:
    p = tmp_path / "big.soi"
    p.write_bytes(BILLION_ALTERNATIVES)

    def refuse() -> None:
        with pytest.raises(TooLargeError):
            read_ballots(p)

    assert _peak_mb(refuse) < 50


def test_billion_alternatives_through_kingmaker_count(tmp_path: Path) -> None:
    p = tmp_path / "big.soi"
    p.write_bytes(BILLION_ALTERNATIVES)
    started = time.perf_counter()
    holder: dict[str, object] = {}
    peak = _peak_mb(lambda: holder.setdefault("out", invoke("count", str(p))))
    out = holder["out"]
    assert out.exit_code == 2, out.stderr  # type: ignore[attr-defined]
    lines = out.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "NUMBER ALTERNATIVES" in lines[0]
    assert "big.soi:4" in lines[0] and "Traceback" not in out.stderr  # type: ignore[attr-defined]
    assert peak < 50 and time.perf_counter() - started < 30


# ----------------------------------------------------------------------------- the web upload
@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from kingmaker.parliament import Parliament
    from kingmaker.web.app import create_app

    return TestClient(create_app(Parliament.preset("uk-2010")))


def _post(client, body: bytes, query: str = "format=preflib"):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/count?method=irv&{query}", content=body)
    if r.status_code == 503:
        pytest.skip("kingmaker.counting is not available")
    return r


def test_web_refuses_billion_alternatives_with_413_json(client) -> None:  # type: ignore[no-untyped-def]
    peak = _peak_mb(lambda: client.__dict__.setdefault("_r", _post(client, BILLION_ALTERNATIVES)))
    r = client.__dict__.pop("_r")
    assert r.status_code == 413 and r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error.startswith("upload:4: NUMBER ALTERNATIVES is 1,000,000,000") and "60" in error
    assert peak < 50


def test_web_huge_count_is_a_json_400_not_a_500(client) -> None:  # type: ignore[no-untyped-def]
    body = f"# NUMBER ALTERNATIVES: 2\n{HUGE}: 1,2\n".encode()
    r = _post(client, body)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert "upload:2:" in r.json()["error"] and "64-bit" in r.json()["error"]


@pytest.mark.parametrize(
    ("fmt", "body", "claim"),
    [
        ("blt", b"61 1\n1 1 0\n0\n" + b"".join(b'"c%d"\n' % i for i in range(61)), "candidates is 61"),
        ("blt", b"3 51\n1 1 0\n0\n", "seats is 51"),
        ("csv", b"count,r1\n" + b"".join(b"1,c%d\n" % i for i in range(61)), "candidates is 61"),
        ("preflib", b"# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 200001\n", "NUMBER VOTERS is 200,001"),
        ("preflib", b"# NUMBER ALTERNATIVES: 2\n200001: 1,2\n", "total ballot weight is 200,001"),
        ("cvr", b"Rank 1,weight\nA,300000\n", "total ballot weight is 300,000"),
    ],
)
def test_web_upload_caps_are_413(client, fmt: str, body: bytes, claim: str) -> None:  # type: ignore[no-untyped-def]
    r = _post(client, body, f"format={fmt}")
    assert r.status_code == 413, r.text
    assert claim in r.json()["error"] and r.json()["error"].startswith("upload")


def test_upload_limits_are_the_web_caps() -> None:
    from kingmaker.web.models import MAX_BALLOTS, MAX_CANDIDATES

    assert UPLOAD_LIMITS.max_candidates == MAX_CANDIDATES and UPLOAD_LIMITS.max_ballots == MAX_BALLOTS


# ----------------------------------------------------------------------------- numbers beyond int64
@pytest.mark.parametrize(
    ("fmt", "text", "line"),
    [
        ("preflib", f"# NUMBER ALTERNATIVES: 2\n3: 1,2\n{HUGE}: 2,1\n", 3),
        ("preflib", f"2\n1,A\n2,B\n1,{HUGE},1\n{HUGE},1,2\n", 4),
        ("blt", f'2 1\n{HUGE} 1 2 0\n0\n"A"\n"B"\n', 2),
        ("blt", '2 1\n1e400 1 2 0\n0\n"A"\n"B"\n', 2),
        ("blt", f'2 1\n1 1 {HUGE} 0\n0\n"A"\n"B"\n', 2),
        ("blt", f"{HUGE} 1\n", 1),
        ("csv", f"count,r1\n2,A\n{HUGE},B\n", 3),
        ("csv", "count,r1\n1e400,B\n", 2),
        ("cvr", f"Rank 1,count\nA,1\nB,{HUGE}\n", 3),
    ],
)
def test_numbers_beyond_int64_are_input_errors_with_line(fmt: str, text: str, line: int) -> None:
    with pytest.raises(InputError, match="64-bit") as info:
        read_ballots(text, fmt, name="f")
    assert info.value.line == line and str(info.value).startswith(f"f:{line}: ")


def test_long_numbers_are_read_or_refused_without_int_conversion_errors() -> None:
    padded = "0" * 5000 + "3"  # Python refuses int() of over 4300 digits
    assert read_ballots(f"# NUMBER ALTERNATIVES: 2\n{padded}: 1,2\n", "soi").total == 3
    with pytest.raises(InputError, match="64-bit"):
        read_ballots(f"# NUMBER ALTERNATIVES: 2\n{'9' * 5000}: 1,2\n", "soi")


def test_counts_summing_beyond_int64() -> None:
    half = 2**62
    text = f"# NUMBER ALTERNATIVES: 2\n{half}: 1\n{half}: 2\n"
    with pytest.raises(TooLargeError, match="max_ballots"):
        read_ballots(text, "preflib", name="f")
    with pytest.raises(InputError, match="add up beyond the 64-bit range") as info:
        read_ballots(text, "preflib", name="f", limits=ReadLimits(max_ballots=2**63))
    assert info.value.line == 3
    ok = read_ballots(
        f"# NUMBER ALTERNATIVES: 2\n{half}: 1\n{half - 1}: 2\n",
        "soi",
        limits=ReadLimits(max_ballots=INT64_MAX),
    )
    assert ok.total == INT64_MAX and ok.is_integral


def test_exponent_weight_is_refused_quickly() -> None:
    """``1e-999999999`` once made Fraction build a billion-digit integer; run apart with a timeout."""
    code = (
        "from kingmaker.io import read_ballots\n"
        "from kingmaker.errors import InputError\n"
        "try:\n    read_ballots('2 1\\n1e-999999999 1 2 0\\n0\\n\"A\"\\n\"B\"\\n', 'blt')\n"
        "except InputError as e:\n    print('refused', e)\n"
    )
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=repo)
    assert out.returncode == 0 and "refused" in out.stdout, out.stderr


# ----------------------------------------------------------------------------- claims against what follows
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('2 1\n1 1 2 0\n0\n"A"\n"B"\n"C"\n"Title"\n', "more names follow"),
        ('3 1\n1 1 2 0\n2 2 1 0\n0\n"A"\n"B"\n"Election 2024"\n', "is it the title"),
        ('2 1\n1 1 2 0\n0\n"A"\n', "expected 2 candidate names"),
        ('2 1\n1 1 2 0\n0\n"A"\n"B"\n"T"\nstray\n', "more names follow"),
    ],
)
def test_blt_header_must_match_the_names(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        read_ballots(text, "blt")


def test_blt_missing_title_is_fine_and_title_is_kept() -> None:
    b = read_ballots('2 1\n1 1 2 0\n1 2 0\n0\n"A"\n"B"\n', "blt")
    assert b.candidates == ("A", "B") and b.title is None
    b = read_ballots('2 1\n1 1 2 0\n0\n"A" "B"\n"The title"\n', "blt")
    assert b.candidates == ("A", "B") and b.title == "The title"


def test_blt_bare_names_as_scottish_councils_publish() -> None:
    b = read_ballots("2 1\n3 1 2 0\n1 2 0\n0\nAnn SMITH (Lab)\nBob JONES (SNP)\nWard 1\n", "blt")
    assert b.candidates == ("Ann SMITH (Lab)", "Bob JONES (SNP)") and b.title == "Ward 1"


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        (
            "# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n1: 1\n",
            "3 but 2 names",
            1,
        ),
        (
            "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 5: E\n1: 1\n",
            "outside 1..2",
            3,
        ),
        (
            "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 1: B\n1: 1\n",
            "named twice",
            3,
        ),
        ("# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 5\n1: 1\n", "NUMBER VOTERS says 5", 2),
        ("# NUMBER ALTERNATIVES: 2\n# NUMBER UNIQUE ORDERS: 3\n1: 1\n1: 2\n", "3 but 2 orders", 2),
        ("# NUMBER ALTERNATIVES: x\n1: 1\n", "not a whole number", 1),
        ("# TITLE: t\n1: 1\n", "missing", 2),
        ("2\n1,A\n2,B\n3,3,2\n2,1,2\n", "add up to 3, not 2", 4),
        ("2\n1,A\n1,B\n1,1,1\n1,1\n", "repeated", 3),
        ("1000000000\n1,A\n", "alternatives is 1,000,000,000", 1),
        ("# NUMBER ALTERNATIVES: 2\n1: 1,{2\n", "unclosed brace", 2),
    ],
)
def test_preflib_claims_against_what_follows(text: str, problem: str, line: int) -> None:
    with pytest.raises(KingmakerError, match=problem) as info:
        read_ballots(text, "preflib", name="p")
    assert f"p:{line}:" in str(info.value)


@pytest.mark.parametrize(
    ("fmt", "text", "cap"),
    [
        ("blt", "1000000000 1\n", "max_candidates"),
        ("blt", "3 1000000000\n", "max_seats"),
        ("preflib", "# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 10000000000000000\n", "max_ballots"),
        ("preflib", "# NUMBER ALTERNATIVES: 2\n# NUMBER UNIQUE ORDERS: 1000000000\n", "max_rows"),
        ("preflib", "3\n1,A\n2,B\n3,C\n1,1,1000000000\n1,1\n", "max_rows"),
    ],
)
def test_header_claims_over_the_caps(fmt: str, text: str, cap: str) -> None:
    with pytest.raises(TooLargeError, match=cap):
        read_ballots(text, fmt, name="f")


def test_small_limits_cover_rows_ranks_candidates_and_cells() -> None:
    small = ReadLimits(max_candidates=3, max_rows=2, max_ranks=2, max_cells=3)
    with pytest.raises(TooLargeError, match=r"ballot rows is 3.*max_rows"):
        read_ballots('2 1\n1 1 0\n1 2 0\n1 1 2 0\n0\n"A"\n"B"\n', "blt", limits=small)
    with pytest.raises(TooLargeError, match="ranks on this ballot is 3"):
        read_ballots('3 1\n1 1 2 3 0\n0\n"A"\n"B"\n"C"\n', "blt", limits=small)
    with pytest.raises(TooLargeError, match="candidates is 4"):
        read_ballots("count,r1\n1,A\n1,B\n1,C\n1,D\n", "csv", limits=ReadLimits(max_candidates=3))
    with pytest.raises(TooLargeError, match="rank columns is 3"):
        read_ballots("Rank 1,Rank 2,Rank 3\nA,B,C\n", "cvr", limits=small)
    with pytest.raises(TooLargeError, match="max_cells"):
        read_ballots('2 1\n1 1 2 0\n1 2 1 0\n0\n"A"\n"B"\n', "blt", limits=small)
    with pytest.raises(InputError, match="positive"):
        ReadLimits(max_rows=0)


def test_cvr_with_a_rank_column_twice_is_refused() -> None:
    with pytest.raises(InputError, match="'Rank 1' appears more than once"):
        read_ballots("Rank 1,Rank 1\nA,B\n", "cvr")


# ----------------------------------------------------------------------------- path, bytes or text
def test_path_bytes_and_text_read_alike(tmp_path: Path) -> None:
    for name in ("small.blt", "small.toi", "cvr.csv", "simple.csv"):
        p = DATA / name
        by_path = read_ballots(p)
        assert read_ballots(p.read_bytes(), name=name) == by_path
        assert read_ballots(p.read_text(), detect_format(p)) == by_path
        assert detect_format(p.read_bytes()) == detect_format(p)  # sniffed without the extension


def test_messages_use_the_given_name() -> None:
    with pytest.raises(InputError) as info:
        read_ballots(b'2 1\n1 1 3 0\n0\n"A"\n"B"\n', name="upload")
    assert str(info.value).startswith("upload:2: ")
    with pytest.raises(InputError, match=r"upload:3: not UTF-8"):
        read_ballots(b'2 1\n1 1 2 0\n\xff\n"A"\n"B"\n', "blt", name="upload")
    with pytest.raises(InputError, match="file not found"):
        read_ballots("no/such/file.blt")
    with pytest.raises(InputError, match="takes no option"):
        read_ballots(DATA / "small.blt", candidates=["x"])


# ----------------------------------------------------------------------------- fuzzing
def _seeds() -> list[tuple[str, bytes]]:
    return [
        ("blt", (DATA / "small.blt").read_bytes()),
        ("preflib", (DATA / "small.toi").read_bytes()),
        ("preflib", b"3\n1,A\n2,B\n3,C\n4,4,2\n3,1,2,3\n1,{2,3},1\n"),
        ("cvr", (DATA / "cvr.csv").read_bytes()),
        ("csv", (DATA / "simple.csv").read_bytes()),
        ("irish", b'"Sarg" "Ryan" "XXXXX"\r\n"Ryan" "XXXXX" "XXXXX"\r\n"Glen" "Sarg" "Ryan"\r\n'),
        (
            "irish-json",
            b'{"Number of Seats": 2, "Candidate": [{"Ref": "Sarg", "Name": "T S", "Index": 0}, '
            b'{"Ref": "Ryan", "Name": "S R", "Index": 1}], "Ballot": [[1, 2], [0, 1], [2, 1]]}\n',
        ),
        ("ess", (DATA / "cvr" / "ess.xlsx").read_bytes()),
        ("cdf", (DATA / "cvr" / "cdf.json").read_bytes()),
        ("cdf", (DATA / "cvr" / "cdf.xml").read_bytes()),
        ("dominion", (DATA / "cvr" / "dominion" / "CvrExport.json").read_bytes()),
        ("hart", (DATA / "cvr" / "hart" / "1.xml").read_bytes()),
        ("clear_ballot", (DATA / "cvr" / "clear_ballot.csv").read_bytes()),
        ("rctab_csv", (DATA / "cvr" / "rctab_export.csv").read_bytes()),
    ]


_MUTATION_BYTES = st.sampled_from(
    [
        b"0",
        b"9",
        b"-",
        b"=",
        b",",
        b":",
        b"{",
        b"}",
        b'"',
        b"#",
        b"\n",
        b" ",
        b"\xff",
        b"1e99",
        HUGE.encode(),
        b"",
    ]
)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    fmt, data = draw(st.sampled_from(_seeds()))
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(buf)))
        cut = draw(st.integers(0, 3))
        buf[at : at + cut] = draw(_MUTATION_BYTES)
    return fmt, bytes(buf)


def _read_or_refuse(fmt: str | None, data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read_ballots(data, fmt, name="fuzz", limits=UPLOAD_LIMITS)
    except KingmakerError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_fuzz_mutated_files_raise_only_kingmaker_errors(case: tuple[str, bytes]) -> None:
    fmt, data = case
    _read_or_refuse(fmt, data)
    _read_or_refuse(None, data)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["blt", "preflib", "cvr", "csv", "irish", "irish-json"]), st.binary(max_size=200))
def test_fuzz_random_bytes_raise_only_kingmaker_errors(fmt: str, data: bytes) -> None:
    _read_or_refuse(fmt, data)


def test_every_registered_format_is_fuzzed() -> None:
    assert {fmt for fmt, _ in _seeds()} == set(BALLOT_FORMATS.names())
