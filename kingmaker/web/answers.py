"""The web page's answers as plain functions: parliament (and base) in, JSON-ready dict out.

Every function here is pure and module-level, so the read executor can run it in a worker thread
or a worker process (:mod:`kingmaker.web.gate`); the numbers all come from the library. The work
caps of :mod:`kingmaker.web.models` that depend on the parliament (how many parties may join a
coalition) are checked here, before any work, by :func:`check_coalition_size`.
"""

from __future__ import annotations

import warnings
from typing import Any

from kingmaker.errors import InputError, TooLargeError
from kingmaker.parliament import Parliament, Threshold
from kingmaker.parties import NonVoting, Party
from kingmaker.report.hemicycle import hemicycle_layout, party_order
from kingmaker.web.models import MAX_COALITION_PARTIES

FALLBACK_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7")


def party_colour(parliament: Parliament, name: str) -> str:
    """The party's colour from the parliament file, or a stable fallback."""
    colour = parliament.party(name).colour
    if colour:
        return colour
    return FALLBACK_COLOURS[parliament.names.index(name) % len(FALLBACK_COLOURS)]


def _angle_between(angles: list[float], seat_count: int) -> float:
    """Angle (radians from the left end) between seat ``seat_count - 1`` and ``seat_count``."""
    k = min(max(seat_count, 1), len(angles))
    before = angles[k - 2] if k >= 2 else angles[0]
    return (before + angles[k - 1]) / 2


def hemicycle_payload(parliament: Parliament) -> dict[str, Any]:
    """Parties, thresholds and one (x, y, party) per seat, ready for the page to draw as SVG circles."""
    order = [n for n in party_order(parliament) if parliament.party(n).seats > 0]
    layout = hemicycle_layout(parliament.house)
    labels = [name for name in order for _ in range(parliament.party(name).seats)]
    angles = [float(a) for a in layout.angle]
    lines = [
        {
            "kind": "majority",
            "seats": parliament.absolute_majority,
            "angle": _angle_between(angles, parliament.absolute_majority),
        }
    ]
    if parliament.working_majority_threshold != parliament.absolute_majority:
        lines.append(
            {
                "kind": "working",
                "seats": parliament.working_majority_threshold,
                "angle": _angle_between(angles, parliament.working_majority_threshold),
            }
        )
    data = parliament.to_dict()
    colours = {p.name: party_colour(parliament, p.name) for p in parliament.parties}
    for p in data["parties"]:
        p["colour"] = colours[p["name"]]
    data["order"] = order
    data["explain"] = parliament.explain()
    data["layout"] = {
        "radius": layout.radius,
        "seats": [
            [round(float(x), 4), round(float(y), 4), name]
            for x, y, name in zip(layout.x, layout.y, labels, strict=True)
        ],
        "lines": lines,
    }
    return data


def parliament_with_seats(parliament: Parliament, seats: dict[str, int] | None) -> Parliament:
    """The same parties (names, positions, colours) with other seat numbers.

    Parties not named keep their seats; a new name (a party a projection gives seats to) joins
    unplaced. Non-voting conventions are kept where the party still has the seats (a Speaker with
    no seat left simply drops out).
    """
    if not seats:
        return parliament
    parties = tuple(
        Party(p.name, seats.get(p.name, p.seats), p.position, p.full_name, p.colour)
        for p in parliament.parties
    ) + tuple(Party(name, n) for name, n in seats.items() if name not in parliament.names)
    held = {p.name: p.seats for p in parties}
    non_voting = []
    for nv in parliament.non_voting:
        kept = min(nv.seats, held[nv.party])
        held[nv.party] -= kept
        if kept:
            non_voting.append(NonVoting(nv.party, kept, nv.kind, nv.reason))
    if sum(p.seats for p in parties) <= 0:
        raise InputError("the seats given add up to an empty parliament")
    return Parliament(
        parties,
        tuple(non_voting),
        name=parliament.name,
        title=parliament.title,
        source=parliament.source,
        positions_source=parliament.positions_source,
    )


def coalition_text(result: dict[str, Any]) -> str:
    """``Con+LD: 363 seats — majority of 76`` or ``Lab+LD: 315 seats — short by 11``."""
    group = "+".join(result["group"])
    if result["wins"]:
        return f"{group}: {result['seats']} seats — majority of {result['majority']}"
    return f"{group}: {result['seats']} seats — short by {result['shortfall']}"


#: Names in the 2010 Electoral Commission file that the presets spell otherwise.
PARTY_ALIASES = {"Grn": "Green", "APNI": "Alliance"}


