"""The count upload with vendor files: an ES&S workbook, Dominion and Hart folders zipped.

API tests through FastAPI's TestClient with RCTab's real sample files (skipped cleanly without
../shared/data); each upload must count exactly as the library does on the files themselves.
Then the caps (zip bombs, too many files, candidates, rows), and the page in real Chromium
showing the inactive ballots by reason.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kingmaker.counting import count
from kingmaker.io import read_ballots
from kingmaker.parliament import Parliament
from kingmaker.provenance import json_safe
from kingmaker.web.app import create_app
from kingmaker.web.upload import ESS_LABELS, MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS
from tests.conftest import shared_path

RCTAB = ("ballots", "rctab")
DELIMITER_XLSX = (*RCTAB, "test_set_overvote_delimiter", "test_set_overvote_delimiter_cvr.xlsx")
HART_CONTEST = "b651b997-417a-46d9-a676-a43d4df94ddc"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Parliament.preset("uk-2010")))


def zipped(folder: Path, *, under: str = "") -> bytes:
    """The files of ``folder`` as a zip (inside the folder ``under`` when given), in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{under}/{f.name}" if under else f.name)
    return out.getvalue()


def library(source: Any, fmt: str, **options: Any) -> dict[str, Any]:
    """What the upload must answer: the library's own RCTab count of the files, as JSON."""
    result = count(read_ballots(source, fmt, **options), "rctab", 1)
    return json_safe(result.to_dict(places=4))


def post(client: TestClient, body: bytes, **query: str) -> Any:
    return client.post("/api/count", params={"method": "rctab", "seats": "1", **query}, content=body)


