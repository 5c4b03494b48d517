"""The web page's answers as plain functions: parliament (and base) in, JSON-ready dict out.

Every function here is pure and module-level, so the read executor can run it in a worker thread
or a worker process (:mod:`kingmaker.web.gate`); the numbers all come from the library. Each
analysis answer is the library's own ``to_dict()`` -- the same dict ``kingmaker X --format json``
prints -- plus its ``"provenance"`` block; what only the page needs (the hemicycle, a sentence, the
power table's rows) sits apart under ``"view"``. The work
caps of :mod:`kingmaker.web.models` that depend on the parliament (how many parties may join a
coalition) are checked here, before any work, by :func:`check_coalition_size`.
"""

from __future__ import annotations

import warnings
from typing import Any

from kingmaker.errors import KingmakerError, TooLargeError, UnknownNameError
from kingmaker.names import resolve
from kingmaker.parliament import Parliament, Threshold
from kingmaker.provenance import provenance
from kingmaker.report.hemicycle import hemicycle_layout, party_order
from kingmaker.web.models import MAX_COALITION_PARTIES, MAX_FORMATION_PARTIES

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


#: Parties under this share (%) of the base vote get no slider of their own: they move together as Other.
SLIDER_FLOOR = 0.5
#: The nation GB-wide shares leave out (as :func:`kingmaker.projection.national_shares` does).
NORTHERN_IRELAND = "Northern Ireland"


def share_area(base: Any) -> dict[str, str | None]:
    """Which area the national shares of ``base`` describe, as :func:`kingmaker.projection.project`
    applies them (default scope): ``name`` is ``Great Britain`` for a UK table with Northern Ireland
    (whose seats keep their base result: ``note`` says so), else the one nation or region all its
    seats share, else the nations it spans; ``None`` parts where the table names no areas."""
    nations = list(base.nations) if base.nations is not None else None
    if not nations or any(n is None for n in nations):
        return {"name": "all constituencies of the base", "note": None}
    rows = [i for i, n in enumerate(nations) if n != NORTHERN_IRELAND] or list(range(len(nations)))
    kept = len(nations) - len(rows)
    seats = "1 seat keeps its" if kept == 1 else f"{kept} seats keep their"
    note = f"{NORTHERN_IRELAND}'s {seats} base result" if kept else None
    in_scope = sorted({nations[i] for i in rows})
    regions = {base.regions[i] for i in rows} if base.regions is not None else set()
    if len(in_scope) == 1:
        region = next(iter(regions)) if len(regions) == 1 else None
        name = f"{region}, {in_scope[0]}" if region and region != in_scope[0] else in_scope[0]
    elif set(in_scope) == {"England", "Scotland", "Wales"}:
        name = "Great Britain"
    else:
        name = " + ".join(in_scope)
    return {"name": name, "note": note}


def projection_base_payload(base: Any) -> dict[str, Any]:
    """``GET /api/project/base``: where the page's vote-share sliders start.

    ``shares``: each party's base share (%, one decimal) at or over :data:`SLIDER_FLOOR`, largest
    first; ``other``: the rest of the vote (``share``, the ``key`` that names it to
    :func:`kingmaker.projection.project`, the ``parties`` it covers, each under ``floor``) -- ``None`` where every
    party has a slider (or every Other key is a party's name); ``area``: :func:`share_area`;
    ``election``: the base table's name. The shares and Other sum to exactly 100.0: what rounding
    to one decimal leaves over goes to Other, or to the largest party where there is no Other.
    """
    from kingmaker.projection import national_shares
    from kingmaker.projection.shares import OTHER_KEYS

    everyone = national_shares(base)
    shares = {p: round(v, 1) for p, v in everyone.items() if v >= SLIDER_FLOOR}
    rest = [p for p, v in everyone.items() if p not in shares and v > 0]
    taken = {p.lower() for p in base.parties}
    key = next((k.capitalize() for k in OTHER_KEYS if k not in taken), None)
    other = None
    # in tenths, so that the sliders' total is exactly 100.0 however the named shares rounded
    left = 1000 - sum(round(10 * v) for v in shares.values())
    if rest and key is not None and left >= 0:
        other = {"key": key, "share": left / 10, "parties": rest, "floor": SLIDER_FLOOR}
    elif shares and left:
        largest = next(iter(shares))
        shares[largest] = (round(10 * shares[largest]) + left) / 10
    return {"shares": shares, "other": other, "area": share_area(base), "election": base.election}


def coalition_text(result: dict[str, Any]) -> str:
    """``Con+LD: 363 seats — majority of 76`` or ``Lab+LD: 315 seats — short by 11``."""
    group = "+".join(result["group"])
    if result["wins"]:
        return f"{group}: {result['seats']} seats — majority of {result['majority']}"
    return f"{group}: {result['seats']} seats — short by {result['shortfall']}"


