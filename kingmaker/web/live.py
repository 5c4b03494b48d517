"""Results night: declared constituency results, kept in DuckDB, and the live projection of the rest.

* :class:`~kingmaker.web.store.ResultStore` keeps every declared result and the audit trail of
  every change in an embedded DuckDB file. Each write is one transaction, committed before the
  request is acknowledged, so a crash loses nothing that was acknowledged. A constituency is
  declared once: the same numbers again are accepted (idempotent), different numbers are refused
  with 409 and the first result is kept until it is *amended* (a recount, a typo) or *withdrawn*,
  each with a reason, by a token holder; the audit trail records who, when, the old and new
  numbers and why. A batch is stored whole or not at all.
* A tie for the most votes is decided by lot on the night: the result must name the returning
  officer's ``winner``; an undecided tie, or a ``winner`` without the most votes, is refused.
* :class:`LiveService` checks results against the base election (known constituency, known
  parties), stores them on its own single writer thread (:attr:`LiveService.writer`: read load on
  the web server cannot delay a write) and presents the live picture. The modelling is the library's:
  :func:`kingmaker.forecast.forecast_from_declared` fixes the declared seats, projects the rest from
  the swing seen so far (:func:`kingmaker.projection.swing_from_declared`: uniform, or regional once
  a region has enough declared seats; Northern Ireland and the Speaker's seat keep their base result
  until declared) and simulates the undeclared seats with the forecast machinery, giving how often
  each coalition reaches a majority and each party's 5-95% range of seats. The feed of declarations
  (hold or gain, swing, majority, turnout) is :mod:`kingmaker.web.feed`; the watched CSV file is
  :mod:`kingmaker.web.watch`. This module only validates, stores and formats.

Simulations: :data:`SIMULATIONS` by default, seeded by the number of results in force, so the same
results always give the same probabilities.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import HTTPException

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.names import resolve
from kingmaker.parliament import PRESETS, Parliament
from kingmaker.parties import Party
from kingmaker.votes import VoteTable
from kingmaker.web.models import MAX_SIMULATIONS, Amendment, DeclaredResult
from kingmaker.web.store import Change, Declared, ResultStore
from kingmaker.web.watch import Watcher, parse_results_csv

SIMULATIONS = 500
#: The label of the token given as a plain string (``KINGMAKER_TOKEN``), in the audit trail.
DEFAULT_ACTOR = "operator"


class UndecidedTie(InputError):
    """A declared result whose top two tied, without the winner the returning officer drew (422)."""

    status_code = 422


def decided_winner(name: str, votes: Mapping[str, int], winner: str | None) -> str | None:
    """The winner to store with a result: the returning officer's for a tie for the most votes
    (required then), None otherwise; a ``winner`` without the most votes is refused."""
    top = max(votes.values())
    leaders = [p for p, v in votes.items() if v == top]
    if winner is not None:
        if winner not in votes:
            raise InputError(f"{name}: winner {winner!r} is not among the parties with votes")
        if votes[winner] != top:
            raise InputError(
                f"{name}: winner {winner!r} has {votes[winner]} votes but {leaders[0]} has {top}; "
                "the winner must have the most votes"
            )
        return winner if len(leaders) > 1 else None
    if len(leaders) > 1:
        raise UndecidedTie(
            f"{name}: {' and '.join(leaders)} tied on {top} votes; give the winner the returning officer "
            'drew by lot ("winner")'
        )
    return None


# ----------------------------------------------------------------------------- authentication


def require_token(tokens: str | Mapping[str, str]) -> Callable[[Request], Awaitable[str]]:
    """A FastAPI dependency: ``Authorization: Bearer <token>``; 401 without it, 403 when wrong.

    ``tokens`` maps each token holder's label to their token (a plain string is one token,
    labelled :data:`DEFAULT_ACTOR`); the dependency's value is the label of the token given, which
    the audit trail records. A coroutine, so it is checked on the event loop and never waits for a
    worker thread."""
    table = {DEFAULT_ACTOR: tokens} if isinstance(tokens, str) else dict(tokens)
    expected = [(label, token.encode()) for label, token in table.items()]

    async def check(request: Request) -> str:
        label = token_label(request, expected)
        if label is None:
            header = request.headers.get("authorization", "")
            scheme, _, given = header.partition(" ")
            if scheme.lower() != "bearer" or not given.strip():
                raise HTTPException(
                    401,
                    "missing token: send Authorization: Bearer <token>",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            raise HTTPException(403, "wrong token")
        return label

    return check


def token_label(request: Request, expected: Sequence[tuple[str, bytes]]) -> str | None:
    """The label of the bearer token ``request`` carries, or None (compared in constant time)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    found = None
    for label, token in expected:
        if hmac.compare_digest(given.strip().encode(), token) and found is None:
            found = label
    return found


