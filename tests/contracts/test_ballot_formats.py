"""Registry-driven contract for every ballot format in :data:`kingmaker.io.BALLOT_FORMATS`.

Each registered format: declares a summary and extensions, writes a tiny election and reads it
back alike from a path, bytes and text, is recognised from its content alone, refuses unknown
options, and honours every :class:`~kingmaker.io.ReadLimits` cap with :class:`TooLargeError`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kingmaker._registry import Entry
from kingmaker.ballots import Ballots
from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.io import BALLOT_FORMATS, ReadLimits, detect_format, read_ballots, write_ballots
from kingmaker.io.registry import extensions, writer

TINY = Ballots.from_rankings(
    [["A", "B", "C"], ["B", "A"], ["C"]], ["A", "B", "C"], [3, 2, 1], title="tiny", seats=1
)
#: Formats kingmaker also writes; the read-only vendor CVR formats (ES&S, Dominion, Hart, CDF...)
#: have their contract in tests/test_io_vendors.py, on fixtures in tests/data/cvr.
ENTRIES = [e for e in BALLOT_FORMATS.entries() if writer(e) is not None]


def _as_names(b: Ballots) -> tuple[set[str], dict]:
    """Candidates and ranking -> total weight (a reader that keeps file order repeats rankings)."""
    tally: dict = {}
    for ranking, weight in b:
        tally[ranking] = tally.get(ranking, 0) + weight
    return set(b.candidates), tally


@pytest.fixture(params=ENTRIES, ids=[e.name for e in ENTRIES])
def entry(request: pytest.FixtureRequest) -> Entry:
    return request.param


@pytest.fixture
def written(entry: Entry, tmp_path: Path) -> Path:
    path = tmp_path / f"tiny{extensions(entry)[0]}"
    write_ballots(TINY, path, entry.name)
    return path


def test_declares_summary_extensions_and_writer(entry: Entry) -> None:
    assert entry.summary and extensions(entry) and all(x.startswith(".") for x in extensions(entry))
    assert writer(entry) is not None
    assert BALLOT_FORMATS.get(entry.name) is entry
    assert all(BALLOT_FORMATS.get(alias) is entry for alias in entry.aliases)


def test_round_trip_from_path_bytes_and_text(entry: Entry, written: Path) -> None:
    by_path = read_ballots(written, entry.name)
    assert _as_names(by_path) == _as_names(TINY)
    assert read_ballots(written.read_bytes(), entry.name, name=written.name) == by_path
    assert read_ballots(written.read_text(encoding="utf-8"), entry.name) == by_path
    assert read_ballots(written) == by_path  # chosen by extension (and content, for .csv)


def test_recognised_from_content_alone(entry: Entry, written: Path) -> None:
    assert detect_format(written.read_bytes()) == entry.name
    assert detect_format(written) == entry.name


def test_unknown_option_is_an_input_error(entry: Entry, written: Path) -> None:
    with pytest.raises(InputError, match="takes no option"):
        read_ballots(written, entry.name, no_such_option=1)


@pytest.mark.parametrize(
    ("limits", "cap"),
    [
        (ReadLimits(max_candidates=2), "max_candidates"),
        (ReadLimits(max_ballots=5), "max_ballots"),
        (ReadLimits(max_ranks=2), "max_ranks"),
        (ReadLimits(max_rows=2), "max_rows"),
        (ReadLimits(max_cells=2), "max_cells"),
    ],
)
def test_limits_are_honoured(entry: Entry, written: Path, limits: ReadLimits, cap: str) -> None:
    with pytest.raises(TooLargeError, match=cap) as info:
        read_ballots(written, entry.name, limits=limits)
    assert written.name in str(info.value)


def test_unknown_format_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="blt"):
        read_ballots(b"1 1\n", "xml")
    with pytest.raises(InputError, match="no writer"):
        write_ballots(TINY, tmp_path / "x.xml")