def served_name(name: str, parliament: Parliament) -> str:
    """A base-results party column as the served parliament names it (``Grn`` -> ``Green``,
    ``Ind2`` -> ``Ind``), through the one resolver; a party the parliament lacks keeps its name."""
    try:
        return resolve(name, parliament.names, fold_independents=True)
    except UnknownNameError:
        return name


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
    parliament: Parliament, group: tuple[str, ...], threshold: Threshold, inputs: dict[str, Any]
) -> dict[str, Any]:
    """``POST /api/coalition``'s answer: :meth:`kingmaker.coalitions.Completion.to_dict` (the
    group's seats, majority or shortfall, pivotal members, the five smallest completions), as
    ``kingmaker coalitions --with ... --top 5 --format json`` prints it; ``view.text`` a sentence."""
    from kingmaker.coalitions import complete

    check_coalition_size(parliament, threshold)
    result = complete(parliament, group, threshold, top=5).to_dict()
    options = {"with": list(group), "threshold": threshold, "top": 5}
    return {
        **result,
        "provenance": provenance("coalitions", options, inputs),
        "view": {"text": coalition_text(result)},
    }


def coalitions_payload(
    parliament: Parliament,
    threshold: Threshold,
    top: int | None,
    order: str,
    minimal_only: bool,
    inputs: dict[str, Any],
) -> dict[str, Any]:
    """``POST /api/coalitions``'s answer: :meth:`kingmaker.coalitions.CoalitionTable.to_dict`, as
    ``kingmaker coalitions --format json`` prints it."""
    from kingmaker.coalitions import coalitions

    check_coalition_size(parliament, threshold)
    table = coalitions(parliament, threshold, top=top, order=order, minimal_only=minimal_only)  # type: ignore[arg-type]
    options = {"threshold": threshold, "top": top, "order": order, "minimal": minimal_only}
    data = {**table.to_dict(), "provenance": provenance("coalitions", options, inputs)}
    view = formation_view(parliament, [tuple(c["parties"]) for c in data["coalitions"]])
    return {**data, "view": view} if view else data


def formation_view(parliament: Parliament, groups: list[tuple[str, ...]]) -> dict[str, Any] | None:
    """The formation model's probability that each of ``groups`` is the government that forms, and
    the likeliest governments of any kind (minority and surplus too), for the page's governments
    table; ``None`` past :data:`~kingmaker.web.models.MAX_FORMATION_PARTIES` parties, where the
    prediction would exceed a read's time budget, or where the model cannot score the parliament
    (no party placed on left-right)."""
    from kingmaker.formation import formation

    if len(parliament.parties) > MAX_FORMATION_PARTIES:
        return None
    try:
        result = formation(parliament, top=None)
    except KingmakerError:  # e.g. no party has a left-right position: the table goes without
        return None
    by_group = {frozenset(g.parties): g.probability for g in result.governments}
    likeliest = [
        {"parties": list(g.parties), "probability": round(g.probability, 4), "seats": g.seats}
        for g in result.governments[:5]
    ]
    return {
        "formation": [None if (x := by_group.get(frozenset(g))) is None else round(x, 4) for g in groups],
        "likeliest": likeliest,
        "formation_model": result.model,
    }


def power_payload(parliament: Parliament, threshold: Threshold, inputs: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/power``'s answer: :meth:`kingmaker.power.PowerResult.to_dict`, as ``kingmaker
    power --no-coalition-indices --format json`` prints it; ``view.rows`` the page's table
    (:meth:`~kingmaker.power.PowerResult.table_rows`).

    Only the indices of the dynamic programmes (``O(n**2 W)``, a few hundredths of a second at the
    request limits) are computed; the coalition-enumerating indices are skipped.
    """
    from kingmaker.power import power_indices

    result = power_indices(
        parliament.weights(threshold), parliament.quota(threshold), coalition_indices=False
    )
    options = {"threshold": threshold, "coalition_indices": False}
    return {
        **result.to_dict(),
        "provenance": provenance("power", options, inputs),
        "view": {"threshold": threshold, "quota": result.quota, "rows": result.table_rows()},
    }


def projection_payload(
    base: Any, parliament: Parliament, shares: dict[str, float], model: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """``POST /api/project``'s answer: :meth:`kingmaker.projection.Projection.to_dict` without the
    per-constituency rows, as ``kingmaker project --format json`` prints it; ``view`` holds the
    seats under the served parliament's names, that House as a hemicycle, and a sentence."""
    from kingmaker.projection import project

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        projection = project(base, dict(shares), model)
    data = projection.to_dict()
    data.pop("constituencies", None)
    seats: dict[str, int] = {}
    for name, n in projection.seats.items():
        served = served_name(name, parliament)
        seats[served] = seats.get(served, 0) + int(n)
    seats.update({p: 0 for p in parliament.names if p not in seats})
    seats = {p: n for p, n in seats.items() if n or p in parliament.names}
    house = parliament.with_seats(seats, name=parliament.name, keep_others=True, keep_deputies=True)
    gains = ", ".join(f"{c.after} gains {c.district} from {c.before}" for c in projection.changes[:3])
    text = (
        f"{model} swing: "
        + ", ".join(f"{p} {n}" for p, n in seats.items() if n)
        + (f". Narrowest changes: {gains}" if gains else "")
    )
    return {
        **data,
        "provenance": provenance("project", {"shares": shares, "model": model}, inputs),
        "view": {"seats": seats, "parliament": hemicycle_payload(house), "text": text},
    }
