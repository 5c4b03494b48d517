"""The registries of :mod:`kingmaker.seats`: seat systems, divisor methods and quotas.

Each rule module registers what it defines, once, where it is defined:

* :data:`SYSTEMS`: every system :func:`kingmaker.seats.allocate` (and ``kingmaker seats
  --system``) accepts. An entry's object is a runner ``run(table, *, seats, level, threshold,
  tie, **options) -> Allocation`` (``tie`` already a :class:`~kingmaker.ties.TiePolicy`);
  ``options`` names the extra keyword options it takes. ``extra["house"] == "districts"`` marks
  a system that fills one seat per district whatever house size is asked for (first past the
  post, AV).
* :data:`DIVISORS`: the divisor (highest averages) methods, each a
  :class:`~kingmaker.seats.divisor.DivisorMethod`.
* :data:`QUOTAS`: the largest-remainder quotas, each a :class:`~kingmaker.seats.quota.Quota`.
"""

from __future__ import annotations

from typing import Any

from kingmaker._registry import Registry

#: Every seat system, name -> runner (see the module docstring).
SYSTEMS: Registry[Any] = Registry(
    "seat system",
    modules=(
        "kingmaker.seats.plurality",
        "kingmaker.seats.divisor",
        "kingmaker.seats.quota",
        "kingmaker.seats.mixed",
        "kingmaker.seats.av_counterfactual",
    ),
)

#: Divisor methods, name -> :class:`~kingmaker.seats.divisor.DivisorMethod`.
DIVISORS: Registry[Any] = Registry("divisor method", modules=("kingmaker.seats.divisor",))

#: Largest-remainder quotas, name -> :class:`~kingmaker.seats.quota.Quota`.
QUOTAS: Registry[Any] = Registry("quota", modules=("kingmaker.seats.quota",))

#: The house of a system that fills one seat per district (``Entry.extra["house"]``).
DISTRICT_HOUSE = "districts"


def normalise_name(name: str) -> str:
    """The spelling the registries look up: ``_`` read as ``-`` and apostrophes dropped, so
    ``D'Hondt``, ``d_hondt`` and ``Sainte_Lague`` find their entries (case is folded by the
    registry itself)."""
    return str(name).strip().replace("_", "-").replace("'", "")


def takes_house(system: str) -> bool:
    """Whether ``system`` fills the house size it is given; ``False`` for the systems that fill
    one seat per district whatever size is asked for (first past the post, AV)."""
    return SYSTEMS.get(normalise_name(system), what="system").extra.get("house") != DISTRICT_HOUSE


__all__ = ["DISTRICT_HOUSE", "DIVISORS", "QUOTAS", "SYSTEMS", "normalise_name", "takes_house"]
