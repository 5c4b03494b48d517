"""The web API through FastAPI's TestClient: every endpoint, every refusal, the security headers."""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kingmaker.errors import InputError
from kingmaker.parliament import Parliament
from kingmaker.web.app import CONTENT_SECURITY_POLICY, create_app
from kingmaker.web.live import LiveService
from kingmaker.web.models import MAX_BODY_BYTES, MAX_COALITIONS_LISTED
from kingmaker.web.store import ResultStore
from tests.test_web_live import TOKEN, base_table, result_of

BLT = b'3 1\n4 1 2 3 0\n3 2 3 0\n2 3 1 0\n0\n"Ann"\n"Bob"\n"Cat"\n"test"\n'


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Parliament.preset("uk-2010")))


@pytest.fixture
def live(tmp_path: Path) -> tuple[TestClient, LiveService]:
    service = LiveService(base_table(), ResultStore(tmp_path / "r.duckdb"), token=TOKEN, simulations=50)
    yield TestClient(create_app(service.parliament, live=service)), service
    service.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


# ----------------------------------------------------------------------------- page and headers
def test_page_and_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    html = r.text
    # every script is a same-origin file under /static (no inline script), app.js among them
    scripts = re.findall(r'<script src="/static/([a-z]+\.js)" defer></script>', html)
    assert "app.js" in scripts and "live.js" in scripts and html.count("<script") == len(scripts)
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "")
    for name in scripts:
        js = client.get(f"/static/{name}")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"], name
        assert js.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/style.css").status_code == 200


def test_no_cors_and_host_guard(client: TestClient) -> None:
    r = client.get("/api/config", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options(
        "/api/coalition", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in pre.headers
    bad = client.get("/", headers={"Host": "evil.example"})
    assert bad.status_code == 400 and bad.headers["x-content-type-options"] == "nosniff"


def test_body_size_cap(client: TestClient) -> None:
    r = client.post(
        "/api/coalition", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "limit" in r.json()["error"]
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


# ----------------------------------------------------------------------------- parliament and coalitions
def test_config_and_parliament(client: TestClient) -> None:
    cfg = client.get("/api/config").json()
    assert cfg["mode"] == "serve" and cfg["limits"]["max_body_bytes"] == MAX_BODY_BYTES
    p = client.get("/api/parliament").json()
    assert p["house"] == 650 and len(p["layout"]["seats"]) == 650
    assert [(line["kind"], line["seats"]) for line in p["layout"]["lines"]] == [
        ("majority", 326),
        ("working", 321),
    ]
    assert {q["name"]: q["colour"] for q in p["parties"]}["Con"] == "#0087DC"
    assert sum(1 for s in p["layout"]["seats"] if s[2] == "LD") == 57


def test_coalition_majority_and_shortfall(client: TestClient) -> None:
    r = client.post("/api/coalition", json={"parties": ["Con", "LD"]}).json()
    assert (r["seats"], r["majority"], r["wins"]) == (363, 76, True)
    assert r["view"]["text"] == "Con+LD: 363 seats — majority of 76" and set(r["pivotal"]) == {"Con", "LD"}
    r = client.post("/api/coalition", json={"parties": ["Lab", "LD"]}).json()
    assert (r["seats"], r["shortfall"], r["wins"]) == (315, 11, False)
    assert r["view"]["text"] == "Lab+LD: 315 seats — short by 11" and r["completions"]
    w = client.post("/api/coalition", json={"parties": ["Con", "LD"], "threshold": "working"}).json()
    assert w["quota"] == 321 and w["seats"] == 362
    o = client.post(
        "/api/coalition", json={"parties": ["Lab", "LD"], "seats": {"Lab": 270, "Con": 294}}
    ).json()
    assert o["seats"] == 327 and o["wins"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"parties": ["Con", "Nope"]}, 422, "unknown party 'Nope'"),
        ({"parties": []}, 400, "at least one party"),
        ({"parties": ["Con"], "extra": 1}, 422, "extra"),
        ({"parties": ["Con"], "threshold": "half"}, 422, "threshold"),
        ({"parties": [f"P{i}" for i in range(65)]}, 422, "parties"),
        ({"parties": ["Con"], "seats": {"Con": -1}}, 422, "greater than or equal to 0"),
        ({"parties": ["Con"], "seats": {"Con": 9_000, "Lab": 9_000}}, 422, "at most"),
        ({"parties": ["Con"], "live": True}, 400, "live"),
    ],
)
def test_coalition_refusals(client: TestClient, body: dict, status: int, words: str) -> None:
    r = client.post("/api/coalition", json=body)
    assert r.status_code == status, r.text
    assert words in r.json()["error"]


