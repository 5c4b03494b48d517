"""The parcel engine shared by the STV statutes (not part of the public API).

:class:`_Count` keeps the book of a count on compressed ballots: every distinct ranking
travels as one parcel (its papers share a value and a next preference), so the counts are
exact and fast. :func:`_run_parcel_stv` is the weighted-inclusive / last-parcel Gregory loop
that the Scottish, ERS97 and plain Gregory rules run with their :class:`_Ruleset`;
:func:`_exclusion` and :func:`_exclude` are the exclusion step every parcel rule (Irish too)
takes. Each statute module (``scottish``, ``ers97``, ``gregory``, ``irish``) cites its rules
and builds its ruleset; Meek's method (``meek``) has its own iteration and uses only
:class:`STVOptions` from here.

Marks (skipped ranks, overvotes, equal rankings, repeated candidates) are read with
:class:`kingmaker.counting.options.MarkOptions`; the default exhausts a ballot at an overvote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting._walk import BallotWalker, valid_rows
from kingmaker.counting.options import MarkOptions, merge_options, one_set
from kingmaker.counting.result import Result, Round
from kingmaker.errors import RuleError
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, pick_extreme


@dataclass(frozen=True)
class STVOptions:
    """Options shared by the STV rules: how marks are read and how ties are broken.

    ``seed`` seeds the tie-break lot (and, in ``stv-irish``, the papers drawn); ``order`` is
    the candidates' order for the ``order`` tie-break; ``tiebreak`` ``None`` is the rule's own
    default.
    """

    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    tiebreak: TieBreakPolicy | str | None = None  # None: the rule's own default
    seed: int = 0
    order: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class _Ruleset:
    """What a parcel-based STV statute decides; each statute module builds one by name."""

    name: str
    unit: int | None  # values in 1/unit of a vote; None: exact fractions
    quota: str  # "droop_int" | "droop_2dp_up"
    parcel: str  # "all" (inclusive) | "last"
    defer: bool  # ERS97 5.2.2 deferral of surpluses
    bulk: bool  # ERS97 5.2.5 bulk exclusion
    tiebreak: str
    substages: bool = False  # ERS97 5.4: exclusion in batches by transfer value
    active_vote: bool = False  # ERS97 5.1.7(b)/5.3.13(b)/5.4.9(b): total active vote threshold
    requota: bool = False  # ERS97 5.4.8: quota recalculated while nobody is elected


def droop_quota(valid: int, seats: int) -> int:
    """Droop quota as in SSI 2007/42 rule 46: ``floor(valid / (seats + 1)) + 1``."""
    return valid // (seats + 1) + 1


def _sum_by(keys: np.ndarray, amounts: np.ndarray, n: int) -> list[Any]:
    """Exact sums of ``amounts`` grouped by ``keys`` (0..n-1)."""
    if amounts.dtype == object:
        out: list[Any] = [0] * n
        for k, a in zip(keys.tolist(), amounts.tolist(), strict=True):
            out[k] += a
        return out
    if amounts.size == 0:
        return [0] * n
    if int(np.abs(amounts).sum()) < 2**53:
        return [int(x) for x in np.bincount(keys, weights=amounts.astype(np.float64), minlength=n)]
    acc = np.zeros(n, dtype=np.int64)
    np.add.at(acc, keys, amounts)
    return [int(x) for x in acc]


def _total(amounts: np.ndarray) -> Any:
    if amounts.dtype == object:
        return sum(amounts.tolist(), 0)
    return int(amounts.sum())


class _Count:
    """Book-keeping shared by the parcel-based STV rules (not part of the public API)."""

    def __init__(self, ballots: Ballots, seats: int, rs: _Ruleset, opts: STVOptions):
        b = ballots
        if not b.is_integral:
            raise RuleError(f"{rs.name} needs whole-number ballot weights")
        self.b, self.seats, self.rs = b, seats, rs
        self.n = b.n_candidates
        rows = np.nonzero(valid_rows(b))[0]
        self.rows = rows
        self.count = b.weights[rows].astype(np.int64)
        self.valid_papers = int(self.count.sum())
        unit = rs.unit
        self.one: Any = unit if unit is not None else Fraction(1)
        if unit is None:
            self.value = np.array([Fraction(1)] * len(rows), dtype=object)
        else:
            self.value = np.full(len(rows), unit, dtype=np.int64)
        self.walker = BallotWalker(b, opts.marks)
        self.continuing = np.ones(self.n, dtype=bool)
        self.continuing[list(b.withdrawn)] = False
        self.hopeful_n = int(self.continuing.sum())
        if self.hopeful_n < seats:
            raise RuleError(f"{self.hopeful_n} candidates for {seats} seats")
        self.holder, self.pos = self.walker.advance(
            rows, np.zeros(len(rows), dtype=np.int64), self.continuing
        )
        self.received = np.zeros(len(rows), dtype=np.int64)
        self.valid = self.valid_papers * self.one
        amounts = self.count * self.value
        live = self.holder >= 0
        self.votes = _sum_by(self.holder[live], amounts[live], self.n)
        self.exhausted = _total(amounts[~live])
        self.loss: Any = 0
        self.quota = self._quota(self.valid)
        self.elected: list[int] = []
        self.excluded: set[int] = set(b.withdrawn)
        self.surplus_pending: list[int] = []
        self.elected_stage: dict[int, int] = {}
        pol = opts.tiebreak if isinstance(opts.tiebreak, TieBreakPolicy) else TieBreakPolicy(rs.tiebreak)
        self.breaker = TieBreaker(pol, b.candidates)
        self.rounds: list[Round] = []
        self.prev: dict[str, Number] | None = None
        self.prev_exh: Any = 0
        self.stage = 0
        self.notes: list[str] = []

    def _quota(self, active: Any) -> Any:
        """Quota from ``active`` votes in internal units (the valid vote, or ERS97 5.4.8's)."""
        s = self.seats
        if self.rs.quota == "droop_int":
            return droop_quota(self.valid_papers, s) * self.one
        return -(-active // (s + 1))  # ERS97 5.1.6: two decimals, rounded up (unit is 1/100)

    def as_votes(self, x: Any) -> Number:
        if self.rs.unit is None:
            return Fraction(x)
        return Fraction(int(x), self.rs.unit)

    def in_count(self) -> list[int]:
        return [c for c in range(self.n) if self.continuing[c] or c in self.elected]

    def shown(self) -> list[int]:
        """Candidates on the count sheet: continuing, elected, or excluded still holding papers."""
        return [c for c in range(self.n) if self.continuing[c] or c in self.elected or self.votes[c] != 0]

    def record(self, action: str, elected: list[int], eliminated: list[int], ties: list[TieBreak]) -> None:
        cand = self.b.candidates
        names = {cand[c]: self.as_votes(self.votes[c]) for c in self.shown()}
        names.update({cand[c]: self.as_votes(self.votes[c]) for c in eliminated})
        exh = self.as_votes(self.exhausted)
        transfers = {}
        if self.prev is not None:
            transfers = {c: names.get(c, 0) - v for c, v in self.prev.items()}
            transfers.update({c: v for c, v in names.items() if c not in self.prev})
        self.rounds.append(
            Round(
                number=self.stage,
                tallies=names,
                exhausted=exh,
                loss=self.as_votes(self.loss),
                transfers=transfers,
                exhausted_transfer=exh - self.prev_exh if self.prev is not None else 0,
                elected=tuple(cand[c] for c in elected),
                eliminated=tuple(cand[c] for c in eliminated),
                action=action,
                quota=self.as_votes(self.quota),
                ties=tuple(ties),
            )
        )
        self.prev = dict(names)
        self.prev_exh = exh

    def move(self, idx: np.ndarray, new_value: np.ndarray) -> tuple[Any, Any]:
        """Move parcels ``idx`` to their next continuing preference at ``new_value``."""
        t, p = self.walker.advance(self.rows[idx], self.pos[idx] + 1, self.continuing)
        self.holder[idx] = t
        self.pos[idx] = p
        self.value[idx] = new_value
        self.received[idx] = self.stage + 1
        amounts = self.count[idx] * new_value
        live = t >= 0
        add = _sum_by(t[live], amounts[live], self.n)
        for c in range(self.n):
            if add[c]:
                self.votes[c] += add[c]
        nt = _total(amounts[~live])
        self.exhausted += nt
        return _total(amounts[live]), nt

    def move_out(self, idx: np.ndarray) -> None:
        """Move the papers ``idx`` of excluded candidates on at their present value."""
        old = self.holder[idx]
        sub = _sum_by(old, self.count[idx] * self.value[idx], self.n)
        for c in range(self.n):
            if sub[c]:
                self.votes[c] -= sub[c]
        self.move(idx, self.value[idx])

    def elect_reaching(self, ties: list[TieBreak], awaiting: Any) -> list[int]:
        """Deem elected, highest first, the continuing candidates at or over the threshold."""
        left = self.seats - len(self.elected)
        tallies = {c: self.votes[c] for c in range(self.n) if self.continuing[c]}
        newly = [c for c, v in tallies.items() if v >= self.quota]
        if self.rs.active_vote and left > 0:
            # ERS97 5.1.7(b): total active vote (continuing votes plus votes awaiting transfer)
            # divided by one more than the places not yet filled, where that is below the quota
            active = sum(tallies.values(), 0) + awaiting
            newly += [c for c, v in tallies.items() if v < self.quota and v * (left + 1) >= active]
        ordered: list[int] = []
        pool = {c: tallies[c] for c in newly}
        while pool and len(ordered) < left:
            c, tie = pick_extreme(
                pool, lowest=False, breaker=self.breaker, round_no=self.stage, purpose="elect"
            )
            if tie:
                ties.append(tie)
            ordered.append(c)
            del pool[c]
        for c in ordered:
            self.elected.append(c)
            self.continuing[c] = False
            self.elected_stage[c] = self.stage
            if self.votes[c] > self.quota:
                self.surplus_pending.append(c)
        return ordered

    def awaiting(self) -> Any:
        """Votes awaiting transfer: pending surpluses and excluded candidates' papers."""
        s = sum((self.votes[c] - self.quota for c in self.surplus_pending), 0)
        return s + sum((self.votes[c] for c in range(self.n) if c in self.excluded), 0)


def _run_parcel_stv(ballots: Ballots, seats: int, rs: _Ruleset, opts: STVOptions) -> Result:
    if seats < 1:
        raise RuleError("seats must be at least 1")
    st = _Count(ballots, seats, rs, opts)
    cand = st.b.candidates
    action = "first preferences"
    batches: list[tuple[np.ndarray, Any, str]] = []  # ERS97 5.4: exclusion batches still to move
    while True:
        st.stage += 1
        ties: list[TieBreak] = []
        st.breaker.record({c: st.votes[c] for c in st.in_count()})
        newly = st.elect_reaching(ties, st.awaiting() if rs.active_vote else 0)
        remaining = seats - len(st.elected)
        cont = [c for c in range(st.n) if st.continuing[c]]
        if remaining > 0 and len(cont) <= remaining:
            # SSI 2007/42 rule 52(1); ERS97 4.3: as many continuing candidates as places left
            rest = sorted(cont, key=lambda c: -st.votes[c])
            for c in rest:
                st.elected.append(c)
                st.continuing[c] = False
            newly += rest
            remaining = 0
        if remaining == 0:
            st.record(action, newly, [], ties)
            break
        if batches:
            # ERS97 5.4.11: the next batch of the excluded candidates' papers, by value
            idx, _, label = batches.pop(0)
            st.record(action, newly, [], ties)
            st.move_out(idx)
            _requota(st)
            action = label
            continue
        # next action: a surplus, or an exclusion
        surpluses = {c: st.votes[c] - st.quota for c in st.surplus_pending}
        total_surplus = sum(surpluses.values(), 0)
        cvals = {c: st.votes[c] for c in cont}
        defer = bool(surpluses) and rs.defer and _can_defer(cvals, total_surplus, remaining)
        if surpluses and not defer:
            # SSI 2007/42 rule 49(1), ERS97 5.2.3: the largest surplus first
            c, tie = pick_extreme(
                surpluses, lowest=False, breaker=st.breaker, round_no=st.stage, purpose="surplus order"
            )
            if tie:
                ties.append(tie)
            st.record(action, newly, [], ties)
            _transfer_surplus(st, c, surpluses[c])
            action = f"surplus of {cand[c]}"
            continue
        losers: list[int] = []
        if rs.bulk:
            losers = _bulk_losers(cvals, total_surplus if defer else 0, keep=remaining)
        losers = _exclusion(st, cvals, losers, ties)
        if _exclude(st, losers, cont, remaining, action, newly, ties):
            break
        idx = np.nonzero(np.isin(st.holder, losers))[0]
        who = ", ".join(cand[c] for c in losers)
        if rs.substages and idx.size:
            values = sorted(set(st.value[idx].tolist()), reverse=True)
            parts = []
            for i, v in enumerate(values):
                label = f"exclusion of {who}"
                if len(values) > 1:
                    label += f": papers at {_decimal(st, v)} ({i + 1} of {len(values)})"
                parts.append((idx[st.value[idx] == v], v, label))
            first, _, action = parts[0]
            batches = parts[1:]
            st.move_out(first)
            _requota(st)
        else:
            st.move_out(idx)
            action = f"exclusion of {who}"
    winners = tuple(cand[c] for c in st.elected)
    opt = asdict(opts.marks)
    opt["tiebreak"] = st.breaker.policy.describe()
    return Result(
        method=rs.name,
        seats=seats,
        candidates=cand,
        winners=winners,
        rounds=tuple(st.rounds),
        valid=st.as_votes(st.valid),
        quota=st.as_votes(st.quota),
        options=opt,
        notes=tuple(st.notes),
    )


def _decimal(st: _Count, x: Any) -> str:
    """A value in the count's units as a decimal string (``0.41`` in hundredths)."""
    unit = st.rs.unit
    if unit is None:
        return str(Fraction(x))
    places = len(str(unit)) - 1
    return f"{int(x) / unit:.{places}f}"


def _requota(st: _Count) -> None:
    """ERS97 5.4.8: while nobody is elected, the quota ignores the non-transferable votes."""
    if st.rs.requota and not st.elected and st.exhausted:
        new = st._quota(st.valid - st.exhausted)
        if new != st.quota:
            st.notes.append(
                f"stage {st.stage + 1}: quota recalculated to {_decimal(st, new)} "
                "without the non-transferable votes (ERS97 5.4.8)"
            )
            st.quota = new


def _can_defer(cvals: dict[int, Any], surplus: Any, keep: int) -> bool:
    """ERS97 5.2.2: the surpluses cannot change the order at the bottom.

    Deferred when their total does not exceed (a) the gap between the two lowest candidates,
    or (b) the gap between the total of the k >= 2 lowest candidates who could be excluded
    together (5.2.5) and the candidate next above. Both read: some k >= 1 lowest candidates
    plus the surplus total no more than the (k+1)-th lowest.
    """
    order = sorted(cvals.values())
    acc: Any = surplus
    for k in range(1, len(order)):
        if k > 1 and len(order) - k < keep:
            break
        acc += order[k - 1]
        if acc <= order[k]:
            return True
    return False


def _bulk_losers(cvals: dict[int, Any], deferred: Any, keep: int) -> list[int]:
    """ERS97 5.2.5: as many lowest candidates as possible, leaving ``keep`` and with their votes
    plus the deferred surpluses not exceeding the vote of the candidate next above."""
    order = sorted(cvals, key=lambda c: cvals[c])
    best = 0
    acc: Any = deferred
    for k in range(1, len(order) - keep + 1):
        acc += cvals[order[k - 1]]
        if k < len(order) and acc <= cvals[order[k]]:
            best = k
    return order[:best] if best >= 2 else []


def _transfer_surplus(st: _Count, c: int, surplus: Any) -> None:
    st.surplus_pending.remove(c)
    held = np.nonzero(st.holder == c)[0]
    total = st.votes[c]
    rs = st.rs
    if rs.parcel == "all":
        # SSI 2007/42 rule 48(3): surplus * value / total, to five places, remainder ignored
        v = st.value[held]
        if rs.unit is None:
            new = np.array([Fraction(surplus) * x / total for x in v.tolist()], dtype=object)
        else:
            new = (v.astype(object) * surplus // total).astype(np.int64)
        moved, nt = st.move(held, new)
        st.loss += surplus - moved - nt
    else:
        # ERS97 5.3.1-5.3.2: all papers at the first stage, otherwise the last batch received
        last = held[st.received[held] == st.received[held].max()] if held.size else held
        # which of the last parcel are transferable?
        t, _ = st.walker.advance(st.rows[last], st.pos[last] + 1, st.continuing)
        tr = last[t >= 0]
        value_tr = _total(st.count[tr] * st.value[tr])
        if value_tr > surplus:
            v = st.value[tr]
            if rs.unit is None:
                new = np.array([Fraction(surplus) * x / value_tr for x in v.tolist()], dtype=object)
            elif rs.substages:
                # ERS97 5.3.7: surplus / number of transferable papers, two decimals, truncated
                # (a batch has one value, so this is the Gregory fraction of that value)
                new = np.full(len(tr), surplus // int(st.count[tr].sum()), dtype=np.int64)
            else:
                new = (v.astype(object) * surplus // value_tr).astype(np.int64)
            moved, _ = st.move(tr, new)
            st.loss += surplus - moved
        else:
            moved, _ = st.move(tr, st.value[tr])
            st.exhausted += surplus - moved  # the part of the surplus not transferable
        # papers left behind stay with the elected candidate, who keeps exactly the quota
    st.votes[c] = st.quota


def _exclusion(st: Any, cvals: Any, losers: list[int], ties: list[Any]) -> list[int]:
    """The candidates excluded now: ``losers`` (a bulk exclusion) or else the lowest, by the tie
    policy; each is marked excluded and no longer continuing."""
    if not losers:
        c, tie = pick_extreme(cvals, lowest=True, breaker=st.breaker, round_no=st.stage, purpose="eliminate")
        if tie:
            ties.append(tie)
        losers = [c]
    for c in losers:
        st.continuing[c] = False
        st.excluded.add(c)
    return losers


def _exclude(
    st: Any,
    losers: list[int],
    cont: list[int],
    remaining: int,
    action: str,
    newly: list[int],
    ties: list[Any],
) -> bool:
    """Record the stage of an exclusion; when the candidates left fill the places left, they are
    elected with no further transfer (SSI 2007/42 rule 52(2), ERS97 5.5.1, Electoral Act 1992
    s.124) and the count is over (True)."""
    left_over = [c for c in cont if c not in losers]
    if len(left_over) <= remaining:
        rest = sorted(left_over, key=lambda c: -st.votes[c])
        for c in rest:
            st.elected.append(c)
            st.continuing[c] = False
        st.record(action, newly + rest, losers, ties)
        return True
    st.record(action, newly, losers, ties)
    return False


OptionsT = TypeVar("OptionsT", bound=STVOptions)


def _with_default_tb(opts: OptionsT, default: str) -> OptionsT:
    """``opts`` with its tie policy made a :class:`TieBreakPolicy`: the one given, else ``default``
    seeded with ``opts.seed`` and ordered by ``opts.order``."""
    tb = opts.tiebreak
    if isinstance(tb, TieBreakPolicy):
        return opts
    return replace(opts, tiebreak=TieBreakPolicy(tb or default, seed=opts.seed, order=opts.order))


def _stv_options(cls: type[OptionsT], options: OptionsT | None, kw: dict[str, Any], rs: _Ruleset) -> OptionsT:
    """The options of an STV count by ``rs``: ``kw`` merged in, the tie policy ``rs``'s by default."""
    return _with_default_tb(merge_options(cls, options, kw, rule=rs.name), rs.tiebreak)


def _parcel_rule(
    ballots: Ballots, seats: int | None, options: STVOptions | None, kw: dict[str, Any], rs: _Ruleset
) -> Result:
    """A count by the parcel engine under ``rs``, from a rule's public arguments."""
    b, n_seats = one_set(ballots, seats, rs.name)
    return _run_parcel_stv(b, n_seats, rs, _stv_options(STVOptions, options, kw, rs))
