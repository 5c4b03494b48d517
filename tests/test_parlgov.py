"""ParlGov's cabinet view: the reader, election look-up, and parliaments built from it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kingmaker import Parliament
from kingmaker.datasets import load_parlgov
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io.parlgov import parliament_spec, read_parlgov
from tests.cli_runner import invoke
from tests.conftest import shared_path

MINI = Path(__file__).parent / "data" / "parlgov"


@pytest.fixture
def mini():
    return read_parlgov(MINI / "view_cabinet.csv")


def test_reader_groups_rows_into_cabinets(mini):
    assert len(mini.cabinets) == 7
    assert mini.countries == {"ATL": "Atlantis", "BOR": "Borealis"}
    first = mini.cabinet(11)
    assert first.government == ("A", "B") and first.pm_party == "A"
    assert first.house == 100 and len(first.real_parties) == 4  # 'none' is lumped, not a party
    assert [p.name for p in first.parties if p.lumped] == ["none"]
    assert first.parties[3].left_right is None  # D has no position


def test_reader_takes_bytes_and_text_with_the_same_result(mini):
    raw = (MINI / "view_cabinet.csv").read_bytes()
    assert read_parlgov(raw).cabinets == mini.cabinets
    assert read_parlgov(raw.decode()).sha256 == mini.sha256


def test_reader_errors_name_file_and_line(tmp_path):
    text = (MINI / "view_cabinet.csv").read_text().splitlines()
    bad = [*text[:3], text[3].replace(",20,100,", ",x5,100,", 1), *text[4:]]
    path = tmp_path / "view_cabinet.csv"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=r"view_cabinet.csv:4: seats must be a whole number, got 'x5'"):
        read_parlgov(path)
    with pytest.raises(InputError, match=r":1: missing column\(s\) seats"):
        read_parlgov(text[0].replace(",seats,", ",sits,") + "\n")
    clash = [*text[:2], text[2].replace("Alpha I", "Alpha X"), *text[3:]]
    with pytest.raises(InputError, match=r"<text>:3: cabinet 11 has rows that disagree"):
        read_parlgov("\n".join(clash) + "\n")


def test_formation_by_year_or_date_skips_the_caretaker(mini):
    assert mini.formation("ATL", 2000).cabinet_id == 11
    assert mini.formation("atlantis", "2004-01-01").name == "Alpha II"
    assert mini.formation("ATL", 2008).name == "Alpha III"  # Beta II is the caretaker
    assert [c.cabinet_id for c in mini.formations("1990-01-01")] == [11, 12, 15, 21, 22]


def test_unknown_country_and_date_name_the_nearest(mini):
    with pytest.raises(UnknownNameError, match=r"unknown ParlGov country 'ATX'; nearest: ATL"):
        mini.formation("ATX", 2000)
    with pytest.raises(
        UnknownNameError, match=r"ATL held no election in 2005; nearest: 2000-01-01, 2004-01-01, 2008"
    ):
        mini.formation("ATL", 2005)
    with pytest.raises(UnknownNameError, match=r"no election on 2004-01-02; nearest: .*2004-01-01"):
        mini.formation("ATL", "2004-01-02")
    with pytest.raises(InputError, match=r"BOR held 2 elections in 2001 \(2001-05-05, 2001-09-09\)"):
        mini.formation("BOR", 2001)
    with pytest.raises(InputError, match="cannot read 'soon'"):
        mini.formation("BOR", "soon")


def test_parliament_from_parlgov_marks_the_cabinet_and_lumped_seats():
    p = Parliament.from_parlgov("ATL", 2004, data_dir=MINI)
    assert p.names == ("A", "B", "C", "D", "none")
    assert p.house == 100 and p.absolute_majority == 51
    assert "Alpha II (A+B; PM A)" in p.title
    assert p.party("D").position is None  # unplaced, as independents are
    assert "none" not in p.weights()  # lumped seats count in the house, join no coalition
    assert p.coalitions().find(["A", "B"]) is not None
    spec = parliament_spec(load_parlgov(MINI).formation("ATL", 2004))
    assert spec["government"] == ["A", "B"] and json.dumps(spec)


def test_cli_parlgov_option(monkeypatch):
    monkeypatch.setenv("KINGMAKER_PARLGOV_DIR", str(MINI))
    r = invoke("coalitions", "--parlgov", "ATL:2004", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert {"A", "B"} in [set(c["parties"]) for c in json.loads(r.stdout)["coalitions"]]
    r = invoke("power", "--parlgov", "ATL:2000")
    assert r.exit_code == 0, r.stderr
    r = invoke("coalitions", "--parlgov", "XYZ:2004")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "unknown ParlGov country 'XYZ'" in r.stderr
    r = invoke("coalitions", "--parlgov", "ATL:1999")
    assert r.exit_code == 2 and "held no election in 1999" in r.stderr


def test_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"view_cabinet\.csv not found"):
        load_parlgov(tmp_path)


def test_real_parlgov_counts_and_uk_2010():
    pg = load_parlgov(shared_path("parlgov", "view_cabinet.csv").parent)
    assert len(pg.cabinets) == 1568 and len(pg.countries) == 37
    assert len(pg.formations()) == 631
    uk = pg.formation("GBR", 2010)
    assert uk.government == ("Con", "Lib") and uk.pm_party == "Con"
    assert next(p.seats for p in uk.parties if p.name == "Con") == 307  # the Speaker counted with Con
    de = pg.formation("DEU", 2017)
    assert de.start == date(2018, 3, 14) and not de.caretaker
    p = Parliament.from_parlgov("DEU", "2017-09-24", data_dir=pg.source.rsplit("/", 1)[0])
    assert p.house == 709 and "CDU+CSU+SPD" in p.title


def test_parlgov_is_a_registered_data_set_with_checked_hashes(tmp_path):
    from kingmaker.datasets import DATASETS, fetch, load_dataset

    with pytest.raises(InputError, match="holds parliaments and cabinets, not votes"):
        load_dataset("parlgov")
    folder = shared_path("parlgov", "view_cabinet.csv").parent
    paths = fetch("parlgov", base_url=str(folder), cache=tmp_path)
    assert [p.name for p in paths] == [f.name for f in DATASETS["parlgov"].files]
    assert read_parlgov(paths[0]).sha256 == DATASETS["parlgov"].files[0].sha256
