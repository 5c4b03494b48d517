"""Validated weighted games: player names, whole-number weights, the quota, exclusions and pairs.

Shared by every power module (the lowest layer of :mod:`kingmaker.power`).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from kingmaker.errors import InputError, KingmakerWarning, UnknownNameError
from kingmaker.names import resolve_index

Value = float | Fraction
Weights = Sequence[int] | Mapping[str, int]
#: ``progress(done, total)``: called as the dynamic programmes advance (for progress bars).
Progress = Callable[[int, int], None]


def _as_int(value: object, what: str) -> int:
    """``value`` as an int, or InputError naming ``what`` (floats like 3.0 are accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        as_int = int(value)
    except (OverflowError, ValueError):
        raise InputError(f"{what} must be a whole number, got {value!r}") from None
    if as_int != value:
        raise InputError(f"{what} must be a whole number, got {value!r}")
    return as_int


def _players_and_weights(
    weights: Weights, players: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Names and validated integer weights; names default to P1, P2, ... for a plain sequence."""
    if isinstance(weights, Mapping):
        if players is not None:
            raise InputError("give player names either as the keys of weights or as players=, not both")
        names = tuple(weights.keys())
        raw = list(weights.values())
    else:
        if isinstance(weights, str | bytes):
            raise InputError("weights must be a sequence of whole numbers or a mapping name -> weight")
        raw = list(weights)
        names = tuple(players) if players is not None else tuple(f"P{i + 1}" for i in range(len(raw)))
        if len(names) != len(raw):
            raise InputError(f"{len(names)} player names for {len(raw)} weights")
    if not raw:
        raise InputError("the game is empty: give at least one player")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"player names must be non-empty strings, got {name!r}")
        if name in seen:
            raise InputError(f"duplicate player name {name!r}")
        seen.add(name)
    ints = []
    for name, w in zip(names, raw, strict=True):
        value = _as_int(w, f"the weight of {name}")
        if value < 0:
            raise InputError(f"the weight of {name} is negative ({value}); weights must be >= 0")
        ints.append(value)
    return names, tuple(ints)


def _check_quota(quota: object, total: int, what: str = "quota") -> int:
    q = _as_int(quota, f"the {what}")
    if q <= 0:
        raise InputError(f"the {what} must be positive, got {q}")
    if q > total:
        raise InputError(f"the {what} {q} is above the total weight {total}: no coalition can win")
    return q


def _warn_improper(quota: int, total: int) -> None:
    warnings.warn(
        f"the quota {quota} is at most half of the total weight {total}: two disjoint coalitions "
        "can both win (an improper game); the indices are still computed",
        KingmakerWarning,
        stacklevel=4,
    )


@dataclass(frozen=True)
class _Game:
    """A validated weighted game: names, weights, quota, who may join and the incompatible pairs."""

    names: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    active: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]
    excluded: tuple[str, ...]
    incompatible: tuple[tuple[str, str], ...]

    @property
    def n(self) -> int:
        return len(self.names)


def _game(
    weights: Weights,
    quota: object,
    players: Sequence[str] | None = None,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
) -> _Game:
    names, ints = _players_and_weights(weights, players)
    total = sum(ints)
    q = _check_quota(quota, total)
    if 2 * q <= total:
        _warn_improper(q, total)

    def lookup(name: object, where: str) -> int:
        if not isinstance(name, str):
            raise UnknownNameError(f"{where}: unknown player {name!r}; players are: {', '.join(names)}")
        return resolve_index(name, names, what="player", label=where)

    out_index = [lookup(name, "excluded") for name in excluded]
    ex = tuple(dict.fromkeys(names[i] for i in out_index))
    out = set(out_index)
    pairs: list[tuple[int, int]] = []
    named_pairs: list[tuple[str, str]] = []
    for pair in incompatible:
        if isinstance(pair, str) or len(pair) != 2:
            raise InputError(f"incompatible: expected pairs of player names, got {pair!r}")
        a, b = lookup(pair[0], "incompatible"), lookup(pair[1], "incompatible")
        if a == b:
            raise InputError(f"incompatible: a player cannot be incompatible with itself ({pair[0]!r})")
        named_pairs.append((names[a], names[b]))
        if a not in out and b not in out:
            pairs.append((min(a, b), max(a, b)))
    active = tuple(i for i in range(len(names)) if i not in out)
    return _Game(names, ints, q, active, tuple(sorted(set(pairs))), ex, tuple(named_pairs))


def _no_progress(done: int, total: int) -> None:
    pass


def _to_value(x: Fraction, exact: bool) -> Value:
    return x if exact else float(x)
