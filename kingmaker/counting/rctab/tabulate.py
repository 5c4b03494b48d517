"""RCTab's count (``Tabulator.tabulate`` of BrightSpots/rcv) on kingmaker :class:`Ballots`.

Vote values are whole numbers of units of ``10**-decimals`` votes, so RCTab's truncating
``BigDecimal`` arithmetic (``ContestConfig.multiply``/``divide``, rounding down) is exact
integer arithmetic here. Each distinct ranking is walked from its first rank whenever its
current candidate stops continuing, as RCTab walks each cast vote record; an exhausted ballot
keeps the reason it stopped (overvote, skipped rankings, repeated ranking, exhausted choices,
no rankings, final-round surplus). Ranks are the columns of :attr:`Ballots.rankings`: a
skipped rank (``SKIPPED``) is absent as in RCTab's records, an overvote with unknown
candidates (``OVERVOTE``) is RCTab's ``overvote`` label and an equal-ranking group is a
delimited overvote (``A|D``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.counting.rctab.rules import RCTabOptions
from kingmaker.counting.rctab.tiebreak import RCTabTies
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import Number, TieBreak

OVER = -1  # the explicit overvote label at a rank
ACTIVE, NO_RANK, EXHAUSTED, OVERVOTES, SKIPPED_R, REPEATED, FINAL = range(7)
#: Status code -> key in :attr:`Round.inactive`.
STATUS_KEYS = {
    NO_RANK: "no_rankings",
    EXHAUSTED: "exhausted_choices",
    OVERVOTES: "overvotes",
    SKIPPED_R: "skipped_rankings",
    REPEATED: "repeated_rankings",
    FINAL: "final_round_surplus",
}


def rank_lists(
    rankings: np.ndarray,
    groups: Sequence[tuple[int, ...]],
    max_rankings: int | None,
    source: str | None = None,
) -> list[list[tuple[int, tuple[int, ...]]]]:
    """Each row as RCTab's (rank, candidates at that rank) pairs; ``(OVER,)`` is an overvote."""
    out = []
    for row in rankings.tolist():
        pairs: list[tuple[int, tuple[int, ...]]] = []
        for j, code in enumerate(row):
            if code == PAD:
                break
            if code == SKIPPED:
                continue
            if code == OVERVOTE:
                pairs.append((j + 1, (OVER,)))
            elif code <= GROUP_BASE:
                pairs.append((j + 1, groups[GROUP_BASE - code]))
            else:
                pairs.append((j + 1, (code,)))
        if max_rankings is not None and pairs and pairs[-1][0] > max_rankings:
            raise InputError(
                f"a ballot ranks {pairs[-1][0]} choices; the contest allows {max_rankings}",
                source=source,
            )
        out.append(pairs)
    return out


@dataclass
class _State:
    """The mutable state of one pass of the count."""

    n: int
    seats: int
    value: list[int]
    recip: list[int]
    status: list[int]
    holders: dict[int, list[int]]
    tally: list[int]
    inactive: dict[int, int] = field(default_factory=dict)
    winners: dict[int, int] = field(default_factory=dict)  # candidate -> round elected
    eliminated: dict[int, int] = field(default_factory=dict)
    alloc: dict[int, int] = field(default_factory=dict)  # winner -> units kept by them


