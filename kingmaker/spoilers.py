"""Spoilers and the verdicts of other voting methods on one ranked election.

:func:`spoiler_analysis` recounts an election without each candidate in turn and reports
every losing candidate whose withdrawal changes the winner ("she stood down so as not to
split his vote"), finds the Condorcet winner and loser, and sets the winners under
plurality, Borda, Copeland, Schulze and ranked pairs beside the alternative vote.

The alternative vote (and any other count given as ``count=``) is done by the engine
(:func:`kingmaker.counting.av.irv` by default). The other methods come from the
``pref_voting`` package through :func:`to_pref_voting`; nothing here re-implements them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker._registry import Registry
from kingmaker.ballots import GROUP_BASE, OVERVOTE, PAD, SKIPPED, Ballots, group_index
from kingmaker.errors import InputError, KingmakerError, RuleError, TooLargeError
from kingmaker.provenance import frame_html, json_result

if TYPE_CHECKING:
    from kingmaker.counting.result import Result

#: The methods set beside the counted one (pref_voting's implementations), registered below in
#: table order; ``function(profile) -> winners`` (candidate indices, all tied winners).
SPOILER_METHODS: Registry[Callable[[Any], list[int]]] = Registry("comparison method")

#: Headings for the counted method's default label (the others' come from the registry).
_COUNT_TITLES: dict[str, str] = {"av": "Alternative vote"}


def method_title(method: str) -> str:
    """A method's heading for tables: the registry's ``title``, else the name as given."""
    if method in _COUNT_TITLES:
        return _COUNT_TITLES[method]
    if method in SPOILER_METHODS:
        return str(SPOILER_METHODS.get(method).extra.get("title", method))
    return method


#: Above this many candidates ranked pairs (exponential in tied margins) is refused.
MAX_RANKED_PAIRS_CANDIDATES = 20

#: A count: ballots -> the engine's :class:`~kingmaker.counting.result.Result`.
Count = Callable[[Ballots], "Result"]


def _require_pref_voting() -> None:
    try:
        import pref_voting  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise KingmakerError(
            "the pref_voting package is needed for the other methods: pip install pref_voting"
        ) from None


# ---------------------------------------------------------------------------- conversion
def ballot_orders(ballots: Ballots) -> tuple[list[str], list[tuple[tuple[int, ...], ...]], list[float]]:
    """Each distinct ranking as an order of tiers over the continuing candidates.

    Returns ``(names, orders, weights)``: ``names`` are the continuing (not withdrawn)
    candidates, each order a tuple of tiers (tuples of indices into ``names``; a tier of
    several is an equal ranking), identical orders merged. Reading rules: a skipped rank is
    passed over; an overvote (candidates unknown) ends the ranking; a repeated or withdrawn
    candidate is ignored; an equal ranking becomes a tier of the candidates not yet ranked.
    Blank rankings are dropped.
    """
    cont = ballots.continuing
    names = [ballots.candidates[c] for c in cont]
    pos = {c: i for i, c in enumerate(cont)}
    merged: dict[tuple[tuple[int, ...], ...], float] = {}
    for row, w in zip(ballots.rankings, ballots.weights, strict=True):
        seen: set[int] = set()
        tiers: list[tuple[int, ...]] = []
        for code in row:
            code = int(code)
            if code in (PAD, OVERVOTE):
                break
            if code == SKIPPED:
                continue
            members = ballots.groups[group_index(code)] if code <= GROUP_BASE else (code,)
            tier = tuple(sorted(pos[c] for c in members if c in pos and pos[c] not in seen))
            if not tier:
                continue
            seen.update(tier)
            tiers.append(tier)
        if tiers and float(w) > 0:
            key = tuple(tiers)
            merged[key] = merged.get(key, 0.0) + float(w)
    orders = list(merged)
    return names, orders, [merged[o] for o in orders]


def to_pref_voting(ballots: Ballots, kind: str = "auto") -> Any:
    """The ballots as a ``pref_voting`` profile over the continuing candidates.

    ``kind="auto"`` gives a ``Profile`` (linear orders) when every ballot ranks every
    continuing candidate (or all but one, which is the same order) with no equal ranks,
    otherwise a ``ProfileWithTies`` using *extended* strict preference: a ranked candidate is
    preferred to every unranked one, unranked candidates are tied, equal ranks are ties.
    ``kind="ties"`` always gives a ``ProfileWithTies``. Candidates are ``0..k-1`` with
    ``cmap`` giving the names. See :func:`ballot_orders` for how marks are read.
    """
    _require_pref_voting()
    from pref_voting.profiles import Profile
    from pref_voting.profiles_with_ties import ProfileWithTies

    if kind not in ("auto", "ties", "linear"):
        raise InputError("kind must be 'auto', 'ties' or 'linear'")
    names, orders, weights = ballot_orders(ballots)
    if not orders:
        raise RuleError("no valid ballots to compare methods on")
    k = len(names)
    cmap = dict(enumerate(names))
    counts: list[int | float] = [int(w) if float(w).is_integer() else w for w in weights]
    linear = all(all(len(t) == 1 for t in o) and sum(len(t) for t in o) >= k - 1 for o in orders)
    if kind == "linear" and not linear:
        raise InputError("ballots are truncated or have equal rankings; use kind='ties'")
    if linear and kind != "ties":
        full = []
        for o in orders:
            order = [t[0] for t in o]
            order += [c for c in range(k) if c not in order]
            full.append(order)
        return Profile(full, rcounts=counts, cmap=cmap)
    dicts = [{c: r + 1 for r, tier in enumerate(o) for c in tier} for o in orders]
    profile = ProfileWithTies(dicts, rcounts=counts, candidates=list(range(k)), cmap=cmap)
    profile.use_extended_strict_preference()
    return profile


# ---------------------------------------------------------------------------- methods
@SPOILER_METHODS.register(
    "plurality",
    summary="most first preferences (a tie at the top of a ballot counts for nobody)",
    properties=("deterministic",),
    title="Plurality",
)
def _plurality(profile: Any) -> list[int]:
    from pref_voting.profiles import Profile
    from pref_voting.scoring_methods import plurality

    if isinstance(profile, Profile):
        return list(plurality(profile))
    scores = profile.plurality_scores_ignoring_overvotes()  # a tie at the top counts for nobody
    best = max(scores.values())
    return sorted(c for c, v in scores.items() if v == best)


@SPOILER_METHODS.register(
    "borda",
    summary="Borda count for ballots with ties (pref_voting's borda_for_profile_with_ties)",
    properties=("deterministic",),
    title="Borda",
)
def _borda(profile: Any) -> list[int]:
    from pref_voting.scoring_methods import borda_for_profile_with_ties

    return list(borda_for_profile_with_ties(profile))


@SPOILER_METHODS.register(
    "copeland",
    summary="most head-to-head wins minus losses",
    properties=("deterministic",),
    title="Copeland",
)
def _copeland(profile: Any) -> list[int]:
    from pref_voting.c1_methods import copeland

    return list(copeland(profile))


@SPOILER_METHODS.register(
    "schulze",
    summary="the beat-path (Schulze) method",
    aliases=("beat_path",),
    properties=("deterministic",),
    title="Schulze",
)
def _schulze(profile: Any) -> list[int]:
    from pref_voting.margin_based_methods import beat_path

    return list(beat_path(profile))


@SPOILER_METHODS.register(
    "ranked_pairs",
    summary="Tideman ranked pairs (refused past 20 candidates)",
    aliases=("ranked-pairs",),
    properties=("deterministic",),
    title="Ranked pairs",
)
def _ranked_pairs(profile: Any) -> list[int]:
    from pref_voting.margin_based_methods import ranked_pairs

    if len(profile.candidates) > MAX_RANKED_PAIRS_CANDIDATES:
        raise TooLargeError(f"ranked pairs is limited to {MAX_RANKED_PAIRS_CANDIDATES} candidates")
    return list(ranked_pairs(profile))


def _analysis_profile(ballots: Ballots | Any) -> Any:
    """A ``ProfileWithTies`` for the method table (already converted profiles pass through).

    Always the with-ties form: for complete ballots it gives the same winners as a linear
    ``Profile``, and it avoids the several seconds of numba compilation that pref_voting's
    linear ``Profile`` costs on first use in every process.
    """
    return to_pref_voting(ballots, kind="ties") if isinstance(ballots, Ballots) else ballots


def method_winners(
    ballots: Ballots | Any, methods: Sequence[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """Winners (all tied winners) under each named ``pref_voting`` method, by canonical name.

    ``methods``: names or aliases from :data:`SPOILER_METHODS` (default: all of them); an unknown
    one raises :class:`~kingmaker.errors.UnknownNameError`. ``ballots`` may also be a profile made
    by :func:`to_pref_voting`.
    """
    chosen = (
        SPOILER_METHODS.entries()
        if methods is None
        else [SPOILER_METHODS.get(m, what="method") for m in methods]
    )
    profile = _analysis_profile(ballots)
    return {e.name: tuple(profile.cmap[c] for c in e.obj(profile)) for e in chosen}


def condorcet(ballots: Ballots | Any) -> tuple[str | None, str | None]:
    """``(Condorcet winner, Condorcet loser)``, each ``None`` where there is none."""
    profile = _analysis_profile(ballots)
    cw, cl = profile.condorcet_winner(), profile.condorcet_loser()
    return (
        None if cw is None else profile.cmap[cw],
        None if cl is None else profile.cmap[cl],
    )


# ---------------------------------------------------------------------------- spoilers
def av_count(ballots: Ballots) -> Result:
    """The engine's alternative-vote count (UK usage: stop at a majority of continuing votes)."""
    from kingmaker.counting.av import irv

    return irv(ballots)


