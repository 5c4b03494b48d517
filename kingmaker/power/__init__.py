"""Voting power in weighted voting games: who can turn a losing coalition into a winning one.

A weighted game ``[q; w_1, ..., w_n]`` lets a coalition win when its members' weights sum to at
least the quota ``q``. This module measures each player's a-priori power:

* **Shapley-Shubik**: the share of the n! orderings of the players in which the player is pivotal.
* **Banzhaf** (normalised) and **Penrose-Banzhaf** (absolute): how many coalitions of the others
  the player swings from losing to winning; absolute = swing probability ``swings / 2**(n-1)``.
* **Deegan-Packel**: each minimal winning coalition is equally likely and shared equally among
  its members.
* **Holler** (public good index): the share of minimal-winning-coalition memberships.
* **Johnston**: each *vulnerable* winning coalition (one with at least one critical member) is
  shared equally among its critical members. (Johnston needs every vulnerable coalition, not just
  the minimal winning ones.)

Weights and quota are first divided by the weights' greatest common divisor (``[ceil(q/g); w/g]``
is the same game), so games counted in thousands cost no more than the game in units. Banzhaf
refuses with :class:`~kingmaker.errors.TooLargeError` past :data:`MAX_BANZHAF_CELLS` cells of work
or :data:`MAX_BANZHAF_WIDTH` weights; both programmes report progress through ``progress``.

Shapley-Shubik and Banzhaf are computed exactly with generating functions (dynamic programming
over weights, never enumerating coalitions): cost ``O(n * W)`` for Banzhaf and ``O(n**2 * W / 4)``
for Shapley-Shubik, where ``W`` is the total weight, with the per-player removal done once per
*distinct* weight. ``exact=True`` runs the same recursions on Python integers and returns
:class:`fractions.Fraction`; the default returns floats that agree with the exact values to about
1e-13 (the float recursions only ever run where they are numerically stable: see
:func:`_shapley_shubik_dp`).

The indices built on minimal winning coalitions enumerate them with a pruned depth-first search
over *coalition patterns* (how many players of each distinct weight join), and refuse with
:class:`~kingmaker.errors.TooLargeError` past :data:`MAX_COALITION_PATTERNS` patterns.

Two variants of the game are supported:

* ``excluded`` players never join a coalition. They keep their weight in the total (and so in the
  quota checks) but act as dummies: every index gives them 0.
* ``incompatible`` pairs never sit in the same coalition. The game then becomes: a coalition wins
  when it *contains* a feasible (pair-free) coalition that reaches the quota, i.e. when a government
  can be formed from its members. That game is monotone, so the usual axioms still hold (Shapley-
  Shubik sums to 1), and its minimal winning coalitions are exactly the feasible minimal winning
  coalitions of the original game. It is solved by enumerating all ``2**n`` coalitions with NumPy
  bit masks, so at most :data:`MAX_ENUMERATED_PLAYERS` players may join.

Multi-criteria games (a coalition must meet several quotas at once, e.g. the Council of the EU:
55% of member states and 65% of the population) are handled by
:func:`multi_criteria_shapley_shubik` and :func:`multi_criteria_banzhaf`.

Internal dependency direction (each module imports only those to its left)::

    _game  ->  _dp, _enumerate, result, multi  ->  __init__ (the public indices)

``_game`` validates games; ``_dp`` holds the generating-function kernels (float and exact);
``_enumerate`` the pattern search for minimal winning coalitions and the 2**n enumeration for
incompatible pairs; ``multi`` the multi-criteria games; ``result`` :class:`PowerResult`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from kingmaker.errors import InputError, KingmakerWarning, TooLargeError
from kingmaker.power._dp import (
    MAX_BANZHAF_CELLS,
    MAX_BANZHAF_WIDTH,
    MAX_DP_CELLS,
    MAX_EXACT_BANZHAF_CELLS,
    MAX_EXACT_DP_CELLS,
    _banzhaf_dp,
    _shapley_shubik_dp,
)
from kingmaker.power._enumerate import (
    MAX_COALITION_PATTERNS,
    MAX_ENUMERATED_PLAYERS,
    _coalition_indices_from_patterns,
    _enumerate,
    _search_patterns,
)
from kingmaker.power._game import Progress, Value, Weights, _Game, _game, _to_value
from kingmaker.power.multi import (
    MAX_MULTI_CRITERIA_CELLS,
    multi_criteria_banzhaf,
    multi_criteria_shapley_shubik,
)
from kingmaker.power.result import PowerResult

__all__ = [
    "MAX_BANZHAF_CELLS",
    "MAX_BANZHAF_WIDTH",
    "MAX_COALITION_PATTERNS",
    "MAX_DP_CELLS",
    "MAX_ENUMERATED_PLAYERS",
    "MAX_EXACT_BANZHAF_CELLS",
    "MAX_EXACT_DP_CELLS",
    "MAX_MINIMAL_WINNING_COALITIONS",
    "MAX_MULTI_CRITERIA_CELLS",
    "KingmakerWarning",
    "PowerResult",
    "Progress",
    "Value",
    "Weights",
    "banzhaf",
    "banzhaf_absolute",
    "deegan_packel",
    "holler",
    "johnston",
    "minimal_winning_coalitions",
    "multi_criteria_banzhaf",
    "multi_criteria_shapley_shubik",
    "power_indices",
    "power_table",
    "shapley_shubik",
]

#: Most minimal winning coalitions :func:`minimal_winning_coalitions` lists by default.
MAX_MINIMAL_WINNING_COALITIONS = 100_000


def _spread(game: _Game, values: Sequence[Value], zero: Value) -> dict[str, Value]:
    """Active players' values into a dict over all players (excluded players get ``zero``)."""
    out = dict.fromkeys(game.names, zero)
    for i, v in zip(game.active, values, strict=True):
        out[game.names[i]] = v
    return out


