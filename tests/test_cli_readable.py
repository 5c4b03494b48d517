"""``seats marginal`` with candidates' names and readable party labels, ``seats apportion`` by
electorate for 2015-2024, and ``data fetch`` reporting each file once, through the real entry point."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from kingmaker.party_names import party_label
from tests.cli_runner import invoke
from tests.conftest import shared_path


@pytest.fixture
def uk(monkeypatch, tmp_path):
    folder = shared_path("uk", "README.md").parent
    monkeypatch.setenv("KINGMAKER_DATA_DIR", str(folder))
    monkeypatch.setenv("KINGMAKER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    return folder


@pytest.mark.parametrize(
    ("column", "election", "label"),
    [
        ("lab", "1997", "Labour"),
        ("con", "1997", "Conservative"),
        ("lib", "1997", "Lib Dem"),
        ("lib", "1983", "SDP-Liberal Alliance"),
        ("lib", "1951", "Liberal"),
        ("oth", "1997", "Others"),
        ("RUK", "2024", "Reform UK"),
        ("Ind1", "2010", "Independent"),
        ("Ind (3)", "2024", "Independent"),
        ("Grn", "2010", "Green"),
        ("APNI", "2017", "Alliance"),
    ],
)
def test_party_labels(column, election, label):
    assert party_label(column, election=election) == label


def test_party_label_falls_back_to_the_source_name_then_the_key():
    assert party_label("HPUK", names={"HPUK": "Heritage Party"}) == "Heritage Party"
    long = {"X": "A Party Whose Name Is Far Too Long For Any Table Cell"}
    assert party_label("X", names=long) == "X"


def test_marginal_2024_names_candidates_and_parties(uk):
    r = invoke("seats", "marginal", "--election", "2024", "--top", "3", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    hendon = data["most marginal"][0]
    assert hendon["district"] == "Hendon" and hendon["majority"] == 15
    assert hendon["winner_party"] == "Labour" and hendon["winner_name"] == "David Pinto-Duschinsky"
    assert hendon["runner_up_party"] == "Conservative" and hendon["runner_up_name"] == "Ameet Jogia"
    table = invoke("seats", "marginal", "--election", "2024", "--top", "3").stdout
    assert "David Pinto-Duschinsky" in table and "Lindsay Hoyle" in table
    assert "Reform UK" in table and not re.search(r"\bRUK\b", table)


@pytest.mark.parametrize("year", ["1997", "2010"])
def test_marginal_labels_in_files_without_names(uk, year):
    r = invoke("seats", "marginal", "--election", year, "--top", "5")
    assert r.exit_code == 0, r.stderr
    assert not re.search(r"│ (lab|con|lib|oth|Ind\d|nan) ", r.stdout), r.stdout
    assert "does not name the candidates" in r.stdout
    rows = json.loads(invoke("seats", "marginal", "--election", year, "--format", "json").stdout)
    for rec in rows["most marginal"] + rows["safest"]:
        assert rec["runner_up"] is None or isinstance(rec["runner_up"], str)
        assert rec["winner_name"] is None
    if year == "2010":  # Fermanagh & South Tyrone: Sinn Féin by 4 over an independent
        first = rows["most marginal"][0]
        assert (first["winner_party"], first["runner_up_party"]) == ("Sinn Féin", "Independent")


def test_candidate_names_cover_every_vote_cell(uk):
    from kingmaker.datasets import candidate_names, load_dataset

    for year in ("2015", "2017", "2019", "2024"):
        table = load_dataset(f"uk-{year}-results")
        names = candidate_names(table)
        cells = {(table.ids[d], table.parties[p]) for d, p in zip(*np.nonzero(table.votes), strict=True)}
        assert cells <= set(names), year
    assert candidate_names(load_dataset("uk-2010-results")) == {}


def _official_electorate(folder, year: str) -> int:
    """The UK electorate of ``year`` summed straight from the CSV (no kingmaker reader)."""
    import csv

    if year == "2015":
        with (folder / "1918-2019election_results.csv").open(encoding="cp1252") as fh:
            return sum(int(r["electorate"]) for r in csv.DictReader(fh) if r["election"] == "2015")
    name = {
        "2017": "HoC-GE2017-constituency-results.csv",
        "2019": "HoC-GE2019-results-by-constituency.csv",
        "2024": "HoC-GE2024-results-by-constituency.csv",
    }[year]
    with (folder / name).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    key = "electorate" if "electorate" in rows[0] else "Electorate"
    return sum(int(r[key].replace(",", "")) for r in rows)


@pytest.mark.parametrize("year", ["2015", "2017", "2019", "2024"])
def test_apportion_by_electorate_2015_2024(uk, year):
    r = invoke(
        "seats", "apportion", "--election", year, "--seats", "650", "--level", "nation", "--format", "json"
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    rows = {row["area"]: row for row in data["rows"]}
    assert set(rows) == {"England", "Scotland", "Wales", "Northern Ireland"}
    assert sum(row["seats"] for row in rows.values()) == 650
    assert sum(row["electorate"] for row in rows.values()) == _official_electorate(uk, year)
    assert data["electorates_from"] == (
        "uk-1918-2019-results" if year == "2015" else f"uk-{year}-constituencies"
    )
    table = invoke("seats", "apportion", "--election", year, "--seats", "650")
    assert table.exit_code == 0 and "joined by ONS code" in table.stdout


def test_apportion_2024_same_from_either_file(uk):
    """The candidate file with joined electorates apportions as the constituency file itself does."""
    a = invoke("seats", "apportion", "--election", "2024", "--seats", "650", "--format", "json")
    b = invoke(
        "seats", "apportion", "--data", "uk-2024-constituencies", "--seats", "650", "--format", "json"
    )  # fmt: skip
    assert json.loads(a.stdout)["rows"] == json.loads(b.stdout)["rows"]


def test_with_electorates_needs_a_year_and_codes():
    from kingmaker.datasets import with_electorates
    from kingmaker.errors import InputError
    from kingmaker.votes import VoteTable

    bare = VoteTable(np.array([[3, 1]]), ("A", "B"), ("d1",))
    with pytest.raises(InputError, match="no electorates"):
        with_electorates(bare)
    given = VoteTable(np.array([[3, 1]]), ("A", "B"), ("d1",), electorates=np.array([10]))
    assert with_electorates(given) is given


def test_data_fetch_reports_each_file_once(uk, tmp_path):
    cache = str(tmp_path / "c")
    for when in ("fetched from", "already in the cache"):
        r = invoke("data", "fetch", "uk-2010-results", "--from", str(uk), "--cache", cache)
        assert r.exit_code == 0, r.stderr
        assert r.stderr == ""  # no second line from the downloader (pooch's log)
        lines = r.stdout.strip().splitlines()
        assert len(lines) == 3 and "Open Government Licence" in lines[-1]
        for line, name in zip(
            lines, ("GE2010-results-flatfile-website.csv", "GE2010-party-abbreviations.csv"), strict=False
        ):
            assert line.startswith(f"{name}: {when}") and "SHA-256 checked" in line


@pytest.mark.parametrize("year", ["1997", "2010", "2017", "2024"])
def test_marginal_fits_80_columns_with_real_names(uk, monkeypatch, year):
    monkeypatch.setenv("COLUMNS", "80")
    for extra in ((), ("--party", "Lab")):
        r = invoke("seats", "marginal", "--election", year, "--top", "15", *extra)
        assert r.exit_code == 0, r.stderr
        assert max(len(line) for line in r.stdout.splitlines()) <= 80
        assert "…" not in r.stdout