@dataclass(frozen=True)
class Recount:
    """The count run again with one candidate withdrawn."""

    removed: str
    winner: str
    changed: bool
    was_winner: bool

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "removed": self.removed,
            "winner": self.winner,
            "changed": self.changed,
            "was_winner": self.was_winner,
        }


@dataclass(frozen=True)
class SpoilerCase:
    """A losing candidate whose withdrawal changes the winner."""

    spoiler: str
    winner_with: str
    winner_without: str

    def describe(self) -> str:
        """One sentence, e.g. ``without C, B wins instead of A``."""
        return f"without {self.spoiler}, {self.winner_without} wins instead of {self.winner_with}"

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "spoiler": self.spoiler,
            "winner_with": self.winner_with,
            "winner_without": self.winner_without,
        }


@dataclass(frozen=True)
class SpoilerReport:
    """Spoiler recounts, Condorcet winner and loser, and each method's winners."""

    candidates: tuple[str, ...]
    method: str
    winner: str
    recounts: tuple[Recount, ...]
    spoilers: tuple[SpoilerCase, ...]
    condorcet_winner: str | None
    condorcet_loser: str | None
    methods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: ``head_to_head[a][b]``: the ballots (weight) preferring ``a`` to ``b``, a ranked candidate
    #: counting as preferred to an unranked one.
    head_to_head: dict[str, dict[str, float]] = field(default_factory=dict)

    def record(self, candidate: str) -> list[tuple[str, float, float]]:
        """``candidate``'s head-to-head results: ``(rival, for, against)``, best margin first."""
        h = self.head_to_head
        rows = [(r, h[candidate][r], h[r][candidate]) for r in self.candidates if r != candidate]
        return sorted(rows, key=lambda x: x[2] - x[1])

    @property
    def condorcet_winner_loses(self) -> bool:
        """True when a Condorcet winner exists and the counted method did not elect them."""
        return self.condorcet_winner is not None and self.condorcet_winner != self.winner

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "candidates": list(self.candidates),
            "method": self.method,
            "winner": self.winner,
            "condorcet_winner": self.condorcet_winner,
            "condorcet_loser": self.condorcet_loser,
            "condorcet_winner_loses": self.condorcet_winner_loses,
            "methods": {m: list(w) for m, w in self.methods.items()},
            "spoilers": [s.to_dict() for s in self.spoilers],
            "recounts": [r.to_dict() for r in self.recounts],
            "head_to_head": {a: dict(row) for a, row in self.head_to_head.items()},
            "notes": list(self.notes),
        }

    def to_frame(self) -> Any:
        """Methods table as a pandas DataFrame: one row per method, with its winner(s)."""
        import pandas as pd

        rows = [{"method": method_title(self.method), "winners": self.winner}]
        rows += [{"method": method_title(m), "winners": " = ".join(w)} for m, w in self.methods.items()]
        return pd.DataFrame(rows).set_index("method")

    def _repr_html_(self) -> str:
        return frame_html(self, f"{self.method}: {self.winner} wins")

    def recounts_frame(self) -> Any:
        """Recounts as a pandas DataFrame: one row per withdrawn candidate."""
        import pandas as pd

        return pd.DataFrame([r.to_dict() for r in self.recounts]).set_index("removed")


