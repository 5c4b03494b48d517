"""STV by the Irish Dáil rules: Electoral Act 1992, whole papers drawn at random.

:func:`stv_irish` — Dáil elections, Electoral Act 1992 (No. 23) Part XIX, ss.118-128 as
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
they differed, then lot — s.118 "determine by lot"); *which* papers move is the option
``papers``: ``"random"`` (default), a uniform random sample of the sub-parcel (the returning
officer takes them from a mixed parcel) drawn with ``numpy.random.default_rng(seed)``; or
``"as-they-lie"``, the papers last filed in each sub-parcel (our reading of the rules' "the
papers last filed"; the 1992 text was not available to us), where the first count files the
papers in the order of the ballot rows (file order for the raw 2002 releases read by
:mod:`kingmaker.io.irish`, one row per paper) and every transfer files the papers it moves
after those already on the pile, in the order they lay. The count's options and first note
say which was used. Surpluses arising at an earlier count go
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
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting.options import one_set, option_names
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result
from kingmaker.counting.stv._engine import STVOptions, _Count, _exclude, _exclusion, _Ruleset, _stv_options
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import TieBreak, pick_extreme

#: Electoral Act 1992: whole papers (unit one), integer Droop quota (s.120), the last
#: sub-parcel of a surplus (s.121), ties ``forwards``; its own count loop (:func:`irish_count`).
IRISH = _Ruleset(
    name="stv-irish",
    unit=1,
    quota="droop_int",
    parcel="last",
    defer=True,
    bulk=True,
    tiebreak="forwards",
)


#: How the papers of a surplus are chosen within each sub-parcel (``IrishOptions.papers``).
PAPER_SELECTIONS: dict[str, str] = {
    "random": "a uniform random sample of the sub-parcel, seeded (the papers of a mixed parcel)",
    "as-they-lie": "the papers last filed in the sub-parcel, in the order they lie (file order, "
    "then the order each transfer filed them)",
}


@dataclass(frozen=True)
class IrishOptions(STVOptions):
    """:class:`STVOptions` plus ``papers``: which papers of a surplus move, ``"random"`` (a seeded
    draw, the default) or ``"as-they-lie"`` (the last filed in each sub-parcel; needs the ballots
    in file order, one row per paper, as :mod:`kingmaker.io.irish` reads them)."""

    papers: str = "random"

    def __post_init__(self) -> None:
        if self.papers not in PAPER_SELECTIONS:
            raise InputError(f"papers must be one of {', '.join(PAPER_SELECTIONS)}, got {self.papers!r}")


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
        # filing order of each entry's papers in its pile (None: as read, the paper ids)
        self.seq: list[np.ndarray | None] = [None] * len(self.rows)
        # the filing number of a one-paper entry (-1: see ``seq``), kept as an array so that
        # ballots read one row per paper (file order) move without a Python loop
        self.lone = np.where(self.count == 1, self.offset[self.rows], -1).astype(np.int64)
        self.next_seq = int(w.sum())
        self.track = isinstance(opts, IrishOptions) and opts.papers == "as-they-lie"

    def paper_ids(self, i: int) -> np.ndarray:
        got = self.ids[i]
        if got is None:
            start = int(self.offset[self.rows[i]])
            got = np.arange(start, start + int(self.count[i]), dtype=np.int64)
        return got

    def paper_seq(self, i: int) -> np.ndarray:
        """The filing order of entry ``i``'s papers in the pile that holds them."""
        if self.lone[i] >= 0:
            return self.lone[i : i + 1]
        got = self.seq[i]
        return self.paper_ids(i) if got is None else got

    def _set_seq(self, i: int, seq: np.ndarray) -> None:
        if len(seq) == 1:
            self.lone[i] = seq[0]
        else:
            self.lone[i] = -1
            self.seq[i] = seq

    def move(self, idx: np.ndarray, new_value: np.ndarray) -> tuple[Any, Any]:
        """As :meth:`_Count.move`; when papers are taken as they lie, the moved papers are filed
        on their new piles after everything there, in the order they lay (``idx`` is moved in
        the order the caller takes the parcels)."""
        if self.track and len(idx) and bool(np.all(self.lone[idx] >= 0)):
            order = np.argsort(self.lone[idx], kind="stable")
            self.lone[idx[order]] = self.next_seq + np.arange(len(idx), dtype=np.int64)
            self.next_seq += len(idx)
        elif self.track and len(idx):
            seqs = [self.paper_seq(int(i)) for i in idx.tolist()]
            flat = np.concatenate(seqs)
            rank = np.empty(len(flat), dtype=np.int64)
            rank[np.argsort(flat, kind="stable")] = np.arange(len(flat), dtype=np.int64)
            start = 0
            for i, sq in zip(idx.tolist(), seqs, strict=True):
                self._set_seq(i, self.next_seq + rank[start : start + len(sq)])
                start += len(sq)
            self.next_seq += len(flat)
        return super().move(idx, new_value)

    def split(self, i: int, k: int, rng: np.random.Generator) -> int:
        """Take ``k`` papers of entry ``i``, chosen at random, into a new entry; return it."""
        pick = np.zeros(int(self.count[i]), dtype=bool)
        pick[rng.choice(len(pick), size=k, replace=False)] = True
        return self.split_mask(i, pick)

    def split_mask(self, i: int, pick: np.ndarray) -> int:
        """Take the papers ``pick`` (a mask over entry ``i``'s papers) into a new entry; return it."""
        ids = self.paper_ids(i)
        seq = self.paper_seq(i)
        k = int(pick.sum())
        self.ids[i] = ids[~pick]
        self.ids.append(ids[pick])
        self.seq.append(None)
        self.lone = np.concatenate([self.lone, np.array([-1], dtype=np.int64)])
        self._set_seq(i, seq[~pick])
        self._set_seq(len(self.seq) - 1, seq[pick])
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


