"""The ``kingmaker coalitions`` and ``kingmaker plot hemicycle`` commands through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.cli_runner import invoke


def rows_of(stdout: str) -> list[dict]:
    """The coalition rows of ``coalitions --format json`` (a CoalitionTable with provenance)."""
    return json.loads(stdout)["coalitions"]


def without_provenance(stdout: str) -> dict:
    """A JSON output less its provenance block (which names the options as typed)."""
    data = json.loads(stdout)
    data.pop("provenance")
    return data


def test_default_is_2010_commons_table():
    r = invoke("coalitions")
    assert r.exit_code == 0, r.stderr
    assert "House of Commons, general election of 6 May 2010" in r.stdout
    assert "326" in r.stdout and "321" in r.stdout
    assert "Showing 20 of 467 winning coalitions" in r.stdout
    # likeliest first (the formation model): the coalition that formed in 2010 heads the table
    rows = [line.split("│")[1].strip() for line in r.stdout.splitlines() if line.startswith("│")]
    assert rows[0] == "Con+LD" and "likeliest first" in r.stdout
    tight = invoke("coalitions", "--sort", "seats")
    assert "Lab+LD+SNP+PC+SDLP" in tight.stdout and "Con+LD " not in tight.stdout


def test_json_output_fields():
    r = invoke("coalitions", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = rows_of(r.stdout)
    assert len(rows) == 467
    con_ld = next(x for x in rows if set(x["parties"]) == {"Con", "LD"})
    assert con_ld["seats"] == 363 and con_ld["majority"] == 76
    assert con_ld["minimal_winning"] is True and con_ld["pivotal"] == ["Con", "LD"]
    assert {"parties", "seats", "majority", "minimal_winning", "connected", "pivotal"} <= set(con_ld)


def test_working_threshold_json():
    rows = rows_of(invoke("coalitions", "--threshold", "working", "--format", "json").stdout)
    con_ld = next(x for x in rows if set(x["parties"]) == {"Con", "LD"})
    assert con_ld["seats"] == 362 and con_ld["majority"] == 83


def test_with_group_table_and_json():
    r = invoke("coalitions", "--with", "Lab,LD")
    assert r.exit_code == 0
    assert "Lab+LD = 315 seats: short by 11 of the 326 needed." in r.stdout
    d = json.loads(invoke("coalitions", "--with", "Lab,LD", "--format", "json").stdout)
    assert d["shortfall"] == 11 and d["seats"] == 315
    rb = json.loads(
        invoke("coalitions", "--with", "Lab,LD,SNP,PC,SDLP,Green,Alliance", "--format", "json").stdout
    )
    assert rb["seats"] == 329 and rb["wins"] and rb["pivotal"] == ["Lab", "LD", "SNP"]


def test_csv_output():
    r = invoke("coalitions", "--minimal", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and all(row["minimal_winning"] == "True" for row in rows)


def test_seats_option_and_file(tmp_path):
    r = invoke("coalitions", "--seats", "A=40,B=35,C=25", "--format", "json")
    assert {frozenset(x["parties"]) for x in rows_of(r.stdout)} >= {frozenset({"A", "B"})}
    f = tmp_path / "p.csv"
    f.write_text("party,seats,position\nA,40,1\nB,35,5\nC,25,9\n")
    r2 = invoke("coalitions", "--file", str(f), "--format", "json")
    ab = next(x for x in rows_of(r2.stdout) if set(x["parties"]) == {"A", "C"})
    assert ab["connected"] is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seats", "Con=-3,Lab=5"], "negative"),
        (["--seats", "Con=3.5,Lab=5"], "whole number"),
        (["--seats", "Con=3,Con=5"], "duplicate party name"),
        (["--with", "Lab,Whig"], "unknown party 'Whig'"),
        (["--preset", "uk-1066"], "unknown preset"),
        (["--threshold", "700"], "above the 650 seats"),
        (["--threshold", "most"], "--threshold must be"),
        (["--preset", "uk-2010", "--seats", "A=1"], "only one of"),
        (["--incompatible", "Con-Lab"], "A:B pairs"),
        (["--order", "colour"], "unknown order"),
        (["--file", "/nonexistent/p.csv"], "file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    r = invoke("coalitions", *args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1


def test_empty_and_malformed_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("party,seats\n")
    assert invoke("coalitions", "--file", str(empty)).exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("party,seats\nA,3,extra\n")
    r = invoke("coalitions", "--file", str(bad))
    assert r.exit_code == 2 and "bad.csv:2" in r.stderr


def test_console_script_entry_point():
    """The installed console script itself (not just the in-process runner)."""
    out = subprocess.run(
        [sys.executable, "-m", "kingmaker", "coalitions", "--with", "Lab,LD", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["shortfall"] == 11
    bad = subprocess.run(
        [sys.executable, "-m", "kingmaker", "coalitions", "--with", "Nobody"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "unknown party" in bad.stderr


def test_plot_hemicycle(tmp_path):
    out = tmp_path / "parliament.png"
    r = invoke("plot", "hemicycle", "--preset", "uk-2010", "--coalition", "Con,LD", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert invoke("plot", "hemicycle", "--coalition", "Con,Whig", "-o", str(out)).exit_code == 2
    assert invoke("plot", "hemicycle", "-o", str(tmp_path / "p.gif")).exit_code == 2


def test_threshold_at_or_below_half_warns_but_runs():
    r = invoke("coalitions", "--seats", "A=40,B=35,C=25", "--threshold", "50", "--format", "json")
    assert r.exit_code == 0
    assert r.stderr.count("warning: the threshold 50 is at most half of 100") == 1
    winners = {frozenset(x["parties"]) for x in rows_of(r.stdout)}
    assert frozenset({"B", "C"}) in winners and frozenset({"A"}) not in winners


def test_plot_hemicycle_from_a_seats_result(tmp_path):
    result = tmp_path / "pr.json"
    result.write_text(
        json.dumps(
            {
                "title": "2010 under Sainte-Lague",
                "parties": [
                    {"party": "Con", "seats": 237},
                    {"party": "Lab", "seats": 191},
                    {"party": "LD", "seats": 152},
                    {"party": "UKIP", "seats": 20},
                    {"party": "Speaker", "seats": 0},
                    {"party": "BNP", "seats": 50},
                ],
            }
        )
    )
    out = tmp_path / "pr.png"
    r = invoke("plot", "hemicycle", "--result", str(result), "--coalition", "Lab,LD", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    bad = tmp_path / "bad.json"
    bad.write_text('{"parties": [{"party": "Con", "seats": -3}]}')
    r = invoke("plot", "hemicycle", "--result", str(bad), "-o", str(out))
    assert r.exit_code == 2 and "must be a whole number" in r.stderr


def test_with_seats_keeps_positions_and_speaker():
    from kingmaker.parliament import Parliament

    base = Parliament.preset("uk-2010")
    hypo = base.with_seats({"Con": 300, "Lab": 250, "LD": 95, "SF": 4, "Speaker": 1})
    assert hypo.house == 650 and hypo.party("LD").position == 5.0
    assert hypo.voting_members == 645  # Speaker and SF do not vote; deputies unknown, dropped


# ----- party names: every command that takes a party accepts the same spellings (kingmaker.names)
def test_with_accepts_aliases_and_any_case():
    """uk-2010 calls the party "Green": the 2010 file's "Grn" and lower case find it."""
    d = json.loads(invoke("coalitions", "--with", "Lab,Grn", "--format", "json").stdout)
    assert d["group"] == ["Lab", "Green"] and d["seats"] == 259
    d2 = json.loads(invoke("coalitions", "--with", "lab,green", "--format", "json").stdout)
    assert d2["group"] == d["group"] and d2["seats"] == d["seats"]


