"""Results night: declared constituency results, kept in DuckDB, and the live projection of the rest.

* :class:`ResultStore` keeps every declared result in an embedded DuckDB file. Each write is one
  transaction, committed before the request is acknowledged, so a crash loses nothing that was
  acknowledged. A constituency is declared once: the same numbers again are accepted (idempotent),
  different numbers are refused with 409 and the first result is kept. A batch is stored whole or
  not at all.
* :class:`LiveService` checks results against the base election (known constituency, known
  parties), stores them on its own single writer thread (:attr:`LiveService.writer`: read load on
  the web server cannot delay a write) and presents the live picture. The modelling is the library's:
  :func:`kingmaker.forecast.forecast_from_declared` fixes the declared seats, projects the rest from
  the swing seen so far (:func:`kingmaker.projection.swing_from_declared`: uniform, or regional once
  a region has enough declared seats; Northern Ireland and the Speaker's seat keep their base result
  until declared) and simulates the undeclared seats with the forecast machinery, giving how often
  each coalition reaches a majority. This module only stores, validates and formats.

Simulations: :data:`SIMULATIONS` by default, seeded by the number of results stored, so the same
results always give the same probabilities.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import HTTPException
from pydantic import ValidationError

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.names import resolve
from kingmaker.parliament import PRESETS, Parliament
from kingmaker.parties import Party
from kingmaker.votes import VoteTable
from kingmaker.web.models import MAX_RESULTS_PER_REQUEST, MAX_SIMULATIONS, DeclaredResult

SIMULATIONS = 500


class ResultConflict(InputError):
    """A constituency declared again with different numbers (HTTP 409); the first result is kept."""

    status_code = 409


# ----------------------------------------------------------------------------- authentication


def require_token(token: str) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency: ``Authorization: Bearer <token>``; 401 without it, 403 when wrong.

    A coroutine, so it is checked on the event loop and never waits for a worker thread."""
    expected = token.encode()

    async def check(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(
                401,
                "missing token: send Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(403, "wrong token")

    return check


# ----------------------------------------------------------------------------- storage


class ResultStore:
    """Declared results in a DuckDB file: ``results(constituency, votes JSON, seq, declared_at)``.

    The process that opens the file is its only writer (DuckDB locks it), so the rows are also
    mirrored in memory: reads and the conflict checks never query the database, and a write is one
    INSERT and a COMMIT (the mirror is updated only once the commit succeeded).
    """

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        self._lock = threading.Lock()
        self._con = duckdb.connect(str(self.path))
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS results (constituency VARCHAR PRIMARY KEY, votes VARCHAR NOT NULL, "
            "seq BIGINT NOT NULL, declared_at DOUBLE NOT NULL)"
        )
        self._con.execute("CHECKPOINT")
        rows = self._con.execute("SELECT constituency, votes, seq FROM results ORDER BY seq").fetchall()
        self._rows: dict[str, str] = {c: v for c, v, _ in rows}
        self._seq = int(rows[-1][2]) if rows else 0

    def count(self) -> int:
        """How many constituencies are stored."""
        with self._lock:
            return len(self._rows)

    def all(self) -> dict[str, dict[str, int]]:
        """Every stored result, in the order declared."""
        with self._lock:
            rows = list(self._rows.items())
        return {c: json.loads(v) for c, v in rows}

    def add(self, results: Sequence[tuple[str, dict[str, int]]]) -> tuple[list[str], list[str]]:
        """Store a batch atomically; returns (stored, already identical). ResultConflict: none stored."""
        batch: dict[str, str] = {}
        for name, votes in results:
            text = json.dumps({p: v for p, v in sorted(votes.items()) if v}, separators=(",", ":"))
            if name in batch and batch[name] != text:
                raise ResultConflict(f"{name} appears twice in the request with different numbers")
            batch[name] = text
        with self._lock:
            stored, same = [], []
            for name, text in batch.items():
                old = self._rows.get(name)
                if old is None:
                    stored.append(name)
                elif old == text:
                    same.append(name)
                else:
                    raise ResultConflict(
                        f"{name} was already declared with different numbers ({old}); the first result is kept"
                    )
            if stored:
                now = time.time()
                rows = [[name, batch[name], self._seq + k + 1, now] for k, name in enumerate(stored)]
                con = self._con
                con.execute("BEGIN TRANSACTION")
                try:
                    con.executemany("INSERT INTO results VALUES (?, ?, ?, ?)", rows)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                self._seq += len(stored)
                self._rows.update((name, batch[name]) for name in stored)
        return stored, same

    def close(self) -> None:
        """Checkpoint and close the database."""
        with self._lock:
            self._con.close()


# ----------------------------------------------------------------------------- CSV input


def parse_results_csv(data: bytes) -> list[DeclaredResult]:
    """``constituency,party,votes`` rows (header required) grouped into declared results."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the CSV is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        return _results_of(reader)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source="CSV", line=reader.line_num) from None


def _results_of(reader: csv.DictReader[str]) -> list[DeclaredResult]:
    """The declared results of a results CSV's rows."""
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if not {"constituency", "party", "votes"} <= set(fields):
        raise InputError("CSV header must have the columns constituency, party, votes", line=1)
    reader.fieldnames = fields
    grouped: dict[str, dict[str, int]] = {}
    for row in reader:
        line = reader.line_num
        name, party = (row.get("constituency") or "").strip(), (row.get("party") or "").strip()
        if not name or not party:
            raise InputError("empty constituency or party", source="CSV", line=line)
        try:
            votes = int((row.get("votes") or "").strip())
        except ValueError:
            raise InputError(
                f"votes must be a whole number, got {row.get('votes')!r}", source="CSV", line=line
            ) from None
        entry = grouped.setdefault(name, {})
        if party in entry:
            raise InputError(f"{party} given twice for {name}", source="CSV", line=line)
        entry[party] = votes
        if len(grouped) > MAX_RESULTS_PER_REQUEST:
            raise InputError(f"at most {MAX_RESULTS_PER_REQUEST} constituencies per request")
    if not grouped:
        raise InputError("the CSV holds no results")
    out = []
    for name, votes in grouped.items():
        try:
            out.append(DeclaredResult(constituency=name, votes=votes))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise InputError(f"{name}: {problems}") from None
    return out


# ----------------------------------------------------------------------------- the live picture


class LiveService:
    """Validates and stores declared results; computes the live state the page shows."""

    def __init__(
        self,
        base: VoteTable,
        store: ResultStore,
        *,
        token: str,
        preset: str | None = None,
        simulations: int = SIMULATIONS,
    ) -> None:
        if not 0 <= simulations <= MAX_SIMULATIONS:
            raise InputError(f"simulations must be between 0 and {MAX_SIMULATIONS}")
        self.base = base
        self.store = store
        self.token = token
        self.simulations = simulations
        self._lookup = {name.casefold(): i for i, name in enumerate(base.districts)}
        if base.codes:
            self._lookup.update({code.casefold(): i for i, code in enumerate(base.codes)})
        self._party_index = {p: i for i, p in enumerate(base.parties)}
        preset = preset or (f"uk-{base.election}" if f"uk-{base.election}" in PRESETS else None)
        self._preset = Parliament.preset(preset) if preset else None
        self._version = store.count()
        self._cache: tuple[int, dict[str, Any]] | None = None
        self._parliament_cache: tuple[int, Parliament] | None = None
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        #: Every write (web or ``--watch``) runs here, one at a time, on a thread no read can hold.
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="kingmaker-write")
        self.parliament = self.current_parliament()

    @property
    def version(self) -> int:
        """Changes whenever a new result is stored."""
        return self._version

    # ------------------------------------------------------------------ writes
    def canonical(self, result: DeclaredResult) -> tuple[str, dict[str, int]]:
        """The base's name for the constituency and votes keyed by base party (4xx if unknown)."""
        i = self._lookup.get(result.constituency.casefold())
        if i is None:
            raise UnknownNameError(f"unknown constituency {result.constituency!r}")
        unknown = [p for p in result.votes if p not in self._party_index]
        if unknown:
            raise UnknownNameError(
                f"{self.base.districts[i]}: unknown part{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(map(repr, unknown))}; parties are the base election's columns"
            )
        return self.base.districts[i], dict(result.votes)

    def submit(self, results: Sequence[DeclaredResult]) -> dict[str, Any]:
        """Validate every result, then store them all in one transaction (or none)."""
        batch = [self.canonical(r) for r in results]
        stored, same = self.store.add(batch)
        if stored:
            self._version += len(stored)
        return {"stored": stored, "unchanged": same, "declared": self.store.count()}

    def submit_csv(self, data: bytes) -> dict[str, Any]:
        """Parse ``constituency,party,votes`` CSV bytes and :meth:`submit` them (all or none)."""
        return self.submit(parse_results_csv(data))

    def watch_csv(self, path: Path, interval: float = 1.0) -> threading.Thread:
        """Poll ``path`` (named by the operator) and store constituencies not stored yet."""

        def loop() -> None:
            seen = -1.0
            while not self._stop.wait(interval):
                try:
                    mtime = path.stat().st_mtime
                except OSError:
                    continue
                if mtime == seen:
                    continue
                seen = mtime
                try:
                    known = self.store.all()
                    results = parse_results_csv(path.read_bytes())
                except (InputError, OSError) as exc:
                    print(f"kingmaker live: --watch {path}: {exc}", file=sys.stderr)
                    continue
                for r in results:
                    try:
                        if self.canonical(r)[0] not in known:
                            self.writer.submit(self.submit, [r]).result()
                    except InputError as exc:
                        print(f"kingmaker live: --watch {path}: {exc}", file=sys.stderr)

        thread = threading.Thread(target=loop, name="kingmaker-watch", daemon=True)
        thread.start()
        self._threads.append(thread)
        return thread

    def close(self) -> None:
        """Stop watching and close the store."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.writer.shutdown(wait=True)
        self.store.close()

    # ------------------------------------------------------------------ the picture
    def _colour_party(self, name: str, seats: int) -> Party:
        """The base column ``name`` with the preset's colour and position for the party it names
        (through the one resolver: ``Grn`` finds ``Green``); an unknown party is unplaced."""
        if self._preset is not None:
            try:
                p = self._preset.party(resolve(name, self._preset.names))
            except UnknownNameError:
                pass
            else:
                return Party(name, seats, p.position, p.full_name, p.colour)
        full = self.base.party_names.get(name, "") if self.base.party_names else ""
        return Party(name, seats, None, full, None)

    def parliament_of(self, seats: dict[str, int]) -> Parliament:
        """A Parliament of these seats with the House conventions and the preset's colours and positions."""
        from kingmaker.conventions import SeatConventions

        kept = {p: s for p, s in seats.items() if s > 0}
        non_voting = SeatConventions.uk(kept).non_voting(kept)
        title = f"Results night: {self.base.election or ''} base".strip()
        return Parliament(
            tuple(self._colour_party(p, s) for p, s in kept.items()), non_voting, name="live", title=title
        )

    def current_parliament(self) -> Parliament:
        """The live House: declared seats plus the central projection of the rest (one object per
        version, so the web layer's answer caches hit)."""
        state = self.state()
        cached = self._parliament_cache
        if cached is not None and cached[0] == state["version"]:
            return cached[1]
        parliament = self.parliament_of(state["totals"])
        self._parliament_cache = (state["version"], parliament)
        return parliament

    def state(self) -> dict[str, Any]:
        """Declared and projected seats, the live House, and coalitions with their probabilities."""
        with self._state_lock:
            version = self._version
            if self._cache is not None and self._cache[0] == version:
                return self._cache[1]
            state = self._compute()
            state["version"] = version
            self._cache = (version, state)
            return state

    def _compute(self) -> dict[str, Any]:
        from kingmaker.coalitions import coalitions
        from kingmaker.forecast import forecast_from_declared
        from kingmaker.web.answers import hemicycle_payload

        declared = self.store.all()
        live = forecast_from_declared(self.base, declared, sims=self.simulations, seed=self._version)
        totals = dict(live.seats)
        parliament = self.parliament_of(totals)
        table = coalitions(parliament, "absolute", minimal_only=True, top=12)
        candidates = [(p,) for p in list(totals)[:2]] + [c.parties for c in table.coalitions]
        rows = []
        for group in dict.fromkeys(candidates):
            prob = live.probability(group)
            rows.append(
                {
                    "parties": list(group),
                    "seats": sum(totals.get(p, 0) for p in group),
                    "probability": None if prob is None else round(prob, 4),
                }
            )
        n = live.n_declared
        swing_text = ""
        if n:
            swing_text = "; swing seen: " + ", ".join(f"{p} {v:+.1f}" for p, v in live.swing.largest(3))
        how = "uniform swing"
        if live.swing.model == "regional":
            how = f"regional swing where {live.swing.min_region_seats}+ seats of a region have declared"
        return {
            "declared": n,
            "total": self.base.n_districts,
            "summary": f"{n} of {self.base.n_districts} seats declared; the rest projected by {how}{swing_text}.",
            "seats": [
                {
                    "party": p,
                    "declared": live.declared_seats.get(p, 0),
                    "projected": live.projected_seats.get(p, 0),
                    "total": s,
                }
                for p, s in totals.items()
            ],
            "totals": totals,
            "declared_results": list(declared),
            "coalitions": rows,
            "simulations": 0 if live.forecast is None else live.forecast.sims,
            "parliament": hemicycle_payload(parliament),
        }