# ----------------------------------------------------------------------------- the live picture


class LiveService:
    """Validates and stores declared results and their corrections; computes the live state the page shows."""

    def __init__(
        self,
        base: VoteTable,
        store: ResultStore,
        *,
        token: str | Mapping[str, str],
        preset: str | None = None,
        simulations: int = SIMULATIONS,
    ) -> None:
        if not 0 <= simulations <= MAX_SIMULATIONS:
            raise InputError(f"simulations must be between 0 and {MAX_SIMULATIONS}")
        self.base = base
        self.store = store
        #: Token holders' labels and tokens (a plain string: one token, labelled :data:`DEFAULT_ACTOR`).
        self.tokens: dict[str, str] = {DEFAULT_ACTOR: token} if isinstance(token, str) else dict(token)
        if not self.tokens or any(not t for t in self.tokens.values()):
            raise InputError("a live server needs at least one non-empty token")
        self.simulations = simulations
        self._lookup = {name.casefold(): i for i, name in enumerate(base.districts)}
        if base.codes:
            self._lookup.update({code.casefold(): i for i, code in enumerate(base.codes)})
        self._party_index = {p: i for i, p in enumerate(base.parties)}
        preset = preset or (f"uk-{base.election}" if f"uk-{base.election}" in PRESETS else None)
        self._preset = Parliament.preset(preset) if preset else None
        self._cache: tuple[int, dict[str, Any]] | None = None
        self._parliament_cache: tuple[int, Parliament] | None = None
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        #: Every write (web or watched file) runs here, one at a time, on a thread no read can hold.
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="kingmaker-write")
        self.parliament = self.current_parliament()

    @property
    def token(self) -> str:
        """The first token (the only one when a plain string was given)."""
        return next(iter(self.tokens.values()))

    @property
    def version(self) -> int:
        """Changes whenever a result is stored, amended or withdrawn (the store's revision)."""
        return self.store.revision

    # ------------------------------------------------------------------ writes
    def canonical(self, result: DeclaredResult) -> tuple[str, dict[str, int]]:
        """The base's name for the constituency and votes keyed by base party (4xx if unknown)."""
        return self._canonical(result.constituency, result.votes)

    def _canonical(self, constituency: str, votes: Mapping[str, int]) -> tuple[str, dict[str, int]]:
        i = self._lookup.get(constituency.casefold())
        if i is None:
            raise UnknownNameError(f"unknown constituency {constituency!r}")
        unknown = [p for p in votes if p not in self._party_index]
        if unknown:
            raise UnknownNameError(
                f"{self.base.districts[i]}: unknown part{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(map(repr, unknown))}; parties are the base election's columns"
            )
        return self.base.districts[i], dict(votes)

    def declared_of(self, result: DeclaredResult) -> tuple[str, Declared]:
        """The base's name and the result as stored: a tie for the most votes needs ``winner``."""
        name, votes = self.canonical(result)
        return name, Declared.of(votes, decided_winner(name, votes, result.winner))

    def submit(self, results: Sequence[DeclaredResult], change: Change | None = None) -> dict[str, Any]:
        """Validate every result, then store them all in one transaction (or none)."""
        batch = [self.declared_of(r) for r in results]
        stored, same = self.store.add(batch, change)
        return {"stored": stored, "unchanged": same, "declared": self.store.count()}

    def submit_csv(self, data: bytes, change: Change | None = None) -> dict[str, Any]:
        """Parse ``constituency,party,votes[,winner,total]`` CSV bytes and :meth:`submit` them (all or none)."""
        return self.submit(parse_results_csv(data), change)

    def amend(self, constituency: str, amendment: Amendment, change: Change) -> dict[str, Any]:
        """Replace a declared result (404 if none is in force); audited with ``change`` and its reason."""
        name, votes = self._canonical(constituency, amendment.votes)
        declared = Declared.of(votes, decided_winner(name, votes, amendment.winner))
        amended = self.store.amend(name, declared, Change(change.actor, change.client, amendment.reason))
        return {"amended": [name] if amended else [], "unchanged": [] if amended else [name]}

    def withdraw(self, constituency: str, change: Change) -> dict[str, Any]:
        """Take back a declared result (404 if none is in force); audited with ``change``'s reason."""
        if not change.reason.strip():
            raise InputError("a withdrawal needs a reason")
        name, _ = self._canonical(constituency, {})
        self.store.withdraw(name, change)
        return {"withdrawn": [name], "declared": self.store.count()}

    def watch_csv(
        self,
        path: Path,
        interval: float = 1.0,
        *,
        missing_every: float = 60.0,
        report: Callable[[str], None] | None = None,
    ) -> threading.Thread:
        """Poll ``path`` (named by the operator) and store each constituency once it is complete
        (the rules: :mod:`kingmaker.web.watch`); problems go to ``report`` (default: stderr)."""
        kw = {} if report is None else {"report": report}
        watcher = Watcher(self, path, interval=interval, missing_every=missing_every, **kw)
        thread = watcher.start(self._stop)
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
        """Declared and projected seats with their 5-95% ranges, the live House, coalitions with
        their probabilities, the feed of declarations and the corrections made."""
        with self._state_lock:
            version, results, times = self.store.snapshot()
            if self._cache is not None and self._cache[0] == version:
                return self._cache[1]
            state = self._compute(results, times)
            state["version"] = version
            self._cache = (version, state)
            return state

    def _compute(
        self, results: dict[str, Declared], times: dict[str, tuple[float, float | None]]
    ) -> dict[str, Any]:
        from kingmaker.coalitions import coalitions
        from kingmaker.forecast import forecast_from_declared
        from kingmaker.web.answers import hemicycle_payload
        from kingmaker.web.feed import corrections, declaration_feed

        declared = {c: d.votes for c, d in results.items()}
        winners = {c: d.winner for c, d in results.items() if d.winner is not None}
        live = forecast_from_declared(
            self.base, declared, sims=self.simulations, seed=len(declared), winners=winners
        )
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
        fc = live.forecast

        def interval(party: str, total: int) -> list[int] | None:
            if live.settled:
                return [total, total]
            if fc is None or party not in fc.low:
                return None
            return [int(fc.low[party]), int(fc.high[party])]

        return {
            "declared": n,
            "total": self.base.n_districts,
            "to_come": self.base.n_districts - n,
            "summary": f"{n} of {self.base.n_districts} seats declared; the rest projected by {how}{swing_text}.",
            "interval": {"low": 5, "high": 95, "simulated": fc is not None or live.settled},
            "seats": [
                {
                    "party": p,
                    "declared": live.declared_seats.get(p, 0),
                    "projected": live.projected_seats.get(p, 0),
                    "total": s,
                    "interval_90": interval(p, s),
                }
                for p, s in totals.items()
            ],
            "totals": totals,
            "declared_results": list(declared),
            "coalitions": rows,
            "simulations": 0 if fc is None else fc.sims,
            "feed": declaration_feed(self.base, results, times),
            "corrections": corrections(self.store.corrections(limit=50)),
            "parliament": hemicycle_payload(parliament),
        }