def test_governments_table(client: TestClient) -> None:
    t = client.post("/api/coalitions", json={"order": "parties", "top": 5}).json()
    assert t["quota"] == 326 and len(t["coalitions"]) == 5
    first = t["coalitions"][0]
    assert first["parties"] == ["Con", "LD"] and first["minimal_winning"]
    assert {"minimum_winning", "minimal_connected_winning", "minimal_range", "fewest_parties"} <= set(first)
    assert client.post("/api/coalitions", json={"top": MAX_COALITIONS_LISTED + 1}).status_code == 422
    assert client.post("/api/coalitions", json={"order": "luck"}).status_code == 422


def test_power(client: TestClient) -> None:
    r = client.post("/api/power", json={})
    assert r.status_code == 200, r.text
    rows = {row["party"]: row for row in r.json()["view"]["rows"]}
    assert abs(sum(row["shapley_shubik"] for row in rows.values()) - 1) < 1e-9
    assert rows["Lab"]["shapley_shubik"] == pytest.approx(rows["LD"]["shapley_shubik"])


# ----------------------------------------------------------------------------- projection and counts
def test_projection_needs_a_base(client: TestClient) -> None:
    assert client.post("/api/project", json={"shares": {"Con": 40}}).status_code == 503
    assert client.get("/api/project/base").status_code == 503
    assert client.post("/api/project", json={"shares": {"Con": -1}}).status_code == 422


def test_projection_with_base() -> None:
    parliament = Parliament.from_seats({"Con": 7, "Lab": 4, "LD": 1})
    c = TestClient(create_app(parliament, base=base_table()))
    shares = c.get("/api/project/base").json()["shares"]
    assert set(shares) == {"Con", "Lab", "LD"}
    r = c.post("/api/project", json={"shares": {"Con": 20, "Lab": 50, "LD": 30}, "model": "uniform"})
    assert r.status_code == 200, r.text
    seats = r.json()["view"]["seats"]
    assert sum(seats.values()) == 12 and seats["Lab"] > 4
    assert c.post("/api/project", json={"shares": {"Zzz": 50}}).status_code == 422


def test_count_upload(client: TestClient) -> None:
    r = client.post("/api/count?method=irv&seats=1&format=blt", content=BLT)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["winners"] and len(result["rounds"]) >= 2
    assert "transfers" in result["rounds"][1]


@pytest.mark.parametrize(
    ("query", "body", "status"),
    [
        ("format=blt", b"", 400),
        ("format=exe", BLT, 400),
        ("format=blt", b"this is not a ballot file", 400),
        ("format=blt&method=dice", BLT, 422),
        ("format=blt&seats=0", BLT, 422),
        ("format=blt&seats=3", BLT, 400),
    ],
)
def test_count_refusals(client: TestClient, query: str, body: bytes, status: int) -> None:
    r = client.post(f"/api/count?{query}", content=body)
    assert r.status_code == status, r.text
    assert "/tmp" not in r.json()["error"]


