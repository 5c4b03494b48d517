"""Results night's CSV input: the upload's parser and the watched file, which takes only complete results.

The CSV has a header and one row per party: ``constituency,party,votes``, with two optional columns:

* ``winner`` -- the returning officer's winner when the top two tied and the seat was decided by
  lot (on any row of the constituency; rows that give it must agree);
* ``total`` -- the constituency's total valid votes, as declared (on any row; rows that give it
  must agree).

A watched file (``kingmaker live --watch FILE``) is read while another program is still writing
it, so a constituency is taken only when it is complete:

1. Only whole lines count: a last line without its newline is still being written and is left
   for the next poll.
2. With a ``total`` column (recommended), a constituency is complete when its rows' votes add up
   to its total. Fewer votes than the total: held back until the missing rows arrive (rows cannot
   add up by accident: a half-written number or a missing row only lowers the sum, and a missing
   row of 0 votes changes nothing). More votes than the total: refused and reported.
3. Without a ``total`` column (the older format), rows are taken per block: a constituency is
   complete once a row of another constituency follows its rows (the writer has moved on). The
   last constituency of the file is held back until another follows it, and a constituency whose
   rows are not together is refused, since neither can be told complete.

A complete constituency already stored with the same numbers is skipped; with different numbers
it is a conflict, reported as the HTTP API's 409 is (the stored result is kept: correct it with an
amendment). A missing file is reported when watching starts and again every ``missing_every``
seconds while it stays missing. Every report goes to the ``report`` callable given (the command
line prints it); each distinct problem is reported once, not at every poll.
"""

from __future__ import annotations

import csv
import io
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from kingmaker.errors import InputError
from kingmaker.web.models import MAX_RESULTS_PER_REQUEST, DeclaredResult
from kingmaker.web.store import Change, Declared, ResultConflict, ResultStore

REQUIRED = ("constituency", "party", "votes")


@dataclass
class _Block:
    """The rows of one constituency as read so far."""

    name: str
    votes: dict[str, int] = field(default_factory=dict)
    winner: str | None = None
    total: int | None = None
    error: str | None = None
    line: int = 0


@dataclass(frozen=True)
class CsvRead:
    """A CSV's constituencies: ``complete`` results, and why each other one was ``held`` back."""

    complete: list[DeclaredResult]
    held: dict[str, str]
    has_total: bool


def _text_of(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the CSV is not UTF-8 text") from None


def _blocks(text: str) -> tuple[list[_Block], set[str], set[str]]:
    """The constituencies in order of first row; the names whose rows are not together; the columns."""
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        return _read_blocks(reader)
    except csv.Error as exc:  # a bare carriage return in a field, a field over csv's size limit
        raise InputError(f"malformed CSV: {exc}", source="CSV", line=reader.line_num) from None


def _read_blocks(reader: csv.DictReader[str]) -> tuple[list[_Block], set[str], set[str]]:
    """:func:`_blocks` once the reader is made."""
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if not set(REQUIRED) <= set(fields):
        raise InputError("CSV header must have the columns constituency, party, votes", line=1)
    reader.fieldnames = fields
    blocks: dict[str, _Block] = {}
    scattered: set[str] = set()
    previous = None
    for row in reader:
        line = reader.line_num
        name, party = (row.get("constituency") or "").strip(), (row.get("party") or "").strip()
        if not name:
            raise InputError("empty constituency", source="CSV", line=line)
        block = blocks.get(name)
        if block is None:
            if len(blocks) >= MAX_RESULTS_PER_REQUEST:
                raise InputError(f"at most {MAX_RESULTS_PER_REQUEST} constituencies per file")
            block = blocks[name] = _Block(name)
        elif previous != name:
            scattered.add(name)
        previous = name
        block.line = line
        if block.error is not None:
            continue
        block.error = _add_row(block, party, row, line)
    return list(blocks.values()), scattered, set(fields)


def _add_row(block: _Block, party: str, row: dict[str, str | None], line: int) -> str | None:
    """Add one row to ``block``; the problem with it (naming its line), if any."""
    if not party:
        return f"line {line}: empty party"
    try:
        votes = int((row.get("votes") or "").strip())
    except ValueError:
        return f"line {line}: votes must be a whole number, got {row.get('votes')!r}"
    if party in block.votes:
        return f"line {line}: {party} given twice"
    block.votes[party] = votes
    for key in ("winner", "total"):
        given = (row.get(key) or "").strip()
        if not given:
            continue
        if key == "total":
            try:
                value: str | int = int(given)
            except ValueError:
                return f"line {line}: total must be a whole number, got {given!r}"
        else:
            value = given
        if getattr(block, key) not in (None, value):
            return f"line {line}: {key} {given!r} differs from the constituency's earlier rows"
        setattr(block, key, value)
    return None


def _result(block: _Block) -> DeclaredResult:
    try:
        return DeclaredResult(constituency=block.name, votes=block.votes, winner=block.winner)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"{block.name}: {problems}") from None


