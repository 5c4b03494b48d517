"""One key per party across every results file: the alias table the readers, the name resolver
and the seat rules share.

The official files spell the same party differently: the Electoral Commission's 2010 flat file
has ``Grn``, ``Speaker`` and ``APNI``; the House of Commons Library's candidate files have
``Green``, ``Spk`` and (2015, 2019) ``Alliance`` or (2017, 2024) ``APNI``. Every reader in
:mod:`kingmaker.io.hoc` renames its columns through :data:`PARTY_ALIASES`, so that every data set
uses the keys of the parliament presets (``kingmaker/presets/uk-*.toml``): ``Green``,
``Speaker``, ``Alliance``. :meth:`kingmaker.votes.VoteTable.party_index` also accepts the old
spellings, so ``table.party_index("Grn")`` finds ``Green``.

What is deliberately *not* merged:

- ``UCUNF`` (Ulster Conservatives and Unionists - New Force, 2010) stays ``UCUNF``: it was a
  joint Conservative-UUP ticket, neither party alone; the column is marked as grouped.
- ``Green`` in the Library's files already combines the Green Party of England and Wales, the
  Scottish Greens and the Green Party in Northern Ireland (separate parties); the EC's ``Grn``
  holds the same three, so the two keys mean the same thing.

Columns that are *not a party* (:func:`non_party_columns`): an independent column (``Ind``,
``Ind1``..``Ind5``, ``Ind (2)``, ...) holds a different candidate in every seat, and the
Speaker stands as "the Speaker seeking re-election", not for a party. Each is a real candidate in
their own constituency, but pooling their votes over a region or the country would invent a
party: list, quota and mixed allocations above the district level set them aside (their votes
still count in the totals) and say so in the result's notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

#: Source spelling -> the key every kingmaker data set uses (the parliament presets' names).
PARTY_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "Grn": "Green",
        "Spk": "Speaker",
        "APNI": "Alliance",
    }
)

#: What each canonical key means, for documentation and error messages.
CANONICAL_PARTIES: Mapping[str, str] = MappingProxyType(
    {
        "Green": "Green parties (GB and Northern Ireland); EC 2010 'Grn'",
        "Speaker": "the Speaker seeking re-election; EC 2010 'Speaker', HoC Library 'Spk'",
        "Alliance": "Alliance Party of Northern Ireland; EC 2010 and HoC 2017/2024 'APNI'",
        "UCUNF": "Conservative-UUP joint ticket in Northern Ireland (2010): kept as one grouped column",
    }
)

INDEPENDENT_NOTE = (
    "independent candidates: a different person in each seat, so not a party; in list, quota "
    "and mixed allocations above the district level the column cannot pool and takes no list "
    "seats (its votes still count in the totals)"
)
SPEAKER_NOTE = (
    "the Speaker stands as 'the Speaker seeking re-election', not for a party: the column takes "
    "no list seats above the district level (a constituency the Speaker wins is kept; the votes "
    "still count in the totals)"
)

_INDEPENDENT = re.compile(r"^(ind|independent)\s*(\d+|\(\d+\))?$", re.IGNORECASE)


def canonical_party(name: str) -> str:
    """The key kingmaker uses for a party spelled ``name`` in some file (itself if no alias)."""
    clean = " ".join(str(name).split())
    return PARTY_ALIASES.get(clean, clean)


def canonical_parties(names: Iterable[str]) -> tuple[str, ...]:
    """:func:`canonical_party` of every name; refuses two columns that become one key."""
    raw_names = tuple(names)
    out = tuple(canonical_party(n) for n in raw_names)
    seen: dict[str, str] = {}
    for raw, key in zip(raw_names, out, strict=True):
        if key in seen and seen[key] != raw:
            from kingmaker.errors import InputError

            raise InputError(f"columns {seen[key]!r} and {raw!r} are the same party ({key!r})")
        seen[key] = raw
    return out


def is_independent_column(name: str) -> bool:
    """``Ind``, ``Ind1``..``Ind5``, ``Ind (2)``, ``Independent``: a column of independents."""
    return bool(_INDEPENDENT.match(" ".join(str(name).split())))


def non_party_columns(parties: Iterable[str]) -> dict[str, str]:
    """``{column: note}`` for the columns that are not a party: independents and the Speaker."""
    out: dict[str, str] = {}
    for p in parties:
        if is_independent_column(p):
            out[p] = INDEPENDENT_NOTE
        elif canonical_party(p) == "Speaker":
            out[p] = SPEAKER_NOTE
    return out


# ---------------------------------------------------------------------------- labels for people

#: Short readable labels of the party keys the UK data sets use, for tables people read (the keys
#: stay the data's ids). Looked up case-insensitively, so the 1918-2019 file's ``con``/``lab``
#: buckets read as their parties; ``lib`` depends on the year (:func:`party_label`).
PARTY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "Con": "Conservative",
        "Lab": "Labour",
        "LD": "Lib Dem",
        "Green": "Green",
        "SNP": "SNP",
        "PC": "Plaid Cymru",
        "UKIP": "UKIP",
        "BRX": "Brexit Party",
        "Brexit": "Brexit Party",
        "RUK": "Reform UK",
        "Reform": "Reform UK",
        "DUP": "DUP",
        "SF": "Sinn Féin",
        "SDLP": "SDLP",
        "UUP": "UUP",
        "Alliance": "Alliance",
        "TUV": "TUV",
        "Speaker": "Speaker",
        "UCUNF": "UCU-NF (Con+UUP)",
        "Other": "Others",
        "oth": "Others",
    }
)
_LABELS_FOLDED = {k.casefold(): v for k, v in PARTY_LABELS.items()}
#: Longest source name used as a label as it stands (longer ones keep the column's key).
MAX_LABEL = 28


def liberal_label(election: str | int | None) -> str:
    """What the Liberal bucket of the 1918-2019 file held in ``election``: the Liberals to 1979,
    the SDP-Liberal Alliance in 1983 and 1987, the Liberal Democrats from 1992."""
    try:
        year = int(str(election)[:4])
    except (TypeError, ValueError):
        return "Liberal / Lib Dem"
    if year <= 1979:
        return "Liberal"
    if year <= 1987:
        return "SDP-Liberal Alliance"
    return "Lib Dem"


def party_label(
    column: str,
    *,
    names: Mapping[str, str] | None = None,
    election: str | int | None = None,
) -> str:
    """A readable label of party ``column`` of a results table: :data:`PARTY_LABELS` (any case),
    ``Independent`` for an independents' column (``Ind1``, ``Ind (2)``), else the source's own
    name of the party (``names``, e.g. :attr:`VoteTable.party_names`) where it is short enough,
    else the column itself."""
    key = canonical_party(column)
    if key.casefold() == "lib":
        return liberal_label(election)
    if key.casefold() in _LABELS_FOLDED:
        return _LABELS_FOLDED[key.casefold()]
    if is_independent_column(key):
        return "Independent"
    full = (names or {}).get(column) or (names or {}).get(key)
    if full and len(full) <= MAX_LABEL:
        return full
    return key
