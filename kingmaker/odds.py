"""Bookmakers' odds to probabilities: parse prices, measure the overround, remove it.

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

De-vigging
    With ``pi_i = 1 / d_i`` the raw implied probabilities and ``B = sum(pi)`` the booksum
    (overround ``B - 1``), the methods are

    - multiplicative: ``p_i = pi_i / B``;
    - additive: ``p_i = pi_i - (B - 1) / n`` (refused, with a :class:`RuleError`, where it would
      give a negative probability);
    - power: ``p_i = pi_i ** k``, ``sum(p) = 1``;
    - odds ratio (Cheung 2015): ``odds(pi_i) = c * odds(p_i)``, i.e.
      ``p_i = pi_i / (c + pi_i - c pi_i)``;
    - Shin (1992, 1993; Jullien and Salanié 1994):
      ``p_i = (sqrt(z^2 + 4 (1 - z) pi_i^2 / B) - z) / (2 (1 - z))``, ``sum(p) = 1``.
      Shin's ``z`` (the share of insider money) is in ``(0, 1)`` for an overround; for an
      underround (``B < 1``, e.g. best prices gathered from several bookmakers) the same equation
      has a negative root, which is used and reported as it is (a documented extrapolation).

    Each one-parameter method is solved with :func:`scipy.optimize.brentq` on a bracket that is
    proved to hold the root (each sum is monotone in its parameter), then the probabilities are
    divided by their sum to remove the solver's last ~1e-15 of residual. Fair odds (``B = 1``)
    come back unchanged from every method.

Why not a package: ``implied`` (the Python port of Lindstrøm's R package) is not on PyPI here, and
``penaltyblog`` 1.13.1's ``implied`` module, evaluated for this module, brackets Shin's ``z`` and
the odds ratio on ``[0, 100]`` (across the pole at ``z = 1``) so it fails on any underround market,
has no refusal of negative additive probabilities, and pulls in some fifty packages (IPython,
plotly, kaleido, statsbombpy, ...). Its values on overround markets agree with ours to 1e-9;
``tests/test_odds.py`` records them as a cross-check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from scipy.optimize import brentq

from kingmaker.errors import InputError, RuleError, UnknownNameError

PriceStyle = Literal["auto", "fractional", "decimal", "american", "exchange"]
PRICE_STYLES: tuple[str, ...] = ("auto", "fractional", "decimal", "american", "exchange")
METHODS: tuple[str, ...] = ("multiplicative", "additive", "power", "odds_ratio", "shin")
#: Name of each method's fitted parameter (None where the method has none).
METHOD_PARAMETERS: dict[str, str | None] = {
    "multiplicative": None,
    "additive": "margin_per_runner",
    "power": "k",
    "odds_ratio": "c",
    "shin": "z",
}

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


def _fraction(text: str, runner: str | None) -> Price:
    m = _FRACTION_RE.match(text)
    if not m:
        raise _bad(runner, text, "fractional odds are written a/b, e.g. 5/2, 4/6, 100/30 or evens")
    num, den = float(m.group(1)), float(m.group(2))
    if den == 0:
        raise _bad(runner, text, "the denominator of fractional odds cannot be 0")
    if num == 0:
        raise _bad(runner, text, "fractional odds must be above 0 (0/1 pays nothing)")
    return Price(text, "fractional", 1.0 + num / den)


def _decimal(text: str, runner: str | None, style: str = "decimal") -> Price:
    if not _DECIMAL_RE.match(text):
        raise _bad(runner, text, "not a decimal price such as 3.5")
    value = float(text)
    if not value > 1.0:
        raise _bad(runner, text, "decimal odds must be greater than 1")
    return Price(text, style, value)


def _american(text: str, runner: str | None) -> Price:
    m = _AMERICAN_RE.match(text)
    if not m:
        raise _bad(runner, text, "not an American price such as +250 or -150")
    value = float(m.group(2))
    if value < 100:
        raise _bad(runner, text, "American odds are at least 100 in size (+250, -150)")
    decimal = 1.0 + value / 100.0 if m.group(1) != "-" else 1.0 + 100.0 / value
    return Price(text, "american", decimal)


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
                parsed.append(Price(repr(price), "decimal", float(price)))
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


# --------------------------------------------------------------------------- de-vigging


@dataclass(frozen=True)
class FairProbabilities:
    """One method's fair probabilities for a market, with its fitted parameter."""

    method: str
    runners: tuple[str, ...]
    probabilities: tuple[float, ...]
    parameter: float | None = None

    @property
    def parameter_name(self) -> str | None:
        """Name of the fitted parameter (``k``, ``c``, ``z``, ...), or None."""
        return METHOD_PARAMETERS[self.method]

    @property
    def fair_odds(self) -> tuple[float, ...]:
        """Decimal odds with no overround, ``1 / p``."""
        return tuple(1.0 / p if p > 0 else math.inf for p in self.probabilities)

    def __getitem__(self, runner: str) -> float:
        try:
            return self.probabilities[self.runners.index(runner)]
        except ValueError:
            raise UnknownNameError(f"unknown runner {runner!r}") from None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "method": self.method,
            "parameter": {self.parameter_name: self.parameter} if self.parameter_name else {},
            "probabilities": dict(zip(self.runners, self.probabilities, strict=True)),
        }

    def to_frame(self) -> Any:
        """pandas DataFrame indexed by runner: probability and fair odds."""
        import pandas as pd

        return pd.DataFrame(
            {"probability": self.probabilities, "fair_odds": self.fair_odds},
            index=pd.Index(self.runners, name="runner"),
        )


