"""Fuzzing the table readers (issue 10 section 4): the House of Commons result files that ``seats``
and ``project`` read (every layout, through :func:`~kingmaker.io.hoc.read_results`), the long vote
CSV, parliament files (TOML and CSV, through :meth:`Parliament.read`), weights CSV, transfer
matrices and ParlGov's cabinet table. Each input is read or refused with a
:class:`~kingmaker.errors.KingmakerError` under a memory limit (tests/test_fuzz_harness.py), and
what is read holds numbers the rest of kingmaker can use (64-bit vote counts, finite shares)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.io.hoc import read_results
from kingmaker.io.limits import INT64_MAX
from kingmaker.io.long_csv import read_long_csv
from kingmaker.io.parlgov import read_parlgov
from kingmaker.io.transfers_csv import ILLUSTRATIVE_TRANSFERS, read_transfer_matrix
from kingmaker.io.weights_csv import read_weights_csv
from kingmaker.parliament import Parliament
from tests.test_fuzz_harness import DATA, PROFILE, harmless, mutated_bytes

HOC_SEEDS: dict[str, bytes] = {
    "hoc-1918": (
        b"constituency_id,seats,constituency_name,country/region,electorate,con_votes,con_share,"
        b"lib_votes,lib_share,lab_votes,lab_share,natSW_votes,natSW_share,oth_votes,oth_share,"
        b"total_votes,turnout,election,boundary_set\n"
        b"E1,1,Aldershot,South East,70000,20000,0.5,10000,0.25,8000,0.2,,,2000,0.05,40000,0.57,2010,x\n"
        b"S1,1,Aberdeen North,Scotland,60000,5000,,6000,,15000,,9000,,1000,,36000,,2010,x\n"
        b"W1,1,Aberavon,Wales,50000,4000,,3000,,16000,,2000,,500,,25500,,2010,x\n"
        b"U1,2,Scottish Universities,,40000,3000,,2000,,1000,,100,,,,6100,,2010,x\n"
        b"E2,1,Barking,Eastern,60000,-1,,-1,,-1,,,,-1,,0,,2010,x\n"
    ),
    "hoc-candidates": (
        b"ons_id,ons_region_id,constituency_name,county_name,region_name,country_name,"
        b"constituency_type,party_name,party_abbreviation,firstname,surname,gender,sitting_mp,"
        b"former_mp,votes,share,change\n"
        b"E14000530,E12000008,Aldershot,Hampshire,South East,England,County,Conservative,Con,L,D,M,Yes,No,26955,0.55,\n"
        b"E14000530,E12000008,Aldershot,Hampshire,South East,England,County,Labour,Lab,A,B,F,No,No,11750,0.2,\n"
        b"E14000530,E12000008,Aldershot,Hampshire,South East,England,County,Independent,Ind,C,D,M,No,No,500,0.01,\n"
        b"E14000530,E12000008,Aldershot,Hampshire,South East,England,County,Independent,Ind,E,F,M,No,No,400,0.01,\n"
        b"S14000001,S92000003,Aberdeen North,,Scotland,Scotland,Burgh,Scottish National Party,SNP,G,H,F,Yes,No,20205,0.5,\n"
    ),
    "hoc-candidates-title": (
        b"ONS ID,Constituency name,Region name,Country name,Party name,Party abbreviation,Votes\n"
        b"E14000530,Aldershot,South East,England,Conservative,Con,26955\n"
        b'E14000530,Aldershot,South East,England,Green Party,Green,"1,200"\n'
        b"N06000001,Belfast East,Northern Ireland,Northern Ireland,Alliance,APNI,15000\n"
    ),
    "hoc-constituencies": (
        b"ons_id,ons_region_id,constituency_name,county_name,region_name,country_name,"
        b"constituency_type,declaration_time,result,first_party,second_party,electorate,"
        b"valid_votes,invalid_votes,majority,con,lab,ld,ukip,green,snp,pc,dup,sf,sdlp,uup,alliance,other\n"
        b"E14000530,E12000008,Aldershot,Hampshire,South East,England,County,,Con hold,Con,Lab,"
        b"72430,48950,100,15000,26950,11950,6950,1200,1800,0,0,0,0,0,0,0,50\n"
        b"W07000049,W92000004,Aberavon,West Glamorgan,Wales,Wales,County,,Lab hold,Lab,Con,"
        b"50750,31600,90,10000,5900,15900,1000,0,0,0,2000,0,0,0,0,0,0\n"
    ),
    "hoc-constituencies-title": (
        b"ONS ID,Constituency name,Region name,Country name,Electorate,Con,Lab,LD,All other candidates\n"
        b"E14000530,Aldershot,South East,England,72430,26950,11950,6950,50\n"
        b"S14000001,Aberdeen North,Scotland,Scotland,60000,5000,15000,6000,9000\n"
    ),
    "ec-2010": (
        b"Press Association Reference,Constituency Name,Region,Election Year,Electorate,Votes,"
        b"AC,Con,Lab,LD,Ind1,Grn\n"
        b"1,Aberavon,Wales,2010,50838,30958,0,4411,16073,5034,0,5440\n"
        b"2,Aberconwy,Wales,2010,44593,29966,0,12712,8994,5786,0,2474\n"
    ),
    "long-csv": (
        b"district,party,votes,region,nation,electorate,seats\n"
        b"South West,Con,100000,South West,England,4000000,6\n"
        b"South West,Lab,80000,South West,England,4000000,6\n"
        b"Wales,PC,50000,Wales,Wales,2300000,4\n"
        b"Wales,Lab,90000,Wales,Wales,2300000,4\n"
    ),
}

PARLIAMENT_SEEDS = {
    "toml": [(Path(__file__).resolve().parents[1] / "kingmaker" / "presets" / "uk-2010.toml").read_bytes()],
    "csv": [
        b"party,seats,position,non_voting,flags,full_name,colour\n"
        b"Con,306,7.13,,,Conservative,#0087DC\nLab,258,4.0,,,Labour,\nLD,57,5,,,,\n"
        b"Spk,1,,,speaker,Speaker,\nSF,5,1.3,,abstains,Sinn Fein,\nDUP,8,7.4,1,,,\n"
    ],
}
WEIGHTS_SEEDS = [
    b"player,weight\nA,10\nB,20\n# comment\n\nC,5\n",
    b"name,player,weight\nx,Con,306\ny,Lab,258\n",
]
TRANSFER_SEEDS = [ILLUSTRATIVE_TRANSFERS.read_bytes()[:3000]]
PARLGOV_SEEDS = [(DATA / "parlgov" / "view_cabinet.csv").read_bytes()]


def _in_file(name: str, data: bytes, fn: Callable[[Path], Any]) -> Any:
    """``fn`` on ``data`` written to a file called ``name`` in a fresh folder (readers of paths)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return fn(path)


