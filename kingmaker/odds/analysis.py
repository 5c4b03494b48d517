"""A market under every de-vig method, and a model's edge and expected value against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kingmaker.errors import InputError, RuleError, UnknownNameError
from kingmaker.odds.devig import FairProbabilities, fair_probabilities
from kingmaker.odds.names import RunnerMatch, match_runners
from kingmaker.odds.parse import Market
from kingmaker.odds.registry import DEVIG_METHODS
from kingmaker.provenance import json_result


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
    matches: tuple[RunnerMatch, ...] = ()
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

    @json_result
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
            out["model_names"] = [m.to_dict() for m in self.matches]
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

    def _repr_html_(self) -> str:
        m = self.market
        kind = "overround" if m.overround >= 0 else "underround"
        return f"<p>booksum {m.booksum:.2%}, {kind} {m.overround:+.2%}</p>" + self.to_frame()._repr_html_()


def analyse_odds(
    market: Market,
    methods: Iterable[str] | None = None,
    model: Mapping[str, float] | None = None,
    edge_method: str = "shin",
    aliases: Mapping[str, str] | None = None,
) -> OddsAnalysis:
    """Every method's fair probabilities; with ``model``, the edge and EV per runner.

    ``methods``: de-vig method names (default: every one in :data:`DEVIG_METHODS`, in order).
    ``model`` maps runner names to probabilities, written as people write them: the names are
    matched to the market's by :func:`~kingmaker.odds.names.match_runners` (``aliases``: an
    explicit ``{model name: runner}`` table first), and ``matches`` says how each was paired.

    A method that cannot apply (additive giving a negative probability) is listed in
    ``skipped`` with the reason rather than failing the whole analysis.
    """
    edge_method = DEVIG_METHODS.canonical(edge_method, what="de-vig method")
    names = DEVIG_METHODS.names() if methods is None else [DEVIG_METHODS.canonical(m) for m in methods]
    results, skipped = [], []
    for method in names:
        try:
            results.append(fair_probabilities(market, method))
        except RuleError as exc:
            skipped.append((method, str(exc)))
    model_column = None
    matches: list[RunnerMatch] = []
    if model is not None:
        matches = match_runners(market.runners, model, aliases)
        matched = {m.runner: model[m.name] for m in matches}
        model_column = tuple(matched.get(r) for r in market.runners)
    return OddsAnalysis(market, tuple(results), tuple(skipped), model_column, edge_method, tuple(matches))
