"""The results-night page in real headless Chromium: declared seats solid and projected ones hatched,
the feed of declarations, the seat ranges, and the corrections list (issue 14; issue 10 section 2).
Screenshots (desktop and phone size) go to ``test-artifacts/``, as the other browser tests' do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip("browser tests need /usr/bin/chromium (run .ci/install-browser.sh)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytest.importorskip("uvicorn", reason="uvicorn is not installed")
pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kingmaker.web.app import create_app
from kingmaker.web.live import LiveService
from kingmaker.web.store import ResultStore
from tests.test_web_browser import ARTIFACTS, CHROMIUM_ARGS, ServerThread
from tests.test_web_live import TOKEN, base_table, result_of

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Browser, width: int, height: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.mark.parametrize(("size", "width", "height"), [("desktop", 1200, 1600), ("phone", 390, 844)])
def test_live_page_draws_declared_and_projected_feed_and_corrections(
    browser: Browser, tmp_path: Path, size: str, width: int, height: int
) -> None:
    service = LiveService(base_table(), ResultStore(tmp_path / "live.duckdb"), token=TOKEN, simulations=60)
    page, errors = open_page(browser, width, height)
    try:
        with ServerThread(create_app(service.parliament, live=service)) as server:
            post = {"results": [result_of(0), result_of(7, shift=200), result_of(9, shift=-30)]}
            assert httpx.post(f"{server.url}/api/live/results", json=post, headers=AUTH).status_code == 200
            page.goto(server.url + "/")
            expect(page.locator("#live-status")).to_contain_text(
                "3 of 12 declared, 9 to come", timeout=15_000
            )
            expect(page.locator("#live-progress")).to_have_text("Seats declared: 3 · to come: 9")
            # 3 declared seats drawn solid, the 9 projected ones hatched with their party's pattern
            expect(page.locator('#hemicycle circle[data-status="declared"]')).to_have_count(3)
            projected = page.locator('#hemicycle circle[data-status="projected"]')
            expect(projected).to_have_count(9)
            assert projected.first.get_attribute("fill").startswith("url(#hatch-")
            assert (
                page.locator('#hemicycle circle[data-status="declared"]')
                .first.get_attribute("fill")
                .startswith("#")
            )
            legend = page.locator("#live-legend")
            expect(legend).to_contain_text("declared seat (solid)")
            expect(legend).to_contain_text("projected seat (hatched): 9 still to come")
            # each party's seats with the 5-95% range of the simulations
            state = httpx.get(f"{server.url}/api/live/state").json()
            lab = next(r for r in state["seats"] if r["party"] == "Lab")
            lo, hi = lab["interval_90"]
            expect(page.locator('#live-seats tr[data-party="Lab"] td').nth(4)).to_have_text(
                str(lo) if lo == hi else f"{lo}–{hi}"
            )
            # the feed: latest first, hold/gain with the party the seat was gained from, swing, majority
            feed = page.locator("#live-feed li")
            expect(feed).to_have_count(3)
            gain = page.locator('#live-feed li[data-constituency="Seat 8"]')
            expect(gain).to_contain_text("Lab GAIN from Con")
            expect(gain).to_contain_text("majority 315 (23.0%)")
            expect(gain).to_contain_text("swing 14.6% Con to Lab")
            expect(page.locator('#live-feed li[data-constituency="Seat 1"]')).to_contain_text("Lab HOLD")
            expect(page.locator("#live-corrections-none")).to_be_visible()
            # a recount, then a withdrawal: the page's corrections list follows (server-sent events)
            recount = {"votes": {"Con": 610, "Lab": 525, "LD": 235}, "reason": "recount"}
            r = httpx.put(f"{server.url}/api/live/results/Seat 8", json=recount, headers=AUTH)
            assert r.status_code == 200, r.text
            fix = page.locator('#live-corrections li[data-constituency="Seat 8"]')
            expect(fix).to_contain_text("amended by operator", timeout=15_000)
            expect(fix).to_contain_text("Con 410 → 610")
            expect(fix).to_contain_text("reason: recount")
            expect(page.locator('#live-feed li[data-constituency="Seat 8"]')).to_contain_text("Con HOLD")
            expect(page.locator('#live-feed li[data-constituency="Seat 8"]')).to_contain_text("(amended)")
            r = httpx.delete(f"{server.url}/api/live/results/Seat 10?reason=declared in error", headers=AUTH)
            assert r.status_code == 200, r.text
            expect(page.locator("#live-corrections li")).to_have_count(2, timeout=15_000)
            expect(page.locator("#live-corrections li").first).to_contain_text(
                "Seat 10 withdrawn by operator"
            )
            expect(page.locator("#live-corrections-none")).to_be_hidden()
            expect(page.locator('#hemicycle circle[data-status="declared"]')).to_have_count(2)
            expect(page.locator("#live-status")).to_contain_text("2 of 12 declared, 10 to come")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"web-live-night-{size}.png"), full_page=True)
            if size == "phone":  # the results-night panel fits the phone's width
                for part in ("#live-panel", "#live-feed", "#live-corrections", "#hemicycle"):
                    assert page.locator(part).bounding_box()["width"] <= width, part
    finally:
        page.context.close()
        service.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Error" in e], errors