def parse_results_csv(data: bytes) -> list[DeclaredResult]:
    """An uploaded CSV (whole, so every row is there): its declared results, or an InputError."""
    blocks, _, fields = _blocks(_text_of(data))
    out = []
    for block in blocks:
        if block.error is not None:
            raise InputError(f"{block.name}: {block.error}", source="CSV")
        if block.total is not None and sum(block.votes.values()) != block.total:
            raise InputError(
                f"{block.name}: the votes add up to {sum(block.votes.values())}, not the total {block.total}",
                source="CSV",
            )
        if "total" in fields and block.total is None:
            raise InputError(f"{block.name}: no total given", source="CSV")
        out.append(_result(block))
    if not out:
        raise InputError("the CSV holds no results")
    return out


def read_watched(data: bytes) -> CsvRead:
    """A watched file's complete constituencies (see the module docstring for the rules)."""
    cut = data.rfind(b"\n")  # a last line without its newline is still being written
    if cut < 0:
        return CsvRead([], {}, False)
    blocks, scattered, fields = _blocks(_text_of(data[: cut + 1]))
    has_total = "total" in fields
    complete: list[DeclaredResult] = []
    held: dict[str, str] = {}
    for k, block in enumerate(blocks):
        last = k == len(blocks) - 1
        if block.error is not None:
            held[block.name] = block.error
        elif has_total:
            got = sum(block.votes.values())
            if block.total is None:
                held[block.name] = "no total given yet"
            elif got < block.total:
                held[block.name] = f"rows add up to {got} of the total {block.total}: waiting for the rest"
            elif got > block.total:
                held[block.name] = f"rows add up to {got}, more than the total {block.total}"
            else:
                _take(block, complete, held)
        elif block.name in scattered:
            held[block.name] = "its rows are not together, so it cannot be told complete (add a total column)"
        elif last:
            held[block.name] = (
                "last constituency of a file without a total column: taken once another constituency "
                "follows it (or add a total column)"
            )
        else:
            _take(block, complete, held)
    return CsvRead(complete, held, has_total)


def _take(block: _Block, complete: list[DeclaredResult], held: dict[str, str]) -> None:
    try:
        complete.append(_result(block))
    except InputError as exc:
        held[block.name] = str(exc)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class WatchTarget(Protocol):
    """What the watcher stores into (a :class:`kingmaker.web.live.LiveService`)."""

    store: ResultStore
    writer: Executor

    def declared_of(self, result: DeclaredResult) -> tuple[str, Declared]: ...

    def submit(self, results: list[DeclaredResult], change: Change | None = None) -> dict[str, Any]: ...


class Watcher:
    """Polls a CSV file named by the operator and stores each constituency once it is complete."""

    def __init__(
        self,
        service: WatchTarget,
        path: Path,
        *,
        interval: float = 1.0,
        missing_every: float = 60.0,
        report: Callable[[str], None] = _stderr,
    ) -> None:
        self.service, self.path = service, Path(path)
        self.interval, self.missing_every = interval, missing_every
        self.report = report
        self._seen: tuple[int, int] | None = None
        self._missing_since: float | None = None
        self._missing_told = 0.0
        self._told: set[str] = set()
        self.change = Change(actor="watch", client=str(self.path))

    def _say(self, message: str, *, once: bool = True) -> None:
        if once:
            if message in self._told:
                return
            self._told.add(message)
        self.report(f"kingmaker live: watch file {self.path}: {message}")

    def poll(self) -> None:
        """One look at the file: store what is complete and new; report what is not."""
        now = time.monotonic()
        try:
            st = self.path.stat()
        except OSError:
            if self._missing_since is None:
                self._missing_since, self._missing_told = now, now
                self._say("does not exist (yet); waiting for it", once=False)
            elif now - self._missing_told >= self.missing_every:
                self._missing_told = now
                self._say(f"still missing after {now - self._missing_since:.0f} s", once=False)
            self._seen = None
            return
        if self._missing_since is not None:
            self._missing_since = None
            self._say("found", once=False)
        key = (st.st_mtime_ns, st.st_size)
        if key == self._seen:
            return
        self._seen = key
        try:
            read = read_watched(self.path.read_bytes())
        except (InputError, OSError) as exc:
            self._say(str(exc))
            return
        for name, why in read.held.items():
            self._say(f"{name} not taken: {why}")
        self._store(read.complete)

    def _store(self, results: list[DeclaredResult]) -> None:
        service = self.service
        for r in results:
            try:
                name, declared = service.declared_of(r)
                stored = service.store.get(name)
                if stored is not None and stored.key() == declared.key():
                    continue
                service.writer.submit(service.submit, [r], self.change).result()
            except ResultConflict as exc:
                self._say(f"conflict (409): {exc}")
            except InputError as exc:
                self._say(str(exc))

    def start(self, stop: threading.Event) -> threading.Thread:
        """Poll at once, then every ``interval`` seconds until ``stop`` is set, on a daemon thread."""

        def loop() -> None:
            self.poll()
            while not stop.wait(self.interval):
                self.poll()

        thread = threading.Thread(target=loop, name="kingmaker-watch", daemon=True)
        thread.start()
        return thread
