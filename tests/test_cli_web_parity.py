"""``kingmaker X --format json`` and ``/api/X`` return the same dict from the same library function.

For each pair the web's answer, less its page-only ``"view"`` block, must equal the CLI's JSON;
both carry a ``"provenance"`` block, dropped before comparing (it names the options as each side
received them) but checked to name the same method.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from kingmaker.parliament import Parliament
from kingmaker.web.app import create_app
from tests.cli_runner import invoke
from tests.test_web_api import BLT
from tests.test_web_live import base_table, write_base_csv


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Parliament.preset("uk-2010")))


def cli_json(*args: str) -> dict[str, Any]:
    r = invoke(*args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def shared(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The library's part of an answer and its provenance block."""
    data = dict(data)
    data.pop("view", None)
    return data, data.pop("provenance")


def assert_same(cli: dict[str, Any], web: dict[str, Any]) -> None:
    cli_part, cli_prov = shared(cli)
    web_part, web_prov = shared(web)
    assert cli_part == web_part
    assert cli_prov["method"] == web_prov["method"] and cli_prov["kingmaker"] == web_prov["kingmaker"]
    assert all(len(i["sha256"]) == 64 for i in (*cli_prov["inputs"], *web_prov["inputs"]))


def test_coalitions(client: TestClient) -> None:
    cli = cli_json("coalitions", "--preset", "uk-2010", "--minimal", "--top", "10")
    web = client.post("/api/coalitions", json={"top": 10, "minimal_only": True}).json()
    assert len(cli["coalitions"]) == 10
    assert_same(cli, web)
    cli = cli_json("coalitions", "--preset", "uk-2010", "--top", "30", "--order", "range")
    web = client.post("/api/coalitions", json={"top": 30, "minimal_only": False, "order": "range"}).json()
    assert len(cli["coalitions"]) == 30
    assert_same(cli, web)


def test_coalition_completion(client: TestClient) -> None:
    cli = cli_json("coalitions", "--preset", "uk-2010", "--with", "Lab,LD", "--top", "5")
    web = client.post("/api/coalition", json={"parties": ["Lab", "LD"]}).json()
    assert web["view"]["text"] == "Lab+LD: 315 seats — short by 11" and cli["completions"]
    assert_same(cli, web)


def test_power(client: TestClient) -> None:
    cli = cli_json("power", "--preset", "uk-2010", "--no-coalition-indices")
    web = client.post("/api/power", json={}).json()
    assert [r["party"] for r in web["view"]["rows"]] == cli["players"]
    assert_same(cli, web)


def test_power_working_threshold(client: TestClient) -> None:
    cli = cli_json("power", "--preset", "uk-2010", "--threshold", "working", "--no-coalition-indices")
    web = client.post("/api/power", json={"threshold": "working"}).json()
    assert cli["quota"] == 321
    assert_same(cli, web)


def test_project(tmp_path: Path) -> None:
    base = write_base_csv(tmp_path / "base.csv")
    parliament = Parliament.from_seats({"Con": 5, "Lab": 6, "LD": 1})
    web = TestClient(create_app(parliament, base=base_table()))
    shares = {"Con": 20.0, "Lab": 50.0, "LD": 30.0}
    cli = cli_json("project", "--base", str(base), "--shares", "Con=20,Lab=50,LD=30", "--model", "uniform")
    answer = web.post("/api/project", json={"shares": shares, "model": "uniform"}).json()
    assert sum(answer["view"]["seats"].values()) == 12
    assert_same(cli, answer)


def test_count(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "ballots.blt"
    path.write_bytes(BLT)
    cli = json.loads(invoke("count", str(path), "--method", "irv", "--seats", "1", "--format", "json").stdout)
    web = client.post("/api/count?method=irv&seats=1&format=blt", content=BLT).json()
    assert web["winners"] == cli["winners"] and len(web["rounds"]) >= 2
    web.pop("provenance")
    cli.pop("provenance", None)  # cli/count.py joins print_json (and its provenance) separately
    assert cli == web
