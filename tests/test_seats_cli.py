"""``kingmaker seats`` and ``kingmaker data`` through the real entry point."""

from __future__ import annotations

import json

import pytest

from tests.cli_runner import invoke
from tests.conftest import shared_path


@pytest.fixture
def uk(monkeypatch, tmp_path):
    folder = shared_path("uk", "README.md").parent
    monkeypatch.setenv("KINGMAKER_DATA_DIR", str(folder))
    monkeypatch.setenv("KINGMAKER_CACHE", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text("district,party,votes,region\nd1,A,100000,R\nd1,B,80000,R\nd1,C,30000,R\nd1,D,20000,R\n")
    return path


def test_fptp_2010_table(uk):
    r = invoke("seats", "--election", "2010", "--system", "fptp")
    assert r.exit_code == 0, r.stderr
    assert "306" in r.stdout and "258" in r.stdout and "Gallagher" in r.stdout


def test_json_output(uk):
    r = invoke(
        "seats", "--election", "2017", "--system", "sainte-lague", "--threshold", "5%", "--format", "json"
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["house_size"] == 650
    assert data["indices"]["gallagher"] < 10
    assert "UKIP" in data["excluded"]


def test_csv_output_from_file(small):
    r = invoke("seats", "--data", str(small), "--system", "dhondt", "--seats", "8", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("party,votes")
    assert any(line.startswith("A,100000,") and ",4," in line for line in lines)


def test_ties_are_printed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("district,party,votes\nd,A,200\nd,B,100\n")
    r = invoke("seats", "--data", str(path), "--system", "dhondt", "--seats", "2")
    assert r.exit_code == 0 and "tie:" in r.stdout
    r = invoke("seats", "--data", str(path), "--system", "dhondt", "--seats", "2", "--tie", "raise")
    assert r.exit_code == 2 and r.stderr.startswith("error: tie")


def test_compare(uk):
    r = invoke("seats", "compare", "--election", "2010", "--systems", "fptp,sainte-lague,ams,av")
    assert r.exit_code == 0, r.stderr
    assert "sainte-lague" in r.stdout and "ams" in r.stdout and "Gallagher" in r.stdout


def test_compare_json_is_the_library_comparison(small):
    from kingmaker.io.hoc import read_results
    from kingmaker.seats import compare_systems

    r = invoke("seats", "compare", "--data", str(small), "--systems", "fptp,dhondt,hare", "--format", "json")
    assert r.exit_code == 0, r.stderr
    expected = compare_systems(read_results(small), ["fptp", "dhondt", "hare"]).to_dict()
    data = json.loads(r.stdout)
    assert data.pop("provenance")["method"] == "seats compare"
    assert data == expected
    assert [row["party"] for row in expected["rows"]] == ["A", "B", "C", "D"]
    r = invoke("seats", "compare", "--data", str(small), "--systems", "fptp", "--transfers", str(small))
    assert r.exit_code == 2 and "no system compared takes" in r.stderr


def test_marginal(uk):
    r = invoke("seats", "marginal", "--election", "2010", "--top", "5", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    marg = data["most marginal"]
    assert len(marg) == 5 and marg[0]["majority_share"] <= marg[-1]["majority_share"]
    assert data["safest"][0]["majority_share"] > 0.5
    r = invoke("seats", "marginal", "--election", "2010", "--party", "LD", "--top", "3")
    assert r.exit_code == 0 and "LD targets" in r.stdout


def test_apportion(uk):
    r = invoke("seats", "apportion", "--election", "2010", "--seats", "600", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert sum(row["seats"] for row in json.loads(r.stdout)["rows"]) == 600


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--system", "borda"), "unknown system"),
        (("--system", "dhondt", "--seats", "0"), "positive"),
        (("--system", "dhondt", "--seats", "-2"), "positive"),
        (("--system", "dhondt", "--threshold", "99%"), "removes every party"),
        (("--system", "dhondt", "--threshold", "lots"), "percentage"),
        (("--system", "dhondt", "--tie", "coin"), "tie policy"),
    ],
)
def test_bad_requests_exit_2_with_one_line(small, args, message):
    r = invoke("seats", "--data", str(small), *args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_malformed_and_missing_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("district,party,votes\nd,A,5\nd,B,-1\n")
    r = invoke("seats", "--data", str(bad))
    assert r.exit_code == 2 and f"{bad}:3:" in r.stderr
    r = invoke("seats", "--data", str(tmp_path / "nope.csv"))
    assert r.exit_code == 2 and "neither a file nor a data set" in r.stderr
    r = invoke("seats", "marginal", "--data", str(bad))
    assert r.exit_code == 2


def test_unknown_party_target(uk):
    r = invoke("seats", "marginal", "--election", "2010", "--party", "Whigs")
    assert r.exit_code == 2 and "unknown party" in r.stderr


def test_data_fetch_from_local_folder(uk, tmp_path):
    r = invoke("data", "fetch", "uk-2019-results", "--from", str(uk), "--cache", str(tmp_path / "c"))
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "c" / "HoC-GE2019-results-by-candidate.csv").exists()
    assert "Open Parliament Licence" in r.stdout
    r = invoke("data", "fetch", "uk-1066")
    assert r.exit_code == 2 and "unknown data set" in r.stderr
    r = invoke("data", "list")
    assert r.exit_code == 0 and "uk-2010-results" in r.stdout


def test_compare_states_the_house_and_sets_independents_aside(uk):
    r = invoke("seats", "compare", "--election", "2010", "--systems", "fptp,sainte-lague,ams,mmp")
    assert r.exit_code == 0, r.output
    flat = " ".join(r.stdout.split())  # Rich wraps the title and the notes
    assert "house of 650 for every system" in flat
    assert "independents cannot pool: 192,963 votes set aside" in flat
    assert "368 constituency seats" in flat and "282 list seats" in flat
    r = invoke("seats", "compare", "--election", "2010", "--systems", "sainte-lague,ams", "--house", "600")
    assert r.exit_code == 0, r.output
    assert "house of 600 for every system" in " ".join(r.stdout.split())
    r = invoke("seats", "--election", "2010", "--system", "ams", "--top-up", "56", "--format", "json")
    data = json.loads(r.stdout)
    assert data["house_size"] == 706 and data["set_aside"]["Ind1"] == 175_604


def test_bucket_file_sets_oth_aside_and_splits_natsw(uk):
    data = str(shared_path("uk", "1918-2019election_results.csv"))
    r = invoke("seats", "--data", data, "--election", "2019", "--system", "dhondt", "--format", "json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    flat = json.dumps(out)
    assert "oth lumps many parties and independents: 2,686,541 votes set aside" in flat
    assert out["house_size"] == 650
    r = invoke("seats", "--data", data, "--election", "2019", "--system", "sainte-lague", "--level", "region")
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "oth lumps many parties and independents: 2,686,541 votes set aside" in flat
    assert "18 seat(s) left unfilled in Northern Ireland" in flat
    assert "SNP" in flat and "PC" in flat and "natSW" not in flat
    r = invoke("seats", "--data", data, "--election", "2019", "--system", "fptp")
    assert r.exit_code == 0 and "365" in r.stdout and "48" in r.stdout


@pytest.mark.parametrize("system", ["fptp", "dhondt", "hare", "ams", "mmp", "av-plus"])
def test_absurd_house_is_refused_before_any_work(small, system):
    r = invoke("seats", "--data", str(small), "--system", system, "--seats", "1000000000")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: seats: 1,000,000,000") and "100,000" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_apportion_and_top_up_caps(small):
    r = invoke("seats", "apportion", "--data", str(small), "--by", "seats", "--seats", "1000000000")
    assert r.exit_code == 2 and "100,000" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = invoke("seats", "--data", str(small), "--system", "ams", "--top-up", "200000")
    assert r.exit_code == 2 and "top_up: 200,000" in r.stderr


def test_seat_count_checks_in_the_library(small):
    from kingmaker.errors import InputError, TooLargeError
    from kingmaker.io.hoc import read_results
    from kingmaker.seats import MAX_SEATS, allocate, check_seat_count

    table = read_results(small)
    with pytest.raises(TooLargeError, match="1,000,000,000 is more than the 100,000"):
        allocate(table, "dhondt", seats=10**9)
    for bad in (0, -2, True, 2.5, "7"):
        with pytest.raises(InputError):
            check_seat_count(bad)
    assert check_seat_count(MAX_SEATS) == MAX_SEATS
    assert allocate(table, "dhondt", seats=MAX_SEATS).house_size == MAX_SEATS
