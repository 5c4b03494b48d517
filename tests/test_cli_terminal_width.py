"""Every table-printing command fits an 80-column terminal (``COLUMNS=80``), and ``--wide`` brings
back the columns a narrow terminal drops, through the real entry point with embedded or small
generated data (no ../shared/data needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_runner import invoke

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
ODDS = "D Miliband 4/6, E Miliband 5/2, Balls 16/1, Burnham 33/1, Abbott 50/1"
LABOUR = str(DATA / "leadership" / "labour2010.toml")
SEATS = ("Caithness, Sutherland and Easter Ross", "Ynys Môn", "Hendon", "Poole", "Bootle", "Perth")
VOTES = ((18000, 17990, 9000, 0, 900), (9000, 12000, 2000, 11900, 800), (19000, 15000, 3000, 0, 4000))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """A small long-format results file (district,party,votes,region) and a model JSON."""
    folder = tmp_path_factory.mktemp("width")
    lines = ["district,party,votes,region"]
    for d, seat in enumerate(SEATS):
        for party, v in zip(("Con", "Lab", "LD", "SNP", "Green"), VOTES[d % 3], strict=True):
            if v:
                lines.append(f'"{seat}",{party},{v + 37 * d},{("Scotland", "Wales", "London")[d % 3]}')
    results = folder / "results.csv"
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = folder / "model.json"
    model.write_text(json.dumps({"probabilities": {"David Miliband": 0.3, "Ed Miliband": 0.7}}))
    return {"results": str(results), "model": str(model)}


#: Every command that prints a table, with arguments that need no downloaded data.
COMMANDS = {
    "coalitions": ["coalitions"],
    "coalitions-with": ["coalitions", "--with", "Lab,LD"],
    "coalitions-2017": ["coalitions", "--preset", "uk-2017", "--minimal"],
    "power": ["power"],
    "count-stv": ["count", str(DATA / "scottish_ward.blt"), "--method", "stv-scottish"],
    "count-av": ["count", str(DATA / "small.blt"), "--seats", "1"],
    "odds": ["odds", ODDS],
    "odds-model": ["odds", ODDS, "--model", "{model}"],
    "spoilers": ["spoilers", str(DATA / "small.blt")],
    "leadership-simulate": ["leadership", "simulate", LABOUR, "--sims", "300", "--seed", "1"],
    "leadership-count": ["leadership", "count", LABOUR],
    "leadership-rules": ["leadership", "rules"],
    "leadership-labour-2010": ["leadership", "labour-2010"],
    "formation": ["formation"],
    "data-list": ["data", "list"],
    "seats": ["seats", "--data", "{results}", "--system", "sainte-lague"],
    "seats-compare": ["seats", "compare", "--data", "{results}"],
    "seats-marginal": ["seats", "marginal", "--data", "{results}"],
    "seats-apportion": ["seats", "apportion", "--data", "{results}", "--seats", "21", "--by", "seats"],
    "project": ["project", "--base", "{results}", "--shares", "Con=30,Lab=40,LD=15,SNP=10,Green=5"],
    "forecast": [
        "forecast",
        "--base",
        "{results}",
        "--shares",
        "Con=30,Lab=40,LD=15,SNP=10,Green=5",
        "--sims",
        "200",
        "--seed",
        "1",
        "--coalition",
        "Lab+LD",
    ],
}
#: The commands that drop columns to fit (and take --wide).
DROPPING = ("coalitions", "coalitions-with", "coalitions-2017", "odds", "odds-model", "seats-marginal")


def run(name: str, files: dict[str, str], *extra: str):
    args = [a.format(**files) for a in COMMANDS[name]]
    r = invoke(*args, *extra)
    assert r.exit_code == 0, (name, r.stderr)
    return r


@pytest.mark.parametrize("name", list(COMMANDS))
def test_fits_80_columns(name, files, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = run(name, files)
    assert r.stdout.strip()
    wide = [line for line in r.stdout.splitlines() if len(line) > 80]
    assert wide == [], f"{name}: {len(wide)} lines over 80 columns"
    assert "…" not in r.stdout  # nothing truncated: wrapped, split into blocks or dropped instead


@pytest.mark.parametrize("name", DROPPING)
def test_wide_restores_the_dropped_columns(name, files, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run(name, files).stdout
    found = re.search(r"Left out to fit 80 columns: (.+?) \(--wide shows all\)", " ".join(narrow.split()))
    assert found, narrow
    dropped = found.group(1).split(", ")
    headers = [line for line in narrow.splitlines() if line.startswith("┃")]
    wide = run(name, files, "--wide").stdout
    wide_headers = " ".join(line for line in wide.splitlines() if line.startswith("┃"))
    for column in dropped:
        assert column not in " ".join(headers)
        assert column in wide_headers, (name, column)
    assert "Left out" not in wide
    assert max(len(line) for line in wide.splitlines()) > 80


def test_pipes_get_the_old_width_and_columns_follow_the_terminal(files, monkeypatch):
    """Without $COLUMNS or a terminal the width is 160 (tables are not squeezed in pipes), and a
    wider terminal drops fewer columns."""

    def no_terminal(*args):
        raise OSError("not a terminal")

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("os.get_terminal_size", no_terminal)
    piped = run("coalitions", files).stdout
    assert "Left out" not in piped and max(len(line) for line in piped.splitlines()) > 100
    monkeypatch.setenv("COLUMNS", "100")
    at_100 = run("coalitions", files).stdout
    assert all(len(line) <= 100 for line in at_100.splitlines())
    monkeypatch.setenv("COLUMNS", "80")
    at_80 = run("coalitions", files).stdout
    kept = lambda text: len(re.findall("┃", next(x for x in text.splitlines() if x.startswith("┃"))))  # noqa: E731
    assert kept(at_100) > kept(at_80)
