"""Single transferable vote: Scottish, ERS97, plain Gregory (last parcel), Irish and Meek.

All four work on compressed ballots: every distinct ranking travels as one parcel (its papers
share a value and a next preference), so the counts are exact and fast.

* :func:`stv_scottish` — The Scottish Local Government Elections Order 2007 (SSI 2007/42),
  Schedule 1 rules 45-52: Droop quota ``floor(valid/(seats+1)) + 1`` (rule 46); weighted
  inclusive Gregory: each paper of a candidate with a surplus moves on at
  ``surplus * value / total`` truncated to five decimal places (rule 48(3)); exclusions move
  papers at their current value (rule 50(4)). Exact integer arithmetic in units of 0.00001.
  The largest surplus is transferred first (rule 49(1)). Ties, rules 49(2)-(3) (equal
  surpluses) and 51(2) (exclusion): the candidate with more (fewer) votes "at the end of the
  most recent preceding stage at which they had unequal numbers of votes" — the
  ``backwards`` policy — and lot when they were equal at every stage. Rule 52: when the
  continuing candidates are as many as the vacancies left they are deemed elected and no
  further transfer is made (so the papers of the last candidate excluded are not moved).
* :func:`stv_ers97` — Electoral Reform Society, *How to conduct an election by the Single
  Transferable Vote*, 3rd ed. (1997), section 5 (text as reproduced in OpenSTV's
  ``openstv/MethodPlugins/ERS97STV.py``): quota to two decimals rounded up (5.1.6), values in
  hundredths; a surplus arising after the first stage is taken from the last batch received
  and each transferable paper moves at ``surplus / transferable papers`` to two decimals,
  remainder ignored (5.3.2, 5.3.7). Surpluses are deferred (5.2.2) when their total does not
  exceed (a) the difference between the two lowest candidates or (b) the difference between
  the total of two or more lowest candidates who could be excluded together and the next
  candidate above; bulk exclusion (5.2.5) of as many lowest candidates as possible whose
  total plus the deferred surpluses does not exceed the next candidate's vote. An excluded
  candidate's papers move in sub-stages, one batch per transfer value, highest value first
  (5.4.1-5.4.11); each batch is a recorded round, after which candidates reaching the quota
  (or the total active vote divided by one more than the places left, 5.4.9(b)) are deemed
  elected and receive no further papers (5.4.10). Before anyone is elected the quota is
  recalculated without the non-transferable votes (5.4.8). An exclusion that would leave
  only as many continuing candidates as places elects them without transfer (5.5.1). Ties
  (5.2.3, 5.2.5, 5.6.2): the votes "at the first stage or at the earliest point in the count,
  after the transfer of a batch of papers, where they had unequal votes" — the ``forwards``
  policy over rounds, each batch being a round — then lot. Not modelled: 5.6.2's "none
  deemed elected" when candidates tied for the last place were equal at every point (lot is
  used instead).
* :func:`stv_gregory` — plain Gregory method (as in Irish and older UK practice, exact
  fractions here): Droop quota, surplus from the last parcel, transferable papers only; an
  excluded candidate's papers move in one stage.
* :func:`stv_irish` — Dáil elections, Electoral Act 1992 (No. 23) Part XIX, ss.118-128 as
  amended. Followed: s.118 definitions (irishstatutebook.ie; also reproduced at
  deepcovebc.com/bccitizensassembly/STVNewZealandIreland.html), s.124 (irishstatutebook.ie
  eli/1992/act/23/section/124) with s.124(1A) inserted by the Electoral (Amendment) Act 2001
  s.31, and for the wording of the surplus and exclusion rules the same rules in their 1923
  form (Electoral Act 1923, Third Schedule, rules 4-9, irishstatutebook.ie) and J. H.
  Humphreys' worked example of them; the 1992 text of ss.121-123 itself was not available to
  us, so those points are our reading. OpenSTV's ``DailSTV`` (openstv/STV.py) is marked
  "not complete" by its author and was only compared, not followed. Rules: Droop quota
  ``floor(valid/(seats+1)) + 1`` (s.120); whole papers move, at value one. A surplus (s.121)
  is taken from all the candidate's papers when they are all original votes, else from the
  sub-parcel last received; the transferable papers are sorted into sub-parcels by next
  preference; if they are no more than the surplus all move (the rest of the surplus is
  non-transferable), otherwise each sub-parcel gives ``size * surplus // transferable``
  papers plus one for the largest fractional parts until the surplus is made up (equal
  fractions: the larger sub-parcel, then the candidate ahead at the earliest count where
  they differed, then lot — s.118 "determine by lot"); *which* papers move is a uniform
  random sample of the sub-parcel (the returning officer takes them from a mixed parcel)
  drawn with ``numpy.random.default_rng(seed)``. Surpluses arising at an earlier count go
  first, then the largest. A surplus is not transferred while the undistributed surpluses
  together can neither elect a continuing candidate, nor lift the lowest candidate to a
  quarter of the quota (recoupment of expenses, cf. s.124(3)), nor save the lowest candidate
  (or group of lowest candidates) from exclusion. Exclusion (s.122-123): the lowest
  candidate's papers move in one count, parcel by parcel in the order received; two or more
  lowest candidates are excluded together when their votes plus the surpluses not
  transferred are below the next candidate's. Ties (exclusion, equal surpluses, order of
  election): the earliest count at which the candidates had unequal votes (``forwards``),
  then lot. s.124(1), (1A), (2): as many continuing candidates as vacancies; one more than
  the vacancies with the lowest plus the undistributed surpluses below the next; one
  vacancy and a candidate ahead of all the others plus the surpluses — elected without a
  further count. Not modelled: s.124(3)'s further transfers made only to settle a
  candidate's quarter-quota recoupment after the seats are filled.
  :func:`irish_count` also returns the ids of the papers moved in each surplus.
* :func:`stv_meek` — Meek's method as specified by Hill, Wichmann & Woodall, "Algorithm 123:
  Single Transferable Vote by Meek's method", Computer Journal 30(3) 1987 (also the NZ STV
  Calculator rules): keep values iterated in fixed-point decimals (default 9 places, votes
  rounded down, keep values rounded up) until every elected candidate is within
  ``tolerance`` of the quota ``(valid - excess)/(seats+1)``.

Marks (skipped ranks, overvotes, equal rankings, repeated candidates) are read with
:class:`kingmaker.rules.irv.MarkOptions`; the default exhausts a ballot at an overvote.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.errors import InputError, RuleError
from kingmaker.result import Result, Round
from kingmaker.rules.irv import BallotWalker, MarkOptions, valid_rows
from kingmaker.ties import Number, TieBreak, TieBreaker, TieBreakPolicy, pick_extreme


@dataclass(frozen=True)
class STVOptions:
    """Options shared by the STV rules: how marks are read and how ties are broken."""

    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    tiebreak: TieBreakPolicy | str | None = None  # None: the rule's own default
    seed: int = 0
    order: tuple[str, ...] = ()
    precision: int = 9  # Meek: decimal places of the fixed-point arithmetic
    tolerance: Fraction = Fraction(1, 10**5)  # Meek: total surplus tolerance, in votes (HWW)
    max_iterations: int = 10_000


@dataclass(frozen=True)
class _Ruleset:
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


SCOTTISH = _Ruleset("stv-scottish", 100_000, "droop_int", "all", False, False, "backwards")
ERS97 = _Ruleset("stv-ers97", 100, "droop_2dp_up", "last", True, True, "forwards", True, True, True)
GREGORY = _Ruleset("stv-gregory", None, "droop_int", "last", False, False, "backwards")


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


def _stv_options(options: STVOptions | None, kw: dict[str, Any]) -> STVOptions:
    if options is not None and not kw:
        return options
    base = options or STVOptions()
    mk = {k: kw.pop(k) for k in ("overvote", "skipped_limit", "duplicates", "equal_rankings") if k in kw}
    marks = MarkOptions(**{**asdict(base.marks), **mk}) if mk else base.marks
    fields = ("tiebreak", "seed", "order", "precision", "tolerance", "max_iterations")
    rest = {k: kw.pop(k) for k in fields if k in kw}
    if kw:
        raise InputError(f"unknown STV option(s): {', '.join(sorted(kw))}")
    if "tolerance" in rest:
        rest["tolerance"] = Fraction(str(rest["tolerance"]))
    if "order" in rest:
        rest["order"] = tuple(rest["order"])
    merged = {k: getattr(base, k) for k in fields}
    merged.update(rest)
    return STVOptions(marks=marks, **merged)


def _with_default_tb(opts: STVOptions, default: str) -> STVOptions:
    tb = opts.tiebreak
    if isinstance(tb, TieBreakPolicy):
        return opts
    policy = TieBreakPolicy(tb or default, seed=opts.seed, order=opts.order)
    return STVOptions(
        opts.marks, policy, opts.seed, opts.order, opts.precision, opts.tolerance, opts.max_iterations
    )


def stv_scottish(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> Result:
    """STV by the Scottish Local Government Elections Order 2007 (SSI 2007/42), exact to 1e-5."""
    opts = _with_default_tb(_stv_options(options, kw), SCOTTISH.tiebreak)
    return _run_parcel_stv(ballots, seats, SCOTTISH, opts)


def stv_ers97(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> Result:
    """STV by the ERS97 rules (Electoral Reform Society, 1997), values in hundredths."""
    opts = _with_default_tb(_stv_options(options, kw), ERS97.tiebreak)
    return _run_parcel_stv(ballots, seats, ERS97, opts)


def stv_gregory(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> Result:
    """STV by the plain (last-parcel) Gregory method with exact fractions and a Droop quota."""
    opts = _with_default_tb(_stv_options(options, kw), GREGORY.tiebreak)
    return _run_parcel_stv(ballots, seats, GREGORY, opts)


# ---------------------------------------------------------------------------- Irish (Dáil)
IRISH = _Ruleset("stv-irish", 1, "droop_int", "last", True, True, "forwards")


@dataclass(frozen=True)
class IrishCount:
    """An Irish count with its paper-level audit trail.

    ``result``: the :class:`Result`. ``moved``: for each count that transferred a surplus
    (the round number showing that transfer), the sorted ids of the papers moved. A paper id
    numbers the papers of the ballot file in row order: row ``r`` of ``ballots.rankings``
    with weight ``w`` holds papers ``offset[r] .. offset[r] + w - 1`` where ``offset`` is the
    running sum of the weights. ``subparcels``: for the same counts, ``candidate -> (papers
    moved, papers in the sub-parcel)``.
    """

    result: Result
    moved: dict[int, np.ndarray]
    subparcels: dict[int, dict[str, tuple[int, int]]]


class _IrishCount(_Count):
    """:class:`_Count` whose entries (distinct rankings) split into smaller bundles of papers.

    Papers of one entry are interchangeable for the count (same ranking, same history), so an
    entry stays one row of the arrays until a random selection takes only some of its papers;
    only then are the ids of its papers written out (``ids[i] is None``: the entry still holds
    all the papers of its ballot row, ids ``offset[row] ..``).
    """

    def __init__(self, ballots: Ballots, seats: int, rs: _Ruleset, opts: STVOptions):
        super().__init__(ballots, seats, rs, opts)
        w = ballots.weights.astype(np.int64)
        self.offset = np.concatenate([[0], np.cumsum(w)[:-1]]).astype(np.int64)
        self.ids: list[np.ndarray | None] = [None] * len(self.rows)

    def paper_ids(self, i: int) -> np.ndarray:
        got = self.ids[i]
        if got is None:
            start = int(self.offset[self.rows[i]])
            got = np.arange(start, start + int(self.count[i]), dtype=np.int64)
        return got

    def split(self, i: int, k: int, rng: np.random.Generator) -> int:
        """Take ``k`` papers of entry ``i``, chosen at random, into a new entry; return it."""
        ids = self.paper_ids(i)
        pick = np.zeros(len(ids), dtype=bool)
        pick[rng.choice(len(ids), size=k, replace=False)] = True
        self.ids[i] = ids[~pick]
        self.ids.append(ids[pick])
        self.count[i] -= k
        for name in ("rows", "value", "holder", "pos", "received"):
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, arr[i : i + 1]]))
        self.count = np.concatenate([self.count, np.array([k], dtype=np.int64)])
        return len(self.rows) - 1


def _largest_remainder(
    st: _IrishCount, sizes: dict[int, int], surplus: int, ties: list[TieBreak]
) -> dict[int, int]:
    """Papers to take from each sub-parcel: ``size * surplus / transferable``, the fractional
    parts taken largest first until the surplus is made up (s.121(4)). Equal fractional parts:
    the larger sub-parcel first, then the candidate ahead at the earliest count where they
    differed, then lot (s.118 "determine by lot": the fraction of the name first drawn is
    deemed the largest)."""
    total = sum(sizes.values())
    take = {c: n * surplus // total for c, n in sizes.items()}
    frac = {c: n * surplus % total for c, n in sizes.items()}
    short = surplus - sum(take.values())
    order = sorted(sizes, key=lambda c: (-frac[c], -sizes[c]))
    chosen = order[:short]
    if 0 < short < len(order):
        edge = (frac[order[short - 1]], sizes[order[short - 1]])
        tied = [c for c in order if (frac[c], sizes[c]) == edge]
        sure = [c for c in chosen if c not in tied]
        pool = {c: 0 for c in tied}
        while len(sure) < short:
            c, tie = pick_extreme(
                pool, lowest=False, breaker=st.breaker, round_no=st.stage, purpose="surplus fraction"
            )
            if tie:
                ties.append(tie)
            sure.append(c)
            del pool[c]
        chosen = sure
    for c in chosen:
        take[c] += 1
    return take


def _irish_surplus(
    st: _IrishCount, c: int, rng: np.random.Generator, ties: list[TieBreak], seed: int
) -> tuple[np.ndarray, dict[str, tuple[int, int]], str]:
    """Transfer the surplus of ``c`` by whole papers (s.121); returns ids moved, sizes, a note."""
    st.surplus_pending.remove(c)
    surplus = int(st.votes[c] - st.quota)
    held = np.nonzero((st.holder == c) & (st.count > 0))[0]
    last_count = int(st.received[held].max())
    # s.121(2)(a): original votes only -> all the papers; (b) otherwise the last sub-parcel
    last = held[st.received[held] == last_count]
    nxt, _ = st.walker.advance(st.rows[last], st.pos[last] + 1, st.continuing)
    tr = last[nxt >= 0]
    to = nxt[nxt >= 0]
    sizes: dict[int, int] = {}
    for j in np.unique(to).tolist():
        sizes[j] = int(st.count[tr[to == j]].sum())
    transferable = sum(sizes.values())
    cand = st.b.candidates
    if transferable <= surplus:
        # s.121(3): every transferable paper moves; the rest of the surplus is non-transferable
        take = dict(sizes)
        moving = list(tr.tolist())
    else:
        take = _largest_remainder(st, sizes, surplus, ties)
        moving = []
        for j, k in take.items():
            members = tr[to == j]
            counts = st.count[members]
            if k == int(counts.sum()):
                moving += members.tolist()
                continue
            # the actual papers: a random sample of k from the sub-parcel (uniform over papers)
            per = rng.multivariate_hypergeometric(counts, k)
            for i, ki in zip(members.tolist(), per.tolist(), strict=True):
                if ki == int(st.count[i]):
                    moving.append(i)
                elif ki:
                    moving.append(st.split(i, ki, rng))
    idx = np.array(moving, dtype=np.int64)
    ids = (
        np.sort(np.concatenate([st.paper_ids(i) for i in moving])) if moving else np.zeros(0, dtype=np.int64)
    )
    moved_votes, _ = st.move(idx, np.ones(len(idx), dtype=np.int64))
    st.exhausted += surplus - moved_votes
    st.votes[c] = st.quota  # papers left behind stay with the elected candidate
    parcel = "all papers" if last_count == 0 else f"the last parcel received (count {last_count})"
    detail = ", ".join(f"{cand[j]} {take[j]} of {sizes[j]}" for j in sorted(sizes, key=lambda j: -sizes[j]))
    digest = hashlib.sha256(ids.tobytes()).hexdigest()[:12]
    note = (
        f"surplus of {cand[c]} ({surplus}) from {parcel}: {transferable} transferable papers; "
        f"moved {detail or 'none'}"
        + (f"; papers drawn by lot (seed {seed}, ids digest {digest})" if transferable > surplus else "")
    )
    return ids, {cand[j]: (take[j], sizes[j]) for j in sizes}, note


def _irish_can_defer(cvals: dict[int, int], surplus: int, quota: int, keep: int) -> bool:
    """The undistributed surpluses need not be transferred: together they can neither elect a
    continuing candidate, nor qualify the lowest for recoupment of expenses (a quarter of the
    quota), nor change which lowest candidate(s) are excluded next (the lowest k candidates
    plus the surpluses stay below the (k+1)-th)."""
    order = sorted(cvals.values())
    if order[-1] + surplus >= quota:
        return False
    if 4 * order[0] < quota <= 4 * (order[0] + surplus):
        return False
    acc = surplus
    for k in range(1, len(order) - keep + 1):
        acc += order[k - 1]
        if acc < order[k]:
            return True
    return False


def _irish_losers(cvals: dict[int, int], surplus: int, keep: int) -> list[int]:
    """Multiple exclusion: the most lowest candidates (leaving ``keep``) whose votes together
    with the surpluses not transferred are below the vote of the candidate next above."""
    order = sorted(cvals, key=lambda c: cvals[c])
    best, acc = 0, surplus
    for k in range(1, len(order) - keep + 1):
        acc += cvals[order[k - 1]]
        if acc < cvals[order[k]]:
            best = k
    return order[:best]


def irish_count(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> IrishCount:
    """Count by the Irish Dáil rules and keep the identity of every paper moved (see
    :func:`stv_irish`)."""
    opts = _with_default_tb(_stv_options(options, kw), IRISH.tiebreak)
    if seats < 1:
        raise RuleError("seats must be at least 1")
    if not ballots.is_integral:
        bad = int(np.nonzero(ballots.weights != np.round(ballots.weights))[0][0])
        raise RuleError(
            "stv-irish moves whole ballot papers, so ballot weights must be whole numbers "
            f"(row {bad + 1} has weight {float(ballots.weights[bad])})"
        )
    st = _IrishCount(ballots, seats, IRISH, opts)
    rng = np.random.default_rng(opts.seed)
    cand = st.b.candidates
    moved: dict[int, np.ndarray] = {}
    subparcels: dict[int, dict[str, tuple[int, int]]] = {}
    action = "first preferences"
    while True:
        st.stage += 1
        ties: list[TieBreak] = []
        st.breaker.record({c: st.votes[c] for c in st.in_count()})
        newly = st.elect_reaching(ties, 0)
        remaining = seats - len(st.elected)
        cont = [c for c in range(st.n) if st.continuing[c]]
        pending = {c: st.votes[c] - st.quota for c in st.surplus_pending}
        undistributed = sum(pending.values(), 0)
        cvals = {c: st.votes[c] for c in cont}
        last: list[int] = []
        if remaining > 0 and len(cont) <= remaining:
            last = cont  # s.124(1)
        elif remaining == 1 and cont:
            top = max(cont, key=lambda c: cvals[c])
            if cvals[top] > sum(cvals.values()) - cvals[top] + undistributed:
                last = [top]  # s.124(2)
        if remaining > 0 and not last and len(cont) == remaining + 1:
            low = sorted(cvals.values())
            if low[0] + undistributed < low[1]:
                last = [
                    c for c in cont if cvals[c] != low[0]
                ]  # s.124(1A), Electoral (Amendment) Act 2001 s.31
        if last:
            last = sorted(last, key=lambda c: -cvals[c])
            for c in last:
                st.elected.append(c)
                st.continuing[c] = False
            newly += last
            remaining = 0
        if remaining == 0:
            st.record(action, newly, [], ties)
            break
        if pending and not _irish_can_defer(cvals, undistributed, st.quota, remaining):
            # surpluses arising at an earlier count first, then the largest; equal: forwards, lot
            first = min(st.elected_stage[c] for c in pending)
            c, tie = pick_extreme(
                {c: s for c, s in pending.items() if st.elected_stage[c] == first},
                lowest=False,
                breaker=st.breaker,
                round_no=st.stage,
                purpose="surplus order",
            )
            if tie:
                ties.append(tie)
            st.record(action, newly, [], ties)
            ids, sizes, note = _irish_surplus(st, c, rng, ties, opts.seed)
            moved[st.stage + 1] = ids
            subparcels[st.stage + 1] = sizes
            st.notes.append(f"count {st.stage + 1}: {note}")
            action = f"surplus of {cand[c]}"
            continue
        losers = _irish_losers(cvals, undistributed, keep=remaining)
        losers = _exclusion(st, cvals, losers, ties)
        if _exclude(st, losers, cont, remaining, action, newly, ties):
            break
        # the excluded candidates' papers, parcel by parcel in the order received, in one count
        idx = np.nonzero(np.isin(st.holder, losers) & (st.count > 0))[0]
        for r in sorted(set(st.received[idx].tolist())):
            st.move_out(idx[st.received[idx] == r])
        action = "exclusion of " + ", ".join(cand[c] for c in losers)
    opt: dict[str, Any] = asdict(opts.marks)
    opt["tiebreak"] = st.breaker.policy.describe()
    opt["seed"] = opts.seed
    result = Result(
        method=IRISH.name,
        seats=seats,
        candidates=cand,
        winners=tuple(cand[c] for c in st.elected),
        rounds=tuple(st.rounds),
        valid=st.as_votes(st.valid),
        quota=st.as_votes(st.quota),
        options=opt,
        notes=tuple(st.notes),
    )
    return IrishCount(result, moved, subparcels)


def stv_irish(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> Result:
    """STV by the Irish Dáil rules (Electoral Act 1992 Part XIX): whole papers, random surplus."""
    return irish_count(ballots, seats, options, **kw).result


# ---------------------------------------------------------------------------- Meek
def _meek_pass(
    R: np.ndarray, w: np.ndarray, keep: np.ndarray, unit: int, n: int, stop_codes: np.ndarray
) -> tuple[np.ndarray, int]:
    """One Meek distribution: votes per candidate and the exhausted weight, in 1/unit."""
    rem = np.full(R.shape[0], unit, dtype=np.int64)
    votes = np.zeros(n + 1, dtype=np.int64)
    keep_ext = np.concatenate([keep, [0]])
    for j in range(R.shape[1]):
        code = R[:, j]
        cidx = np.where(code >= 0, code, n)
        k = keep_ext[cidx]
        give = rem * k // unit  # rounded down (HWW 1987)
        give = np.where(stop_codes[:, j], 0, give)
        rem = np.where(stop_codes[:, j], 0, rem - give)
        votes += np.bincount(cidx, weights=(give * w).astype(np.float64), minlength=n + 1).astype(np.int64)
    exhausted = int((rem * w).sum())
    return votes[:n], exhausted


def stv_meek(ballots: Ballots, seats: int, options: STVOptions | None = None, **kw: Any) -> Result:
    """STV by Meek's method (Hill, Wichmann & Woodall 1987; NZ rules) in fixed-point decimals."""
    opts = _with_default_tb(_stv_options(options, kw), "backwards")
    b = ballots
    if not b.is_integral:
        raise RuleError("stv-meek needs whole-number ballot weights")
    n = b.n_candidates
    unit = 10**opts.precision
    rows = np.nonzero(valid_rows(b))[0]
    R0 = b.rankings[rows].astype(np.int64)
    w = b.weights[rows].astype(np.int64)
    if int(w.sum()) * unit >= 2**53:
        raise RuleError("too many ballots for the fixed-point precision; lower precision")
    # resolve marks once: positions after an exhausting mark are stopped; skip marks give nothing
    m = R0.shape[1]
    stop = np.zeros(R0.shape, dtype=bool)
    R = R0.copy()
    marks = opts.marks
    for i_row in range(R.shape[0]) if (R0 < -1).any() or marks.duplicates == "exhaust" else ():
        skips = 0
        seen: set[int] = set()
        ended = False
        for j in range(m):
            c = int(R0[i_row, j])
            if ended:
                stop[i_row, j] = True
                continue
            if c == PAD:
                ended = True
                stop[i_row, j] = True
            elif c == SKIPPED:
                skips += 1
                R[i_row, j] = -1
                if marks.skipped_limit is not None and skips >= marks.skipped_limit:
                    ended = True
                    stop[i_row, j] = True
            elif c == OVERVOTE or c <= GROUP_BASE:
                skips = 0
                R[i_row, j] = -1
                if marks.overvote == "exhaust":
                    ended = True
                    stop[i_row, j] = True
            else:
                skips = 0
                if c in seen:
                    R[i_row, j] = -1
                    if marks.duplicates == "exhaust":
                        ended = True
                        stop[i_row, j] = True
                seen.add(c)
    if not (R0 < -1).any() and marks.duplicates == "skip":
        # repeated candidates get nothing the second time round (their remainder is already kept)
        dup = np.zeros(R.shape, dtype=bool)
        for j in range(1, m):
            for k in range(j):
                dup[:, j] |= (R0[:, k] == R0[:, j]) & (R0[:, j] >= 0)
        R[dup] = -1
    valid_units = int(w.sum()) * unit
    keep = np.full(n, unit, dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)  # 0 hopeful, 1 elected, 2 excluded
    for c in b.withdrawn:
        keep[c] = 0
        state[c] = 2
    hopeful = int((state == 0).sum())
    if hopeful < seats:
        raise RuleError(f"{hopeful} candidates for {seats} seats")
    pol = opts.tiebreak if isinstance(opts.tiebreak, TieBreakPolicy) else TieBreakPolicy("backwards")
    breaker = TieBreaker(pol, b.candidates)
    tol = int(opts.tolerance * unit)
    rounds: list[Round] = []
    elected: list[int] = []
    prev: dict[str, Number] | None = None
    prev_exh: Fraction = Fraction(0)
    action = "first preferences"
    stage = 0
    iterations_total = 0
    notes: list[str] = []
    while True:
        stage += 1
        it = 0
        last_surplus: int | None = None
        while True:
            votes, exh = _meek_pass(R, w, keep, unit, n, stop)
            excess = valid_units - int(votes.sum())
            quota = (valid_units - excess) // (seats + 1) + 1  # HWW: truncate, then add 1e-9
            it += 1
            el = np.nonzero(state == 1)[0]
            newly = [int(c) for c in np.nonzero((state == 0) & (votes >= quota))[0]]
            if newly:
                break
            if el.size == 0:
                break
            surplus = int((votes[el] - quota).clip(min=0).sum())
            stalled = last_surplus is not None and surplus >= last_surplus
            last_surplus = surplus
            if surplus <= tol or stalled or it >= opts.max_iterations:
                if it >= opts.max_iterations:
                    notes.append(f"stage {stage}: stopped after {it} iterations")
                break
            new_keep = keep.copy()
            # keep value <- keep * quota / votes, rounded up
            new_keep[el] = -(-(keep[el].astype(object) * quota) // votes[el].astype(object)).astype(np.int64)
            new_keep = np.minimum(new_keep, unit)
            if np.array_equal(new_keep, keep):
                break
            keep = new_keep
        iterations_total += it
        ties: list[TieBreak] = []
        names = {b.candidates[c]: Fraction(int(votes[c]), unit) for c in range(n) if state[c] != 2}
        exhausted = Fraction(exh, unit)
        loss = Fraction(valid_units - int(votes[state != 2].sum()) - exh, unit)
        breaker.record({c: int(votes[c]) for c in range(n) if state[c] != 2})
        transfers = {} if prev is None else {k: names.get(k, 0) - v for k, v in prev.items()}
        newly = [int(c) for c in np.nonzero((state == 0) & (votes >= quota))[0]]
        newly.sort(key=lambda c: -int(votes[c]))
        newly = newly[: seats - len(elected)]
        for c in newly:
            state[c] = 1
            elected.append(c)
        hopefuls = [int(c) for c in np.nonzero(state == 0)[0]]
        eliminated: list[int] = []
        done = False
        if len(elected) >= seats:
            done = True
        elif len(hopefuls) + len(elected) <= seats:
            hopefuls.sort(key=lambda c: -int(votes[c]))
            for c in hopefuls:
                state[c] = 1
                elected.append(c)
            newly += hopefuls
            done = True
        elif not newly:
            c, tie = pick_extreme(
                {c: int(votes[c]) for c in hopefuls},
                lowest=True,
                breaker=breaker,
                round_no=stage,
                purpose="eliminate",
            )
            if tie:
                ties.append(tie)
            eliminated = [c]
            state[c] = 2
            keep[c] = 0
        rounds.append(
            Round(
                number=stage,
                tallies=names,
                exhausted=exhausted,
                loss=loss,
                transfers=transfers,
                exhausted_transfer=exhausted - prev_exh if prev is not None else 0,
                elected=tuple(b.candidates[c] for c in newly),
                eliminated=tuple(b.candidates[c] for c in eliminated),
                action=action,
                quota=Fraction(int(quota), unit),
                ties=tuple(ties),
            )
        )
        if done:
            break
        prev = {k: v for k, v in names.items() if k not in {b.candidates[c] for c in eliminated}}
        prev_exh = exhausted
        action = (
            ("exclusion of " + b.candidates[eliminated[0]])
            if eliminated
            else ("surplus of " + ", ".join(b.candidates[c] for c in newly))
        )
    opt = asdict(opts.marks)
    opt.update(
        precision=opts.precision,
        tolerance=str(opts.tolerance),
        tiebreak=breaker.policy.describe(),
        iterations=iterations_total,
    )
    return Result(
        method="stv-meek",
        seats=seats,
        candidates=b.candidates,
        winners=tuple(b.candidates[c] for c in elected),
        rounds=tuple(rounds),
        valid=Fraction(valid_units, unit),
        quota=rounds[-1].quota,
        options=opt,
        notes=tuple(notes),
    )


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
