"""Vendor cast-vote-record readers (issue 12 section 1): ES&S, Dominion, Hart, Clear Ballot, CDF, RCTab CSV.

Small synthetic fixtures in tests/data/cvr test each reader without shared data; the RCTab
regression contests in ../shared/data/ballots/rctab check ballot totals and round-1 tallies
against RCTab's own reports. Also: the read-only formats' registry contract, precincts kept
through grouping, and hostile inputs refused with the file named.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.errors import InputError, KingmakerError, TooLargeError
from kingmaker.io import BALLOT_FORMATS, ReadLimits, detect_format, read_ballots
from kingmaker.io.cvr_sources import CvrSource, concat_ballots, read_contest, read_cvr_source
from kingmaker.io.registry import writer
from tests.conftest import shared_path

CVR = Path(__file__).parent / "data" / "cvr"
UWI = "Undeclared Write-ins"

#: read-only vendor format -> its fixture (a file or a folder)
FIXTURES = {
    "ess": CVR / "ess.xlsx",
    "dominion": CVR / "dominion",
    "hart": CVR / "hart",
    "cdf": CVR / "cdf.json",
    "clear_ballot": CVR / "clear_ballot.csv",
    "rctab_csv": CVR / "rctab_export.csv",
}
ESS_OPTIONS = {
    "first_vote_column": 3,
    "precinct_column": 2,
    "overvote_label": "overvote",
    "undervote_label": "undervote",
    "undeclared_write_in_label": "UWI",
}


def _as_set(b: Ballots) -> set[tuple[tuple[object, ...], int]]:
    return {(r, int(w)) for r, w in b}


# ----------------------------------------------------------------------------- fixtures, per format
def test_ess_fixture_keeps_marks_as_cast_and_precincts() -> None:
    b = read_ballots(FIXTURES["ess"], **ESS_OPTIONS)
    assert b.total == 6
    assert set(b.candidates) == {"Alice", "Bob", "A", "D", "Carol", UWI}  # no candidate "Count"
    got = {}
    for row, w in b:
        got[row] = got.get(row, 0) + w
    assert got == {
        ("Alice", "Bob"): 2,
        (frozenset({"A", "D"}), "Bob"): 1,
        ("<overvote>", "Carol"): 1,
        (None, "Carol", "Alice"): 1,
        (UWI,): 1,
    }
    assert b.precinct_names == ("P1", "P2")
    per = b.by_precinct()
    assert {p: x.total for p, x in per.items()} == {"P1": 3, "P2": 3}
    assert per["P1"].precinct is None and per["P1"].first_preferences()["Alice"] == 2


def test_delimited_overvote_is_never_a_candidate_named_a_bar_d() -> None:
    b = read_ballots(FIXTURES["ess"], **ESS_OPTIONS)
    assert "A|D" not in b.candidates
    code = int(b.rankings[next(i for i, (r, _) in enumerate(b) if isinstance(r[0], frozenset)), 0])
    assert code <= GROUP_BASE and {b.candidates[c] for c in b.groups[GROUP_BASE - code]} == {"A", "D"}
    plain = read_ballots(FIXTURES["ess"], **ESS_OPTIONS, overvote_delimiter="/")
    assert "A|D" in plain.candidates  # only when told the delimiter is something else


def test_dominion_fixture() -> None:
    b = read_ballots(FIXTURES["dominion"], undeclared_write_in_label="9")
    assert b.total == 4  # the InvalidContest session is no ballot
    assert _as_set(b) == {
        (("Alice", "Bob"), 1),
        (("Alice", frozenset({"Bob", "Carol"})), 1),
        (("Carol",), 1),  # the ambiguous mark is dropped
        ((UWI, None, "Alice"), 1),
    }
    assert b.precinct_names == ("Precinct 1", "Precinct 2")
    by_id = read_ballots(FIXTURES["dominion"] / "CvrExport.json", aliases={"1": "Alice Smith"})
    assert "Alice Smith" in by_id.candidates and "(undeclared)" in by_id.candidates


def test_hart_fixture() -> None:
    b = read_ballots(FIXTURES["hart"], contest_id="c-1", aliases={"c": "Carol C."})
    assert b.total == 2  # the CVR without the contest is no ballot
    assert _as_set(b) == {(("Alice", "Bob"), 1), ((frozenset({"Alice", "Carol C."}),), 1)}
    assert b.precinct_names == ("101", "102")


@pytest.mark.parametrize("path", [CVR / "cdf.json", CVR / "cdf.xml"], ids=["json", "xml"])
def test_cdf_fixture_json_and_xml_agree(path: Path) -> None:
    b = read_ballots(path)
    assert _as_set(b) == {
        (("Alice", "Bob"), 1),
        ((frozenset({"Bob", "Carol"}),), 1),
        (("Carol", None, "Alice"), 1),
    }
    assert read_ballots(path.read_bytes()) == b
    assert read_ballots(path, contest_id="Mayor") == read_ballots(path, contest_id="k1")
    with pytest.raises(InputError, match="no contest 'Council'"):
        read_ballots(path, contest_id="Council")


def test_clear_ballot_fixture() -> None:
    b = read_ballots(FIXTURES["clear_ballot"])
    assert _as_set(b) == {(("Alice", "Bob"), 1), ((frozenset({"Alice", "Bob"}), "Carol"), 1), (("Carol",), 1)}
    assert set(b.precinct_names) == {"P1", "P2"}


def test_rctab_export_fixture() -> None:
    b = read_ballots(FIXTURES["rctab_csv"])
    assert _as_set(b) == {(("Alice", "Bob"), 1), (("<overvote>", "Carol"), 1), ((None, "Carol", "Alice"), 1)}
    assert b.precinct_names == ("P1", "P2")


# ----------------------------------------------------------------------------- registry contract
READ_ONLY = [e for e in BALLOT_FORMATS.entries() if writer(e) is None]


@pytest.fixture(params=READ_ONLY, ids=[e.name for e in READ_ONLY])
def fmt(request: pytest.FixtureRequest) -> str:
    return request.param.name


def test_every_read_only_format_has_a_fixture_and_is_detected(fmt: str) -> None:
    entry = BALLOT_FORMATS.get(fmt)
    assert entry.summary and entry.extra.get("raw") and fmt in FIXTURES
    assert detect_format(FIXTURES[fmt]) == fmt
    assert read_ballots(FIXTURES[fmt], fmt, **(ESS_OPTIONS if fmt == "ess" else {})).total >= 1


def test_read_only_formats_refuse_unknown_options_and_honour_limits(fmt: str) -> None:
    with pytest.raises(InputError, match="takes no option"):
        read_ballots(FIXTURES[fmt], fmt, no_such_option=1)
    with pytest.raises(TooLargeError, match="max_candidates") as info:
        read_ballots(FIXTURES[fmt], fmt, limits=ReadLimits(max_candidates=1))
    assert str(FIXTURES[fmt]) in str(info.value)
    with pytest.raises(TooLargeError, match="max_rows"):
        read_ballots(FIXTURES[fmt], fmt, limits=ReadLimits(max_rows=1))


def test_single_files_read_alike_from_bytes() -> None:
    for fmt in ("ess", "cdf", "clear_ballot", "rctab_csv"):
        path = FIXTURES[fmt]
        assert read_ballots(path.read_bytes(), fmt) == read_ballots(path, fmt)
        assert detect_format(path.read_bytes()) == fmt


# ----------------------------------------------------------------------------- cvrFileSources
def test_cvr_source_maps_rctab_fields_to_reader_options() -> None:
    src = CvrSource.from_config(
        {
            "filePath": "ess.xlsx",
            "provider": "ess",
            "firstVoteColumnIndex": "3",
            "precinctColumnIndex": "2",
            "overvoteLabel": "overvote",
            "skippedRankLabel": "undervote",
            "undeclaredWriteInLabel": "UWI",
            "overvoteDelimiter": "",
            "contestId": "",
            "treatBlankAsUndeclaredWriteIn": False,
        }
    )
    assert src.options() == {k: v for k, v in ESS_OPTIONS.items()}
    assert read_cvr_source(src, CVR) == read_ballots(FIXTURES["ess"], **ESS_OPTIONS)
    with pytest.raises(InputError, match="unknown candidate 'Bob'"):
        read_cvr_source(src, CVR, candidates=["Alice", "A", "D", "Carol"])
    with pytest.raises(KingmakerError, match="provider"):
        read_cvr_source({"filePath": "x", "provider": "nosuch"}, CVR)


def test_concat_matches_candidates_by_name_and_renumbers_groups() -> None:
    a = Ballots.from_rankings([["X", {"Y", "Z"}]], ["X", "Y", "Z"])
    b = Ballots.from_rankings([["Z", "X"], [{"Y", "Z"}]], ["Z", "Y", "X"])
    both = concat_ballots([a, b])
    assert both.candidates == ("X", "Y", "Z") and both.total == 3
    assert _as_set(both) == _as_set(Ballots.from_rankings([["X", {"Y", "Z"}], ["Z", "X"], [{"Y", "Z"}]]))


# ----------------------------------------------------------------------------- precincts in Ballots
def test_precincts_group_by_ranking_and_precinct_and_split_back() -> None:
    mat = np.array([[0, 1], [0, 1], [1, PAD], [0, 1]])
    b = Ballots.from_matrix(mat, ["A", "B"], precinct=np.array([0, 1, 1, 0]), precinct_names=["p", "q"])
    assert b.n_unique == 3 and b.total == 4
    per = b.by_precinct()
    assert list(per) == ["p", "q"] and per["p"].total == 2 and per["q"].n_unique == 2
    plain = Ballots.from_matrix(mat, ["A", "B"])
    assert plain.precinct is None and plain.n_unique == 2 and plain != b
    assert b.rename({"A": "Z"}).precinct_names == ("p", "q")
    with pytest.raises(InputError, match="no precincts"):
        plain.by_precinct()
    with pytest.raises(InputError, match="precinct"):
        Ballots(b.rankings, b.weights, b.candidates, precinct=np.array([0, 5, 0]), precinct_names=("p",))


# ----------------------------------------------------------------------------- hostile inputs
def _xlsx_with(sheet_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, zipfile.ZipFile(FIXTURES["ess"]) as orig:
        for info in orig.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else orig.read(info)
            zf.writestr(info.filename, data)
    return buf.getvalue()


def test_a_sparse_sheet_spanning_the_whole_grid_is_refused_before_calamine_allocates() -> None:
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(TooLargeError, match="max_cells"):
        read_ballots(_xlsx_with(sheet), "ess", name="huge.xlsx")


def test_too_many_rank_columns_is_refused() -> None:
    with pytest.raises(TooLargeError, match="max_ranks"):
        read_ballots(FIXTURES["ess"], **ESS_OPTIONS, limits=ReadLimits(max_ranks=2))


#: An XML entity bomb (a few hundred bytes that expand to 10**10): expat refuses the amplification.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lololololol">'
    + b"".join(b'<!ENTITY lol%d "' % (i + 1) + b"&lol%d;" % i * 10 + b'">' for i in range(9))
    + b']><Cvr xmlns="CVRDesign"><Contests>&lol9;</Contests></Cvr>'
)


@pytest.mark.parametrize(
    ("fmt", "data", "match"),
    [
        ("cdf", b'{"CVR": [', "malformed JSON"),
        ("cdf", b'{"CVR":' + b"[" * 5000 + b"]" * 5000 + b"}", "not a CDF"),
        ("cdf", b'{"Election":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "malformed JSON"),
        ("dominion", b'{"Sessions":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "malformed JSON"),
        ("cdf", b"<CastVoteRecordReport><CVR>", "malformed XML"),
        ("cdf", b'{"CVR": [{"CVRSnapshot": 3}], "Election": [{"Contest": [{"@id": "k"}]}]}', "not a CDF"),
        ("dominion", b'{"Version": "1", "Sessions": [{"Original": 5}]}', "not a Dominion"),
        ("hart", b"<Cvr xmlns='CVRDesign'><Contests>", "malformed XML"),
        ("ess", b"PK\x03\x04 not really a zip", "not a readable .xlsx"),
        ("hart", BILLION_LAUGHS, "amplification"),
        ("cdf", BILLION_LAUGHS.replace(b"Cvr", b"CastVoteRecordReport"), "amplification"),
        ("clear_ballot", b"", "empty CSV"),
    ],
)
def test_malformed_vendor_files_are_input_errors_naming_the_file(fmt: str, data: bytes, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        read_ballots(data, fmt, name="upload.bin")
    assert "upload.bin" in str(info.value)


def test_a_dominion_folder_without_cvr_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "CandidateManifest.json").write_text('{"List": []}')
    with pytest.raises(InputError, match=r"no CvrExport\.json") as info:
        read_ballots(tmp_path, "dominion")
    assert str(tmp_path) in str(info.value)


# ----------------------------------------------------------------------------- RCTab's contests
def _rctab_round1(b: Ballots, rules: dict) -> dict[str, int]:
    """Round 1 as RCTab counts it: each ballot's first valid preference under the contest's rules."""
    ov = rules["overvoteRule"]
    max_skip = rules.get("maxSkippedRanksAllowed", "1")
    max_skip = 10**9 if max_skip == "unlimited" else int(max_skip)
    max_rank = rules.get("maxRankingsAllowed", "max")
    max_rank = 10**9 if max_rank == "max" else int(max_rank)
    tally = dict.fromkeys(b.candidates, 0)
    for row, w in zip(b.rankings, b.weights, strict=True):
        skipped = 0
        for code in map(int, row[:max_rank]):
            if code == PAD or (code == SKIPPED and skipped + 1 > max_skip):
                break
            if code == SKIPPED:
                skipped += 1
                continue
            if code == OVERVOTE or code <= GROUP_BASE:
                if ov == "alwaysSkipToNextRank":
                    skipped = 0
                    continue
                break  # exhaustImmediately; exhaustIfMultipleContinuing with all candidates continuing
            tally[b.candidates[code]] += int(w)
            break
    return {k: v for k, v in tally.items() if v}


RCTAB_CONTESTS = [
    "2013_minneapolis_mayor", "2017_minneapolis_mayor", "2024_alaska_dominion", "dominion_alaska",
    "dominion_wyoming", "hart_cedar_park_school_board", "hart_travis_county_officers",
    "clear_ballot_kansas_primary", "aliases_cdf_json", "test_set_8_multi_cdf", "nist_xml_cdf_2",
    "precinct_example", "minneapolis_multi_seat_threshold", "test_set_allow_only_one_winner_per_round",
    "skip_to_next_test", "duplicate_test", "test_set_overvote_delimiter",
    "continue_until_two_threshold_freeze", "uwi_cannot_win_test",
]  # fmt: skip


@pytest.mark.parametrize("case", RCTAB_CONTESTS)
def test_rctab_contest_totals_and_round_one(case: str) -> None:
    folder = shared_path("ballots", "rctab", case)
    config = json.loads((folder / f"{case}_config.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / f"{case}_expected_detailed_report.json").read_text(encoding="utf-8"))
    b = read_contest(config, folder)
    assert b.total == int(float(expected["summary"]["totalNumBallots"]))
    want = {k: int(float(v)) for k, v in expected["results"][0]["tally"].items() if float(v)}
    assert _rctab_round1(b, config["rules"]) == want


def test_rctab_precinct_report_matches_by_precinct() -> None:
    folder = shared_path("ballots", "rctab", "precinct_example")
    config = json.loads((folder / "precinct_example_config.json").read_text(encoding="utf-8"))
    per = read_contest(config, folder).by_precinct()
    reports = sorted((folder / "Tabulate by Precinct").glob("*.json"))
    assert reports
    for report in reports:
        name = next(p for p in per if p.replace(" ", "_") in report.name)
        expected = json.loads(report.read_text(encoding="utf-8"))
        want = {k: int(float(v)) for k, v in expected["results"][0]["tally"].items() if float(v)}
        assert _rctab_round1(per[name], config["rules"]) == want


def test_rctab_generic_csv_with_unknown_names_is_refused() -> None:
    folder = shared_path("ballots", "rctab", "max_ranking_enforcement")
    config = json.loads((folder / "max_ranking_enforcement_config.json").read_text(encoding="utf-8"))
    with pytest.raises(InputError, match="unknown candidate"):
        read_contest(config, folder)