def spoiler_analysis(
    ballots: Ballots,
    *,
    count: Count | None = None,
    method: str = "av",
    methods: Sequence[str] | None = None,
) -> SpoilerReport:
    """Recount without each candidate in turn; add Condorcet and the other methods.

    ``count`` is the engine's count to test for spoilers (the alternative vote by default);
    ``method`` its label. ``methods`` are the ``pref_voting`` methods set beside it (names from
    :data:`SPOILER_METHODS`; default all, ``()`` for none; Condorcet winner and loser are always
    reported).
    """
    count = count or av_count
    cont = [ballots.candidates[c] for c in ballots.continuing]
    if len(cont) < 2:
        raise RuleError("a spoiler analysis needs at least two continuing candidates")
    base = count(ballots)
    winner = base.winner
    notes: list[str] = []
    if base.ties:
        notes.append(f"the {method} count broke {len(base.ties)} tie(s)")
    recounts: list[Recount] = []
    spoilers: list[SpoilerCase] = []
    for name in cont:
        result = count(ballots.with_withdrawn([name]))
        new = result.winner
        was_winner = name == winner
        changed = new != winner
        recounts.append(Recount(name, new, changed, was_winner))
        if changed and not was_winner:
            spoilers.append(SpoilerCase(name, winner, new))
        if result.ties:
            notes.append(f"the recount without {name} broke {len(result.ties)} tie(s)")
    profile = _analysis_profile(ballots)
    cw, cl = condorcet(profile)
    table = {} if methods is not None and not methods else method_winners(profile, methods)
    names = profile.cmap

    def _num(x: Any) -> float:
        return int(x) if float(x).is_integer() else float(x)

    h2h = {
        names[a]: {names[b]: _num(profile.support(a, b)) for b in profile.candidates if b != a}
        for a in profile.candidates
    }
    if cw is not None and cw != winner:
        notes.append(f"the Condorcet winner {cw} does not win by {method_title(method)}")
    return SpoilerReport(
        candidates=tuple(cont),
        method=method,
        winner=winner,
        recounts=tuple(recounts),
        spoilers=tuple(spoilers),
        condorcet_winner=cw,
        condorcet_loser=cl,
        methods=table,
        notes=tuple(notes),
        head_to_head=h2h,
    )


def weighted_union(sections: Sequence[tuple[Ballots, float]]) -> Ballots:
    """One profile from several sections, each section's ballots scaled to the given total weight.

    Used to set the other methods beside an electoral college: a section worth one third
    contributes one third of the combined weight whatever its number of voters. Sections
    must share the candidate list.
    """
    if not sections:
        raise InputError("no sections")
    first = sections[0][0]
    rows, weights = [], []
    width = max(b.rankings.shape[1] for b, _ in sections)
    for b, share in sections:
        if b.candidates != first.candidates or b.groups != first.groups:
            raise InputError("sections must share candidates (and equal-ranking groups)")
        total = float(b.weights.sum())
        if total <= 0:
            continue
        r = np.full((b.rankings.shape[0], width), PAD, dtype=np.int32)
        r[:, : b.rankings.shape[1]] = b.rankings
        rows.append(r)
        weights.append(b.weights.astype(np.float64) * (float(share) / total))
    return Ballots.from_matrix(
        np.vstack(rows),
        first.candidates,
        np.concatenate(weights),
        withdrawn=first.withdrawn,
        groups=first.groups,
        title=first.title,
    )
