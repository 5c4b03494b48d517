"""Shared fixtures: where the real public data lives, and the CLI runner."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
REALDATA_SKIP = "real data not available"
SHARED_DATA = Path(os.environ.get("KINGMAKER_SHARED_DATA", REPO.parent / "shared" / "data"))


# Hypothesis profiles of the fuzzing harness (tests/test_fuzz_*.py), chosen by KINGMAKER_FUZZ:
# unset or "short" (the normal test run: a few examples per reader) or "long" (``make fuzz``).
# Other Hypothesis tests keep Hypothesis's own default profile.
_FUZZ_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
# The short run is derandomised (the same inputs each run, so CI is reproducible); the long run
# draws new inputs each time, and what it finds is kept in tests/test_fuzz_regressions.py.
settings.register_profile("kingmaker-fuzz-short", max_examples=12, derandomize=True, **_FUZZ_COMMON)
settings.register_profile(
    "kingmaker-fuzz-long",
    max_examples=int(os.environ.get("KINGMAKER_FUZZ_EXAMPLES", "1000")),
    **_FUZZ_COMMON,
)


def shared_path(*parts: str) -> Path:
    """Path of a file under ../shared/data, skipping the test with a message if it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{REALDATA_SKIP}: {path} is absent (../shared/data is not beside the repo)")
    return path


@pytest.fixture
def shared_data() -> Path:
    """The ../shared/data folder; skips the test cleanly where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{REALDATA_SKIP}: {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _pipe_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands print as to a pipe (160 columns: kingmaker.cli.tables.PIPE_WIDTH) whatever the
    terminal the tests run in (pytest-xdist workers set COLUMNS=80); a test that wants another
    width sets COLUMNS itself."""
    monkeypatch.setenv("COLUMNS", "160")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*/*/expected.json from the current output",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "realdata: reads ../shared/data; skipped with a message where it is absent"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reads ../shared/data (through ``shared_path`` or ``shared_data``) as
    ``realdata``, so ``-m "not realdata"`` runs the self-contained tier alone."""
    for item in items:
        function = getattr(item, "function", None)
        uses = "shared_data" in getattr(item, "fixturenames", ())
        if function is not None and not uses:
            try:
                uses = "shared_path(" in inspect.getsource(function)
            except (OSError, TypeError):
                uses = False
        if uses:
            item.add_marker(pytest.mark.realdata)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests were skipped for want of ../shared/data, so a skipped golden is visible."""
    skipped = terminalreporter.stats.get("skipped", [])
    missing = [r for r in skipped if REALDATA_SKIP in str(getattr(r, "longrepr", ""))]
    terminalreporter.write_line(
        f"real-data tests skipped (../shared/data absent): {len(missing)}"
        + ("" if missing else " -- every real-data test ran")
    )
