"""How a count is asked for: how marks are read (:class:`MarkOptions`), the one merge of keyword
options into a rule's options record (:func:`merge_options`), and the seats of a one-set count.

Every counting rule keeps its options in a frozen dataclass with a ``marks`` field (and a
``tiebreak`` field): :class:`~kingmaker.counting.av.IRVOptions`,
:class:`~kingmaker.counting.stv._engine.STVOptions`, ... A rule called with keywords merges
them over its defaults (or over a given options record) with :func:`merge_options`: the mark
keywords (``overvote``, ``skipped_limit``, ``duplicates``, ``equal_rankings``) go into
``marks``; ``tiebreak``, ``seed`` and ``order`` become the rule's tie policy (or its own
fields, where it has them); anything else must be a field of the record. An unknown keyword is
an :class:`~kingmaker.errors.InputError` that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from fractions import Fraction
from typing import Any, TypeVar

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.ties import TieBreakPolicy, as_policy


@dataclass(frozen=True)
class MarkOptions:
    """How a rule reads the marks on a ballot.

    ``overvote``: ``"exhaust"`` (the ballot stops counting there) or ``"skip"`` (go to the next
    rank). ``skipped_limit``: that many consecutive skipped ranks exhaust the ballot (``None``:
    never). ``duplicates``: a candidate ranked again is ``"skip"``-ped or ``"exhaust"``-s the
    ballot. ``equal_rankings``: ``"overvote"`` treats ``a=b`` as an overvote; ``"resolve"``
    counts it for the one member still continuing (an overvote while two or more are).
    """

    overvote: str = "exhaust"
    skipped_limit: int | None = None
    duplicates: str = "skip"
    equal_rankings: str = "overvote"

    def __post_init__(self) -> None:
        if self.overvote not in ("exhaust", "skip"):
            raise InputError("overvote must be 'exhaust' or 'skip'")
        if self.duplicates not in ("exhaust", "skip"):
            raise InputError("duplicates must be 'exhaust' or 'skip'")
        if self.equal_rankings not in ("overvote", "resolve"):
            raise InputError("equal_rankings must be 'overvote' or 'resolve'")
        if self.skipped_limit is not None and self.skipped_limit < 1:
            raise InputError("skipped_limit must be at least 1")


#: Keywords that set a field of :class:`MarkOptions`.
MARK_KEYS: tuple[str, ...] = tuple(f.name for f in fields(MarkOptions))
#: Keywords of the tie policy (:class:`~kingmaker.ties.TieBreakPolicy`).
TIE_KEYS: tuple[str, ...] = ("tiebreak", "seed", "order")

#: How a keyword's value is normalised when it sets a field of that name.
_COERCE: dict[str, Callable[[Any], Any]] = {
    "order": tuple,
    "tolerance": lambda v: Fraction(str(v)),
}

OptionsT = TypeVar("OptionsT")


def option_names(cls: type[Any]) -> tuple[str, ...]:
    """Every keyword a rule whose options record is ``cls`` accepts (for its registry entry)."""
    own = [f.name for f in fields(cls)]
    return tuple(dict.fromkeys([*own, *MARK_KEYS, *TIE_KEYS]))


def check_known(given: Iterable[str], accepted: Iterable[str], rule: str) -> None:
    """Raise :class:`InputError` naming the keywords in ``given`` that ``rule`` does not accept."""
    ok = tuple(accepted)
    unknown = sorted(set(given) - set(ok))
    if unknown:
        raise InputError(
            f"unknown {rule} option(s): {', '.join(unknown)}; {rule} accepts {', '.join(ok) or 'none'}"
        )


def merge_options(
    cls: type[OptionsT], options: OptionsT | None, kw: Mapping[str, Any], *, rule: str
) -> OptionsT:
    """``options`` (or ``cls()``) with the keyword options ``kw`` merged in (see the module docstring).

    ``rule`` names the rule in messages. ``options`` of a parent record (``STVOptions`` given
    to Meek's method) is widened to ``cls`` with the rest of its fields at their defaults.
    """
    if options is not None and not isinstance(options, cls):
        if not is_dataclass(options) or not isinstance(cls(), type(options)):
            raise InputError(f"{rule} options must be {cls.__name__}, not {type(options).__name__}")
        options = cls(**{f.name: getattr(options, f.name) for f in fields(options)})  # type: ignore[arg-type]
    if options is not None and not kw:
        return options
    check_known(kw, option_names(cls), rule)
    base: Any = options if options is not None else cls()
    own = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    rest = dict(kw)
    changes: dict[str, Any] = {}
    marks = rest.pop("marks", None)
    mk = {k: rest.pop(k) for k in MARK_KEYS if k in rest}
    if marks is not None or mk:
        changes["marks"] = replace(marks if marks is not None else base.marks, **mk)
    if "seed" not in own and any(k in rest for k in TIE_KEYS):
        # the tie policy is one field: seed and order go into it
        tb_arg = rest.pop("tiebreak", None)
        extra: dict[str, Any] = {}
        if "seed" in rest:
            extra["seed"] = int(rest.pop("seed"))
        if "order" in rest:
            extra["order"] = tuple(rest.pop("order"))
        tb = base.tiebreak
        changes["tiebreak"] = (
            tb_arg if isinstance(tb_arg, TieBreakPolicy) else as_policy(tb_arg or tb.name, **extra)
        )
    for k, v in rest.items():
        changes[k] = _COERCE[k](v) if k in _COERCE and v is not None else v
    return replace(base, **changes)


class SeatsNotGiven(InputError):
    """A multi-seat rule was given neither ``seats`` nor ballots that say how many seats."""


def one_set(ballots: Any, seats: int | None, rule: str, default: int | None = None) -> tuple[Ballots, int]:
    """The one set of ballots a rule counts, and the seats: as given, else the file's, else ``default``.

    With no ``default`` (an STV rule: one seat is no safe guess) and neither ``seats`` nor a
    seat count in the ballots, :class:`SeatsNotGiven` is raised.
    """
    if not isinstance(ballots, Ballots):
        raise InputError(f"{rule} counts one set of ballots")
    n = seats if seats is not None else (ballots.seats or default)
    if n is None:
        raise SeatsNotGiven(
            f"{rule} needs the number of seats: the ballots do not say how many "
            "(their file has no seat count); give the number of seats to fill",
            source=ballots.source,
        )
    return ballots, n


__all__ = [
    "MARK_KEYS",
    "TIE_KEYS",
    "MarkOptions",
    "SeatsNotGiven",
    "check_known",
    "merge_options",
    "one_set",
    "option_names",
]
