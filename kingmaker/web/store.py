"""Results night's storage: declared results and their audit trail in one embedded DuckDB file.

Two tables:

* ``results(constituency, votes, seq, declared_at, winner, updated_at)``: the result in force for
  each declared constituency (``votes`` JSON, parties with no vote left out; ``winner`` only for a
  tie the returning officer decided by lot; ``seq`` the change that first declared it).
* ``audit(seq, changed_at, action, constituency, old_votes, new_votes, old_winner, new_winner, reason,
  actor, client)``: every change, ``action`` one of ``declare``, ``amend`` and ``withdraw``, with
  who made it (the label of the token used, and the client's address), when, the numbers before
  and after, and the reason given.

Each write is one transaction -- the result rows and their audit rows together -- committed before
the caller is answered, so a crash loses nothing that was acknowledged and never leaves a result
without its audit row. The process that opens the file is its only writer (DuckDB locks it), so
the results in force are also kept in memory: reads and the conflict checks never query the
database. ``seq`` is one counter for every change (a declaration, an amendment, a withdrawal);
:attr:`ResultStore.revision` is its latest value, which only grows, even across restarts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kingmaker.errors import InputError

#: Audit entries :meth:`ResultStore.audit` returns at most.
MAX_AUDIT_LISTED = 500


class ResultConflict(InputError):
    """A constituency declared again with different numbers (HTTP 409); the first result is kept."""

    status_code = 409


class NotDeclared(InputError):
    """An amendment or withdrawal of a constituency that has no result in force (HTTP 404)."""

    status_code = 404


@dataclass(frozen=True)
class Declared:
    """A declared result as stored: votes per party (no zeros) and the winner of a decided tie."""

    votes: dict[str, int]
    winner: str | None = None

    def key(self) -> str:
        """Canonical text of the result: equal keys, equal results."""
        return json.dumps({"votes": self.votes, "winner": self.winner}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def of(cls, votes: dict[str, int], winner: str | None = None) -> Declared:
        """Votes sorted by party with the zeros dropped."""
        return cls({p: int(v) for p, v in sorted(votes.items()) if v}, winner)


@dataclass(frozen=True)
class Change:
    """Who changes the results and why (an audit row's ``actor``, ``client`` and ``reason``)."""

    actor: str = "operator"
    client: str = ""
    reason: str = ""


AUDIT_COLUMNS = "seq, changed_at, action, constituency, old_votes, new_votes, old_winner, new_winner, reason, actor, client"


def _audit_entry(row: Sequence[Any]) -> dict[str, Any]:
    """An audit row as plain data (votes parsed back from JSON)."""
    entry = dict(zip(AUDIT_COLUMNS.split(", "), row, strict=True))
    for key in ("old_votes", "new_votes"):
        entry[key] = None if entry[key] is None else json.loads(entry[key])
    return entry


def _votes_text(votes: dict[str, int] | None) -> str | None:
    return None if votes is None else json.dumps(votes, separators=(",", ":"))


def open_duckdb(path: Path) -> Any:
    """Connect to the DuckDB file at ``path``; a path that cannot hold one is an InputError that
    says why in one line (a folder, a missing folder, another process's lock, not a DuckDB file)."""
    import duckdb

    if path.is_dir():
        raise InputError(f"results database {str(path)!r} is a folder, not a file")
    if not path.parent.is_dir():
        raise InputError(f"results database {str(path)!r}: the folder {str(path.parent)!r} does not exist")
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "lock" in text.lower():
            holder = text.split("(PID", 1)[1].split(")", 1)[0].strip() if "(PID" in text else ""
            who = f" (process {holder})" if holder else ""
            raise InputError(
                f"results database {str(path)!r} is in use by another process{who}; "
                "stop it or choose another file"
            ) from None
        if "not a valid duckdb" in text.lower() or "database file" in text.lower():
            raise InputError(f"results database {str(path)!r} is not a DuckDB database file") from None
        raise InputError(f"results database {str(path)!r} cannot be opened: {text}") from None


class ResultStore:
    """Declared results and their audit trail in a DuckDB file (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        self._lock = threading.Lock()
        self._con = open_duckdb(self.path)
        try:
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS results (constituency VARCHAR PRIMARY KEY, votes VARCHAR NOT NULL, "
                "seq BIGINT NOT NULL, declared_at DOUBLE NOT NULL)"
            )
            # files written before corrections existed gain the columns they lack
            self._con.execute("ALTER TABLE results ADD COLUMN IF NOT EXISTS winner VARCHAR")
            self._con.execute("ALTER TABLE results ADD COLUMN IF NOT EXISTS updated_at DOUBLE")
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS audit (seq BIGINT NOT NULL, changed_at DOUBLE NOT NULL, "
                "action VARCHAR NOT NULL, constituency VARCHAR NOT NULL, old_votes VARCHAR, new_votes VARCHAR, "
                "old_winner VARCHAR, new_winner VARCHAR, reason VARCHAR NOT NULL, actor VARCHAR NOT NULL, "
                "client VARCHAR NOT NULL)"
            )
            self._con.execute("CHECKPOINT")
            rows = self._con.execute(
                "SELECT constituency, votes, winner, seq, declared_at, updated_at FROM results ORDER BY seq"
            ).fetchall()
            last_audit = self._con.execute("SELECT max(seq) FROM audit").fetchone()
            fixes = self._con.execute(
                f"SELECT {AUDIT_COLUMNS} FROM audit WHERE action <> 'declare' ORDER BY seq"
            ).fetchall()
        except duckdb.Error as exc:
            self._con.close()
            first = str(exc).strip().splitlines()[0]
            raise InputError(
                f"results database {str(self.path)!r} is not a kingmaker results file: {first}"
            ) from None
        self._rows: dict[str, Declared] = {c: Declared(json.loads(v), w) for c, v, w, *_ in rows}
        self._times: dict[str, tuple[float, float | None]] = {c: (d, u) for c, _, _, _, d, u in rows}
        last = max([int(r[3]) for r in rows] + [int(last_audit[0]) if last_audit and last_audit[0] else 0])
        self._seq = last
        self._corrections = [_audit_entry(row) for row in fixes]

    # ------------------------------------------------------------------ reads (from memory)
    @property
    def revision(self) -> int:
        """The number of the latest change (0 for a new file); grows with every change."""
        with self._lock:
            return self._seq

    def snapshot(self) -> tuple[int, dict[str, Declared], dict[str, tuple[float, float | None]]]:
        """The revision, the results in force and their times, all as of one moment."""
        with self._lock:
            return self._seq, dict(self._rows), dict(self._times)

    def count(self) -> int:
        """How many constituencies have a result in force."""
        with self._lock:
            return len(self._rows)

    def all(self) -> dict[str, dict[str, int]]:
        """Every result in force (votes per party), in the order first declared."""
        with self._lock:
            return {c: dict(d.votes) for c, d in self._rows.items()}

    def results(self) -> dict[str, Declared]:
        """Every result in force with its decided-tie winner, in the order first declared."""
        with self._lock:
            return dict(self._rows)

    def get(self, constituency: str) -> Declared | None:
        """The result in force for ``constituency`` (the base's name), if declared."""
        with self._lock:
            return self._rows.get(constituency)

    def times(self) -> dict[str, tuple[float, float | None]]:
        """When each result in force was declared and last amended (Unix seconds; None: never)."""
        with self._lock:
            return dict(self._times)

    def corrections(self, limit: int = MAX_AUDIT_LISTED) -> list[dict[str, Any]]:
        """The amendments and withdrawals, latest first (kept in memory: no query)."""
        with self._lock:
            return self._corrections[::-1][:limit]

    def audit(self, *, corrections_only: bool = False, limit: int = MAX_AUDIT_LISTED) -> list[dict[str, Any]]:
        """The audit trail, latest first: every change, or only amendments and withdrawals. Read
        through a cursor of its own, so it never waits for the writer (nor the writer for it)."""
        where = "WHERE action <> 'declare' " if corrections_only else ""
        cursor = self._con.cursor()
        try:
            rows = cursor.execute(
                f"SELECT {AUDIT_COLUMNS} FROM audit {where}ORDER BY seq DESC LIMIT ?", [int(limit)]
            ).fetchall()
        finally:
            cursor.close()
        return [_audit_entry(row) for row in rows]

    # ------------------------------------------------------------------ writes (one transaction each)
    def _commit(self, statements: list[tuple[str, list[list[Any]]]]) -> None:
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            for sql, rows in statements:
                con.executemany(sql, rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def add(
        self, results: Sequence[tuple[str, Declared | dict[str, int]]], change: Change | None = None
    ) -> tuple[list[str], list[str]]:
        """Store a batch atomically; returns (stored, already identical). ResultConflict: none stored."""
        change = change or Change()
        batch: dict[str, Declared] = {}
        for name, result in results:
            d = result if isinstance(result, Declared) else Declared.of(result)
            if name in batch and batch[name].key() != d.key():
                raise ResultConflict(f"{name} appears twice in the request with different numbers")
            batch[name] = d
        with self._lock:
            stored, same = [], []
            for name, d in batch.items():
                old = self._rows.get(name)
                if old is None:
                    stored.append(name)
                elif old.key() == d.key():
                    same.append(name)
                else:
                    raise ResultConflict(
                        f"{name} was already declared with different numbers ({_votes_text(old.votes)}); "
                        "the first result is kept (amend it with PUT /api/live/results/{constituency})"
                    )
            if stored:
                now = time.time()
                seqs = {name: self._seq + k + 1 for k, name in enumerate(stored)}
                rows = [[n, _votes_text(batch[n].votes), seqs[n], now, batch[n].winner, None] for n in stored]
                audit = [
                    [
                        seqs[n],
                        now,
                        "declare",
                        n,
                        None,
                        _votes_text(batch[n].votes),
                        None,
                        batch[n].winner,
                        change.reason,
                        change.actor,
                        change.client,
                    ]
                    for n in stored
                ]
                self._commit(
                    [
                        (
                            "INSERT INTO results (constituency, votes, seq, declared_at, winner, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            rows,
                        ),
                        (
                            f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            audit,
                        ),
                    ]
                )
                self._seq += len(stored)
                for n in stored:
                    self._rows[n] = batch[n]
                    self._times[n] = (now, None)
        return stored, same

    def amend(self, constituency: str, result: Declared, change: Change) -> bool:
        """Replace the result in force (a recount, a typo); False when it is the same already."""
        with self._lock:
            old = self._rows.get(constituency)
            if old is None:
                raise NotDeclared(f"{constituency} has not been declared: declare it first, then amend it")
            if old.key() == result.key():
                return False
            now, seq = time.time(), self._seq + 1
            votes = _votes_text(result.votes)
            row = [seq, now, "amend", constituency, _votes_text(old.votes), votes, old.winner, result.winner]
            row += [change.reason, change.actor, change.client]
            self._commit(
                [
                    (
                        "UPDATE results SET votes = ?, winner = ?, updated_at = ? WHERE constituency = ?",
                        [[votes, result.winner, now, constituency]],
                    ),
                    (f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [row]),
                ]
            )
            self._corrections.append(_audit_entry(row))
            self._seq = seq
            self._rows[constituency] = result
            self._times[constituency] = (self._times[constituency][0], now)
        return True

    def withdraw(self, constituency: str, change: Change) -> Declared:
        """Take a declared result back (declared in error); returns what was withdrawn."""
        with self._lock:
            old = self._rows.get(constituency)
            if old is None:
                raise NotDeclared(f"{constituency} has no declared result to withdraw")
            now, seq = time.time(), self._seq + 1
            row = [seq, now, "withdraw", constituency, _votes_text(old.votes), None, old.winner, None]
            row += [change.reason, change.actor, change.client]
            self._commit(
                [
                    ("DELETE FROM results WHERE constituency = ?", [[constituency]]),
                    (f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [row]),
                ]
            )
            self._corrections.append(_audit_entry(row))
            self._seq = seq
            del self._rows[constituency]
            del self._times[constituency]
        return old

    def close(self) -> None:
        """Checkpoint and close the database."""
        with self._lock:
            self._con.close()
