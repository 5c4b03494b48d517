"""The coalition page as a journalist uses it, in real headless Chromium (Playwright): vote-share
sliders that always sum to 100, the hemicycle's legend, export (CSV, SVG, PNG, permalink), the
governments table's order, and the page at phone and desktop sizes. Screenshots go to
``test-artifacts/`` (as in tests/test_web_browser.py)."""

from __future__ import annotations

import csv
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
pytest.importorskip("uvicorn", reason="uvicorn is not installed")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from kingmaker.parliament import Parliament
from kingmaker.votes import VoteTable
from kingmaker.web.app import create_app
from tests.conftest import shared_path
from tests.test_web_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ServerThread, chip

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
GB_PARTIES = ("Con", "Lab", "LD", "SNP", "Tiny", "DUP")


def gb_base() -> VoteTable:
    """Fourteen seats across the UK's four nations: England 8, Scotland 2, Wales 2, Northern
    Ireland 2 (DUP only); ``Tiny`` stands everywhere in GB with well under 0.5% (so it is Other)."""
    rows = [[400 + 30 * i, 600 - 30 * i, 200, 0, 5, 0] for i in range(8)]
    rows += [[200, 300, 100, 450, 3, 0]] * 2 + [[300, 450, 150, 0, 2, 0]] * 2 + [[0, 0, 0, 0, 0, 500]] * 2
    nations = ("England",) * 8 + ("Scotland",) * 2 + ("Wales",) * 2 + ("Northern Ireland",) * 2
    return VoteTable(
        np.array(rows),
        GB_PARTIES,
        tuple(f"Seat {k + 1}" for k in range(14)),
        nations=nations,
        regions=nations,
        election="synthetic",
    )


def gb_parliament() -> Parliament:
    """The House ``gb_base`` elects (the largest party of each seat)."""
    base = gb_base()
    winners = np.asarray(base.votes).argmax(axis=1)
    seats = {p: int((winners == j).sum()) for j, p in enumerate(GB_PARTIES)}
    return Parliament.from_seats({p: n for p, n in seats.items() if n}, name="gb-test")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests need /usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Browser, viewport: dict[str, int] = DESKTOP) -> tuple[Page, list[str]]:
    """A fresh page (own context) and the list its console errors and page errors go to."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def load(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=15_000)


@pytest.fixture(scope="module")
def gb_server() -> Iterator[ServerThread]:
    with ServerThread(create_app(gb_parliament(), base=gb_base())) as server:
        yield server


@pytest.fixture(scope="module")
def uk_server() -> Iterator[ServerThread]:
    """The 2010 House of Commons (the formation model scores it) with the synthetic GB base."""
    with ServerThread(create_app(Parliament.preset("uk-2010"), base=gb_base())) as server:
        yield server


def shares_on_page(page: Page) -> dict[str, float]:
    """Each slider's number box, by party."""
    boxes = page.locator("#sliders input.share")
    return {
        boxes.nth(i).get_attribute("data-party"): float(boxes.nth(i).input_value())
        for i in range(boxes.count())
    }


def seats_in_legend(page: Page) -> dict[str, int]:
    items = page.locator("#legend li")
    return {
        items.nth(i).get_attribute("data-party"): int(items.nth(i).locator(".seats").inner_text())
        for i in range(items.count())
    }


# ----------------------------------------------------------------------------- the rebalancing rule
@st.composite
def slider_moves(draw: st.DrawFn) -> tuple[dict[str, int], str, int, list[str]]:
    """Shares in tenths summing to 1000, a party to move, a target (possibly out of range), locks."""
    n = draw(st.integers(2, 8))
    cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=n - 1, max_size=n - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 1000], strict=True)]
    values = {f"P{i}": v for i, v in enumerate(parts)}
    party = draw(st.sampled_from(sorted(values)))
    locked = draw(st.lists(st.sampled_from(sorted(set(values) - {party}) or ["P0"]), unique=True))
    return values, party, draw(st.integers(-50, 1100)), [p for p in locked if p != party]


