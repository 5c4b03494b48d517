"""One resolver for party and candidate names, used wherever a user names a party.

A name given by a user, a poll or another file is matched against the names a table or a
parliament knows, in this order:

1. exactly (``Lab`` -> ``Lab``);
2. ignoring case (``lab`` -> ``Lab``), provided exactly one known name matches;
3. through the alias table of the reader layer, :data:`kingmaker.party_names.PARTY_ALIASES`
   (``Grn`` -> ``Green``, ``Spk`` -> ``Speaker``, ``APNI`` -> ``Alliance``), itself exactly or
   ignoring case, and in reverse (``Green`` finds a table that still spells it ``Grn``);
4. with ``fold_independents=True`` only, a numbered independent column (``Ind2``, ``Ind (3)``)
   -> ``Ind`` when that is the only independent name known (a results file's columns against a
   parliament that seats independents together).

Anything else raises :class:`~kingmaker.errors.UnknownNameError` naming what the caller was
looking for (``what=``: "party", "candidate"), the nearest known names and the known names; a
name that matches two known names ignoring case is refused as ambiguous. The messages never name
a command-line flag: the caller passes its own ``label`` to start them ("excluded", "--with").

Used by :meth:`kingmaker.votes.VoteTable.party_index`, :meth:`kingmaker.parliament.Parliament.
parse_party_list`, the projection's share targets and the forecast's coalitions, so every command
that takes a party accepts the same spellings.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.party_names import PARTY_ALIASES, is_independent_column

#: Known names shown in full in an error message; beyond this they are cut with "...".
SHOWN_NAMES = 30


def _plural(what: str) -> str:
    if what.endswith("s"):
        return what
    if what.endswith("y") and what[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{what[:-1]}ies"
    return f"{what}s"


def _matches(name: str, known: Sequence[str]) -> list[int]:
    """Columns of ``known`` equal to ``name``, else equal ignoring case."""
    exact = [i for i, k in enumerate(known) if k == name]
    if exact:
        return exact[:1]
    folded = name.casefold()
    return [i for i, k in enumerate(known) if k.casefold() == folded]


def resolve_index(
    name: str,
    known: Sequence[str],
    *,
    what: str = "party",
    aliases: Mapping[str, str] = PARTY_ALIASES,
    fold_independents: bool = False,
    hint: str = "",
    label: str = "",
) -> int:
    """Position in ``known`` of the name ``name`` stands for (see the module docstring).

    ``what`` names the kind of value in messages ("party", "candidate"); ``label``, when given,
    starts each message (the caller's name for where the value came from, e.g. ``excluded`` or a
    command-line flag); ``hint`` is appended to an unknown-name message (e.g. how to declare a
    new party).
    """
    where = f"{label}: " if label else ""
    known = tuple(known)
    if name in known:
        return known.index(name)
    text = " ".join(str(name).split())
    if not text:
        raise InputError(f"{where}empty {what} name")
    hits = _matches(text, known)
    if not hits:
        canonical = {a.casefold(): c for a, c in aliases.items()}
        spelled = {c.casefold(): a for a, c in aliases.items()}
        for other in (canonical.get(text.casefold()), spelled.get(text.casefold())):
            if other is not None and not hits:
                hits = _matches(other, known)
    if not hits and fold_independents and is_independent_column(text):
        independents = [i for i, k in enumerate(known) if is_independent_column(k)]
        if len(independents) == 1:
            hits = independents
    if len(hits) > 1:
        both = ", ".join(repr(known[i]) for i in hits)
        raise UnknownNameError(
            f"{where}ambiguous {what} {text!r}: it matches {both}; give the exact spelling"
        )
    if hits:
        return hits[0]
    near = difflib.get_close_matches(text, known, n=3, cutoff=0.6)
    near += [k for k in difflib.get_close_matches(text.casefold(), [k.casefold() for k in known]) if k]
    near_names = list(dict.fromkeys(k for k in known if k in near or k.casefold() in near))[:3]
    guess = f" (did you mean {', '.join(map(repr, near_names))}?)" if near_names else ""
    shown = ", ".join(known[:SHOWN_NAMES]) + (" ..." if len(known) > SHOWN_NAMES else "")
    raise UnknownNameError(f"{where}unknown {what} {text!r}{guess}; known {_plural(what)}: {shown}{hint}")


def resolve(
    name: str,
    known: Sequence[str],
    *,
    what: str = "party",
    aliases: Mapping[str, str] = PARTY_ALIASES,
    fold_independents: bool = False,
    hint: str = "",
    label: str = "",
) -> str:
    """The known name ``name`` stands for (see :func:`resolve_index`)."""
    known = tuple(known)
    i = resolve_index(
        name, known, what=what, aliases=aliases, fold_independents=fold_independents, hint=hint, label=label
    )
    return known[i]


def resolve_all(
    names: str | Iterable[str],
    known: Sequence[str],
    *,
    what: str = "party",
    separators: str = ",",
    aliases: Mapping[str, str] = PARTY_ALIASES,
    label: str = "",
) -> tuple[str, ...]:
    """Each of ``names`` resolved, duplicates dropped, in the order given.

    A string is split on any of ``separators`` (``","`` or ``",+"``); an empty list is an
    :class:`~kingmaker.errors.InputError`. ``what`` and ``label`` as in :func:`resolve_index`.
    """
    where = f"{label}: " if label else ""
    if isinstance(names, str):
        text = names
        for sep in separators[1:]:
            text = text.replace(sep, separators[0])
        items = [t.strip() for t in text.split(separators[0])]
    else:
        items = [str(t).strip() for t in names]
    items = [t for t in items if t]
    if not items:
        raise InputError(f"{where}give at least one {what} name")
    out: list[str] = []
    for item in items:
        name = resolve(item, known, what=what, aliases=aliases, label=label)
        if name not in out:
            out.append(name)
    return tuple(out)


__all__ = ["resolve", "resolve_all", "resolve_index"]
