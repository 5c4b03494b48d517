"""Results night's storage: every change to the declared results, in one embedded DuckDB file.

The file holds one append-only table, the audit trail:

    audit(seq, changed_at, action, constituency, old_votes, new_votes, old_winner, new_winner,
          reason, actor, client)

``action`` is ``declare``, ``amend`` or ``withdraw``; ``new_votes``/``old_votes`` the result after
and before (JSON votes per party, parties without a vote left out); ``new_winner``/``old_winner``
the returning officer's winner of a tie decided by lot; ``actor`` the label of the token used and
``client`` the address it came from. The results in force are what the trail adds up to: they are
rebuilt in memory when the file is opened and kept there, so reads and the conflict checks never
query the database.

Each write is ONE multi-row ``INSERT`` (a batch of declarations, an amendment, a withdrawal) in one
transaction, committed before the caller is answered: a crash loses nothing that was acknowledged,
and no change exists without its audit row. One statement per write also keeps the write short
under load (each DuckDB call gives up and takes back Python's GIL, which a busy event loop holds). The process that opens the file is its only writer (DuckDB locks it). ``seq`` numbers
every change; :attr:`ResultStore.revision` is its latest value, which only grows, across restarts
too. A file written before the audit trail existed (a ``results`` table only) is read once into
``declare`` rows, labelled :data:`BEFORE_AUDIT`.
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
#: The actor of the declarations read from a file written before the audit trail existed.
BEFORE_AUDIT = "(before the audit trail)"


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


def _parsed(row: Sequence[Any]) -> dict[str, Any]:
    """The votes of an audit row parsed back from JSON."""
    return {
        key: None if row[i] is None else json.loads(row[i]) for i, key in ((4, "old_votes"), (5, "new_votes"))
    }


def _audit_entry(row: Sequence[Any]) -> dict[str, Any]:
    """An audit row as plain data (votes parsed back from JSON)."""
    return dict(zip(AUDIT_COLUMNS.split(", "), row, strict=True)) | _parsed(row)


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
        self._seq = 0
        self._rows: dict[str, Declared] = {}
        self._times: dict[str, tuple[float, float | None]] = {}
        self._corrections: list[dict[str, Any]] = []
        try:
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS audit (seq BIGINT NOT NULL, changed_at DOUBLE NOT NULL, "
                "action VARCHAR NOT NULL, constituency VARCHAR NOT NULL, old_votes VARCHAR, new_votes VARCHAR, "
                "old_winner VARCHAR, new_winner VARCHAR, reason VARCHAR NOT NULL, actor VARCHAR NOT NULL, "
                "client VARCHAR NOT NULL)"
            )
            self._adopt_results_table()
            self._con.execute("CHECKPOINT")
            rows = self._con.execute(f"SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq").fetchall()
        except duckdb.Error as exc:
            self._con.close()
            first = str(exc).strip().splitlines()[0]
            raise InputError(
                f"results database {str(self.path)!r} is not a kingmaker results file: {first}"
            ) from None
        for row in rows:
            self._apply(_audit_entry(row))

    def _adopt_results_table(self) -> None:
        """Read a file of the format before the audit trail (a ``results`` table) into ``declare`` rows."""
        tables = {t for (t,) in self._con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "results" not in tables or self._con.execute("SELECT count(*) FROM audit").fetchone()[0]:
            return
        old = self._con.execute(
            "SELECT constituency, votes, seq, declared_at FROM results ORDER BY seq"
        ).fetchall()
        if old:
            self._insert(
                [[seq, at, "declare", c, None, v, None, None, "", BEFORE_AUDIT, ""] for c, v, seq, at in old]
            )

    def _apply(self, entry: dict[str, Any]) -> None:
        """Bring the results in force up to date with one audit entry (at opening or after a write)."""
        name, action = entry["constituency"], entry["action"]
        self._seq = max(self._seq, int(entry["seq"]))
        if action == "withdraw":
            self._rows.pop(name, None)
            self._times.pop(name, None)
        else:
            self._rows[name] = Declared(entry["new_votes"], entry["new_winner"])
            if action == "declare":
                self._times[name] = (entry["changed_at"], None)
            else:
                self._times[name] = (
                    self._times.get(name, (entry["changed_at"], None))[0],
                    entry["changed_at"],
                )
        if action != "declare":
            self._corrections.append(entry)

    def _insert(self, rows: list[list[Any]]) -> None:
        """Append audit rows in ONE statement inside one explicit transaction, committed when this
        returns (DuckDB's autocommit was measured 3-5 times slower per write than BEGIN/COMMIT)."""
        marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES {marks}", [v for r in rows for v in r])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ reads (from memory)
    @property
    def revision(self) -> int:
        """The number of the latest change (0 for a new file); grows with every change. Read without
        the lock (one int), so the event loop never waits while the writer commits."""
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
        with self._lock:  # made under the lock, used outside it
            cursor = self._con.cursor()
        try:
            rows = cursor.execute(
                f"SELECT {AUDIT_COLUMNS} FROM audit {where}ORDER BY seq DESC LIMIT ?", [int(limit)]
            ).fetchall()
        finally:
            cursor.close()
        return [_audit_entry(row) for row in rows]

    # ------------------------------------------------------------------ writes (one statement each)
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
                rows = [
                    [
                        self._seq + k + 1,
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
                    for k, n in enumerate(stored)
                ]
                self._write(rows)
        return stored, same

    def amend(self, constituency: str, result: Declared, change: Change) -> bool:
        """Replace the result in force (a recount, a typo); False when it is the same already."""
        with self._lock:
            old = self._rows.get(constituency)
            if old is None:
                raise NotDeclared(f"{constituency} has not been declared: declare it first, then amend it")
            if old.key() == result.key():
                return False
            row = [self._seq + 1, time.time(), "amend", constituency, _votes_text(old.votes)]
            row += [
                _votes_text(result.votes),
                old.winner,
                result.winner,
                change.reason,
                change.actor,
                change.client,
            ]
            self._write([row])
        return True

    def withdraw(self, constituency: str, change: Change) -> Declared:
        """Take a declared result back (declared in error); returns what was withdrawn."""
        with self._lock:
            old = self._rows.get(constituency)
            if old is None:
                raise NotDeclared(f"{constituency} has no declared result to withdraw")
            row = [self._seq + 1, time.time(), "withdraw", constituency, _votes_text(old.votes), None]
            row += [old.winner, None, change.reason, change.actor, change.client]
            self._write([row])
        return old

    def _write(self, rows: list[list[Any]]) -> None:
        """Commit ``rows`` (the caller holds the lock), then apply them to the results in force."""
        self._insert(rows)
        for row in rows:
            self._apply(dict(zip(AUDIT_COLUMNS.split(", "), row, strict=True)) | _parsed(row))

    def close(self) -> None:
        """Checkpoint and close the database."""
        with self._lock:
            self._con.close()
