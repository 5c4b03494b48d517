"""UK results readers and data sets: official seat totals reproduced by first past the post.

Sources: House of Commons Library (CBP-8647, CBP-7186, CBP-7979, CBP-8749) and the Electoral
Commission 2010 flat file, copied in shared/data/uk; expected totals from
shared/data/uk/seat_tallies.csv and shared/data/facts/ge20xx_national.csv.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import numpy as np
import pytest

from kingmaker.datasets import DATASETS, fetch, load_dataset, sha256
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io.ec_2010 import read_ec_2010
from kingmaker.io.hoc import natsw_party, read_hoc_1918, read_hoc_candidates, read_results
from kingmaker.party_names import canonical_party
from kingmaker.seats import allocate
from kingmaker.seats.plurality import fptp
from kingmaker.votes import UK_REGIONS
from tests.conftest import shared_path


def tallies(file: str, election: str) -> dict[str, int]:
    out: dict[str, int] = {}
    with shared_path("uk", "seat_tallies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["file"] == file and row["election"] == election:
                # the tallies use the source's spelling; the readers use kingmaker's keys
                out[canonical_party(row["party_as_coded"])] = int(row["seats"])
    return out


def national(year: int) -> dict[str, int]:
    with shared_path("facts", f"ge{year}_national.csv").open(encoding="utf-8") as fh:
        return {
            canonical_party(r["party"]): int(r["seats"])
            for r in csv.DictReader(fh)
            if r["party"] not in ("OTH", "TOTAL")
        }


def test_ec_2010_flat_file_reproduces_official_totals():
    t = read_ec_2010(
        shared_path("uk", "GE2010-results-flatfile-website.csv"),
        shared_path("uk", "GE2010-party-abbreviations.csv"),
    )
    assert t.n_districts == 650
    seats = fptp(t).winners()
    assert seats == tallies("GE2010-results-flatfile-website.csv", "2010")
    assert seats["Con"] == 306 and seats["Lab"] == 258 and seats["LD"] == 57
    expected = national(2010)
    for party, n in expected.items():
        assert seats.get(party, 0) == n, party
    assert set(t.regions) == set(UK_REGIONS)  # England's nine regions, Scotland, Wales, NI
    assert Counter(t.nations) == {"England": 533, "Scotland": 59, "Wales": 40, "Northern Ireland": 18}
    assert t.party_names["Alliance"] == "Alliance Party"


@pytest.mark.parametrize(
    ("file", "year"),
    [
        ("hoc-ge2015-results-full.csv", 2015),
        ("HoC-GE2017-results-by-candidate.csv", 2017),
        ("HoC-GE2019-results-by-candidate.csv", 2019),
    ],
)
def test_candidate_files_reproduce_official_totals(file, year):
    t = read_hoc_candidates(shared_path("uk", file))
    seats = fptp(t).combined().winners()
    assert seats == tallies(file, str(year))
    if year in (2015, 2017):
        for party, n in national(year).items():
            assert seats.get(party, 0) == n, party
    assert sum(seats.values()) == 650
    assert all(r in UK_REGIONS for r in t.regions)


def test_candidate_file_keeps_repeated_independents_apart():
    t = read_hoc_candidates(shared_path("uk", "HoC-GE2024-results-by-candidate.csv"))
    seats = fptp(t).combined().winners()
    assert seats["Ind"] == 6 and seats["Lab"] == 411  # summing independents would give 8 / 409
    assert "Ind" in t.groups


@pytest.mark.parametrize("year", ["2010", "2015", "2017", "2019"])
def test_bucket_file_matches_its_tallies_and_keeps_grouping(year):
    t = read_hoc_1918(shared_path("uk", "1918-2019election_results.csv"), year)
    assert t.parties == ("con", "lib", "lab", "SNP", "PC", "oth")
    assert "oth" in t.groups and "natSW" not in t.groups  # natSW is split by nation
    assert set(t.independents) == {"oth"}
    result = fptp(t)
    expected = tallies("1918-2019election_results.csv", year)
    ds = result.district_seats
    by = defaultdict(int)
    for d in range(t.n_districts):
        party = t.parties[int(ds[d].argmax())]
        if t.nations[d] == "Northern Ireland":
            by[f"NI:{party}"] += 1
        elif party in ("SNP", "PC"):
            assert t.nations[d] == ("Scotland" if party == "SNP" else "Wales")
            by[f"natSW:{party}"] += 1
        else:
            by[party] += 1
    assert dict(by) == expected
    official = (
        national(int(year)) if year != "2019" else {"Con": 365, "Lab": 202, "LD": 11, "SNP": 48, "PC": 4}
    )
    # every party the file codes separately matches the official total, except Labour 2015:
    # Hartlepool, where the lumped 'oth' bucket (16,397) beats Labour's winning 14,076.
    assert by["con"] == official["Con"]
    assert by["lib"] == official["LD"]
    assert by["lab"] == official["Lab"] - (1 if year == "2015" else 0)
    assert by["natSW:SNP"] == official["SNP"] and by["natSW:PC"] == official["PC"]


def test_constituency_layouts():
    t = read_results(shared_path("uk", "HoC-GE2019-results-by-constituency.csv"))
    assert fptp(t).as_dict()["Con"] == 365 and "Other" in t.groups
    t = read_results(shared_path("uk", "HoC-GE2017-constituency-results.csv"))
    assert fptp(t).as_dict()["con"] == 317


def test_malformed_files_name_file_and_line(tmp_path):
    bad = tmp_path / "cands.csv"
    bad.write_text(
        "ons_id,ons_region_id,constituency_name,county_name,region_name,country_name,"
        "constituency_type,party_name,party_abbreviation,firstname,surname,gender,sitting_mp,"
        "former_mp,votes,share,change\n"
        "E1,E9,Here,,London,England,Borough,Labour,Lab,A,B,F,No,No,100,0.5,\n"
        "E1,E9,Here,,London,England,Borough,Green,Green,C,D,F,No,No,lots,0.5,\n"
    )
    with pytest.raises(InputError, match="is not a number") as info:
        read_hoc_candidates(bad)
    assert info.value.line == 3 and str(bad) in str(info.value)
    unknown = tmp_path / "x.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="unrecognised"):
        read_results(unknown)
    with pytest.raises(InputError, match="not found"):
        read_results(tmp_path / "missing.csv")


def test_fetch_from_local_mirror_checks_hashes(tmp_path):
    folder = shared_path("uk", "README.md").parent
    cache = tmp_path / "cache"
    paths = fetch("uk-2017-results", base_url=folder.as_uri(), cache=cache)
    assert paths[0].parent == cache
    assert sha256(paths[0]) == DATASETS["uk-2017-results"].files[0].sha256
    # a mirror holding a different edition is refused
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "HoC-GE2019-results-by-candidate.csv").write_text("not the registered file\n")
    with pytest.raises(InputError, match="SHA-256"):
        fetch("uk-2019-results", base_url=mirror.as_uri(), cache=tmp_path / "c2")
    with pytest.raises(UnknownNameError):
        fetch("uk-1066-results")
    with pytest.raises(InputError, match="no official download"):
        fetch("uk-2010-results", cache=tmp_path / "c3")


def test_load_dataset_from_data_dir(monkeypatch, tmp_path):
    folder = shared_path("uk", "README.md").parent
    monkeypatch.setenv("KINGMAKER_CACHE", str(tmp_path))
    t = load_dataset("uk-2010-results", data_dir=folder)
    assert t.election == "2010" and t.n_districts == 650
    monkeypatch.setenv("KINGMAKER_DATA_DIR", str(folder))
    t = load_dataset("uk-1918-2019-results", election=2015)
    assert t.n_districts == 650
    with pytest.raises(InputError, match="election"):
        load_dataset("uk-1918-2019-results")


def test_natsw_is_split_by_nation_and_oth_is_not_a_party():
    path = shared_path("uk", "1918-2019election_results.csv")
    t = read_hoc_1918(path, 2019)
    nations = np.array(t.nations, dtype=object)
    snp, pc = t.votes[:, t.party_index("SNP")], t.votes[:, t.party_index("PC")]
    assert snp[nations != "Scotland"].sum() == 0 and pc[nations != "Wales"].sum() == 0
    assert snp.sum() == 1_242_380 and pc.sum() == 153_265
    assert "lumps many parties and independents" in t.independents["oth"]
    # 1931: the University of Wales (no nation in the file) goes to Plaid Cymru by its name
    old = read_hoc_1918(path, 1931)
    row = old.districts.index(
        next(d for d in old.districts if "Wales" in d and old.nations[old.districts.index(d)] is None)
    )
    assert old.votes[row, old.party_index("PC")] > 0 and "natSW" not in old.parties
    assert natsw_party(None, "Combined Scottish Universities") == "SNP"
    assert natsw_party("England", "Somewhere") is None


def test_unknown_nation_keeps_a_natsw_column(tmp_path):
    src = tmp_path / "hoc.csv"
    src.write_text(
        "constituency_id,seats,constituency_name,country/region,electorate,con_votes,lib_votes,"
        "lab_votes,natSW_votes,oth_votes,total_votes,election\n"
        "X1,1,Somewhere,Scotland,100,10,0,5,20,1,36,1931\n"
        "X2,1,Mystery Seat,University,100,10,0,5,7,1,23,1931\n",
        encoding="utf-8",
    )
    t = read_hoc_1918(src, 1931)
    assert t.parties == ("con", "lib", "lab", "SNP", "PC", "natSW", "oth")
    assert t.totals().tolist() == [20, 0, 10, 20, 0, 7, 2] and "natSW" in t.groups


def test_constituency_file_other_is_set_aside():
    t = read_results(shared_path("uk", "HoC-GE2019-results-by-constituency.csv"))
    assert "lumps many parties and independents" in t.independents["Other"]
    r = allocate(t, "sainte-lague", level="region")
    assert r.seats_of("Other") == 0 and r.house_size == 650
    assert any(n.startswith("Other lumps many parties and independents: ") for n in r.notes)


def test_ucunf_is_one_list_and_takes_seats():
    t = read_results(shared_path("uk", "GE2010-results-flatfile-website.csv"))
    assert "UCUNF" in t.groups and "UCUNF" not in t.independents
    r = allocate(t, "sainte-lague", level="region")
    assert r.seats_of("UCUNF") > 0 and "UCUNF" not in r.set_aside
