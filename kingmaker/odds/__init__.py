"""Bookmakers' odds to probabilities: parse prices, measure the overround, remove it.

* :mod:`~kingmaker.odds.parse`: prices in every common form (fractional, decimal, American,
  exchange back/lay pairs) and markets of runners, with commission netted off;
* :mod:`~kingmaker.odds.devig`: the de-vig methods (multiplicative, additive, power, odds ratio,
  Shin), each registered once in :data:`~kingmaker.odds.registry.DEVIG_METHODS`;
* :mod:`~kingmaker.odds.names`: a model's runner names matched to the market's as people write
  them (``D Miliband`` and ``David Miliband``; :func:`match_runners`);
* :mod:`~kingmaker.odds.analysis`: a market under every method, and a model's edge and expected
  value (:func:`analyse_odds`).

Internal dependency direction (each module imports only those to its left)::

    registry, parse, names  ->  devig  ->  analysis  ->  __init__

SciPy is imported only when a fitted method (power, odds ratio, Shin) is solved.

Why not a package: ``implied`` (the Python port of Lindstrøm's R package) is not on PyPI here, and
``penaltyblog`` 1.13.1's ``implied`` module, evaluated for this module, brackets Shin's ``z`` and
the odds ratio on ``[0, 100]`` (across the pole at ``z = 1``) so it fails on any underround market,
has no refusal of negative additive probabilities, and pulls in some fifty packages (IPython,
plotly, kaleido, statsbombpy, ...). Its values on overround markets agree with ours to 1e-9;
``tests/test_odds.py`` records them as a cross-check.
"""

from __future__ import annotations

from kingmaker.odds.analysis import OddsAnalysis, analyse_odds, read_model_probabilities
from kingmaker.odds.devig import FairProbabilities, fair_probabilities
from kingmaker.odds.names import RunnerMatch, match_runners, parse_aliases
from kingmaker.odds.parse import (
    PRICE_STYLES,
    Market,
    Price,
    PriceStyle,
    format_american,
    format_fractional,
    net_of_commission,
    parse_market,
    parse_price,
)
from kingmaker.odds.registry import DEVIG_METHODS, DevigFunction

__all__ = [
    "DEVIG_METHODS",
    "PRICE_STYLES",
    "DevigFunction",
    "FairProbabilities",
    "Market",
    "OddsAnalysis",
    "Price",
    "PriceStyle",
    "RunnerMatch",
    "analyse_odds",
    "fair_probabilities",
    "format_american",
    "format_fractional",
    "match_runners",
    "net_of_commission",
    "parse_aliases",
    "parse_market",
    "parse_price",
    "read_model_probabilities",
]
