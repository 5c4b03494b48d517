"""RCTab's ``rules`` switches as one frozen options record, :class:`RCTabOptions`.

The switches that kingmaker already has keep their kingmaker names and vocabularies
(:class:`~kingmaker.counting.options.MarkOptions` for the marks; ``batch``, ``until`` and
``min_votes`` as in :class:`~kingmaker.counting.av.IRVOptions`); the rest are new fields. The
mapping from RCTab's own spellings (``overvoteRule: exhaustIfMultipleContinuing`` ...) is
:func:`options_from_rules`, used by the config reader. Semantics follow RCTab's
``Tabulator.java`` (BrightSpots/rcv, commit 2167c240):

* overvotes: ``exhaustImmediately`` -> ``overvote="exhaust"``; ``alwaysSkipToNextRank`` ->
  ``overvote="skip"``; ``exhaustIfMultipleContinuing`` -> ``overvote="exhaust"`` with
  ``equal_rankings="resolve"`` (a delimited overvote such as ``A|D`` counts for the one of them
  still continuing, and exhausts while two or more are);
* ``maxSkippedRanksAllowed: k`` -> ``skipped_limit=k+1`` (``unlimited`` -> ``None``);
  ``exhaustOnDuplicateCandidate`` -> ``duplicates="exhaust"``;
* ``maxRankingsAllowed`` -> ``max_rankings`` (a ballot ranking further is refused, as RCTab does);
* ``decimalPlacesForVoteArithmetic`` -> ``decimals``: every product and quotient of vote values
  is truncated to that many places;
* the threshold: ``floor(active / (seats + 1)) + 1`` (``non_integer_threshold``: to ``decimals``
  places plus one unit there), ``hare``: ``ceil(active / seats)``; ``first_round_threshold``
  fixes it from round 1;
* ``winner_mode``: ``single`` (``singleWinnerMajority``), ``multi``
  (``multiWinnerAllowMultipleWinnersPerRound``), ``multi-one``
  (``multiWinnerAllowOnlyOneWinnerPerRound``), ``multi-pass`` (``multiPassIrv``),
  ``bottoms-up`` (``bottomsUp``), ``bottoms-up-threshold``
  (``bottomsUpUsingPercentageThreshold`` with ``percentage``);
* ``tiebreak``: ``order`` (``useCandidateOrder``), ``random`` (``random``, Java's generator
  with ``seed``), ``permutation`` (``generatePermutation``), ``backwards``
  (``previousRoundCountsThenRandom``), ``backwards-then-ask`` (``previousRoundCountsThenAsk``),
  ``ask`` (``stopCountingAndAsk``: a tie is an error, nobody can be asked), and ``forwards``
  (kingmaker's: earliest round first, then random).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from kingmaker.counting.options import MarkOptions
from kingmaker.errors import InputError

#: winner_mode -> RCTab's ``winnerElectionMode``.
WINNER_MODES: dict[str, str] = {
    "single": "singleWinnerMajority",
    "multi": "multiWinnerAllowMultipleWinnersPerRound",
    "multi-one": "multiWinnerAllowOnlyOneWinnerPerRound",
    "multi-pass": "multiPassIrv",
    "bottoms-up": "bottomsUp",
    "bottoms-up-threshold": "bottomsUpUsingPercentageThreshold",
}
#: tiebreak -> RCTab's ``tiebreakMode`` (``forwards`` is kingmaker's own).
TIE_MODES: dict[str, str] = {
    "order": "useCandidateOrder",
    "random": "random",
    "permutation": "generatePermutation",
    "backwards": "previousRoundCountsThenRandom",
    "backwards-then-ask": "previousRoundCountsThenAsk",
    "ask": "stopCountingAndAsk",
    "forwards": "forwards",
}
#: RCTab's ``overvoteRule`` -> (overvote, equal_rankings).
OVERVOTE_RULES: dict[str, tuple[str, str]] = {
    "exhaustImmediately": ("exhaust", "overvote"),
    "alwaysSkipToNextRank": ("skip", "overvote"),
    "exhaustIfMultipleContinuing": ("exhaust", "resolve"),
}
#: Modes that draw with Java's generator (the seed is needed and reported).
RANDOM_MODES = frozenset({"random", "permutation", "backwards", "forwards"})
#: The name RCTab gives the undeclared write-ins.
UWI_LABEL = "Undeclared Write-ins"


@dataclass(frozen=True)
class RCTabOptions:
    """Every RCTab ``rules`` switch (see the module docstring for each one's meaning)."""

    marks: MarkOptions = MarkOptions()  # noqa: RUF009 - frozen, safe to share
    winner_mode: str | None = None  # None: "single" for one seat, else "multi"
    until: str = "majority"
    batch: bool = False
    min_votes: Fraction | None = None
    cutoff: bool = False
    max_rankings: int | None = None
    decimals: int = 4
    non_integer_threshold: bool = False
    hare: bool = False
    first_round_threshold: bool = False
    percentage: Fraction | None = None
    stop_after: int | None = None
    uwi: str | None = UWI_LABEL
    excluded: tuple[str, ...] = ()
    tiebreak: str = "order"
    seed: int = 0
    order: tuple[str, ...] | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("min_votes", "percentage"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Fraction):
                try:
                    object.__setattr__(self, name, Fraction(str(value)))
                except ValueError:
                    raise InputError(f"{name} must be a number, not {value!r}") from None
        problems = []
        if self.winner_mode is not None and self.winner_mode not in WINNER_MODES:
            problems.append(f"winner_mode must be one of {', '.join(WINNER_MODES)}, not {self.winner_mode!r}")
        if self.tiebreak not in TIE_MODES:
            problems.append(f"tiebreak must be one of {', '.join(TIE_MODES)}, not {self.tiebreak!r}")
        if self.until not in ("majority", "two"):
            problems.append("until must be 'majority' or 'two'")
        if not 0 <= int(self.decimals) <= 20:
            problems.append("decimals must be between 0 and 20")
        if self.max_rankings is not None and self.max_rankings < 1:
            problems.append("max_rankings must be at least 1")
        if self.stop_after is not None and self.stop_after < 1:
            problems.append("stop_after must be at least 1")
        if self.winner_mode == "bottoms-up-threshold" and (
            self.percentage is None or not 0 < self.percentage <= 1
        ):
            problems.append("bottoms-up-threshold needs a percentage between 0 and 1 (0.1 is 10%)")
        if problems:
            raise InputError("; ".join(problems))
        object.__setattr__(self, "excluded", tuple(self.excluded))
        if self.order is not None:
            object.__setattr__(self, "order", tuple(self.order))

    def mode(self, seats: int) -> str:
        """The winner mode in force for ``seats`` seats."""
        if self.winner_mode is not None:
            return self.winner_mode
        return "single" if seats == 1 else "multi"

    def to_dict(self) -> dict[str, Any]:
        """Plain form for :attr:`Result.options`."""
        d = asdict(self.marks)
        for k, v in asdict(self).items():
            if k not in ("marks", "notes"):
                d[k] = str(v) if isinstance(v, Fraction) else v
        return d


def _int(raw: Any, name: str, problems: list[str], *, allow: tuple[str, ...] = ()) -> int | None:
    if raw is None or str(raw).strip() == "" or str(raw).strip() in allow:
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        problems.append(f"rules.{name} must be a whole number, not {raw!r}")
        return None


_PLAIN_DECIMAL = re.compile(r"[-+]?[0-9]{0,30}(?:\.[0-9]{0,30})?")


def _decimal(raw: Any, name: str, problems: list[str]) -> Fraction | None:
    """A plain decimal as RCTab writes one (``"12.5"``), exactly; anything else is a problem
    (an exponent such as ``1e-999999999`` would build a billion-digit number)."""
    text = str(raw).strip()
    if isinstance(raw, bool) or not _PLAIN_DECIMAL.fullmatch(text) or not any(c.isdigit() for c in text):
        problems.append(f"rules.{name} must be a number, not {raw!r}")
        return None
    return Fraction(text)


def options_from_rules(rules: dict[str, Any], problems: list[str]) -> tuple[dict[str, Any], int | None]:
    """RCTab's ``rules`` block -> (keyword options of :class:`RCTabOptions`, number of winners).

    Every problem found is appended to ``problems`` (the caller reports them all at once).
    """
    kw: dict[str, Any] = {}
    ov = rules.get("overvoteRule", "exhaustImmediately")
    if ov in OVERVOTE_RULES:
        kw["overvote"], kw["equal_rankings"] = OVERVOTE_RULES[ov]
    else:
        problems.append(f"rules.overvoteRule {ov!r} is not one of {', '.join(OVERVOTE_RULES)}")
    skipped = _int(
        rules.get("maxSkippedRanksAllowed"), "maxSkippedRanksAllowed", problems, allow=("unlimited",)
    )
    kw["skipped_limit"] = None if skipped is None else skipped + 1
    if skipped is not None and skipped < 0:
        problems.append("rules.maxSkippedRanksAllowed must not be negative")
    kw["duplicates"] = "exhaust" if rules.get("exhaustOnDuplicateCandidate") else "skip"
    kw["max_rankings"] = _int(rules.get("maxRankingsAllowed"), "maxRankingsAllowed", problems, allow=("max",))
    mode = rules.get("winnerElectionMode", "singleWinnerMajority")
    back = {v: k for k, v in WINNER_MODES.items()}
    if mode in back:
        kw["winner_mode"] = back[mode]
    else:
        problems.append(f"rules.winnerElectionMode {mode!r} is not one of {', '.join(back)}")
    tie = rules.get("tiebreakMode", "useCandidateOrder")
    tback = {v: k for k, v in TIE_MODES.items() if k != "forwards"}
    if tie in tback:
        kw["tiebreak"] = tback[tie]
    else:
        problems.append(f"rules.tiebreakMode {tie!r} is not one of {', '.join(tback)}")
    seed = _int(rules.get("randomSeed"), "randomSeed", problems)
    if seed is None and kw.get("tiebreak") in RANDOM_MODES:
        problems.append(f"rules.tiebreakMode {tie!r} draws at random and needs rules.randomSeed")
    kw["seed"] = seed or 0
    kw["decimals"] = _int(
        rules.get("decimalPlacesForVoteArithmetic"), "decimalPlacesForVoteArithmetic", problems
    )
    if kw["decimals"] is None:
        kw["decimals"] = 4
    mv = rules.get("minimumVoteThreshold")
    if mv not in (None, "", "0", 0):
        value = _decimal(mv, "minimumVoteThreshold", problems)
        if value is not None:
            kw["min_votes"] = value
    pct = rules.get("multiSeatBottomsUpPercentageThreshold")
    if pct not in (None, ""):
        value = _decimal(pct, "multiSeatBottomsUpPercentageThreshold", problems)
        if value is not None:
            kw["percentage"] = value / 100
    kw["stop_after"] = _int(
        rules.get("stopTabulationEarlyAfterRound"), "stopTabulationEarlyAfterRound", problems
    )
    for key, name in (
        ("batchElimination", "batch"),
        ("cutoffElimination", "cutoff"),
        ("nonIntegerWinningThreshold", "non_integer_threshold"),
        ("hareQuota", "hare"),
        ("doesFirstRoundDetermineThreshold", "first_round_threshold"),
    ):
        kw[name] = bool(rules.get(key, False))
    kw["until"] = "two" if rules.get("continueUntilTwoCandidatesRemain") else "majority"
    seats = _int(rules.get("numberOfWinners"), "numberOfWinners", problems)
    if seats is not None and seats < 1 and kw.get("winner_mode") != "bottoms-up-threshold":
        problems.append("rules.numberOfWinners must be at least 1")
    return kw, seats


__all__ = [
    "OVERVOTE_RULES",
    "RANDOM_MODES",
    "TIE_MODES",
    "UWI_LABEL",
    "WINNER_MODES",
    "RCTabOptions",
    "options_from_rules",
]
