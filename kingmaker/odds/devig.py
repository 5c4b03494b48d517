"""De-vig methods: remove a market's overround, each method registered once in
:data:`kingmaker.odds.registry.DEVIG_METHODS`.

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


SciPy is imported only inside the solver, so importing :mod:`kingmaker.odds` stays light.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.errors import RuleError, UnknownNameError
from kingmaker.odds.parse import Market
from kingmaker.odds.registry import DEVIG_METHODS


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
        return DEVIG_METHODS.get(self.method).extra.get("parameter")

    @property
    def fair_odds(self) -> tuple[float, ...]:
        """Decimal odds with no overround, ``1 / p``."""
        return tuple(1.0 / p if p > 0 else math.inf for p in self.probabilities)

    def __getitem__(self, runner: str) -> float:
        try:
            return self.probabilities[self.runners.index(runner)]
        except ValueError:
            raise UnknownNameError(f"unknown runner {runner!r}") from None

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """Plain-data form (JSON-safe); ``places`` rounds the probabilities and the parameter."""

        def num(x: float | None) -> float | None:
            return x if x is None or places is None else round(x, places)

        return {
            "method": self.method,
            "parameter": {self.parameter_name: num(self.parameter)} if self.parameter_name else {},
            "probabilities": {r: num(p) for r, p in zip(self.runners, self.probabilities, strict=True)},
        }

    def to_frame(self) -> Any:
        """pandas DataFrame indexed by runner: probability and fair odds."""
        import pandas as pd

        return pd.DataFrame(
            {"probability": self.probabilities, "fair_odds": self.fair_odds},
            index=pd.Index(self.runners, name="runner"),
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.method)}</p>" + self.to_frame()._repr_html_()


def _solve(func: Callable[[float], float], lo: float, hi: float) -> float:
    from scipy.optimize import brentq  # deferred: only the one-parameter methods need SciPy

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


@DEVIG_METHODS.register(
    "multiplicative",
    summary="basic normalisation: each raw probability divided by the booksum",
    properties=("deterministic",),
    parameter=None,
    title="Multiplicative",
    label=None,
)
def multiplicative(raw: Sequence[float]) -> tuple[np.ndarray, None]:
    """Basic normalisation ``pi / B``."""
    pi = np.asarray(raw, dtype=float)
    return pi / pi.sum(), None


@DEVIG_METHODS.register(
    "additive",
    summary="an equal share of the overround off each runner (refused where one would go negative)",
    properties=("deterministic",),
    parameter="margin_per_runner",
    title="Additive",
    label="additive {:.4g}/runner",
)
def additive(raw: Sequence[float]) -> tuple[np.ndarray, float]:
    """Equal margin off each runner: ``pi - (B - 1) / n``; returns (p, margin per runner)."""
    pi = np.asarray(raw, dtype=float)
    share = (pi.sum() - 1.0) / len(pi)
    return pi - share, float(share)


@DEVIG_METHODS.register(
    "power",
    summary="p = pi ** k with k fitted so the probabilities sum to 1",
    properties=("deterministic", "needs-scipy"),
    parameter="k",
    title="Power",
    label="power k={:.4g}",
)
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


@DEVIG_METHODS.register(
    "odds_ratio",
    summary="Cheung's odds ratio: odds(pi) = c * odds(p), c fitted",
    aliases=("odds-ratio",),
    properties=("deterministic", "needs-scipy"),
    parameter="c",
    title="Odds ratio",
    label="odds ratio c={:.4g}",
)
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


@DEVIG_METHODS.register(
    "shin",
    summary="Shin's insider-trading model, z (insider share) fitted",
    properties=("deterministic", "needs-scipy"),
    parameter="z",
    title="Shin",
    label="Shin z={:.4g}",
)
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


def fair_probabilities(market: Market, method: str = "shin") -> FairProbabilities:
    """Remove the overround from ``market`` with one of :data:`DEVIG_METHODS` (name or alias).

    Raises UnknownNameError for an unknown method and RuleError where the additive method
    would give a runner a negative probability.
    """
    entry = DEVIG_METHODS.get(method, what="de-vig method")
    p, parameter = entry.obj(market.raw_probabilities)
    if (p < 0).any():
        worst = int(np.argmin(p))
        raise RuleError(
            f"the {entry.name} method gives {market.runners[worst]!r} a negative probability "
            f"({p[worst]:.4f}): its equal share of the overround exceeds its implied probability"
        )
    return FairProbabilities(entry.name, market.runners, tuple(float(x) for x in p), parameter)