def same_count(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    assert answer["winners"] == expected["winners"]
    assert answer["rounds"] == expected["rounds"]


def test_an_ess_workbook_counts_with_its_inactive_ballots_by_reason(client: TestClient) -> None:
    path = shared_path(*DELIMITER_XLSX)
    r = post(client, path.read_bytes(), format="blt")  # the format asked cannot read a workbook
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["provenance"]["options"]["format"] == "ess"
    same_count(answer, library(path, "ess", **ESS_LABELS))
    assert answer["rounds"][-1]["inactive"] == {"exhausted_choices": 1, "overvotes": 2}  # A|D cells


def test_the_minneapolis_workbook_is_an_upload_within_the_caps(client: TestClient) -> None:
    path = shared_path(*RCTAB, "2013_minneapolis_mayor", "2013_minneapolis_mayor_cvr.xlsx")
    r = post(client, path.read_bytes(), format="ess")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["winners"] == ["BETSY HODGES"]
    assert sum(answer["rounds"][0]["tallies"].values()) + answer["rounds"][0]["exhausted"] == 80_101
    assert answer["rounds"][-1]["inactive"]["overvotes"] > 0


@pytest.mark.parametrize("under", ["", "alaska_input_data"])
def test_a_zipped_dominion_folder_counts_as_the_folder_does(client: TestClient, under: str) -> None:
    folder = shared_path(*RCTAB, "_shared", "dominion_alaska", "alaska_input_data")
    r = post(client, zipped(folder, under=under), format="blt")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["provenance"]["options"]["format"] == "dominion"
    same_count(answer, library(folder, "dominion"))
    assert set(answer["rounds"][-1]["inactive"]) >= {"overvotes", "exhausted_choices"}


def test_a_zipped_hart_folder_needs_and_takes_a_contest(client: TestClient) -> None:
    folder = shared_path(*RCTAB, "_shared", "hart_cvr_archive")
    body = zipped(folder)
    r = post(client, body, format="hart")
    assert r.status_code == 400 and "give contest_id" in r.json()["error"], r.text
    r = post(client, body, format="hart", contest=HART_CONTEST)
    assert r.status_code == 200, r.text
    assert r.json()["provenance"]["options"]["contest"] == HART_CONTEST
    same_count(r.json(), library(folder, "hart", contest_id=HART_CONTEST))


def _zip(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_inflated(client: TestClient) -> None:
    bomb = _zip({"CvrExport.json": b"\0" * (MAX_UNZIPPED_BYTES + 1)})
    assert len(bomb) < 200_000  # well within the body cap: only the uncompressed size is over
    r = post(client, bomb, format="dominion")
    assert r.status_code == 413 and "uncompressed" in r.json()["error"], r.text


def test_a_zip_of_too_many_files_is_refused(client: TestClient) -> None:
    many = _zip({f"{i}.xml": b"" for i in range(MAX_ZIP_MEMBERS + 1)}, level=1)
    r = post(client, many, format="hart")
    assert r.status_code == 413 and f"{MAX_ZIP_MEMBERS + 1} files" in r.json()["error"], r.text


def test_the_ballot_caps_hold_for_workbooks(client: TestClient) -> None:
    from tests.test_xlsx_fast import book

    names = [f"Candidate {i}" for i in range(70)]
    rows: list[list[str | None]] = [[None, f' t="s"><v>{i}</v></c>'] for i in range(70)]
    r = post(client, book(rows, names), format="ess")
    assert r.status_code == 413 and "max_candidates" in r.json()["error"], r.text
    far = [[None, ' t="s"><v>0</v></c><c r="B300000" t="s"><v>1</v></c>']]
    r = post(client, book(far, names), format="ess")
    assert r.status_code == 413 and "max_rows" in r.json()["error"], r.text


@pytest.mark.parametrize(
    ("body", "query", "message"),
    [
        (_zip({"notes.txt": b"hello"}), {"format": "blt"}, "holds neither"),
        (b"PK\x03\x04 broken", {"format": "dominion"}, "not a readable .zip"),
        (b'3 1\n4 1 2 3 0\n0\n"A"\n"B"\n"C"\n"t"\n', {"format": "blt", "contest": "x"}, "no contests"),
    ],
)
def test_uploads_that_cannot_be_read_say_why(
    client: TestClient, body: bytes, query: dict[str, str], message: str
) -> None:
    r = post(client, body, **query)
    assert r.status_code == 400 and message in r.json()["error"], r.text


# ----------------------------------------------------------------------------- the page
def test_the_page_shows_the_inactive_ballots_by_reason(tmp_path: Path) -> None:
    path = shared_path(*DELIMITER_XLSX)
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("browser tests need /usr/bin/chromium (run .ci/install-browser.sh)")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    pytest.importorskip("uvicorn", reason="uvicorn is not installed")
    from playwright.sync_api import expect, sync_playwright

    from tests.test_web_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ServerThread

    expected = library(path, "ess", **ESS_LABELS)
    with (
        ServerThread(create_app(Parliament.preset("uk-2010"))) as server,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.goto(server.url + "/")
            expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=15_000)
            page.locator("#ballot-file").set_input_files(str(path))
            expect(page.locator("#ballot-format")).to_have_value("ess")  # chosen from the extension
            page.locator("#count-method").select_option("rctab")
            page.locator("#count-form button[type=submit]").click()
            text = page.locator("#count-text")
            expect(text).to_contain_text(f"Elected: {', '.join(expected['winners'])}", timeout=15_000)
            expect(text).to_contain_text("read as ess")
            sheet = page.locator("#count-rounds table")
            overvotes = sheet.locator("tr.inactive-reason", has_text="overvotes")
            expect(overvotes).to_have_count(1)
            cells = overvotes.locator("td")
            last = expected["rounds"][-1]["inactive"]["overvotes"]
            expect(cells.nth(len(expected["rounds"]))).to_have_text(str(last))
            expect(sheet.locator("tr.inactive-reason", has_text="exhausted choices")).to_have_count(1)
            expect(sheet.locator("tr.inactive", has_text="Inactive")).to_have_count(1)
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator("#count").screenshot(path=str(ARTIFACTS / "web-count-ess-inactive.png"))
        finally:
            browser.close()