def _as_they_lie(st: _IrishCount, members: list[int], k: int) -> list[int]:
    """The entries that move when the ``k`` papers last filed among ``members`` (one sub-parcel)
    are taken, splitting an entry where only some of its papers are among them."""
    if k == 0:
        return []
    arr = np.asarray(members, dtype=np.int64)
    if bool(np.all(st.lone[arr] >= 0)):  # one paper an entry: no split needed
        return arr[np.argsort(st.lone[arr], kind="stable")[len(arr) - k :]].tolist()
    seqs = [st.paper_seq(i) for i in members]
    flat = np.concatenate(seqs)
    cut = np.sort(flat)[len(flat) - k]  # the k largest filing numbers (they are distinct)
    moving: list[int] = []
    for i, sq in zip(members, seqs, strict=True):
        pick = sq >= cut
        if pick.all():
            moving.append(i)
        elif pick.any():
            moving.append(st.split_mask(i, pick))
    return moving


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
            if st.track:
                moving += _as_they_lie(st, members.tolist(), k)
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
        + (
            (
                f"; papers taken as they lie (last filed), ids digest {digest}"
                if st.track
                else f"; papers drawn by lot (seed {seed}, ids digest {digest})"
            )
            if transferable > surplus
            else ""
        )
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


def irish_count(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> IrishCount:
    """Count by the Irish Dáil rules and keep the identity of every paper moved (see
    :func:`stv_irish`). ``papers="as-they-lie"`` takes the last-filed papers of each sub-parcel
    instead of a seeded random draw (:class:`IrishOptions`)."""
    ballots, seats = one_set(ballots, seats, IRISH.name)
    opts = _stv_options(IrishOptions, options, kw, IRISH)
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
    opt["papers"] = opts.papers
    st.notes.insert(0, _papers_note(ballots, opts))
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


def _papers_note(ballots: Ballots, opts: IrishOptions) -> str:
    """Which papers selection the count used, said in its notes."""
    if opts.papers == "random":
        return f"papers: random (surplus papers drawn by lot within each sub-parcel, seed {opts.seed})"
    grouped = bool(np.any(ballots.weights > 1))
    return "papers: as-they-lie (the last-filed papers of each sub-parcel move; first-count piles in " + (
        "the order of the ballot rows: these ballots were grouped, so that is not the file's order)"
        if grouped
        else "file order)"
    )


@METHODS.register(
    "stv-irish",
    summary="STV, Irish Dáil rules (Electoral Act 1992), whole papers: drawn at random (seeded) or as they lie",
    aliases=("irish",),
    options=option_names(IrishOptions),
    choices={"papers": tuple(PAPER_SELECTIONS)},
    properties=("exact-conservation", "not-permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=4,
)
def stv_irish(
    ballots: Ballots, seats: int | None = None, options: STVOptions | None = None, **kw: Any
) -> Result:
    """STV by the Irish Dáil rules (Electoral Act 1992 Part XIX): whole papers; the surplus
    papers drawn at random (``papers="random"``, seeded) or taken as they lie
    (``papers="as-they-lie"``)."""
    return irish_count(ballots, seats, options, **kw).result


__all__ = ["IRISH", "PAPER_SELECTIONS", "IrishCount", "IrishOptions", "irish_count", "stv_irish"]
