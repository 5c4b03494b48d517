"""PowerResult: every power index of one weighted game, per player, with the common result contract
(``to_dict(places=None)`` always JSON-safe, ``to_frame()``, ``_repr_html_()``)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kingmaker.power._game import Value

if TYPE_CHECKING:
    import pandas as pd


def _plain(value: Value, places: int | None) -> float | str:
    """A value for JSON: with ``places``, a float rounded to that many decimals; without, floats as
    numbers and Fractions as exact ``"a/b"`` strings."""
    if places is not None:
        return round(float(value), places)
    if isinstance(value, Fraction):
        return str(value)
    return float(value)


@dataclass(frozen=True)
class PowerResult:
    """Every power index of one weighted game, per player (in the order given).

    ``deegan_packel``, ``holler`` and ``johnston`` are ``None`` when they were not asked for
    (``coalition_indices=False``). Values are floats, or Fractions with ``exact=True``.
    """

    players: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    shapley_shubik: dict[str, Value] | None
    banzhaf: dict[str, Value] | None
    banzhaf_absolute: dict[str, Value] | None
    deegan_packel: dict[str, Value] | None = None
    holler: dict[str, Value] | None = None
    johnston: dict[str, Value] | None = None
    minimal_winning_coalitions: int | None = None
    exact: bool = False
    excluded: tuple[str, ...] = ()
    incompatible: tuple[tuple[str, str], ...] = ()

    INDICES = ("shapley_shubik", "banzhaf", "banzhaf_absolute", "deegan_packel", "holler", "johnston")

    def to_dict(self, places: int | None = None, *, json_safe: bool | None = None) -> dict[str, Any]:
        """``{"players", "quota", and one name -> value mapping per index}``, always JSON-safe.

        Without ``places`` floats stay numbers and exact Fractions become ``"a/b"`` strings; with
        ``places`` every value is a float rounded to that many decimals. ``json_safe`` is accepted
        for older callers and ignored (the output is always JSON-safe).
        """
        del json_safe
        out: dict[str, Any] = {"players": list(self.players), "quota": self.quota}
        for key in self.INDICES:
            values = getattr(self, key)
            out[key] = None if values is None else {k: _plain(v, places) for k, v in values.items()}
        return out

    def table_rows(self, places: int | None = None) -> list[dict[str, Any]]:
        """The power table as the web shows it: one row per player with ``party``, ``seats``,
        ``shapley_shubik`` and ``banzhaf`` (floats; rounded to ``places`` decimals if given)."""

        def num(value: Value) -> float:
            return float(value) if places is None else round(float(value), places)

        return [
            {
                "party": name,
                "seats": weight,
                "shapley_shubik": num(self.shapley_shubik.get(name, 0.0)),
                "banzhaf": num(self.banzhaf.get(name, 0.0)),
            }
            for name, weight in zip(self.players, self.weights, strict=True)
        ]

    def to_frame(self) -> pd.DataFrame:
        """One row per player: weight and each index (as floats; NaN where not computed)."""
        import pandas as pd

        data: dict[str, list[Any]] = {"weight": list(self.weights)}
        for key in self.INDICES:
            values = getattr(self, key)
            data[key] = [float("nan") if values is None else float(values[p]) for p in self.players]
        return pd.DataFrame(data, index=pd.Index(list(self.players), name="player"))

    def _repr_html_(self) -> str:
        head = html.escape(f"Quota {self.quota} of {sum(self.weights)}")
        return f"<p>{head}</p>" + self.to_frame()._repr_html_()
