"""One key per party across files; independents and the Speaker are not parties in list PR."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from kingmaker.errors import InputError
from kingmaker.io.ec_2010 import EC_2010_CODES, match_codes_by_votes, read_ec_2010
from kingmaker.io.hoc import read_hoc_1918
from kingmaker.party_names import (
    INDEPENDENT_NOTE,
    SPEAKER_NOTE,
    canonical_parties,
    canonical_party,
    non_party_columns,
)
from kingmaker.seats import allocate
from kingmaker.seats.allocation import set_aside_columns
from kingmaker.votes import VoteTable
from tests.conftest import shared_path


def test_alias_table():
    assert [canonical_party(p) for p in ("Grn", "Spk", "APNI", "UCUNF", "Con")] == [
        "Green",
        "Speaker",
        "Alliance",
        "UCUNF",  # the Conservative-UUP joint ticket stays one grouped column
        "Con",
    ]
    with pytest.raises(InputError, match="same party"):
        canonical_parties(["Grn", "Green"])
    assert non_party_columns(["Con", "Ind1", "Ind (2)", "Ind", "Speaker", "LIND"]) == {
        "Ind1": INDEPENDENT_NOTE,
        "Ind (2)": INDEPENDENT_NOTE,
        "Ind": INDEPENDENT_NOTE,
        "Speaker": SPEAKER_NOTE,
    }
    t = VoteTable(np.array([[1, 2]]), ("Green", "Speaker"), ("a",))
    assert t.party_index("Grn") == 0 and t.party_index("Spk") == 1  # old spellings still found


def _toy() -> VoteTable:
    # Ind1 is a different independent in each seat: 30+30+30 votes pooled would be a "party".
    votes = np.array([[100, 60, 30, 0], [90, 80, 30, 0], [40, 50, 30, 70], [70, 90, 30, 0]])
    parties = ("A", "B", "Ind1", "Speaker")
    return VoteTable(
        votes,
        parties,
        ("w", "x", "y", "z"),
        regions=("R1", "R1", "R2", "R2"),
        independents=non_party_columns(parties),
    )


@pytest.mark.parametrize("system", ["sainte-lague", "dhondt", "hare", "droop"])
def test_list_pr_sets_independents_and_speaker_aside(system):
    t = _toy()
    result = allocate(t, system, level="national", seats=10)
    assert result.seats_of("Ind1") == 0 and result.seats_of("Speaker") == 0
    assert result.house_size == 10
    assert dict(result.set_aside) == {"Ind1": 120, "Speaker": 70}
    assert int(result.votes.sum()) == int(t.votes.sum())  # set-aside votes still in the totals
    assert any("independents cannot pool: 120 votes set aside" in n for n in result.notes)
    assert any("the Speaker (Speaker, 70 votes)" in n for n in result.notes)
    # at district level each candidate stands where they stand: nothing is set aside
    assert set_aside_columns(t, "district")[1] == {}
    assert allocate(t, system, level="district").set_aside == {}


def test_mixed_systems_keep_constituencies_but_no_list_seats():
    t = _toy()
    ams = allocate(t, "ams", top_up=4)
    comp = {k: dict(zip(ams.parties, v.tolist(), strict=True)) for k, v in ams.components.items()}
    assert comp["constituency"]["Speaker"] == 1 and comp["list"]["Speaker"] == 0
    assert comp["list"]["Ind1"] == 0 and dict(ams.set_aside) == {"Ind1": 120, "Speaker": 70}
    mmp = allocate(t, "mmp", keep_constituencies=True)
    assert mmp.seats_of("Speaker") == 1 and mmp.seats_of("Ind1") == 0
    assert "Ind1" not in mmp.excluded and "Speaker" not in mmp.excluded  # not "below the threshold"


@pytest.fixture(scope="module")
def ec2010() -> VoteTable:
    return read_ec_2010(
        shared_path("uk", "GE2010-results-flatfile-website.csv"),
        shared_path("uk", "GE2010-party-abbreviations.csv"),
    )


def test_2010_independents_no_longer_win_list_seats(ec2010):
    """Ind1 holds 235 different candidates (175,604 votes); Sainte-Laguë used to give it 4 seats."""
    assert set(ec2010.independents) == {"Ind1", "Ind2", "Ind3", "Ind4", "Ind5", "Speaker"}
    assert int(ec2010.totals()[ec2010.party_index("Ind1")]) == 175_604
    assert int((ec2010.votes[:, ec2010.party_index("Ind1")] > 0).sum()) == 235
    for level in ("national", "region"):
        r = allocate(ec2010, "sainte-lague", level=level)
        assert r.house_size == 650
        assert all(r.seats_of(p) == 0 for p in ec2010.independents), level
        assert r.set_aside["Ind1"] == 175_604 and r.set_aside["Speaker"] == 22_860
    # FPTP is untouched: Sylvia Hermon (Ind1, North Down) and the Speaker keep their seats
    fptp = allocate(ec2010, "fptp")
    assert fptp.seats_of("Ind1") == 1 and fptp.seats_of("Speaker") == 1


def test_2010_table_carries_ons_codes_and_the_embedded_table_rederives(ec2010):
    assert ec2010.codes is not None and len(set(ec2010.codes)) == 650
    assert ec2010.codes[ec2010.districts.index("Aberavon")] == "W07000049"
    hoc = read_hoc_1918(shared_path("uk", "1918-2019election_results.csv"), 2010)
    derived = match_codes_by_votes(ec2010, hoc, (("Con", "con"), ("LD", "lib"), ("Lab", "lab")))
    assert derived == dict(zip(ec2010.districts, ec2010.codes, strict=True))
    assert set(derived.values()) == set(hoc.codes)
    with EC_2010_CODES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(rows) == 650


def test_unmatched_file_keeps_names(tmp_path):
    src = tmp_path / "GE2010-results-flatfile-website.csv"
    src.write_text(
        "Press Association Reference,Constituency Name,Region,Election Year,Electorate,Votes,Con,Lab\n"
        "1,Nowhere,Wales,2010,100,60,40,20\n",
        encoding="utf-8",
    )
    t = read_ec_2010(src)
    assert t.codes is None and "keyed by name" in t.notes[0]


# ----- the one resolver (kingmaker.names)
def test_resolver_order_exact_case_alias():
    from kingmaker.names import resolve, resolve_all

    known = ("Con", "Lab", "Green", "Speaker", "Alliance")
    assert resolve("Lab", known) == "Lab"
    assert resolve("lab", known) == "Lab" and resolve("  LAB ", known) == "Lab"
    assert [resolve(a, known) for a in ("Grn", "grn", "Spk", "APNI")] == [
        "Green",
        "Green",
        "Speaker",
        "Alliance",
    ]
    # and in reverse: a table that still uses the file's spelling is found by the canonical name
    assert resolve("Green", ("Con", "Grn")) == "Grn"
    assert resolve_all("Lab+grn+Lab", known, separators=",+") == ("Lab", "Green")


def test_resolver_refuses_unknown_and_ambiguous_names_with_the_callers_label():
    from kingmaker.errors import UnknownNameError
    from kingmaker.names import resolve, resolve_all

    with pytest.raises(
        UnknownNameError,
        match=r"^excluded: unknown party 'Gren' \(did you mean 'Green'\?\); known parties: Con, Green$",
    ):
        resolve("Gren", ("Con", "Green"), label="excluded")
    with pytest.raises(UnknownNameError, match="unknown candidate 'Zed'; known candidates: Ann"):
        resolve("Zed", ("Ann",), what="candidate")
    with pytest.raises(UnknownNameError, match="ambiguous party 'LAB'"):
        resolve("LAB", ("lab", "Lab"))
    assert resolve("Lab", ("lab", "Lab")) == "Lab"  # the exact spelling settles it
    with pytest.raises(InputError, match=r"^group: give at least one party name$"):
        resolve_all(" , ", ("Con",), label="group")


def test_resolver_folds_numbered_independents_only_when_asked():
    from kingmaker.errors import UnknownNameError
    from kingmaker.names import resolve

    assert resolve("Ind2", ("Con", "Ind"), fold_independents=True) == "Ind"
    with pytest.raises(UnknownNameError):
        resolve("Ind2", ("Con", "Ind"))


def test_every_alias_is_accepted_by_tables_and_parliaments():
    from kingmaker.parliament import Parliament
    from kingmaker.party_names import PARTY_ALIASES

    canon = tuple(dict.fromkeys(PARTY_ALIASES.values()))
    table = VoteTable(np.ones((1, len(canon)), dtype=np.int64), canon, ("a",))
    house = Parliament.from_seats({p: 1 for p in canon})
    for alias, name in PARTY_ALIASES.items():
        assert table.parties[table.party_index(alias)] == name
        assert house.parse_party_list([alias, alias.lower()]) == (name,)