def test_exclude_accepts_an_alias():
    by_alias = rows_of(invoke("coalitions", "--exclude", "Grn,apni", "--format", "json").stdout)
    by_name = rows_of(invoke("coalitions", "--exclude", "Green,Alliance", "--format", "json").stdout)
    everyone = rows_of(invoke("coalitions", "--format", "json").stdout)
    assert by_alias == by_name and len(by_alias) < len(everyone)
    assert not any({"Green", "Alliance"} & set(c["parties"]) for c in by_alias)


def test_incompatible_accepts_an_alias():
    by_alias = rows_of(invoke("coalitions", "--incompatible", "Lab:Grn", "--format", "json").stdout)
    by_name = rows_of(invoke("coalitions", "--incompatible", "Lab:Green", "--format", "json").stdout)
    assert by_alias == by_name
    assert not any({"Lab", "Green"} <= set(c["parties"]) for c in by_alias)
    assert len(by_alias) < len(rows_of(invoke("coalitions", "--format", "json").stdout))


def test_unknown_party_names_the_nearest_and_the_flag():
    r = invoke("coalitions", "--with", "Lab,Gren")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --with: unknown party 'Gren' (did you mean 'Green'?)")


def test_power_exclude_accepts_an_alias():
    by_alias = invoke("power", "--exclude", "Grn", "--format", "json")
    assert by_alias.exit_code == 0, by_alias.stderr
    assert without_provenance(by_alias.stdout) == without_provenance(
        invoke("power", "--exclude", "Green", "--format", "json").stdout
    )
