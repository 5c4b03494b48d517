"""Caps on what a ballot file may claim, checked before anything proportional to a claim is built.

A ballot file's header makes claims (how many candidates, seats, voters, distinct orders) that a
reader would otherwise trust when it sizes its tables: 150 bytes saying ``NUMBER ALTERNATIVES:
1000000000`` used to cost 23 GB. Every reader therefore checks each claim against a
:class:`ReadLimits` at the line that makes it, and against what the file then holds, and parses
every number through :func:`parse_count` or :func:`parse_weight`, which refuse numbers beyond
64 bits with the file and line instead of overflowing.

The library defaults (:data:`DEFAULT_LIMITS`) are far above any real election so that no real
file is refused; a server passes tighter ones (see :mod:`kingmaker.web.models`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from kingmaker.ballots import PAD
from kingmaker.errors import InputError, TooLargeError

#: The largest value an int64 weight can hold.
INT64_MAX = 2**63 - 1

_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]{1,4})?")
_RATIO = re.compile(r"[0-9]+/[0-9]+")
#: Longest number token read: 19 digits already pass int64; longer ones are refused unread.
_MAX_DIGITS = 40
#: The largest vote count, electorate or weight a results or weights table may hold: 10**15 (a
#: million times the largest electorate, as :attr:`ReadLimits.max_ballots`), so that the sums the
#: rest of kingmaker takes over a table stay exact in int64 and float64.
MAX_TABLE_NUMBER = 10**15
_SIGNED_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,4})?")


@dataclass(frozen=True)
class ReadLimits:
    """The most a ballot file may claim or hold; a file over any of them raises :class:`TooLargeError`.

    The defaults are generous enough for every real file: the largest real STV and AV contests
    have a few hundred candidates (Australian Senate ballots: 151 in New South Wales, 2016) and a
    few million ballots (New South Wales Senate: 4.8 million; New York City 2021: 1.1 million
    cast-vote records).

    * ``max_candidates`` -- candidates (BLT header, ``NUMBER ALTERNATIVES``, names found in a CSV):
      10 000.
    * ``max_seats`` -- seats a BLT header may ask for: 10 000.
    * ``max_ballots`` -- total ballot weight (``NUMBER VOTERS``, the counts added up): 10**15,
      a million times the largest electorate, and below 2**53 so that sums stay exact in floats.
    * ``max_rows`` -- ballot lines or distinct orders (``NUMBER UNIQUE ORDERS``, CSV rows):
      100 million.
    * ``max_ranks`` -- rank positions on one ballot (a ballot line, the rank columns of a CVR):
      10 000.
    * ``max_cells`` -- rows x longest ballot in the padded ranking matrix (4 bytes each): 10**9,
      above the 7.3 x 10**8 of 4.8 million ballots x 151 ranks.
    """

    max_candidates: int = 10_000
    max_seats: int = 10_000
    max_ballots: int = 10**15
    max_rows: int = 100_000_000
    max_ranks: int = 10_000
    max_cells: int = 1_000_000_000

    def __post_init__(self) -> None:
        for name in ("max_candidates", "max_seats", "max_ballots", "max_rows", "max_ranks", "max_cells"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"ReadLimits.{name} must be a positive whole number, got {value!r}")

    def check(self, cap: str, claim: int, what: str, source: str | None, line: int | None = None) -> int:
        """Return ``claim`` when it is within the cap named ``cap``; else raise :class:`TooLargeError`.

        ``what`` names the claim as the file makes it (``"NUMBER ALTERNATIVES"``, ``"candidates"``).
        """
        limit = getattr(self, cap)
        if claim > limit:
            where = ""
            if source is not None:
                where = f"{source}:{line}: " if line is not None else f"{source}: "
            raise TooLargeError(f"{where}{what} is {claim:,}: the limit is {limit:,} ({cap})")
        return claim


#: The library's limits: above every real election (see :class:`ReadLimits`).
DEFAULT_LIMITS = ReadLimits()


def parse_count(tok: str, what: str, source: str | None, line: int | None) -> int:
    """A whole number of ASCII digits that fits in int64, or :class:`InputError` naming file and line.

    ``what`` names the number in messages (``"count"``, ``"candidate number"``).
    """
    if len(tok) < 19 and tok.isascii() and tok.isdigit():  # the common case, fast
        return int(tok)
    tok = tok.strip()
    if not _DIGITS.fullmatch(tok):
        raise InputError(f"{what} {_show(tok)} is not a whole number", source=source, line=line)
    digits = tok.lstrip("0") or "0"
    if len(digits) > 19 or int(digits) > INT64_MAX:
        raise InputError(f"{what} {_show(tok)} is beyond the 64-bit range", source=source, line=line)
    return int(digits)


def parse_weight(tok: str, what: str, source: str | None, line: int | None) -> int | float:
    """A ballot weight: a whole number, a decimal (``0.5``, ``1e3``) or a ratio (``1/3``).

    Whole numbers stay exact ints; others become floats. Negative, infinite, unparseable or
    beyond-int64 weights raise :class:`InputError` naming file and line.
    """
    tok = tok.strip()
    if _DIGITS.fullmatch(tok):
        return parse_count(tok, what, source, line)
    if len(tok) > _MAX_DIGITS:
        raise InputError(f"{what} {_show(tok)} is too long to be a weight", source=source, line=line)
    value: float
    if _RATIO.fullmatch(tok):
        num, den = tok.split("/")
        if int(den) == 0:
            raise InputError(f"{what} {tok!r} divides by zero", source=source, line=line)
        value = float(Fraction(int(num), int(den)))
    elif _DECIMAL.fullmatch(tok) and any(c.isdigit() for c in tok.split("e")[0].split("E")[0]):
        value = float(tok)
    elif tok.startswith("-"):
        raise InputError(f"negative {what} {tok!r}", source=source, line=line)
    else:
        raise InputError(f"non-numeric {what} {_show(tok)}", source=source, line=line)
    if not math.isfinite(value) or value > INT64_MAX:
        raise InputError(f"{what} {tok!r} is beyond the 64-bit range", source=source, line=line)
    return value


def parse_whole(
    tok: str,
    what: str,
    source: str | None,
    line: int | None,
    *,
    most: int = MAX_TABLE_NUMBER,
    negative: bool = False,
    not_a_number: str = "is not a number",
) -> int:
    """A whole number in a table cell (``1200``, ``1200.0``, ``1.2e3``) of at most ``most`` in size.

    Refuses (with :class:`InputError` naming file, line and ``what``) text that is not a number,
    a fraction, ``nan`` or ``inf``, a number beyond ``most`` and, unless ``negative``, one below 0.
    Only ASCII digits are read; ``not_a_number`` is what the message says of text that is no
    number at all.
    """
    text = tok.strip()
    if not text.isascii() or not _SIGNED_DECIMAL.fullmatch(text):
        raise InputError(f"{what} {_show(text)} {not_a_number}", source=source, line=line)
    if len(text) > _MAX_DIGITS:
        raise InputError(f"{what} {_show(text)} is too long to be a count", source=source, line=line)
    try:
        value = int(text)
    except ValueError:
        number = float(text)
        if not math.isfinite(number) or abs(number) > most:
            raise InputError(
                f"{what} {text!r} is beyond the limit of {most:,}", source=source, line=line
            ) from None
        if not number.is_integer():
            raise InputError(f"{what} {text!r} is not a whole number", source=source, line=line) from None
        value = int(number)
    if value < 0 and not negative:
        raise InputError(f"{what} {text!r} is negative", source=source, line=line)
    if abs(value) > most:
        raise InputError(f"{what} {text!r} is beyond the limit of {most:,}", source=source, line=line)
    return value


def _show(tok: str) -> str:
    """``tok`` quoted for a message, cut short when long."""
    return repr(tok) if len(tok) <= _MAX_DIGITS else repr(tok[:_MAX_DIGITS]) + f"... ({len(tok)} characters)"


class Tally:
    """Running checks while a reader collects ballot rows: row count, ranks per row, total weight.

    Each :meth:`add` is called before the row is kept, so a file is refused at the line that goes
    over a cap, and the total never leaves int64.
    """

    def __init__(self, limits: ReadLimits, source: str | None) -> None:
        self.limits = limits
        self.source = source
        self.rows = 0
        self.total: int | float = 0

    def add(self, weight: int | float, ranks: int, line: int | None) -> None:
        """Account for one ballot row of ``ranks`` positions and ``weight``, read at ``line``."""
        self.rows += 1
        self.limits.check("max_rows", self.rows, "the number of ballot rows", self.source, line)
        self.limits.check("max_ranks", ranks, "the number of ranks on this ballot", self.source, line)
        self.total += weight
        if self.total > INT64_MAX:
            raise InputError(
                "the ballot weights add up beyond the 64-bit range", source=self.source, line=line
            )
        if self.total > self.limits.max_ballots:
            self.limits.check(
                "max_ballots", math.ceil(self.total), "the total ballot weight", self.source, line
            )


def padded_rankings(
    rows: Sequence[Sequence[int]], limits: ReadLimits = DEFAULT_LIMITS, source: str | None = None
) -> np.ndarray:
    """Ragged rows of ranking codes, as the readers collect them, as one (rows, longest row)
    int32 matrix padded with :data:`kingmaker.ballots.PAD`; refused before allocation when the
    matrix would pass ``limits.max_cells``."""
    width = max((len(r) for r in rows), default=0)
    limits.check("max_cells", len(rows) * width, "rows x longest ballot", source)
    mat = np.full((len(rows), width), PAD, dtype=np.int32)
    for i, r in enumerate(rows):
        mat[i, : len(r)] = r
    return mat