@pytest.fixture(scope="module")
def script_page(browser: Browser, gb_server: ServerThread) -> Iterator[Page]:
    page, _ = open_page(browser)
    load(page, gb_server.url + "/")
    yield page
    page.context.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(move=slider_moves())
def test_rebalance_keeps_100_locks_and_proportions(
    script_page: Page, move: tuple[dict[str, int], str, int, list[str]]
) -> None:
    values, party, target, locked = move
    out = script_page.evaluate(
        "([v, p, t, l]) => rebalance(v, p, t, new Set(l))", [values, party, target, locked]
    )
    assert set(out) == set(values)
    assert sum(out.values()) == 1000 and all(isinstance(v, int) and v >= 0 for v in out.values())
    assert all(out[p] == values[p] for p in locked)
    free = [p for p in values if p != party and p not in locked]
    room = 1000 - sum(values[p] for p in locked)
    assert out[party] == (min(max(target, 0), room) if free else room)
    current = sum(values[p] for p in free)
    left = room - out[party]
    for p in free:  # in proportion to the current shares, to within the one tenth rounding moves
        exact = left * values[p] / current if current else left / len(free)
        assert abs(out[p] - exact) < 1


def test_permalink_shares_that_do_not_add_up_are_scaled_to_100(script_page: Page) -> None:
    out = script_page.evaluate("normaliseShares({A: 333, B: 333, C: 333})")
    assert sum(out.values()) == 1000 and sorted(out.values()) == [333, 333, 334]
    assert script_page.evaluate("normaliseShares({A: 0, B: 0})") is None


# ----------------------------------------------------------------------------- server side
def test_base_shares_name_the_area_and_other_and_sum_to_100() -> None:
    c = TestClient(create_app(gb_parliament(), base=gb_base()))
    base = c.get("/api/project/base").json()
    assert base["area"] == {
        "name": "Great Britain",
        "note": "Northern Ireland's 2 seats keep their base result",
    }
    assert "Tiny" not in base["shares"] and base["other"]["parties"] == ["Tiny"]
    assert round(sum(base["shares"].values()) + base["other"]["share"], 6) == 100
    # a 20-point swing with Other given: shares summing to 100 are accepted...
    shares = {**base["shares"], base["other"]["key"]: base["other"]["share"]}
    shares["Con"] += 20
    shares["Lab"] -= 20
    r = c.post("/api/project", json={"shares": shares})
    assert r.status_code == 200, r.text
    # ...and the server still refuses shares far from 100, whoever sends them
    shares["Lab"] += 20
    refused = c.post("/api/project", json={"shares": shares})
    assert refused.status_code == 400 and "sum to 120.0" in refused.json()["error"]
    assert c.post("/api/project", json={"shares": {"Con": 101}}).status_code == 422