class RCTabCount:
    """One RCTab tabulation (one pass of multi-pass IRV) of ``ballots`` for ``seats`` seats."""

    def __init__(
        self,
        b: Ballots,
        seats: int,
        opts: RCTabOptions,
        ranks: list[list[tuple[int, tuple[int, ...]]]],
        weights: list[int],
        excluded: set[int],
        ties: RCTabTies,
    ):
        self.b, self.seats, self.o, self.ranks = b, seats, opts, ranks
        self.names = b.candidates
        self.excluded = excluded
        self.mode = opts.mode(seats)
        self.S = 10**opts.decimals
        self.w = weights
        self.uwi = self.names.index(opts.uwi) if opts.uwi in self.names else -1
        self.n_cands = len(self.names) - len(excluded)
        self.n_declared = self.n_cands - (1 if self.uwi >= 0 and self.uwi not in excluded else 0)
        self.uses_surpluses = seats > 1 and self.mode != "bottoms-up"
        self.ties = ties
        m = opts.marks
        self.skip_limit = m.skipped_limit  # RCTab's maxSkippedRanksAllowed + 1
        self.dup_exhaust = m.duplicates == "exhaust"
        self.ov_rule = (
            "multiple" if m.equal_rankings == "resolve" else m.overvote
        )  # exhaust / skip / multiple
        if self.ov_rule == "multiple" and any(c == (OVER,) for r in ranks for _, c in r):
            raise InputError(
                "overvote rule exhaustIfMultipleContinuing needs the overvoted candidates; "
                "these ballots mark overvotes without them",
                source=b.source,
            )

    # ---------------------------------------------------------------- marks
    def _continuing(self, c: int, st: _State) -> bool:
        if c in self.excluded or c in st.eliminated:
            return False
        return c not in st.winners or self.o.until == "two"

    def _walk(
        self, pairs: list[tuple[int, tuple[int, ...]]], cont: list[bool], final: bool
    ) -> tuple[int, int]:
        """(candidate or -1, status) for one row, walking from its first rank (RCTab's loop)."""
        if not pairs:
            return -1, NO_RANK
        if final:
            return -1, FINAL
        last = 0
        seen: set[int] = set()
        maxrank = pairs[-1][0]
        lim = self.skip_limit
        for rank, cands in pairs:
            if lim is not None and rank - last > lim:
                return -1, SKIPPED_R
            last = rank
            if self.dup_exhaust:
                for c in cands:
                    if c in seen:
                        return -1, REPEATED
                    seen.add(c)
            if cands[0] == OVER:
                decision = "exhaust" if self.ov_rule == "exhaust" else "skip"
            elif len(cands) <= 1:
                decision = ""
            elif self.ov_rule == "multiple":
                decision = "exhaust" if sum(cont[c] for c in cands) >= 2 else ""
            else:
                decision = self.ov_rule
            if decision == "exhaust":
                return -1, OVERVOTES
            if decision == "skip":
                if rank == maxrank:
                    return -1, EXHAUSTED
                continue
            for c in cands:
                if cont[c]:
                    return c, ACTIVE
            if rank == maxrank:
                return -1, EXHAUSTED
        return -1, EXHAUSTED  # pragma: no cover - the last rank always returns

    # ---------------------------------------------------------------- arithmetic
    def _mul(self, a: int, b: int) -> int:
        return a * b // self.S

    def _div(self, a: int, b: int) -> int:
        return a * self.S // b

    def _threshold(self, active: int) -> Number:
        o = self.o
        if self.mode == "bottoms-up-threshold":
            return active * o.percentage  # type: ignore[operator]
        div = self.seats if o.hare else self.seats + 1
        q = 1 if o.non_integer_threshold else self.S
        if o.hare:
            return -(-active // (div * q)) * q
        return active // (div * q) * q + q

    # ---------------------------------------------------------------- the count
    def run(self, round0: int = 0) -> tuple[list[dict], list[int]]:
        """Rounds as plain records (units) and the winners in order of election."""
        n = len(self.names)
        k = len(self.ranks)
        st = _State(
            n=n,
            seats=self.seats,
            value=[self.S] * k,
            recip=[-1] * k,
            status=[ACTIVE] * k,
            holders={c: [] for c in range(n)},
            tally=[0] * n,
        )
        todo = list(range(k))
        out: list[dict] = []
        loss = 0
        rnd = 0
        threshold: Number = 0
        o = self.o
        while self._keep_going(rnd, st):
            rnd += 1
            cont = [self._continuing(c, st) for c in range(n)]
            final = self.uses_surpluses and len(st.winners) == self.seats
            moves: dict[str, dict[str, int]] = {}
            for i in todo:
                src = st.recip[i]
                c, status = self._walk(self.ranks[i], cont, final)
                amount = self.w[i] * st.value[i]
                if amount > 0 and (status != NO_RANK):
                    dst = self.names[c] if c >= 0 else "exhausted"
                    key = self.names[src] if src >= 0 else "uncounted"
                    d = moves.setdefault(key, {})
                    d[dst] = d.get(dst, 0) + amount
                st.recip[i] = c
                if c >= 0:
                    st.holders[c].append(i)
                    st.tally[c] += amount
                else:
                    st.status[i] = status
                    st.inactive[status] = st.inactive.get(status, 0) + amount
            live = [c for c in range(n) if cont[c]]
            tallies = {c: st.tally[c] for c in live}
            active = sum(tallies.values())
            if rnd == 1 or self._recompute(st):
                threshold = self._threshold(active)
            decided: list[tuple[int, str]] = []
            ties: list[TieBreak] = []
            won = self._winners(tallies, threshold, st, rnd, ties)
            for c in won:
                st.winners[c] = rnd
                decided.append((c, "elected"))
            if won and self.uses_surpluses:
                for c in won:
                    votes = tallies[c]
                    extra = votes - threshold
                    frac = self._div(extra, votes) if extra > 0 else 0  # type: ignore[arg-type]
                    kept = 0
                    for i in st.holders[c]:
                        move = self._mul(st.value[i], frac)
                        kept += self.w[i] * (st.value[i] - move)
                        st.value[i] = move
                    st.alloc[c] = kept
            elif not won and (
                len(st.winners) < self.seats
                or (o.until == "two" and len(st.eliminated) < self.n_cands - 2)
                or self.mode == "bottoms-up-threshold"
            ):
                for c in self._losers(tallies, threshold, st, rnd, ties):
                    st.eliminated[c] = rnd
                    decided.append((c, "eliminated"))
            full = dict(tallies)
            if self.seats > 1:
                prev = out[-1]["tallies"] if out else {}
                for c, r in st.winners.items():
                    if r == rnd:
                        continue
                    if r == rnd - 1:
                        full[c] = st.alloc[c]
                        residual = full[c] - threshold
                        if residual > 0:
                            loss += residual
                            full[c] = threshold
                            moves.setdefault(self.names[c], {})["residual surplus"] = residual
                    else:
                        full[c] = prev[c]
            # the rows to walk next round: those whose candidate stops continuing
            todo = []
            for c in range(n):
                if cont[c] and not self._continuing(c, st):
                    todo.extend(st.holders[c])
                    st.holders[c] = []
            todo.sort()
            if out:
                out[-1]["moves"] = moves
            out.append(
                {
                    "number": round0 + rnd,
                    "tallies": full,
                    "threshold": threshold,
                    "inactive": dict(st.inactive),
                    "loss": loss,
                    "decided": decided,
                    "ties": ties,
                    "moves": {},
                }
            )
            self.ties.history.append({self.names[c]: v for c, v in tallies.items()})
            if not decided and self._keep_going(rnd, st):
                raise RuleError(
                    f"round {round0 + rnd}: nobody can be elected or eliminated; the count cannot go on"
                )
        order = sorted(st.winners, key=lambda c: (st.winners[c], -out[st.winners[c] - 1]["tallies"][c]))
        return out, order

    def _keep_going(self, rnd: int, st: _State) -> bool:
        o = self.o
        if o.stop_after is not None and rnd >= o.stop_after:
            return False
        if len(st.winners) == self.n_declared and self.seats > self.n_cands:
            return False
        if o.until == "two":
            return len(st.eliminated) + len(st.winners) + 1 < self.n_cands or rnd in st.eliminated.values()
        if self.mode == "bottoms-up-threshold":
            return not st.winners
        return len(st.winners) < self.seats or (self.uses_surpluses and rnd in st.winners.values())

    def _recompute(self, st: _State) -> bool:
        if self.seats > 1 or self.o.first_round_threshold:
            return False
        if self.o.until == "two":
            return not st.winners
        return True

    def _winners(
        self, tallies: dict[int, int], threshold: Number, st: _State, rnd: int, ties: list[TieBreak]
    ) -> list[int]:
        o = self.o
        if self.uwi in tallies and tallies[self.uwi] != 0:
            return []
        if self.mode == "bottoms-up-threshold":
            return list(tallies) if all(v > threshold for v in tallies.values()) else []
        unfilled = self.seats - len(st.winners)
        sel: list[int] = []
        if unfilled > 0:
            if len(tallies) <= unfilled:
                sel = list(tallies)
            elif o.first_round_threshold and len(tallies) - 1 == self.seats:
                top = max(tallies.values())
                sel = [c for c, v in tallies.items() if v == top]
            elif self.mode != "bottoms-up":
                sel = [c for c, v in tallies.items() if v >= threshold and c != self.uwi]
        many = len(sel) > 1 and (self.mode == "multi-one" or o.first_round_threshold)
        none = self.seats == 1 and not sel and len(tallies) == 2 and unfilled == 1
        if many or none:
            top = max(tallies.values())
            sel = [c for c, v in tallies.items() if v == top]
            if len(sel) > 1:
                name, tie = self.ties.choose([self.names[c] for c in sel], True, rnd)
                ties.append(tie)
                sel = [self.names.index(name)]
        return sel

    def _losers(
        self, tallies: dict[int, int], threshold: Number, st: _State, rnd: int, ties: list[TieBreak]
    ) -> list[int]:
        o = self.o
        if self.uwi in tallies and tallies[self.uwi] > 0:
            return [self.uwi]
        if o.cutoff:
            below = [c for c, v in tallies.items() if v < threshold]
            if below and len(below) < len(tallies):
                return below
        if o.min_votes is not None:
            below = [c for c, v in tallies.items() if v < o.min_votes * self.S]
            if below and len(below) < len(tallies):
                return below
        if o.batch:
            batch = self._batch(tallies, st)
            if len(batch) > 1:
                return batch
        low = min(tallies.values())
        tied = [c for c, v in tallies.items() if v == low]
        if len(tied) == 1:
            return tied
        name, tie = self.ties.choose([self.names[c] for c in tied], False, rnd)
        ties.append(tie)
        return [self.names.index(name)]

    def _batch(self, tallies: dict[int, int], st: _State) -> list[int]:
        """``runBatchElimination``: the lowest candidates who together cannot pass the next one."""
        by: dict[int, list[int]] = {}
        for c, v in tallies.items():
            by.setdefault(v, []).append(c)
        total = 0
        seen: list[int] = []
        elim: list[int] = []
        prev: list[int] = []
        for v in sorted(by):
            new = list(elim)
            if total < v:
                new += [c for c in seen if c not in elim]
            total += v * len(by[v])
            seen += by[v]
            if len(new) > len(elim):
                prev, elim = elim, new
        if self.o.until == "two" and len(elim) + len(st.eliminated) == self.n_cands - 1:
            elim = prev
        return elim


__all__ = ["STATUS_KEYS", "RCTabCount", "rank_lists"]