def _sane_table(table: Any) -> None:
    """A VoteTable that was read holds whole, non-negative 64-bit votes."""
    votes = np.asarray(table.votes)
    assert votes.dtype.kind in "iu" and (votes >= 0).all(), votes


@pytest.mark.parametrize("kind", sorted(HOC_SEEDS))
@settings(PROFILE)
@given(draw=st.data())
def test_fuzz_house_of_commons_results(kind: str, draw: st.DataObject) -> None:
    data = draw.draw(mutated_bytes([HOC_SEEDS[kind]]))
    table = harmless(kind, lambda: _in_file("results.csv", data, lambda p: read_results(p, election="2010")))
    if table is not None:
        _sane_table(table)


@settings(PROFILE)
@given(mutated_bytes([HOC_SEEDS["long-csv"]]))
def test_fuzz_long_vote_csv(data: bytes) -> None:
    table = harmless("long-csv", lambda: read_long_csv(data, name="fuzz.csv"))
    if table is not None:
        _sane_table(table)


@settings(PROFILE)
@given(
    st.sampled_from(["toml", "csv"]).flatmap(
        lambda k: st.tuples(st.just(k), mutated_bytes(PARLIAMENT_SEEDS[k]))
    )
)
def test_fuzz_parliament_files(case: tuple[str, bytes]) -> None:
    kind, data = case
    parl = harmless(f"parliament-{kind}", lambda: Parliament.read(data, name=f"fuzz.{kind}"))
    if parl is not None:
        assert 0 <= parl.house <= INT64_MAX
        parl.quota("absolute")
        parl.weights("working")


@settings(PROFILE)
@given(mutated_bytes(WEIGHTS_SEEDS))
def test_fuzz_weights_csv(data: bytes) -> None:
    weights = harmless("weights-csv", lambda: read_weights_csv(data, name="fuzz.csv"))
    if weights is not None:
        assert all(isinstance(w, int) and 0 <= w <= INT64_MAX for w in weights.values())
        assert sum(weights.values()) <= INT64_MAX


@settings(PROFILE)
@given(mutated_bytes(TRANSFER_SEEDS))
def test_fuzz_transfer_matrix_csv(data: bytes) -> None:
    matrix = harmless("transfers-csv", lambda: _in_file("t.csv", data, read_transfer_matrix))
    if matrix is not None:
        assert np.isfinite(matrix.matrix).all()


@settings(PROFILE)
@given(mutated_bytes(PARLGOV_SEEDS))
def test_fuzz_parlgov(data: bytes) -> None:
    def read_and_walk() -> object:
        pg = read_parlgov(data)
        for cab in pg.formations("1900-01-01"):
            pg.previous(cab)
            pg.next_cabinet(cab)
        return pg

    harmless("parlgov", read_and_walk)