def test_share_area_names_the_one_nation_or_region_the_base_covers() -> None:
    from kingmaker.web.answers import share_area
    from tests.test_web_live import base_table

    assert share_area(base_table()) == {"name": "London, England", "note": None}
    scottish = gb_base().select(np.arange(14) // 2 == 4)  # seats 9 and 10
    assert share_area(scottish) == {"name": "Scotland", "note": None}
    no_areas = VoteTable(np.array([[3, 1], [1, 3]]), ("A", "B"), ("X", "Y"))
    assert share_area(no_areas)["name"] == "all constituencies of the base"
    england_wales = gb_base().select(np.isin(np.arange(14), [0, 1, 10, 11, 12]))
    assert share_area(england_wales) == {
        "name": "England + Wales",
        "note": "Northern Ireland's 1 seat keeps its base result",
    }


# ----------------------------------------------------------------------------- sliders, legend, title
def test_sliders_rebalance_lock_label_the_area_and_reset(browser: Browser, gb_server: ServerThread) -> None:
    page, errors = open_page(browser)
    load(page, gb_server.url + "/")
    expect(page.locator("#share-area")).to_contain_text("Vote shares in Great Britain")
    expect(page.locator("#share-area")).to_contain_text("Northern Ireland's 2 seats keep their base result")
    expect(page.locator("#sliders .slider-row")).to_have_count(5)  # Con, Lab, LD, SNP and Other
    served_title = page.locator("#title").inner_text()
    assert "projected" not in served_title
    served_seats = seats_in_legend(page)
    start = shares_on_page(page)
    assert round(sum(start.values()), 6) == 100 and "Other" in start
    expect(page.locator("#share-total")).to_have_text("Total 100.0%")

    # Con +20 points: far past the old ±5 limit; the others give way in proportion
    page.locator("#sliders input.share[data-party=Con]").fill(f"{start['Con'] + 20:.1f}")
    page.locator("#sliders input.share[data-party=Con]").press("Enter")
    expect(page.locator("#projection-text")).to_contain_text("uniform swing", timeout=10_000)
    expect(page.locator("#projection-text")).not_to_have_class(re.compile("error"))
    moved = shares_on_page(page)
    assert round(sum(moved.values()), 6) == 100 and moved["Con"] == pytest.approx(start["Con"] + 20)
    rest = {p: v for p, v in start.items() if p != "Con"}
    for p, v in rest.items():
        assert moved[p] == pytest.approx(v * (100 - moved["Con"]) / sum(rest.values()), abs=0.11)
    expect(page.locator("#share-total")).to_have_text("Total 100.0%")
    expect(page.locator("#title")).to_have_text(served_title + " — projected")
    expect(page.locator("#legend li[data-party=Con] .seats")).not_to_have_text(str(served_seats["Con"]))
    assert sum(seats_in_legend(page).values()) == 14

    # a locked party keeps its share; its slider is disabled
    page.locator("#sliders button.lock[data-party=LD]").click()
    expect(page.locator("#sliders input[type=range][data-party=LD]")).to_be_disabled()
    page.locator("#sliders input[type=range][data-party=Lab]").fill("10")
    expect(page.locator("#sliders input.share[data-party=Lab]")).to_have_value("10.0")
    after = shares_on_page(page)
    assert after["LD"] == moved["LD"] and round(sum(after.values()), 6) == 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#projection").screenshot(path=str(ARTIFACTS / "web-page-sliders.png"))

    # reset: the base shares, the served House, the title without "projected"
    page.locator("#reset-shares").click()
    expect(page.locator("#title")).to_have_text(served_title)
    assert shares_on_page(page) == start
    expect(page.locator("#sliders input[type=range][data-party=LD]")).to_be_enabled()
    assert seats_in_legend(page) == served_seats
    page.context.close()
    assert not errors, errors


def test_legend_shows_colour_name_and_seats(browser: Browser, uk_server: ServerThread) -> None:
    page, errors = open_page(browser)
    load(page, uk_server.url + "/")
    served = Parliament.preset("uk-2010")
    legend = seats_in_legend(page)
    assert legend == {p.name: p.seats for p in served.parties if p.seats > 0}
    con = page.locator("#legend li[data-party=Con]")
    expect(con).to_contain_text("Conservative")
    swatch = con.locator(".swatch").evaluate("s => getComputedStyle(s).backgroundColor")
    seat = page.locator('#hemicycle circle[data-party="Con"]').first.evaluate("c => getComputedStyle(c).fill")
    assert swatch == seat
    # the legend dims the parties outside the coalition, as the hemicycle does
    chip(page, "Con").click()
    expect(page.locator("#legend li.dim")).to_have_count(len(legend) - 1)
    page.context.close()
    assert not errors, errors


# ----------------------------------------------------------------------------- export
def downloaded(page: Page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(button).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_export_csv_svg_png(browser: Browser, uk_server: ServerThread) -> None:
    page, errors = open_page(browser)
    load(page, uk_server.url + "/")
    chip(page, "Con").click()
    chip(page, "LD").click()
    expect(page.locator("#coalition-text")).to_contain_text("363")
    expect(page.locator("#government-table tbody tr").first.locator("td").first).to_have_text("Con+LD")

    name, body = downloaded(page, "#export-seats")
    assert name == "kingmaker-uk-2010-seats.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert {r["party"]: int(r["seats"]) for r in rows} == seats_in_legend(page)
    assert sum(int(r["seats"]) for r in rows) == 650
    assert next(r for r in rows if r["party"] == "Con")["name"] == "Conservative"

    name, body = downloaded(page, "#export-governments")
    assert name == "kingmaker-uk-2010-governments.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    shown = page.locator("#government-table tbody tr")
    assert len(rows) == shown.count() and rows[0]["coalition"] == "Con+LD"
    assert [r["coalition"] for r in rows[:5]] == [
        shown.nth(i).locator("td").first.inner_text() for i in range(5)
    ]
    assert float(rows[0]["p_forms"]) > float(rows[1]["p_forms"]) and int(rows[0]["seats"]) == 363

    name, body = downloaded(page, "#export-svg")
    assert name == "kingmaker-uk-2010.svg"
    svg = ET.fromstring(body)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(svg.findall("s:circle", ns)) == 650
    texts = [t.text for t in svg.findall("s:text", ns)]
    assert "Con 306" in texts and "363 seats" in texts
    assert any(t and t.startswith("House of Commons") for t in texts)

    image_module = pytest.importorskip("PIL.Image", reason="the PNG is read back with Pillow")
    name, body = downloaded(page, "#export-png")
    assert name == "kingmaker-uk-2010.png"
    image = image_module.open(io.BytesIO(body)).convert("RGB")
    assert image.width == 1600
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
    con = Parliament.preset("uk-2010").party("Con").colour.lstrip("#")
    assert tuple(int(con[i : i + 2], 16) for i in (0, 2, 4)) in colours, "no Conservative seat drawn"
    page.context.close()
    assert not errors, errors


def test_permalink_restores_the_view(browser: Browser, uk_server: ServerThread) -> None:
    page, errors = open_page(browser)
    load(page, uk_server.url + "/")
    page.locator("#threshold").select_option("working")
    page.locator("#sort").select_option("seats")
    page.locator("#sort-dir").click()  # seats, descending
    page.locator("#sliders input.share[data-party=Con]").fill("55")
    page.locator("#sliders input.share[data-party=Con]").press("Enter")
    expect(page.locator("#title")).to_contain_text("projected", timeout=10_000)
    chip(page, "Con").click()
    chip(page, "DUP").click()
    expect(page.locator("#coalition-text")).to_contain_text("Con+DUP")
    expect(page.locator("#permalink")).to_have_value(re.compile(r"v\.Con=55\.0"))
    link = page.url
    assert "with=Con&with=DUP" in link and "threshold=working" in link and "sort=-seats" in link
    shares, legend = shares_on_page(page), seats_in_legend(page)
    headline = page.locator("#coalition-text").inner_text()
    page.context.close()

    again, errors_again = open_page(browser, PHONE)
    load(again, link)
    expect(again.locator("#title")).to_contain_text("projected", timeout=10_000)
    expect(again.locator("#coalition-text")).to_have_text(headline, timeout=10_000)
    expect(chip(again, "DUP")).to_have_attribute("aria-pressed", "true")
    expect(again.locator("#threshold")).to_have_value("working")
    expect(again.locator("#sort")).to_have_value("seats")
    assert shares_on_page(again) == shares
    expect(again.locator("#legend li")).to_have_count(len(legend))
    assert seats_in_legend(again) == legend
    seats = [int(t) for t in again.locator("#government-table tbody tr td:nth-child(3)").all_inner_texts()]
    assert seats and seats == sorted(seats, reverse=True)
    again.context.close()
    assert not errors and not errors_again, errors + errors_again


# ----------------------------------------------------------------------------- governments table
def test_governments_likeliest_first_and_sort_changeable(browser: Browser, uk_server: ServerThread) -> None:
    page, errors = open_page(browser)
    load(page, uk_server.url + "/")
    rows = page.locator("#government-table tbody tr")
    expect(rows.first.locator("td").first).to_have_text("Con+LD")  # the formation model's likeliest
    expect(page.locator("#sort")).to_have_value("probability")
    probabilities = [
        float(t.rstrip("%")) for t in page.locator("#government-table td:nth-child(2)").all_inner_texts()
    ]
    assert probabilities == sorted(probabilities, reverse=True)
    page.locator("#sort").select_option("seats")
    seats = [int(t) for t in page.locator("#government-table td:nth-child(3)").all_inner_texts()]
    assert seats == sorted(seats) and seats[0] == 326
    expect(page.locator('#government-table th[data-key="seats"]')).to_have_attribute("aria-sort", "ascending")
    page.locator('#government-table th[data-key="probability"]').click()
    expect(rows.first.locator("td").first).to_have_text("Con+LD")
    page.context.close()
    assert not errors, errors


def test_without_formation_probabilities_the_table_sorts_by_seats(
    browser: Browser, gb_server: ServerThread
) -> None:
    page, errors = open_page(browser)
    load(page, gb_server.url + "/")
    expect(page.locator("#government-table tbody tr").first).to_be_visible()
    expect(page.locator("#sort")).to_have_value("seats")
    seats = [int(t) for t in page.locator("#government-table td:nth-child(3)").all_inner_texts()]
    assert seats == sorted(seats)
    page.locator("#sort").select_option("parties")
    names = page.locator("#government-table td:nth-child(1)").all_inner_texts()
    assert names == sorted(names)
    page.context.close()
    assert not errors, errors


# ----------------------------------------------------------------------------- phone and desktop
@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_page_usable_at_phone_and_desktop_size(
    browser: Browser, uk_server: ServerThread, size: str, viewport: dict[str, int]
) -> None:
    page, errors = open_page(browser, viewport)
    load(page, uk_server.url + "/")
    width = viewport["width"]
    expect(page.locator("#government-table tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    # every control can be reached and used without scrolling sideways
    controls = [
        '#chips button[data-party="Con"]',
        "#threshold",
        "#sort",
        "#sort-dir",
        "#export-png",
        "#copy-link",
        "#sliders input[type=range][data-party=Con]",
        "#sliders button.lock[data-party=Con]",
        "#reset-shares",
        "#ballot-file",
    ]
    for selector in controls:
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    chip(page, "Con").click()
    chip(page, "LD").click()
    expect(page.locator("#coalition-text")).to_contain_text("majority of 76")
    # tables scroll inside their own box, not the page
    table = page.locator("#government-table")
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    # the legend names parties in full where there is room, by their short names on a phone
    short, full = (page.locator(f"#legend li[data-party=Con] .{k}") for k in ("short", "full"))
    expect(short if size == "phone" else full).to_be_visible()
    expect(full if size == "phone" else short).to_be_hidden()
    if size == "phone":
        assert table.evaluate("t => t.scrollWidth > t.clientWidth"), (
            "the table should be wider than the phone"
        )
        assert table.evaluate("t => { t.scrollLeft = 200; return t.scrollLeft; }") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"web-page-{size}-first-screen.png"))
    page.locator("#sliders input[type=range][data-party=Con]").fill("50")
    expect(page.locator("#title")).to_contain_text("projected", timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"web-page-{size}.png"), full_page=True)
    page.context.close()
    assert not errors, errors


def test_real_2010_base_takes_a_big_swing(browser: Browser) -> None:
    from kingmaker.cli.web import load_base

    data = shared_path("uk", "GE2010-results-flatfile-website.csv").parent
    base = load_base("uk-2010-results", data)
    with ServerThread(create_app(Parliament.preset("uk-2010"), base=base)) as server:
        page, errors = open_page(browser, {"width": 1280, "height": 1000})
        load(page, server.url + "/")
        expect(page.locator("#share-area")).to_contain_text("Great Britain")
        expect(page.locator("#sliders .slider-row[data-party=Other]")).to_have_count(1)
        chip(page, "Con").click()
        chip(page, "LD").click()
        page.locator("#sliders input.share[data-party=Lab]").fill("20")
        page.locator("#sliders input.share[data-party=Lab]").press("Enter")
        expect(page.locator("#projection-text")).to_contain_text("uniform swing", timeout=15_000)
        expect(page.locator("#projection-text")).not_to_have_class(re.compile("error"))
        expect(page.locator("#share-total")).to_have_text("Total 100.0%")
        expect(page.locator("#coalition-text")).to_contain_text("majority of", timeout=10_000)
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-2010.png"))
        page.context.close()
        assert not errors, errors
