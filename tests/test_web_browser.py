"""The page in real headless Chromium (Playwright): build coalitions by clicking, watch a live result arrive.

Needs Debian's ``/usr/bin/chromium`` (``.ci/install-browser.sh``); Playwright's own browser
download is never used. One browser session serves every test; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need /usr/bin/chromium (run .ci/install-browser.sh)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytest.importorskip("uvicorn", reason="uvicorn is not installed")

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

from kingmaker.parliament import Parliament  # noqa: E402
from kingmaker.web.app import create_app  # noqa: E402
from kingmaker.web.live import LiveService  # noqa: E402
from kingmaker.web.store import ResultStore  # noqa: E402
from tests.test_web_live import TOKEN, base_table, free_port, result_of  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ServerThread:
    """A uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def chip(page: Page, party: str) -> Locator:
    """The chip button of ``party``."""
    return page.locator(f'#chips button[data-party="{party}"]')


def test_build_coalitions_by_clicking(page: Page) -> None:
    with ServerThread(create_app(Parliament.preset("uk-2010"))) as server:
        page.goto(server.url + "/")
        expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=15_000)
        assert page.locator("#hemicycle circle").count() == 650
        assert page.locator("#hemicycle line").count() == 2
        chip(page, "Con").click()
        chip(page, "LD").click()
        headline = page.locator("#coalition-text")
        expect(headline).to_contain_text("363")
        expect(headline).to_contain_text("majority of 76")
        expect(page.locator("#pivotal")).to_contain_text("Pivotal")
        # the governments table puts the likeliest first (the formation model): Con+LD in 2010
        first = page.locator("#government-table tbody tr").first
        expect(first.locator("td").first).to_have_text("Con+LD")
        expect(first.locator("td").nth(1)).to_contain_text("%")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-con-ld.png"), full_page=True)
        chip(page, "Con").click()
        chip(page, "Lab").click()
        expect(headline).to_have_text("Lab+LD: 315 seats — short by 11")
        expect(page.locator("#completions li").first).to_contain_text("+")
        assert page.locator("#government-table tbody tr").count() > 0
        page.locator('#government-table th[data-key="fewest_parties"]').click()
        expect(page.locator("#government-table tbody tr").first).to_contain_text("✓")


def test_live_result_updates_the_page(page: Page, tmp_path: Path) -> None:
    service = LiveService(base_table(), ResultStore(tmp_path / "live.duckdb"), token=TOKEN, simulations=50)
    try:
        with ServerThread(create_app(service.parliament, live=service)) as server:
            page.goto(server.url + "/")
            status = page.locator("#live-status")
            expect(status).to_contain_text("0 of 12 declared", timeout=15_000)
            r = httpx.post(
                f"{server.url}/api/live/results",
                json={"results": [result_of(7, shift=200)]},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert r.status_code == 200, r.text
            expect(status).to_contain_text("1 of 12 declared", timeout=15_000)
            expect(page.locator("#live-summary")).to_contain_text("swing seen")
            expect(page.locator("#live-seats tbody tr").first).to_be_visible()
            totals = httpx.get(f"{server.url}/api/live/state").json()["totals"]
            first = page.locator("#power-table tbody tr").first
            expect(first).to_contain_text(str(max(totals.values())))
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-live.png"), full_page=True)
    finally:
        service.close()


DATA = Path(__file__).resolve().parent / "data"


def chip_seats(page: Page, party: str) -> int:
    """The seat number shown on ``party``'s chip."""
    return int(chip(page, party).inner_text().split()[-1])


def test_vote_share_sliders_reproject_the_seats(page: Page) -> None:
    base = base_table()
    with ServerThread(create_app(Parliament.from_seats({"Lab": 6, "Con": 5, "LD": 1}), base=base)) as server:
        page.goto(server.url + "/")
        expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=15_000)
        expect(page.locator("#projection")).to_be_visible()
        sliders = page.locator("#sliders input[type=range]")
        expect(sliders).to_have_count(3)
        assert chip_seats(page, "Lab") == 6
        # Labour far ahead: after the debounce the server re-projects and the chips follow; with
        # Labour locked, Con's 20 leaves the LDs the other 20 (the shares always sum to 100)
        page.locator('#sliders input[type=range][data-party="Lab"]').fill("60")
        page.locator('#sliders button.lock[data-party="Lab"]').click()
        page.locator('#sliders input[type=range][data-party="Con"]').fill("20")
        expect(page.locator('#sliders input.share[data-party="LD"]')).to_have_value("20.0")
        expect(page.locator("#projection-text")).to_contain_text("uniform swing", timeout=10_000)
        expect(chip(page, "Lab")).to_have_text("Lab 11", timeout=10_000)
        expect(chip(page, "Con")).to_have_count(0)  # no seat left: no chip to click
        expect(page.locator("#sliders input.share").first).to_have_value("60.0")
        seats = page.locator("#hemicycle circle")
        assert seats.count() == 12
        labour = page.locator('#hemicycle circle[data-party="Lab"]')
        assert labour.count() == 11
        # a proportional swing from the same shares is asked for when the model changes
        page.locator("#swing-model").select_option("proportional")
        expect(page.locator("#projection-text")).to_contain_text("proportional swing", timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-sliders.png"), full_page=True)


@pytest.mark.parametrize(
    ("name", "fmt", "method", "seats", "winners"),
    [("small.blt", "blt", "stv-scottish", 2, "Carol, Alice"), ("simple.csv", "csv", "av", 1, "Alice")],
)
def test_ballot_upload_shows_rounds_and_transfers(
    page: Page, name: str, fmt: str, method: str, seats: int, winners: str
) -> None:
    with ServerThread(create_app(Parliament.preset("uk-2010"))) as server:
        page.goto(server.url + "/")
        expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=15_000)
        expect(page.locator("#count")).to_be_visible()
        page.locator("#ballot-file").set_input_files(str(DATA / name))
        page.locator("#ballot-format").select_option(fmt)
        page.locator("#count-method").select_option(method)
        page.locator("#count-seats").fill(str(seats))
        page.locator("#count-form button[type=submit]").click()
        text = page.locator("#count-text")
        expect(text).to_contain_text(f"Elected: {winners}", timeout=15_000)
        rounds = page.locator("#count-rounds th")
        expect(rounds.nth(1)).to_have_text("Round 1")
        n_rounds = rounds.count() - 1
        assert n_rounds >= 2, "the sample counts need at least one transfer"
        expect(text).to_contain_text(f"{n_rounds} rounds")
        # the flow chart: a column of bars per round and bands for the transfers between them
        flow = page.locator("#flow")
        assert flow.locator("text", has_text="Round").count() == n_rounds
        assert flow.locator("rect").count() >= n_rounds
        assert flow.locator("path").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#count").screenshot(path=str(ARTIFACTS / f"web-count-{fmt}.png"))
        # the page is reused by the next test: clear the form's file
        page.locator("#ballot-file").set_input_files([])