def _active_weights(game: _Game) -> list[int]:
    return [game.weights[i] for i in game.active]


def _reduced(game: _Game) -> tuple[list[int], int]:
    """The active weights and the quota divided by the weights' greatest common divisor.

    Exact: with every weight a multiple of ``g`` a coalition's weight ``g*s`` reaches ``q`` iff
    ``s >= ceil(q / g)``, so ``[ceil(q/g); w/g]`` is the same game (same winning coalitions, same
    indices), and the dynamic programmes over weights shrink by ``g``.
    """
    w = _active_weights(game)
    g = math.gcd(*w)
    if g <= 1:
        return w, game.quota
    return [x // g for x in w], -(-game.quota // g)


def _ss_values(game: _Game, exact: bool, progress: Progress | None) -> list[Value]:
    if game.pairs:
        en = _enumerate(_active_weights(game), game.quota, _local_pairs(game))
        return [_to_value(x, exact) for x in en.shapley_shubik]
    return _shapley_shubik_dp(*_reduced(game), exact, progress)


def _local_pairs(game: _Game) -> list[tuple[int, int]]:
    pos = {g: i for i, g in enumerate(game.active)}
    return [(pos[a], pos[b]) for a, b in game.pairs]


def _banzhaf_values(game: _Game, exact: bool, normalized: bool, progress: Progress | None) -> list[Value]:
    """Normalised Banzhaf (shares of all swings) or absolute (swing probability) per active player."""
    w, quota = _reduced(game)
    n = len(w)
    if game.pairs:
        counts: list[Any] = _enumerate(w, quota, _local_pairs(game)).swings
        exact_counts = True
    else:
        counts = _banzhaf_dp(w, quota, exact, progress)
        exact_counts = exact
    if exact_counts:
        if normalized:
            total = sum(counts)
            fr = [Fraction(c, total) if total else Fraction(0) for c in counts]
        else:
            fr = [Fraction(c, 2 ** (n - 1)) for c in counts]
        return [_to_value(x, exact) for x in fr]
    if normalized:
        total_f = math.fsum(counts)
        return [c / total_f if total_f else 0.0 for c in counts]
    return [float(c) for c in counts]


def shapley_shubik(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Shapley-Shubik index of each player: its share of the orderings in which it is pivotal.

    ``weights``: a sequence of whole numbers (players named P1, P2, ... unless ``players`` names
    them) or a mapping name -> weight. A coalition wins when its weight reaches ``quota``.
    Exact by dynamic programming over weights (``exact=True``: Fractions); ``excluded`` players
    never join (they get 0); ``incompatible`` pairs never sit together (see the module notes; at
    most :data:`MAX_ENUMERATED_PLAYERS` players then). Raises InputError on invalid input and
    warns (:class:`KingmakerWarning`) when the quota is at most half of the total weight.

    >>> shapley_shubik([50, 49, 1], 51, exact=True)
    {'P1': Fraction(2, 3), 'P2': Fraction(1, 6), 'P3': Fraction(1, 6)}
    """
    game = _game(weights, quota, players, excluded, incompatible)
    zero: Value = Fraction(0) if exact else 0.0
    return _spread(game, _ss_values(game, exact, progress), zero)


def banzhaf(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    normalized: bool = True,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Banzhaf index: each player's share of all swings (``normalized=False``: the absolute,
    Penrose-Banzhaf index, i.e. the probability that the player swings a random coalition of the
    others). Arguments as :func:`shapley_shubik`.

    >>> banzhaf([50, 49, 1], 51, exact=True)
    {'P1': Fraction(3, 5), 'P2': Fraction(1, 5), 'P3': Fraction(1, 5)}
    """
    game = _game(weights, quota, players, excluded, incompatible)
    zero: Value = Fraction(0) if exact else 0.0
    return _spread(game, _banzhaf_values(game, exact, normalized, progress), zero)


def banzhaf_absolute(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Absolute (Penrose-Banzhaf) index: swings / 2**(n-1). Arguments as :func:`shapley_shubik`."""
    return banzhaf(
        weights,
        quota,
        players=players,
        exact=exact,
        normalized=False,
        excluded=excluded,
        incompatible=incompatible,
        progress=progress,
    )


def _coalition_values(
    game: _Game, exact: bool, johnston: bool, limit: int
) -> tuple[list[Value], list[Value], list[Value] | None, int]:
    """Deegan-Packel, Holler, Johnston (or None) per active player, and the number of MWCs."""
    w = _active_weights(game)
    if game.pairs:
        en = _enumerate(w, game.quota, _local_pairs(game))
        conv = [[_to_value(x, exact) for x in vals] for vals in (en.deegan_packel, en.holler, en.johnston)]
        return conv[0], conv[1], conv[2] if johnston else None, len(en.minimal_winning)
    stats = _search_patterns(w, game.quota, vulnerable=johnston, limit=limit)
    dp, hol, jo = _coalition_indices_from_patterns(w, stats, exact)
    return dp, hol, jo, stats.minimal_winning


def deegan_packel(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Deegan-Packel index: each minimal winning coalition is equally likely and its members share
    it equally. Enumerates minimal winning coalitions (TooLargeError past ``max_patterns``
    coalition patterns, default :data:`MAX_COALITION_PATTERNS`)."""
    game = _game(weights, quota, players, excluded, incompatible)
    dp, _, _, _ = _coalition_values(game, exact, False, max_patterns)
    return _spread(game, dp, Fraction(0) if exact else 0.0)


def holler(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Holler's public good index: the player's share of all memberships of minimal winning
    coalitions. Limits as :func:`deegan_packel`."""
    game = _game(weights, quota, players, excluded, incompatible)
    _, hol, _, _ = _coalition_values(game, exact, False, max_patterns)
    return _spread(game, hol, Fraction(0) if exact else 0.0)


def johnston(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Johnston index: each vulnerable winning coalition (at least one member whose exit makes it
    lose) is shared equally among its critical members; normalised to sum to 1. Enumerates the
    vulnerable coalitions (TooLargeError past ``max_patterns`` coalition patterns)."""
    game = _game(weights, quota, players, excluded, incompatible)
    _, _, jo, _ = _coalition_values(game, exact, True, max_patterns)
    assert jo is not None
    return _spread(game, jo, Fraction(0) if exact else 0.0)


def minimal_winning_coalitions(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    limit: int = MAX_MINIMAL_WINNING_COALITIONS,
) -> tuple[tuple[str, ...], ...]:
    """Every minimal winning coalition (each member's exit makes it lose), heaviest first.

    Players within a coalition are listed in the order given. Raises TooLargeError when there are
    more than ``limit`` (default :data:`MAX_MINIMAL_WINNING_COALITIONS`) of them, or when the search
    passes :data:`MAX_COALITION_PATTERNS` patterns.
    """
    game = _game(weights, quota, players, excluded, incompatible)
    w = _active_weights(game)
    names = [game.names[i] for i in game.active]

    def too_many(count: int) -> TooLargeError:
        return TooLargeError(f"{count:,} minimal winning coalitions; the limit is {limit:,}")

    found: list[tuple[int, ...]] = []
    if game.pairs:
        masks = _enumerate(w, game.quota, _local_pairs(game)).minimal_winning
        if len(masks) > limit:
            raise too_many(len(masks))
        found = [tuple(i for i in range(len(w)) if m >> i & 1) for m in masks]
    else:
        stats = _search_patterns(w, game.quota, vulnerable=False, keep_patterns=True)
        if stats.minimal_winning > limit:
            raise too_many(stats.minimal_winning)
        members = {v: [i for i, x in enumerate(w) if x == v] for v in stats.values}
        for pattern in stats.patterns:
            parts = [itertools.combinations(members[stats.values[cls]], c) for cls, c in pattern.items()]
            for combo in itertools.product(*parts):
                found.append(tuple(sorted(i for part in combo for i in part)))
    found.sort(key=lambda c: (-sum(w[i] for i in c), c))
    return tuple(tuple(names[i] for i in c) for c in found)


def power_indices(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    coalition_indices: bool = True,
    max_patterns: int = MAX_COALITION_PATTERNS,
    progress: Progress | None = None,
    indices: Iterable[str] | None = None,
) -> PowerResult:
    """All six indices of one game in a :class:`PowerResult` (or only those named in ``indices``).

    ``coalition_indices=False`` skips Deegan-Packel, Holler and Johnston (left ``None``), which
    need an enumeration that large games refuse with TooLargeError; Shapley-Shubik and Banzhaf
    scale to hundreds of players. ``indices`` (names from :attr:`PowerResult.INDICES`, hyphens
    accepted, e.g. ``["banzhaf"]``) computes only those; the others are ``None``. Other arguments
    as :func:`shapley_shubik`.
    """
    game = _game(weights, quota, players, excluded, incompatible)
    wanted = _wanted(indices, coalition_indices)
    zero: Value = Fraction(0) if exact else 0.0
    w, q = _reduced(game)
    n = len(w)
    mwc: int | None = None
    out: dict[str, list[Value] | None] = dict.fromkeys(PowerResult.INDICES)
    if game.pairs:
        en = _enumerate(w, q, _local_pairs(game))
        total = sum(en.swings)
        exact_values: dict[str, list[Fraction]] = {
            "shapley_shubik": en.shapley_shubik,
            "banzhaf": [Fraction(c, total) if total else Fraction(0) for c in en.swings],
            "banzhaf_absolute": [Fraction(c, 2 ** (n - 1)) for c in en.swings],
            "deegan_packel": en.deegan_packel,
            "holler": en.holler,
            "johnston": en.johnston,
        }
        for key in wanted:
            out[key] = [_to_value(x, exact) for x in exact_values[key]]
        if wanted & _COALITION_INDICES:
            mwc = len(en.minimal_winning)
    else:
        if wanted & _COALITION_INDICES:  # the search can refuse: do it before the long programmes
            dp, hol, jo, mwc = _coalition_values(game, exact, "johnston" in wanted, max_patterns)
            out.update(deegan_packel=dp, holler=hol, johnston=jo)
        if "shapley_shubik" in wanted:
            out["shapley_shubik"] = _shapley_shubik_dp(w, q, exact, progress)
        if wanted & {"banzhaf", "banzhaf_absolute"}:
            counts = _banzhaf_dp(w, q, exact, None if "shapley_shubik" in wanted else progress)
            if exact:
                total = sum(counts)
                bz = [Fraction(c, total) if total else Fraction(0) for c in counts]
                ba = [Fraction(c, 2 ** (n - 1)) for c in counts]
            else:
                total_f = math.fsum(counts)
                bz = [c / total_f if total_f else 0.0 for c in counts]
                ba = [float(c) for c in counts]
            out.update(banzhaf=bz, banzhaf_absolute=ba)
    spread = {k: None if k not in wanted or v is None else _spread(game, v, zero) for k, v in out.items()}
    return PowerResult(
        players=game.names,
        weights=game.weights,
        quota=game.quota,
        **spread,  # type: ignore[arg-type]
        minimal_winning_coalitions=mwc,
        exact=exact,
        excluded=game.excluded,
        incompatible=game.incompatible,
    )


_COALITION_INDICES = frozenset({"deegan_packel", "holler", "johnston"})


def _wanted(indices: Iterable[str] | None, coalition_indices: bool) -> frozenset[str]:
    """The index names to compute: ``indices`` (validated; hyphens or underscores, any case), or
    all of :attr:`PowerResult.INDICES` (less the coalition indices without ``coalition_indices``)."""
    if indices is None:
        return frozenset(PowerResult.INDICES) - (frozenset() if coalition_indices else _COALITION_INDICES)
    if isinstance(indices, str):
        indices = [indices]
    chosen = set()
    for name in indices:
        key = str(name).strip().lower().replace("-", "_")
        if key not in PowerResult.INDICES:
            known = ", ".join(k.replace("_", "-") for k in PowerResult.INDICES)
            raise InputError(f"unknown power index {name!r}; known indices: {known}")
        chosen.add(key)
    if not chosen:
        raise InputError("no power index asked for")
    return frozenset(chosen)


def power_table(weights: Mapping[str, int], quota: int, *, places: int | None = None) -> list[dict[str, Any]]:
    """The power table the web shows: one row per party with ``party``, ``seats``,
    ``shapley_shubik`` and ``banzhaf``, in the order of ``weights``.

    Only the two indices that scale to any parliament are computed (no coalition enumeration, so
    no TooLargeError for big houses). ``places`` rounds the indices.

    >>> power_table({"A": 50, "B": 49, "C": 1}, 51, places=3)[0]
    {'party': 'A', 'seats': 50, 'shapley_shubik': 0.667, 'banzhaf': 0.6}
    """
    result = power_indices(weights, quota, coalition_indices=False)
    return result.table_rows(places)