def served_name(name: str, parliament: Parliament) -> str:
    """A base-results party column as the served parliament names it (Grn -> Green, Ind2 -> Ind)."""
    if name in parliament.names:
        return name
    alias = PARTY_ALIASES.get(name)
    if alias in parliament.names:
        return alias  # type: ignore[return-value]
    if name.startswith("Ind") and name[3:].isdigit() and "Ind" in parliament.names:
        return "Ind"
    return name


def base_national_shares(base: Any, floor: float = 0.5) -> dict[str, float]:
    """Each party's share (%) of the base votes in Great Britain (the scope of national polls)."""
    import numpy as np

    rows = np.ones(base.n_districts, dtype=bool)
    if base.nations is not None:
        rows = np.array([n != "Northern Ireland" for n in base.nations])
    totals = base.votes[rows].sum(axis=0).astype(float)
    shares = 100 * totals / max(totals.sum(), 1.0)
    order = np.argsort(-shares, kind="stable")
    return {base.parties[i]: round(float(shares[i]), 1) for i in order if shares[i] >= floor}


# ----------------------------------------------------------------------------- the expensive reads


def check_coalition_size(parliament: Parliament, threshold: Threshold) -> None:
    """Refuse (TooLargeError, 413) a coalition analysis over :data:`MAX_COALITION_PARTIES` parties.

    The analyses examine all ``2**n`` subsets of the ``n`` parties that can join; the limit keeps
    one request near a tenth of a second of CPU (see :data:`~kingmaker.web.models.MAX_COALITION_PARTIES`).
    """
    n = len(parliament.weights(threshold))
    if n > MAX_COALITION_PARTIES:
        raise TooLargeError(
            f"{n} parties can join coalitions; the web page analyses at most {MAX_COALITION_PARTIES} "
            f"(max_coalition_parties: 2**{MAX_COALITION_PARTIES} subsets)"
        )


def completion_payload(
    parliament: Parliament, group: tuple[str, ...], threshold: Threshold
) -> dict[str, Any]:
    """``POST /api/coalition``'s answer: the group's seats, majority or shortfall, and completions."""
    from kingmaker.coalitions import complete

    check_coalition_size(parliament, threshold)
    result = complete(parliament, group, threshold, top=5).to_dict()
    result["text"] = coalition_text(result)
    return result


def coalitions_payload(
    parliament: Parliament, threshold: Threshold, top: int | None, order: str, minimal_only: bool
) -> dict[str, Any]:
    """``POST /api/coalitions``'s answer (the CoalitionTable as JSON)."""
    from kingmaker.coalitions import coalitions

    check_coalition_size(parliament, threshold)
    return coalitions(parliament, threshold, top=top, order=order, minimal_only=minimal_only).to_dict()  # type: ignore[arg-type]


def power_payload(parliament: Parliament, threshold: Threshold) -> dict[str, Any]:
    """``POST /api/power``'s answer: Shapley-Shubik and Banzhaf per party.

    Only these two are shown, and they come from the dynamic programmes (``O(n**2 W)``, a few
    hundredths of a second at the request limits); the coalition-enumerating indices are skipped.
    """
    from kingmaker.power import power_indices

    weights = parliament.weights(threshold)
    quota = parliament.quota(threshold)
    res = power_indices(weights, quota, coalition_indices=False)
    rows = [
        {
            "party": name,
            "seats": weight,
            "shapley_shubik": float(res.shapley_shubik.get(name, 0.0)),
            "banzhaf": float(res.banzhaf.get(name, 0.0)),
        }
        for name, weight in weights.items()
    ]
    return {"threshold": threshold, "quota": quota, "rows": rows}


def projection_payload(
    base: Any, parliament: Parliament, shares: dict[str, float], model: str
) -> dict[str, Any]:
    """``POST /api/project``'s answer: seats re-projected from national shares, as a hemicycle."""
    from kingmaker.projection import project

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projection = project(base, dict(shares), model)
    seats: dict[str, int] = {}
    for name, n in projection.seats.items():
        served = served_name(name, parliament)
        seats[served] = seats.get(served, 0) + int(n)
    seats.update({p: 0 for p in parliament.names if p not in seats})
    seats = {p: n for p, n in seats.items() if n or p in parliament.names}
    house = parliament_with_seats(parliament, seats)
    gains = ", ".join(f"{c.after} gains {c.district} from {c.before}" for c in projection.changes[:3])
    return {
        "seats": seats,
        "parliament": hemicycle_payload(house),
        "text": f"{model} swing: "
        + ", ".join(f"{p} {n}" for p, n in seats.items() if n)
        + (f". Narrowest changes: {gains}" if gains else ""),
    }
