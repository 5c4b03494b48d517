"""Parliament: presets, thresholds and conventions, readers, bad input."""

from __future__ import annotations

import pytest

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.parliament import PRESETS, Parliament


def test_uk_2010_thresholds():
    p = Parliament.preset("uk-2010")
    assert p.house == 650
    assert p.absolute_majority == 326
    # Speaker + 3 deputies do not vote; SF's 5 do not take their seats: 641 vote, 321 wins
    assert p.voting_members == 641
    assert p.working_majority_threshold == 321
    assert p.weights("working")["Con"] == 305
    assert p.weights("working")["Lab"] == 256
    assert "SF" not in p.weights() and "Speaker" not in p.weights()
    text = "\n".join(p.explain())
    assert "326" in text and "641" in text and "321" in text and "Sinn Féin" in text
    assert "645 sit, so 323 is enough" in text  # SF abstention alone (Independent, May 2010)


def test_uk_2010_seats_match_official_totals():
    p = Parliament.preset("uk-2010")
    expected = {
        "Con": 306,
        "Lab": 258,
        "LD": 57,
        "DUP": 8,
        "SNP": 6,
        "SF": 5,
        "PC": 3,
        "SDLP": 3,
        "Green": 1,
        "Alliance": 1,
        "Ind": 1,
        "Speaker": 1,
    }
    assert {x.name: x.seats for x in p.parties} == expected


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_has_650_seats_and_sources(name):
    p = Parliament.preset(name)
    assert p.house == 650
    assert p.source and p.positions_source
    assert p.voting_members < p.house
    assert p.to_frame().loc["Con", "seats"] > 300


def test_presets_match_shared_facts(shared_data):
    import csv

    for year in (2015, 2017):
        p = Parliament.preset(f"uk-{year}")
        with open(shared_data / "facts" / f"ge{year}_national.csv", encoding="utf-8") as fh:
            facts = {r["party"]: int(r["seats"]) for r in csv.DictReader(fh) if r["seats"]}
        for party in ("Con", "Lab", "LD", "SNP", "DUP", "PC", "Green"):
            assert p.party(party).seats == facts[party], (year, party)


def test_from_seats_and_parse_seats():
    p = Parliament.parse_seats("A=5@1.0, B=3, C=1@9")
    assert p.house == 9 and p.absolute_majority == 5
    assert p.party("A").position == 1.0 and p.party("B").position is None
    assert Parliament.from_seats({"A": 5, "B": 3}).names == ("A", "B")


@pytest.mark.parametrize(
    "text, message",
    [
        ("A=-1,B=3", "negative"),
        ("A=1.5,B=3", "whole number"),
        ("A=1,A=3", "duplicate"),
        ("A", "expected PARTY=SEATS"),
        ("A=0,B=0", "no seats"),
        ("", "empty"),
    ],
)
def test_bad_seats(text, message):
    with pytest.raises(InputError, match=message):
        Parliament.parse_seats(text)


def test_unknown_preset_and_party():
    with pytest.raises(UnknownNameError, match="unknown preset"):
        Parliament.preset("uk-1066")
    with pytest.raises(UnknownNameError, match="unknown party 'Whig'"):
        Parliament.preset("uk-2010").parse_party_list("Lab,Whig")


def test_read_csv_with_flags(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(
        "party,seats,position,non_voting,flags\nA,10,2.0,1,\nB,8,8.0,,\nS,1,,,speaker\nX,2,,,abstains\n"
    )
    p = Parliament.read(f)
    assert p.house == 21 and p.voting_members == 17 and p.working_majority_threshold == 9
    assert p.weights("working") == {"A": 9, "B": 8}


def test_read_toml_roundtrip(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(
        'name = "t"\n[[party]]\nname = "A"\nseats = 3\n[[party]]\nname = "B"\nseats = 2\nposition = 1\n'
    )
    p = Parliament.read(f)
    assert p.names == ("A", "B") and p.house == 5


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("party,seats\nA,x\n", ".csv", r"p\.csv:2: seats of 'A' must be a whole number"),
        ("party,seats\nA,3\nA,4\n", ".csv", r"p\.csv:3: duplicate party name 'A'"),
        ("party,seats\nA,-3\n", ".csv", r"p\.csv:2: seats of 'A' are negative"),
        ("name,votes\nA,3\n", ".csv", "header must have the columns"),
        ("party,seats,flags\nA,3,king\n", ".csv", "unknown flag"),
        ("party,seats\n", ".csv", "empty"),
        ("[[party]\n", ".toml", "malformed TOML"),
        ('[[party]]\nname = "A"\nseats = "3"\n', ".toml", "seats must be an integer"),
        ("A=3", ".txt", "unknown parliament file type"),
    ],
)
def test_bad_files(tmp_path, content, suffix, message):
    f = tmp_path / f"p{suffix}"
    f.write_text(content)
    with pytest.raises(InputError, match=message):
        Parliament.read(f)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):  # the one message of every reader
        Parliament.read(tmp_path / "nope.csv")


def test_quota_validation():
    p = Parliament.preset("uk-2010")
    assert p.quota(400) == 400
    with pytest.raises(InputError, match="above"):
        p.quota(651)
    with pytest.raises(InputError, match="positive"):
        p.quota(0)
    with pytest.raises(InputError, match="unknown threshold"):
        p.quota("relative")  # type: ignore[arg-type]


def test_read_from_bytes_and_text_equals_read_from_path(tmp_path):
    body = "party,seats,position\nA,3,2.5\nB,2,\n"
    f = tmp_path / "p.csv"
    f.write_text(body)
    from_path = Parliament.read(f)
    assert Parliament.read(body.encode(), name="p.csv") == from_path
    assert Parliament.read(body, name="p.csv").names == ("A", "B")


@pytest.mark.parametrize(
    "content, message",
    [
        ("party,seats\nA,100000000000000000000000000000000000\n", r"p\.csv:2: seats of 'A'.*too large"),
        ("party,seats\nA,1000000000\n", r"p\.csv:2: seats of 'A': 1000000000 is more than 100,000"),
        ("party,seats,position\nA,3,nan\n", r"p\.csv:2: position of 'A' must be a finite number"),
        ("party,seats,position\nA,3,inf\n", r"p\.csv:2: position of 'A' must be a finite number"),
    ],
)
def test_hostile_numbers_are_refused_with_file_and_line(tmp_path, content, message):
    f = tmp_path / "p.csv"
    f.write_text(content)
    with pytest.raises(InputError, match=message):
        Parliament.read(f)


def test_presets_come_from_the_registry():
    from kingmaker.presets import LEADERSHIP_RULES, PARLIAMENTS

    assert PARLIAMENTS.names() == PRESETS
    assert {"uk-2010", "uk-2015", "uk-2017", "uk-2019"} <= set(PRESETS)
    for name in PRESETS:
        assert Parliament.preset(name).name == name
        assert PARLIAMENTS.get(name).summary.startswith("House of Commons")
    assert "labour-2010" in LEADERSHIP_RULES and "labour-2010-result" not in LEADERSHIP_RULES
    with pytest.raises(InputError, match=r"unknown preset 'uk-2011'.*did you mean"):
        Parliament.preset("uk-2011")
