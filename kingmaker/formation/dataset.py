"""Formation opportunities from ParlGov cabinets, and from a user's own parliament.

The unit is the formation after an election: the cabinet ParlGov records as formed after it
(the first that is not a caretaker; see :meth:`kingmaker.io.parlgov.ParlGov.formation`), the
parliament it faced (real parties with seats; lumped ``none``/``etc``/``one-seat`` seats count
toward the house and its majority but govern with no one), and the cabinet in office before the
election (found by following ``previous_cabinet_id`` back past this election's own cabinets).
Parties are matched across cabinets by ParlGov's ``party_id``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.formation.features import Situation
from kingmaker.io.parlgov import Cabinet, ParlGov


def before_election(pg: ParlGov, cab: Cabinet) -> Cabinet | None:
    """The last cabinet in office before ``cab``'s election."""
    prev = pg.previous(cab)
    while prev is not None and prev.election_id == cab.election_id:
        prev = pg.previous(prev)
    return prev


def situation_from_cabinet(pg: ParlGov, cab: Cabinet) -> Situation:
    """The formation that produced ``cab`` (its government is ``formed``)."""
    real = cab.real_parties
    by_id = {p.party_id: p.name for p in real}
    prev = before_election(pg, cab)
    previous: tuple[str, ...] = ()
    previous_pm = None
    if prev is not None:
        previous = tuple(by_id[p.party_id] for p in prev.real_parties if p.in_cabinet and p.party_id in by_id)
        pm = next((p for p in prev.parties if p.prime_minister and not p.lumped), None)
        previous_pm = by_id.get(pm.party_id) if pm is not None else None
    return Situation(
        label=cab.label,
        parties=tuple(p.name for p in real),
        seats=np.array([p.seats for p in real], dtype=np.int64),
        positions=np.array([np.nan if p.left_right is None else p.left_right for p in real]),
        house=cab.house,
        quota=cab.house // 2 + 1,
        previous=previous,
        previous_pm=previous_pm,
        formed=cab.government or None,
        country=cab.country,
        year=cab.election_date.year,
        meta={"cabinet_id": cab.cabinet_id, "cabinet": cab.name, "caretaker": cab.caretaker},
    )


def formation_situations(pg: ParlGov, since: str = "1945-01-01") -> list[Situation]:
    """Every post-election formation since ``since`` (631 in ParlGov's 2020 release)."""
    return [situation_from_cabinet(pg, cab) for cab in pg.formations(since)]


def situation_from_parliament(
    parliament: Any,
    *,
    previous: tuple[str, ...] | list[str] = (),
    previous_pm: str | None = None,
    label: str | None = None,
) -> Situation:
    """A formation in a :class:`~kingmaker.parliament.Parliament`: its parties with voting members
    (the Speaker and abstentionists govern with no one), on an absolute majority of the house."""
    weights = parliament.weights("absolute")
    parties = tuple(p for p, w in weights.items() if w > 0)
    for name, what in [*((p, "previous cabinet") for p in previous), (previous_pm, "previous PM")]:
        if name is not None and name not in parties:
            parliament.party(name)  # unknown names raise UnknownNameError
            raise InputError(f"{what} party {name!r} has no voting members in this parliament")
    positions = [parliament.party(p).position for p in parties]
    if len(parties) >= 2 and all(x is None for x in positions):
        raise InputError(
            "no party has a left-right position: the formation model needs them (range, "
            "connectedness, the median party); give at least the main parties' positions"
        )
    return Situation(
        label=label or parliament.title or parliament.name,
        parties=parties,
        seats=np.array([weights[p] for p in parties], dtype=np.int64),
        positions=np.array([np.nan if x is None else x for x in positions], dtype=float),
        house=parliament.house,
        quota=parliament.absolute_majority,
        previous=tuple(previous),
        previous_pm=previous_pm,
    )
