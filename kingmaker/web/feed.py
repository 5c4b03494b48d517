"""Results night's feed: each declaration as a journalist reads it, and the corrections made.

For a declared constituency, against the base election's result there:

* ``winner`` (the most votes, or the returning officer's lot for a tie) and ``result``: ``hold``
  when the base election's winner won again, ``gain`` otherwise, with ``from`` the party that
  lost the seat;
* ``majority``: the winner's votes less the runner-up's, and as a percentage of the votes cast;
* ``swing``: the two-party (Butler) swing, half the change in the winner's share less the change
  in the other party's, in percentage points; the other party is the one the seat was gained from,
  or for a hold the runner-up; positive means towards the winner;
* ``turnout``: votes cast as a percentage of the base election's electorate, when the base has
  electorates (the register may have changed since: the figure is labelled as such).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kingmaker.votes import VoteTable
from kingmaker.web.store import Declared

#: Declarations in the feed, latest first.
FEED_LENGTH = 20


def _share(votes: Mapping[str, int], party: str, total: int) -> float:
    return 100.0 * votes.get(party, 0) / total if total else 0.0


def describe(base: VoteTable, row: int, result: Declared) -> dict[str, Any]:
    """One declaration against the base election's result in district ``row`` (see the module)."""
    votes = result.votes
    total = sum(votes.values())
    ranked = sorted(votes, key=lambda p: -votes[p])
    winner = result.winner or ranked[0]
    runner = next((p for p in ranked if p != winner), None)
    before = {p: int(v) for p, v in zip(base.parties, base.votes[row], strict=True)}
    base_total = sum(before.values())
    held_by = base.parties[int(np.argmax(base.votes[row]))] if base_total else None
    gain = held_by is not None and held_by != winner
    other = held_by if gain else runner
    swing = None
    if other is not None and base_total:
        change = _share(votes, winner, total) - _share(before, winner, base_total)
        change_other = _share(votes, other, total) - _share(before, other, base_total)
        swing = {"from": other, "to": winner, "points": round((change - change_other) / 2, 1)}
    majority = votes[winner] - (votes[runner] if runner else 0)
    turnout = None
    if base.electorates is not None and int(base.electorates[row]) > 0:
        turnout = round(100.0 * total / int(base.electorates[row]), 1)
    return {
        "constituency": base.districts[row],
        "winner": winner,
        "result": "gain" if gain else "hold",
        "from": held_by if gain else None,
        "runner_up": runner,
        "majority": majority,
        "majority_pct": round(100.0 * majority / total, 1) if total else None,
        "swing": swing,
        "turnout": turnout,
        "votes": total,
        "by_lot": result.winner is not None,
    }


def declaration_feed(
    base: VoteTable,
    results: Mapping[str, Declared],
    times: Mapping[str, tuple[float, float | None]],
    limit: int = FEED_LENGTH,
) -> list[dict[str, Any]]:
    """The latest declarations first (an amended result moves up with its amendment's time)."""
    rows = {name: i for i, name in enumerate(base.districts)}

    def when(name: str) -> float:
        declared_at, amended_at = times.get(name, (0.0, None))
        return amended_at if amended_at is not None else declared_at

    latest = sorted(results, key=when, reverse=True)[:limit]
    feed = []
    for name in latest:
        item = describe(base, rows[name], results[name])
        declared_at, amended_at = times.get(name, (0.0, None))
        item.update(declared_at=declared_at, amended_at=amended_at)
        feed.append(item)
    return feed


def corrections(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Amendments and withdrawals for the page: what changed, when, by which token holder, and why
    (the client's address stays in the audit trail, off the public page)."""
    return [
        {
            "seq": e["seq"],
            "changed_at": e["changed_at"],
            "action": e["action"],
            "constituency": e["constituency"],
            "old_votes": e["old_votes"],
            "new_votes": e["new_votes"],
            "old_winner": e["old_winner"],
            "new_winner": e["new_winner"],
            "reason": e["reason"],
            "actor": e["actor"],
        }
        for e in entries
    ]