# ----------------------------------------------------------------------------- live write API
def test_live_token(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    body = {"results": [result_of(0)]}
    assert c.post("/api/live/results", json=body).status_code == 401
    assert c.post("/api/live/results", json=body).headers["www-authenticate"] == "Bearer"
    assert (
        c.post("/api/live/results", json=body, headers={"Authorization": "Basic " + TOKEN}).status_code == 401
    )
    assert (
        c.post("/api/live/results", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403
    )
    assert (
        c.post("/api/live/results.csv", content=b"x", headers={"Authorization": "Bearer wrong"}).status_code
        == 403
    )
    assert service.store.count() == 0
    r = c.post("/api/live/results", json=body, headers=AUTH)
    assert r.status_code == 200 and r.json()["stored"] == ["Seat 1"]


def test_live_validation_leaves_results_unchanged(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    assert c.post("/api/live/results", json={"results": [result_of(0)]}, headers=AUTH).status_code == 200
    before = service.store.all()
    refusals = [
        ({"results": [{"constituency": "Atlantis", "votes": {"Con": 5}}]}, 422, "unknown constituency"),
        ({"results": [{"constituency": "Seat 2", "votes": {"Con": -5, "Lab": 9}}]}, 422, "greater than"),
        ({"results": [{"constituency": "Seat 2", "votes": {"UKIP": 5}}]}, 422, "unknown party"),
        ({"results": [{"constituency": "Seat 2", "votes": {"Con": 0}}]}, 422, "at least one vote"),
        ({"results": [{"constituency": "Seat 2", "votes": {"Con": 1.5}}]}, 422, "integer"),
        ({"results": [{"constituency": "/etc/passwd", "votes": {"Con": 1}}]}, 422, "unknown constituency"),
        ({"results": [result_of(1), {"constituency": "Atlantis", "votes": {"Con": 5}}]}, 422, "Atlantis"),
        ({"results": [{**result_of(0), "votes": {"Con": 1, "Lab": 2}}]}, 409, "first result is kept"),
        ({"results": [result_of(2), {**result_of(2), "votes": {"Con": 1}}]}, 409, "twice"),
        ({"results": []}, 422, "results"),
        ({"results": [result_of(i % 12) for i in range(701)]}, 422, "results"),
        ({"path": "/tmp/results.csv"}, 422, "path"),
    ]
    for body, status, words in refusals:
        r = c.post("/api/live/results", json=body, headers=AUTH)
        assert r.status_code == status, (body, r.text)
        assert words in r.json()["error"], r.text
        assert service.store.all() == before
    again = c.post("/api/live/results", json={"results": [result_of(0)]}, headers=AUTH).json()
    assert again["unchanged"] == ["Seat 1"] and again["stored"] == []


def test_live_csv_state_and_events(live: tuple[TestClient, LiveService]) -> None:
    c, _ = live
    csv_body = "constituency,party,votes\nSeat 3,Con,450\nSeat 3,Lab,660\nSeat 3,LD,210\n"
    r = c.post("/api/live/results.csv", content=csv_body.encode(), headers=AUTH)
    assert r.status_code == 200 and r.json()["stored"] == ["Seat 3"]
    for bad in (
        b"a,b\n1,2\n",
        b"constituency,party,votes\nSeat 4,Con,many\n",
        b"\xff\xfe",
        b"constituency,party,votes\n",
    ):
        assert c.post("/api/live/results.csv", content=bad, headers=AUTH).status_code == 400
    state = c.get("/api/live/state").json()
    assert state["declared"] == 1 and state["total"] == 12
    assert sum(row["total"] for row in state["seats"]) == 12
    assert {row["party"]: row["declared"] for row in state["seats"]}["Lab"] == 1
    assert all(0 <= row["probability"] <= 1 for row in state["coalitions"] if row["probability"] is not None)
    live_coalition = c.post("/api/coalition", json={"parties": ["Lab"], "live": True}).json()
    assert live_coalition["seats"] == state["totals"]["Lab"]
    assert c.get("/api/parliament").json()["house"] == 12
    with c.stream("GET", "/api/live/events?once=true") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        text = events.read().decode()
    assert text.startswith("event: state\n") and '"declared": 1' in text


# ----------------------------------------------------------------------------- one seat-override rule
def test_with_seats_rules_for_both_callers() -> None:
    """Parliament.with_seats: the projection/plot rule (whole House, deputies dropped) and the web's
    (partial overrides, deputies kept up to the party's seats); Speaker and abstainers always kept."""
    uk = Parliament.preset("uk-2010")
    whole = uk.with_seats({"Con": 300, "Lab": 250, "LD": 94, "SF": 5, "Speaker": 1})
    assert whole.house == 650 and whole.voting_members == 644  # Speaker + 5 SF
    assert whole.name == "uk-2010 (hypothetical)" and whole.title == uk.title
    grown = uk.with_seats({"Con": 300, "Lab": 250, "LD": 92, "SF": 7, "Speaker": 1})
    assert grown.voting_members == 642  # an abstentionist party abstains with every seat
    web = uk.with_seats({"Lab": 1, "Con": 294}, keep_others=True, keep_deputies=True)
    assert web.party("LD").seats == 57 and web.party("Con").position == uk.party("Con").position
    deputies = {nv.party: nv.seats for nv in web.non_voting if nv.kind == "deputy"}
    assert deputies == {"Con": 1, "Lab": 1}  # Lab's two deputies capped at its one seat
    with pytest.raises(InputError, match="empty parliament"):
        uk.with_seats({p: 0 for p in uk.names})


def test_web_seat_override_keeps_deputies(client: TestClient) -> None:
    body = {"parties": ["Con", "LD"], "threshold": "working", "seats": {"Lab": 270, "Con": 294}}
    r = client.post("/api/coalition", json=body).json()
    assert r["quota"] == 321 and r["seats"] == 294 + 57 - 1  # Con's deputy still does not vote


def test_config_lists_the_registries(client: TestClient) -> None:
    from kingmaker.counting.registry import METHODS
    from kingmaker.io import BALLOT_FORMATS
    from kingmaker.projection.registry import SWING_MODELS

    reg = client.get("/api/config").json()["registries"]
    assert [e["name"] for e in reg["count_methods"]] == list(METHODS.names())
    assert [e["name"] for e in reg["ballot_formats"]] == list(BALLOT_FORMATS.names())
    assert [e["name"] for e in reg["swing_models"]] == list(SWING_MODELS.names())
    page = client.get("/").text
    assert '<option value="irv"' not in page and '<option value="uniform"' not in page


def test_every_answer_carries_provenance(client: TestClient) -> None:
    for path, body in (("/api/coalition", {"parties": ["Con"]}), ("/api/coalitions", {}), ("/api/power", {})):
        prov = client.post(path, json=body).json()["provenance"]
        assert prov["kingmaker"] and prov["inputs"][0]["name"] == "uk-2010"
        assert len(prov["inputs"][0]["sha256"]) == 64
    count = client.post("/api/count?method=irv&seats=1&format=blt", content=BLT).json()["provenance"]
    assert count["inputs"] == [{"name": "upload", "sha256": hashlib.sha256(BLT).hexdigest()}]


def test_governments_carry_the_formation_models_probabilities(client) -> None:
    """The page's governments table gets P(forms) for every coalition it lists: Con+LD is the
    likeliest of 2010's winning coalitions, and the view names the likeliest governments of any kind."""
    data = client.post("/api/coalitions", json={"threshold": "absolute", "top": 100}).json()
    probs = data["view"]["formation"]
    assert len(probs) == len(data["coalitions"])
    best = max(range(len(probs)), key=lambda i: probs[i] or 0)
    assert data["coalitions"][best]["parties"] == ["Con", "LD"]
    assert data["view"]["likeliest"][0]["parties"] == ["Con", "LD"]
    assert all(p is None or 0 <= p <= 1 for p in probs)