def _solve(func: Callable[[float], float], lo: float, hi: float) -> float:
    return float(brentq(func, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def _falling_root(
    excess: Callable[[float], float],
    origin: float,
    *,
    up: Callable[[float], float],
    down: Callable[[float], float],
) -> float:
    """Root of ``excess``, which falls as its parameter grows and is not 0 at ``origin``: the
    bracket is widened from ``origin`` by ``up`` while ``excess`` is still positive there (or by
    ``down`` while still negative), then solved."""
    if excess(origin) > 0.0:
        hi = up(origin)
        while excess(hi) > 0:
            hi = up(hi)
        return _solve(excess, origin, hi)
    lo = down(origin)
    while excess(lo) < 0:
        lo = down(lo)
    return _solve(excess, lo, origin)


def _double(x: float) -> float:
    return 2.0 * x


def _normalised(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


def multiplicative(raw: Sequence[float]) -> tuple[np.ndarray, None]:
    """Basic normalisation ``pi / B``."""
    pi = np.asarray(raw, dtype=float)
    return pi / pi.sum(), None


def additive(raw: Sequence[float]) -> tuple[np.ndarray, float]:
    """Equal margin off each runner: ``pi - (B - 1) / n``; returns (p, margin per runner)."""
    pi = np.asarray(raw, dtype=float)
    share = (pi.sum() - 1.0) / len(pi)
    return pi - share, float(share)


def power(raw: Sequence[float]) -> tuple[np.ndarray, float]:
    """``p = pi ** k`` with ``sum(p) = 1``; returns (p, k)."""
    pi = np.asarray(raw, dtype=float)
    log_pi = np.log(pi)

    def excess(k: float) -> float:
        return float(np.exp(k * log_pi).sum() - 1.0)

    at_one = excess(1.0)  # B - 1, as the solver sees it
    if at_one == 0.0:
        return pi.copy(), 1.0

    # sum(pi**k) falls from n (k = 0) through B (k = 1) to 0: the root is on the side of 1
    # where the sum reaches 1; the largest pi bounds the far end: n * max(pi)**k <= 1.
    k = _falling_root(excess, 1.0, up=_double, down=lambda _: 0.0)
    return _normalised(np.exp(k * log_pi)), k


def odds_ratio(raw: Sequence[float]) -> tuple[np.ndarray, float]:
    """Cheung's odds ratio: ``odds(pi) = c * odds(p)``, ``sum(p) = 1``; returns (p, c)."""
    pi = np.asarray(raw, dtype=float)

    def fair(c: float) -> np.ndarray:
        return pi / (c + pi - c * pi)

    def excess(c: float) -> float:
        return float(fair(c).sum() - 1.0)

    at_one = excess(1.0)
    if at_one == 0.0:
        return pi.copy(), 1.0

    # The sum falls from n (c -> 0) through B (c = 1) to 0 (c -> inf).
    c = _falling_root(excess, 1.0, up=_double, down=lambda c: c / 2.0)
    return _normalised(fair(c)), c


def shin(raw: Sequence[float]) -> tuple[np.ndarray, float]:
    """Shin's method; returns (p, z). ``z < 0`` only for an underround (see module docstring)."""
    pi = np.asarray(raw, dtype=float)
    q = pi**2 / pi.sum()

    def fair(z: float) -> np.ndarray:
        return (np.sqrt(z * z + 4.0 * (1.0 - z) * q) - z) / (2.0 * (1.0 - z))

    def excess(z: float) -> float:
        return float(fair(z).sum() - 1.0)

    at_zero = excess(0.0)  # sqrt(B) - 1
    if at_zero == 0.0:
        return _normalised(fair(0.0)), 0.0

    # The sum falls with z: sqrt(B) at z = 0, sum(pi^2)/B < 1 as z -> 1, n as z -> -inf.
    # Above 0 the bracket halves its distance to 1; below, it runs -1, -2, -4, ...
    z = _falling_root(excess, 0.0, up=lambda z: (1.0 + z) / 2.0, down=lambda z: min(2.0 * z, -1.0))
    return _normalised(fair(z)), z


_METHOD_FUNCTIONS: dict[str, Callable[[Sequence[float]], tuple[np.ndarray, float | None]]] = {
    "multiplicative": multiplicative,
    "additive": additive,
    "power": power,
    "odds_ratio": odds_ratio,
    "shin": shin,
}


def fair_probabilities(market: Market, method: str = "shin") -> FairProbabilities:
    """Remove the overround from ``market`` with one of :data:`METHODS`.

    Raises UnknownNameError for an unknown method and RuleError where the additive method
    would give a runner a negative probability.
    """
    if method not in _METHOD_FUNCTIONS:
        raise UnknownNameError(f"unknown de-vig method {method!r}; use one of {', '.join(METHODS)}")
    p, parameter = _METHOD_FUNCTIONS[method](market.raw_probabilities)
    if (p < 0).any():
        worst = int(np.argmin(p))
        raise RuleError(
            f"the {method} method gives {market.runners[worst]!r} a negative probability "
            f"({p[worst]:.4f}): its equal share of the overround exceeds its implied probability"
        )
    return FairProbabilities(method, market.runners, tuple(float(x) for x in p), parameter)


# --------------------------------------------------------------------------- analysis


def read_model_probabilities(data: Mapping[str, Any], source: str | None = None) -> dict[str, float]:
    """Model probabilities from ``{"probabilities": {...}}`` or ``{"win_probability": {...}}``."""
    for key in ("probabilities", "win_probability"):
        if key in data:
            table = data[key]
            break
    else:
        raise InputError("expected a JSON object with 'probabilities' or 'win_probability'", source=source)
    if not isinstance(table, Mapping):
        raise InputError(f"'{key}' must map runner names to probabilities", source=source)
    out: dict[str, float] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise InputError(
                f"model probability of {name!r} must be a number in [0, 1], got {value!r}",
                source=source,
            )
        out[str(name)] = float(value)
    return out


def _match_runners(market: Market, model: Mapping[str, float]) -> dict[str, float]:
    def key(name: str) -> str:
        return " ".join(name.lower().split())

    by_key = {key(r): r for r in market.runners}
    matched: dict[str, float] = {}
    for name, p in model.items():
        runner = name if name in market.runners else by_key.get(key(name))
        if runner is None:
            raise UnknownNameError(
                f"model runner {name!r} is not in the market ({', '.join(market.runners)})"
            )
        matched[runner] = p
    return matched


@dataclass(frozen=True)
class OddsAnalysis:
    """A market, each method's fair probabilities, and optionally a model's edge.

    ``skipped`` maps a method that cannot apply to this market to the reason. ``edge_method``
    is the method whose fair probabilities the model is compared with.
    """

    market: Market
    results: tuple[FairProbabilities, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    model: tuple[float | None, ...] | None = None
    edge_method: str = "shin"
    _index: dict[str, FairProbabilities] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {r.method: r for r in self.results})

    def __getitem__(self, method: str) -> FairProbabilities:
        try:
            return self._index[method]
        except KeyError:
            raise UnknownNameError(f"no result for method {method!r}") from None

    @property
    def edge(self) -> tuple[float | None, ...] | None:
        """Model probability minus the ``edge_method`` fair probability, per runner."""
        if self.model is None or self.edge_method not in self._index:
            return None
        fair = self._index[self.edge_method].probabilities
        return tuple(None if m is None else m - f for m, f in zip(self.model, fair, strict=True))

    @property
    def expected_value(self) -> tuple[float | None, ...] | None:
        """Expected profit of a unit back bet at the offered (net) price: ``p * d - 1``."""
        if self.model is None:
            return None
        back = self.market.back_odds
        return tuple(None if m is None else m * float(d) - 1.0 for m, d in zip(self.model, back, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (what ``--format json`` prints)."""
        m = self.market
        out: dict[str, Any] = {
            "booksum": m.booksum,
            "overround": m.overround,
            "commission": m.commission,
            "runners": [
                {
                    "runner": r,
                    "price": p.text,
                    "style": p.style,
                    "decimal": float(d),
                    "raw_probability": float(q),
                }
                for r, p, d, q in zip(m.runners, m.prices, m.decimal_odds, m.raw_probabilities, strict=True)
            ],
            "methods": {r.method: r.to_dict() for r in self.results},
            "skipped": dict(self.skipped),
        }
        if self.model is not None:
            out["edge_method"] = self.edge_method
            edge, ev = self.edge, self.expected_value
            for i, row in enumerate(out["runners"]):
                row["model"] = self.model[i]
                row["edge"] = None if edge is None else edge[i]
                row["expected_value"] = None if ev is None else ev[i]
        return out

    def to_frame(self) -> Any:
        """pandas DataFrame, one row per runner: price, raw and each method's probability."""
        import pandas as pd

        m = self.market
        data: dict[str, Any] = {
            "price": [p.text for p in m.prices],
            "decimal": m.decimal_odds,
            "raw": m.raw_probabilities,
        }
        for r in self.results:
            data[r.method] = r.probabilities
        if self.model is not None:
            data["model"] = [np.nan if x is None else x for x in self.model]
            data["edge"] = [np.nan if x is None else x for x in (self.edge or [None] * len(m.runners))]
            data["expected_value"] = [np.nan if x is None else x for x in (self.expected_value or [])]
        return pd.DataFrame(data, index=pd.Index(m.runners, name="runner"))


def analyse_odds(
    market: Market,
    methods: Iterable[str] = METHODS,
    model: Mapping[str, float] | None = None,
    edge_method: str = "shin",
) -> OddsAnalysis:
    """Every method's fair probabilities; with ``model``, the edge and EV per runner.

    A method that cannot apply (additive giving a negative probability) is listed in
    ``skipped`` with the reason rather than failing the whole analysis.
    """
    if edge_method not in METHOD_PARAMETERS:
        raise UnknownNameError(f"unknown de-vig method {edge_method!r}; use one of {', '.join(METHODS)}")
    results, skipped = [], []
    for method in methods:
        try:
            results.append(fair_probabilities(market, method))
        except RuleError as exc:
            skipped.append((method, str(exc)))
    model_column = None
    if model is not None:
        matched = _match_runners(market, model)
        model_column = tuple(matched.get(r) for r in market.runners)
    return OddsAnalysis(market, tuple(results), tuple(skipped), model_column, edge_method)
