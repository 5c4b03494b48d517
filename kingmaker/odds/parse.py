"""Bookmakers' prices and markets: read every common price form, net off commission.

Prices
    ``parse_price`` reads every common form. With ``style="auto"`` the rule is:

    1. ``evens``, ``evs``, ``even``, ``ev`` (any case) are fractional 1/1 (decimal 2.0);
    2. a leading ``+`` or ``-`` means American (``+250`` = 3.5, ``-150`` = 1.6667);
    3. ``a/b`` (or ``a-b``) is fractional (``5/2`` = 3.5, ``100/30``); but when *both* sides are
       written with a decimal point (``2.1/2.14``) it is an exchange back/lay pair;
    4. a plain number is decimal (so ``2`` is decimal 2.0, i.e. evens; write ``+200`` or pass
       ``style="american"`` for American 200).

    An explicit ``style`` (``fractional``, ``decimal``, ``american``, ``exchange``) accepts only
    that form (``american`` also takes an unsigned ``250``; ``exchange`` takes a decimal or a
    back/lay pair). A back/lay pair is priced at the mid-point of the two implied probabilities,
    ``2 / (1/back + 1/lay)``; a bet is still struck at the back price. A ``commission`` (a
    fraction of net winnings, as exchanges charge) is netted off every price of a market:
    ``1 + (d - 1) * (1 - commission)``.

"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from kingmaker.errors import InputError, UnknownNameError

PriceStyle = Literal["auto", "fractional", "decimal", "american", "exchange"]
PRICE_STYLES: tuple[str, ...] = ("auto", "fractional", "decimal", "american", "exchange")

_EVENS = {"evens", "evs", "even", "ev", "evn"}
_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
_FRACTION_RE = re.compile(rf"^({_NUMBER})\s*[/-]\s*({_NUMBER})$")
_DECIMAL_RE = re.compile(rf"^(?:{_NUMBER})$")
_AMERICAN_RE = re.compile(rf"^([+-])?({_NUMBER})$")


# --------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class Price:
    """One quoted price: the text, the form it was read as, and its decimal value(s).

    ``back`` is the decimal price a bet is struck at; ``lay`` is set only for an exchange
    back/lay pair. ``decimal`` is the price used for probabilities (the pair's mid-point).
    """

    text: str
    style: str
    back: float
    lay: float | None = None

    @property
    def decimal(self) -> float:
        """Decimal odds used for implied probabilities (mid of a back/lay pair)."""
        if self.lay is None:
            return self.back
        return 2.0 / (1.0 / self.back + 1.0 / self.lay)

    @property
    def implied_probability(self) -> float:
        """Raw implied probability ``1 / decimal`` (not normalised)."""
        return 1.0 / self.decimal


def _bad(runner: str | None, text: str, why: str) -> InputError:
    who = f"runner {runner!r}: " if runner else ""
    return InputError(f"{who}bad price {text!r}: {why}")


def _price(text: str, style: str, decimal: float, runner: str | None) -> Price:
    """``Price(text, style, decimal)`` once ``decimal`` is a usable price: finite and above 1
    (a huge denominator or a number past the float range would otherwise become 1.0 or inf)."""
    if not math.isfinite(decimal):
        raise _bad(runner, text, "the price is beyond the range of a number")
    if not decimal > 1.0:
        raise _bad(runner, text, "the price pays nothing (its decimal odds round to 1)")
    return Price(text, style, decimal)


def _fraction(text: str, runner: str | None) -> Price:
    m = _FRACTION_RE.match(text)
    if not m:
        raise _bad(runner, text, "fractional odds are written a/b, e.g. 5/2, 4/6, 100/30 or evens")
    num, den = float(m.group(1)), float(m.group(2))
    if den == 0:
        raise _bad(runner, text, "the denominator of fractional odds cannot be 0")
    if num == 0:
        raise _bad(runner, text, "fractional odds must be above 0 (0/1 pays nothing)")
    return _price(text, "fractional", 1.0 + num / den, runner)


def _decimal(text: str, runner: str | None, style: str = "decimal") -> Price:
    if not _DECIMAL_RE.match(text):
        raise _bad(runner, text, "not a decimal price such as 3.5")
    value = float(text)
    if not value > 1.0:
        raise _bad(runner, text, "decimal odds must be greater than 1")
    return _price(text, style, value, runner)


def _american(text: str, runner: str | None) -> Price:
    m = _AMERICAN_RE.match(text)
    if not m:
        raise _bad(runner, text, "not an American price such as +250 or -150")
    value = float(m.group(2))
    if value < 100:
        raise _bad(runner, text, "American odds are at least 100 in size (+250, -150)")
    decimal = 1.0 + value / 100.0 if m.group(1) != "-" else 1.0 + 100.0 / value
    return _price(text, "american", decimal, runner)


def _exchange(text: str, runner: str | None) -> Price:
    if "/" not in text:
        return _decimal(text, runner, "exchange")
    back_text, _, lay_text = (s.strip() for s in text.partition("/"))
    back = _decimal(back_text, runner, "exchange").back
    lay = _decimal(lay_text, runner, "exchange").back
    if lay < back:
        raise _bad(runner, text, "an exchange pair is back/lay and the lay price cannot be below the back")
    return Price(text, "exchange", back, lay)


def parse_price(text: str, style: PriceStyle | str = "auto", *, runner: str | None = None) -> Price:
    """Read one price; see the module docstring for the ``auto`` rule. Raises InputError."""
    raw = text
    text = text.strip()
    if style not in PRICE_STYLES:
        raise UnknownNameError(f"unknown price format {style!r}; use one of {', '.join(PRICE_STYLES)}")
    if not text:
        raise _bad(runner, raw, "empty price")
    if text.lower() in _EVENS and style in ("auto", "fractional"):
        return Price(text, "fractional", 2.0)
    if style == "fractional":
        if text.startswith("-"):
            raise _bad(runner, text, "fractional odds cannot be negative")
        return _fraction(text, runner)
    if style == "decimal":
        return _decimal(text, runner)
    if style == "american":
        return _american(text, runner)
    if style == "exchange":
        return _exchange(text, runner)
    # auto
    if text[0] in "+-":
        if "/" in text[1:] or _FRACTION_RE.match(text[1:]):
            raise _bad(runner, text, "fractional odds cannot be negative")
        return _american(text, runner)
    m = _FRACTION_RE.match(text)
    if m:
        if "/" in text and "." in m.group(1) and "." in m.group(2):
            return _exchange(text, runner)
        return _fraction(text, runner)
    if _DECIMAL_RE.match(text):
        return _decimal(text, runner)
    raise _bad(runner, text, "not a price (e.g. 5/2, evens, 3.5, +250, -150)")


def format_fractional(decimal: float, max_denominator: int = 1000) -> str:
    """Decimal odds as the nearest fraction ``a/b`` (``evens`` for 2.0)."""
    frac = Fraction(decimal - 1.0).limit_denominator(max_denominator)
    if frac == 1:
        return "evens"
    return f"{frac.numerator}/{frac.denominator}"


def format_american(decimal: float) -> str:
    """Decimal odds as an American price (``+250``, ``-150``)."""
    if decimal >= 2.0:
        return f"+{(decimal - 1.0) * 100.0:g}"
    return f"-{100.0 / (decimal - 1.0):g}"


def net_of_commission(decimal: float, commission: float) -> float:
    """Decimal price after an exchange takes ``commission`` of the net winnings."""
    return 1.0 + (decimal - 1.0) * (1.0 - commission)


# --------------------------------------------------------------------------- markets


@dataclass(frozen=True)
class Market:
    """Runners and their prices; ``commission`` is netted off every price."""

    runners: tuple[str, ...]
    prices: tuple[Price, ...]
    commission: float = 0.0

    def __post_init__(self) -> None:
        if len(self.runners) != len(self.prices):
            raise InputError("a market needs one price per runner")
        if len(self.runners) < 2:
            raise InputError(f"a market needs at least 2 runners, got {len(self.runners)}")
        seen: set[str] = set()
        for name in self.runners:
            if not name:
                raise InputError("a runner has no name")
            if name in seen:
                raise InputError(f"runner {name!r} appears twice in the market")
            seen.add(name)
        if not 0.0 <= self.commission < 1.0:
            raise InputError(f"commission must be in [0, 1), got {self.commission}")

    @classmethod
    def from_prices(
        cls,
        prices: Mapping[str, str | float],
        style: PriceStyle | str = "auto",
        commission: float = 0.0,
    ) -> Market:
        """Build a market from ``{runner: price}``; numbers are read as decimal odds."""
        names, parsed = [], []
        for name, price in prices.items():
            names.append(name)
            if isinstance(price, int | float):
                if not float(price) > 1.0:
                    raise _bad(name, repr(price), "decimal odds must be greater than 1")
                parsed.append(_price(repr(price), "decimal", float(price), name))
            else:
                parsed.append(parse_price(price, style, runner=name))
        return cls(tuple(names), tuple(parsed), commission)

    @property
    def decimal_odds(self) -> np.ndarray:
        """Decimal odds used for probabilities, net of commission."""
        return np.array([net_of_commission(p.decimal, self.commission) for p in self.prices])

    @property
    def back_odds(self) -> np.ndarray:
        """Decimal odds a unit back bet is struck at, net of commission."""
        return np.array([net_of_commission(p.back, self.commission) for p in self.prices])

    @property
    def raw_probabilities(self) -> np.ndarray:
        """Raw implied probabilities ``1 / decimal`` (summing to the booksum)."""
        return 1.0 / self.decimal_odds

    @property
    def booksum(self) -> float:
        """Sum of the raw implied probabilities."""
        return float(self.raw_probabilities.sum())

    @property
    def overround(self) -> float:
        """Booksum minus 1 (negative for an underround)."""
        return self.booksum - 1.0


def parse_market(text: str, style: PriceStyle | str = "auto", commission: float = 0.0) -> Market:
    """Read ``"D Miliband 4/6, E Miliband 5/2, Balls 16/1"``: comma-separated ``name price``.

    The price is the last word of each item; ``name: price`` and ``name=price`` also work.
    """
    names: list[str] = []
    prices: list[Price] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if "=" in item or ":" in item:
            name, price_text = re.split(r"[=:]", item, maxsplit=1)
        else:
            words = item.rsplit(None, 1)
            if len(words) < 2:
                raise InputError(f"market item {item!r} needs a runner name and a price, e.g. 'Balls 16/1'")
            name, price_text = words
        name, price_text = name.strip(), price_text.strip()
        if not name:
            raise InputError(f"market item {item!r} has no runner name")
        names.append(name)
        prices.append(parse_price(price_text, style, runner=name))
    return Market(tuple(names), tuple(prices), commission)
