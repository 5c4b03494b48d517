"""Results night: declared constituency results, kept in DuckDB, and the live projection of the rest.

* :class:`ResultStore` keeps every declared result in an embedded DuckDB file. Each write is one
  transaction, committed before the request is acknowledged, so a crash loses nothing that was
  acknowledged. A constituency is declared once: the same numbers again are accepted (idempotent),
  different numbers are refused with 409 and the first result is kept. A batch is stored whole or
  not at all.
* :class:`LiveService` checks results against the base election (known constituency, known
  parties), and builds the live picture: declared seats, the undeclared ones projected by
  :mod:`kingmaker.projection` from the swing seen in the declared seats, and how often each
  coalition reaches a majority when that swing is uncertain.

The swing seen so far is measured the simplest way: each party's share of the votes in the
declared seats minus its share of the same seats' votes at the base election; the undeclared seats
are then projected by :func:`kingmaker.projection.project` (uniform model) onto their base shares
plus that change. Northern Ireland and the Speaker's seat keep their base result until declared
(the projection module's ``scope="auto"``). Coalition probabilities come from
:data:`SIMULATIONS` draws (seeded by the number of results stored) that add a national error to
the swing, shrinking as more seats declare (sd :data:`SWING_SD` points for a party of 30%, scaled
by the square root of its share and of the undeclared fraction of seats), and a seat-level error
(sd :data:`SEAT_SD` points, scaled the same way).
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import Request
from fastapi.exceptions import HTTPException
from pydantic import ValidationError

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.parliament import PRESETS, Parliament, Party
from kingmaker.votes import VoteTable
from kingmaker.web.models import MAX_RESULTS_PER_REQUEST, MAX_SIMULATIONS, DeclaredResult

SIMULATIONS = 500
SWING_SD = 3.0
SEAT_SD = 2.0


class ResultConflict(InputError):
    """A constituency declared again with different numbers (HTTP 409); the first result is kept."""

    status_code = 409


# ----------------------------------------------------------------------------- authentication


def require_token(token: str) -> Callable[[Request], None]:
    """A FastAPI dependency: ``Authorization: Bearer <token>``; 401 without it, 403 when wrong."""
    expected = token.encode()

    def check(request: Request) -> None:
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
    """Declared results in a DuckDB file: ``results(constituency, votes JSON, seq, declared_at)``."""

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

    def count(self) -> int:
        """How many constituencies are stored."""
        with self._lock:
            row = self._con.execute("SELECT count(*) FROM results").fetchone()
        return int(row[0]) if row else 0

    def all(self) -> dict[str, dict[str, int]]:
        """Every stored result, in the order declared."""
        with self._lock:
            rows = self._con.execute("SELECT constituency, votes FROM results ORDER BY seq").fetchall()
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
            con = self._con
            con.execute("BEGIN TRANSACTION")
            try:
                stored, same = [], []
                row = con.execute("SELECT coalesce(max(seq), 0) FROM results").fetchone()
                seq = int(row[0]) if row else 0
                for name, text in batch.items():
                    old = con.execute("SELECT votes FROM results WHERE constituency = ?", [name]).fetchone()
                    if old is None:
                        seq += 1
                        con.execute("INSERT INTO results VALUES (?, ?, ?, ?)", [name, text, seq, time.time()])
                        stored.append(name)
                    elif old[0] == text:
                        same.append(name)
                    else:
                        raise ResultConflict(
                            f"{name} was already declared with different numbers ({old[0]}); "
                            "the first result is kept"
                        )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
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
    reader = csv.DictReader(io.StringIO(text))
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
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
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
                            self.submit([r])
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
        self.store.close()

    # ------------------------------------------------------------------ the picture
    def _declared_matrix(self, declared: dict[str, dict[str, int]]) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.base.n_districts, dtype=bool)
        votes = np.zeros(self.base.votes.shape, dtype=np.int64)
        index = {n: i for i, n in enumerate(self.base.districts)}
        for name, row in declared.items():
            d = index[name]
            mask[d] = True
            for party, v in row.items():
                votes[d, self._party_index[party]] = v
        return mask, votes

    def _projection(self, mask: np.ndarray, votes: np.ndarray) -> tuple[Any, np.ndarray | None]:
        """Plan for the undeclared seats, with targets = their base shares + the swing seen so far."""
        from kingmaker.projection import plan_projection

        if mask.all():
            return None, None
        rest = self.base.select(~mask)
        base_rest = rest.votes.sum(axis=0).astype(float)
        in_gb = np.array([n != "Northern Ireland" for n in (rest.nations or [None] * rest.n_districts)])
        base_rest = rest.votes[in_gb].sum(axis=0).astype(float) if in_gb.any() else base_rest
        b_rest = base_rest / max(base_rest.sum(), 1.0)
        swing = np.zeros(len(self.base.parties))
        gb = np.array(
            [n != "Northern Ireland" for n in (self.base.nations or [None] * self.base.n_districts)]
        )
        seen = mask & gb
        if seen.any():
            now = votes[seen].sum(axis=0).astype(float)
            before = self.base.votes[seen].sum(axis=0).astype(float)
            swing = now / max(now.sum(), 1.0) - before / max(before.sum(), 1.0)
        target = np.maximum(b_rest + swing, 0.0)
        target = 100.0 * target / target.sum()
        shares = {p: float(target[i]) for i, p in enumerate(self.base.parties) if target[i] >= 0.5}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = plan_projection(rest, shares, "uniform", pool_below=0.05)
        return plan, swing

    def _colour_party(self, name: str, seats: int) -> Party:
        from kingmaker.web.app import PARTY_ALIASES

        ref = PARTY_ALIASES.get(name, name)
        if self._preset is not None and ref in self._preset.names:
            p = self._preset.party(ref)
            return Party(name, seats, p.position, p.full_name, p.colour)
        full = self.base.party_names.get(name, "") if self.base.party_names else ""
        return Party(name, seats, None, full, None)

    def parliament_of(self, seats: dict[str, int]) -> Parliament:
        """A Parliament of these seats with the House conventions and the preset's colours and positions."""
        from kingmaker.projection import SeatConventions

        kept = {p: s for p, s in seats.items() if s > 0}
        non_voting = SeatConventions.uk(kept).non_voting(kept)
        title = f"Results night: {self.base.election or ''} base".strip()
        return Parliament(
            tuple(self._colour_party(p, s) for p, s in kept.items()), non_voting, name="live", title=title
        )

    def current_parliament(self) -> Parliament:
        """The live House: declared seats plus the central projection of the rest."""
        return self.parliament_of(self.state()["totals"])

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
        from kingmaker.rules.plurality import plurality_winners
        from kingmaker.web.app import hemicycle_payload

        declared = self.store.all()
        mask, votes = self._declared_matrix(declared)
        parties = self.base.parties
        declared_seats = dict.fromkeys(parties, 0)
        if mask.any():
            table = VoteTable(votes[mask], parties, tuple(np.array(self.base.districts)[mask]))
            winners, _ = plurality_winners(table, "lot", seed=0)
            for w in winners:
                declared_seats[parties[int(w)]] += 1
        plan, swing = self._projection(mask, votes)
        projected = dict.fromkeys(parties, 0)
        sims = None
        if plan is not None:
            central = plan.shares(plan.targets[None])[0].argmax(axis=1)
            for w in central:
                projected[plan.parties[int(w)]] = projected.get(plan.parties[int(w)], 0) + 1
            sims = self._simulate(plan, mask)
        totals = {
            p: declared_seats.get(p, 0) + projected.get(p, 0) for p in dict.fromkeys([*parties, *projected])
        }
        totals = {p: s for p, s in sorted(totals.items(), key=lambda kv: -kv[1]) if s > 0}
        parliament = self.parliament_of(totals)
        table = coalitions(parliament, "absolute", minimal_only=True, top=12)
        rows = []
        candidates = [tuple([p]) for p in list(totals)[:2]] + [c.parties for c in table.coalitions]
        for group in dict.fromkeys(candidates):
            seats = sum(totals.get(p, 0) for p in group)
            prob = None
            if sims is not None:
                cols = [sims[1].index(p) for p in group if p in sims[1]]
                fixed = sum(declared_seats.get(p, 0) for p in group)
                won = sims[0][:, cols].sum(axis=1) + fixed if cols else np.full(len(sims[0]), fixed)
                prob = round(float((won >= parliament.absolute_majority).mean()), 4)
            elif mask.all():
                prob = 1.0 if seats >= parliament.absolute_majority else 0.0
            rows.append({"parties": list(group), "seats": seats, "probability": prob})
        n = int(mask.sum())
        swing_text = ""
        if swing is not None and mask.any():
            big = sorted(range(len(parties)), key=lambda i: -abs(swing[i]))[:3]
            swing_text = "; swing seen: " + ", ".join(f"{parties[i]} {100 * swing[i]:+.1f}" for i in big)
        return {
            "declared": n,
            "total": self.base.n_districts,
            "summary": f"{n} of {self.base.n_districts} seats declared; the rest projected by uniform swing"
            f"{swing_text}.",
            "seats": [
                {
                    "party": p,
                    "declared": declared_seats.get(p, 0),
                    "projected": projected.get(p, 0),
                    "total": s,
                }
                for p, s in totals.items()
            ],
            "totals": totals,
            "declared_results": list(declared),
            "coalitions": rows,
            "simulations": 0 if sims is None else len(sims[0]),
            "parliament": hemicycle_payload(parliament),
        }

    def _simulate(self, plan: Any, mask: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
        """Projected seats per party in each of ``simulations`` draws (undeclared seats only)."""
        if self.simulations <= 0:
            return None
        rng = np.random.default_rng(self._version)
        undeclared = 1.0 - mask.mean()
        n_p = len(plan.parties)
        counts = np.zeros((self.simulations, n_p), dtype=np.int64)
        # errors scale with the square root of a party's share: SWING_SD points for a 30% party
        sd = SWING_SD / 100 * np.sqrt(np.maximum(plan.targets[0], 0.0) / 0.3) * np.sqrt(undeclared)
        sd[plan.targets[0] < 0.02] = 0.0
        for start in range(0, self.simulations, 100):
            k = min(100, self.simulations - start)
            noise = rng.normal(0.0, 1.0, size=(k, 1, n_p)) * sd
            targets = np.maximum(plan.targets[None] + noise, 0.0)
            targets /= targets.sum(axis=2, keepdims=True)
            shares = plan.shares(targets)
            shares += rng.normal(0.0, SEAT_SD / 100, size=shares.shape) * np.sqrt(shares / 0.3)
            winners = shares.argmax(axis=2)
            held = plan.held
            if held.any():
                winners[:, held] = plan.base_shares[held].argmax(axis=1)[None]
            for p in range(n_p):
                counts[start : start + k, p] = (winners == p).sum(axis=1)
        return counts, list(plan.parties)
