"""The shares mini-language and share targets: ``"Con=36,Lab=29,LD=23"`` -> fractions per party.

:func:`parse_shares` reads the text form (national, or per area ``"Scotland: SNP=50; Wales: ..."``);
:func:`target_vector` turns the percentages given for some parties into fractions for every party
of the base: parties not named keep their base share, unless an ``Other`` entry is split among
them; totals within :data:`SHARE_TOLERANCE` points of 100 are normalised. Party names go through
the one resolver, :mod:`kingmaker.names` (``Grn`` finds ``Green``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from kingmaker._validate import check_shares
from kingmaker.errors import InputError
from kingmaker.names import resolve_index

#: Shares whose total is within this many points of 100 are normalised; further off, refused.
SHARE_TOLERANCE = 5.0
#: Below this distance from 100 (points), normalising is silent (rounding of published figures).
SHARE_SILENT = 0.1
#: Share keys that mean "all parties not named".
OTHER_KEYS: tuple[str, ...] = ("other", "others", "oth")

Shares = Mapping[str, float] | Mapping[str, Mapping[str, float]]


class ProjectionWarning(UserWarning):
    """Shares were normalised, or a target could not be honoured exactly."""


def parse_shares(text: str, label: str = "shares") -> dict[str, float] | dict[str, dict[str, float]]:
    """Read ``"Con=36,Lab=29,LD=23"`` or per area ``"Scotland: SNP=50,Lab=24; Wales: Lab=37,..."``.

    Values are percentages. Raises :class:`InputError` naming the item that cannot be read, each
    message starting with ``label`` (the caller's name for the text, e.g. ``--shares``).
    """
    text = text.strip()
    if not text:
        raise InputError(f"{label}: no shares given; expected e.g. Con=36,Lab=29,LD=23")
    if ":" in text:
        out: dict[str, dict[str, float]] = {}
        for block in (b.strip() for b in text.split(";")):
            if not block:
                continue
            area, sep, rest = block.partition(":")
            if not sep or not area.strip():
                raise InputError(f"{label}: cannot read {block!r}; expected AREA: PARTY=SHARE,...")
            if area.strip() in out:
                raise InputError(f"{label}: area {area.strip()!r} given twice")
            out[area.strip()] = _parse_flat(rest, label)
        return out
    return _parse_flat(text, label)


def _parse_flat(text: str, label: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        m = re.fullmatch(r"(.+?)\s*=\s*(.+)", item)
        if not m:
            raise InputError(f"{label}: cannot read {item!r}; expected PARTY=SHARE, e.g. Con=36")
        party, value = m.group(1).strip(), m.group(2).strip().rstrip("%")
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"{label}: share of {party!r} must be a number, got {value!r}") from None
        if party in shares:
            raise InputError(f"{label}: party {party!r} given twice")
        shares[party] = number
    if not shares:
        raise InputError(f"{label}: no shares given; expected e.g. Con=36,Lab=29,LD=23")
    return shares


def party_column(parties: tuple[str, ...], name: str, new_hint: bool = True) -> int:
    """Column of the party ``name`` stands for (exact, any case, or an alias: :mod:`kingmaker.names`)."""
    hint = "; a party new since the base election must be declared new (new_parties)" if new_hint else ""
    return resolve_index(name, parties, what="party", hint=hint)


def target_vector(
    given: Mapping[str, float], parties: tuple[str, ...], base: np.ndarray, where: str, notes: list[str]
) -> np.ndarray:
    """Percent shares for some parties -> fractions for all (unnamed keep base, or split Other)."""
    values = np.full(len(parties), np.nan)
    other: float | None = None
    for key, value in check_shares(given, what=where).items():
        if key.lower() in OTHER_KEYS and key.lower() not in (p.lower() for p in parties):
            other = value
            continue
        i = party_column(parties, key)
        if not np.isnan(values[i]):
            raise InputError(f"{where}party {parties[i]!r} given twice")
        values[i] = value
    unnamed = np.isnan(values)
    if other is not None:
        pool = base[unnamed]
        if pool.sum() > 0:
            values[unnamed] = other * pool / pool.sum()
        else:
            values[unnamed] = 0.0
            if other > 0:
                notes.append(f"{where}Other={other:g} dropped: no unnamed party had votes at the base")
    else:
        values[unnamed] = 100.0 * base[unnamed]
    total = float(values.sum())
    if abs(total - 100.0) > SHARE_TOLERANCE:
        kept = 100.0 * float(base[unnamed].sum()) if other is None else 0.0
        extra = f" (including {kept:.1f} kept by parties not named)" if kept > 0.05 else ""
        raise InputError(
            f"{where}shares sum to {total:.1f}{extra}, not about 100: refused beyond "
            f"±{SHARE_TOLERANCE:g} points (name every party, or give Other=...)"
        )
    if abs(total - 100.0) > SHARE_SILENT:
        notes.append(f"{where}shares summed to {total:.2f}; normalised to 100")
    return values / total


def national_shares(
    base: Any, *, scope: str = "auto", floor: float = 0.0, places: int | None = None
) -> dict[str, float]:
    """Each party's share (%) of the base votes over the seats national shares describe, largest
    first: Great Britain when ``scope="auto"`` and the table has Northern Ireland seats (the scope
    of national polls, as :func:`kingmaker.projection.project` uses), every seat with
    ``scope="all"``. Parties under ``floor`` percent are left out; ``places`` rounds.

    The starting point of share targets (the web page's sliders start here).
    """
    if scope not in ("auto", "all"):
        raise InputError(f"scope must be auto or all, got {scope!r}")
    rows = np.ones(base.n_districts, dtype=bool)
    if scope == "auto" and base.nations is not None:
        rows = np.array([n != "Northern Ireland" for n in base.nations], dtype=bool)
    totals = np.asarray(base.votes)[rows].sum(axis=0).astype(float)
    shares = 100 * totals / max(float(totals.sum()), 1.0)
    order = np.argsort(-shares, kind="stable")
    return {
        base.parties[i]: float(shares[i]) if places is None else round(float(shares[i]), places)
        for i in order
        if shares[i] >= floor
    }
