"""Fuzzing the web's request bodies (issue 10 section 4): every POST endpoint of
:func:`kingmaker.web.app.create_app` (``serve`` and ``live`` together: coalition, coalitions,
power, project, count, and the authenticated live results as JSON and CSV) through FastAPI's
TestClient. Each body is answered, or refused with a 4xx JSON error; a 500, a non-JSON error or
an exception out of the app fails, and so does an allocation past the harness's memory limit
(tests/test_fuzz_harness.py)."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_fuzz_ballots import TEXT_SEEDS
from tests.test_fuzz_harness import PROFILE, harmless, mutated_bytes, mutated_json
from tests.test_web_live import TOKEN, base_table

fastapi = pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("duckdb", reason="the live extra (duckdb) is not installed")

SEATS = {"Con": 300, "Lab": 260, "LD": 60}
JSON_SEEDS: dict[str, list[Any]] = {
    "/api/coalition": [
        {"parties": ["Con", "LD"], "threshold": "absolute"},
        {"parties": ["Lab", "LD"], "seats": SEATS, "threshold": "working"},
        {"parties": ["Lab"], "live": True},
    ],
    "/api/coalitions": [
        {"order": "seats", "top": 10, "minimal_only": True},
        {"seats": SEATS, "order": "range"},
    ],
    "/api/power": [{"threshold": "absolute"}, {"seats": SEATS, "live": False}],
    "/api/project": [
        {"shares": {"Lab": 45, "Con": 40, "LD": 15}},
        {"shares": {"LD": 25, "Lab": 40, "Con": 35}, "model": "proportional"},
    ],
    "/api/live/results": [
        {"results": [{"constituency": "Seat 1", "votes": {"Lab": 500, "Con": 400}}]},
        {
            "results": [
                {"constituency": "Seat 2", "votes": {"LD": 5}},
                {"constituency": "Seat 3", "votes": {"Con": 1}},
            ]
        },
    ],
}
CSV_SEEDS = [b"constituency,party,votes\nSeat 4,Lab,500\nSeat 4,Con,400\nSeat 5,LD,90\n"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextlib.contextmanager
def _client(folder: Path) -> Iterator[Any]:
    """A TestClient of the ``live`` app (with base results for ``project``), its store in ``folder``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from kingmaker.web.app import create_app
    from kingmaker.web.live import LiveService, ResultStore

    service = LiveService(base_table(), ResultStore(folder / "r.duckdb"), token=TOKEN, simulations=20)
    try:
        with TestClient(create_app(service.parliament, base=base_table(), live=service)) as c:
            yield c
    finally:
        service.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _client(tmp_path_factory.mktemp("fuzz-live")) as c:
        yield c


def _clean(response: Any) -> None:
    """A reply the harness accepts: a 2xx, or an error (4xx, or 503 unavailable) as JSON with a message."""
    assert response.status_code != 500 and response.status_code < 600, response.text[:500]
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json"), response.headers
        assert isinstance(response.json().get("error"), str), response.text[:500]
        assert response.status_code != 503 or "unavailable" in response.text or "time" in response.text


def _post(client: Any, surface: str, path: str, body: bytes, **kw: Any) -> None:
    response = harmless(surface, lambda: client.post(path, content=body, **kw))
    assert response is not None  # the app turns a KingmakerError into a reply; none reaches here
    _clean(response)


@settings(PROFILE)
@given(
    st.sampled_from(sorted(JSON_SEEDS)).flatmap(lambda p: st.tuples(st.just(p), mutated_json(JSON_SEEDS[p])))
)
def test_fuzz_web_json_bodies(client, case: tuple[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    path, body = case
    headers = {"content-type": "application/json", **(AUTH if path.startswith("/api/live") else {})}
    _post(client, f"web {path}", path, body, headers=headers)


@settings(PROFILE)
@given(mutated_bytes(CSV_SEEDS))
def test_fuzz_web_live_results_csv(client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    _post(
        client,
        "web /api/live/results.csv",
        "/api/live/results.csv",
        body,
        headers={**AUTH, "content-type": "text/csv"},
    )


@settings(PROFILE)
@given(
    st.sampled_from(sorted(TEXT_SEEDS)).flatmap(
        lambda f: st.tuples(st.just(f), mutated_bytes(TEXT_SEEDS[f]))
    ),
    st.sampled_from([None, "irv", "stv", "plurality", "meek", "rctab", "borda", "x" * 21, "%00"]),
    st.sampled_from([None, "1", "2", "50", "51", "0", "-1", "1e3", "99999999999999999999"]),
    st.booleans(),
)
def test_fuzz_web_count_uploads(client, case: tuple[str, bytes], method, seats, name_format: bool) -> None:  # type: ignore[no-untyped-def]
    fmt, body = case
    params = {
        k: v
        for k, v in {"method": method, "seats": seats, "format": fmt if name_format else None}.items()
        if v
    }
    _post(client, "web /api/count", "/api/count", body, params=params)


@settings(PROFILE)
@given(
    st.binary(max_size=300),
    st.sampled_from([*JSON_SEEDS, "/api/count", "/api/live/results.csv"]),
    st.sampled_from(["application/json", "text/csv", "application/octet-stream"]),
)
def test_fuzz_web_random_bodies(client, body: bytes, path: str, content_type: str) -> None:  # type: ignore[no-untyped-def]
    _post(client, f"web {path}", path, body, headers={**AUTH, "content-type": content_type})


def test_seeds_are_accepted(tmp_path: Path) -> None:
    """The seed bodies are valid requests (to a fresh server), so the mutations start from
    something the app answers."""
    with _client(tmp_path) as client:
        for path, seeds in JSON_SEEDS.items():
            for seed in seeds:
                r = client.post(
                    path, content=json.dumps(seed), headers={**AUTH, "content-type": "application/json"}
                )
                assert r.status_code in (200, 409), (path, seed, r.text)
