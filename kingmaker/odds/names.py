"""Matching a model's runner names to a market's, the way people write names.

A bookmaker writes ``D Miliband`` and ``Balls``; a model's output says ``David Miliband`` and
``Ed Balls``. :func:`match_runners` pairs them, in this order, and says how each pair was made:

1. ``alias``: an explicit table ``{model name: market runner}`` given by the caller;
2. ``exact``: the same name;
3. ``same``: the same name up to case, accents, dots and spacing (``d. miliband``);
4. ``surname``: the same surname (last word) and compatible forenames: a forename and an initial
   agree when the initial is the forename's first letter (``D`` and ``David``); two full forenames
   must be equal (``Ed`` is not ``David``); a name without forenames (``Balls``) agrees with any.
   The match must be unambiguous: a name that fits two runners, or two names that fit one runner,
   is an :class:`~kingmaker.errors.UnknownNameError` naming them (give an alias).

Imports nothing from the rest of :mod:`kingmaker.odds`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kingmaker.errors import InputError, UnknownNameError


@dataclass(frozen=True)
class RunnerMatch:
    """One model name paired with a market runner, and how (``alias``, ``exact``, ``same`` or
    ``surname``: see the module's docstring)."""

    name: str
    runner: str
    how: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "runner": self.runner, "how": self.how}


def _fold(name: str) -> str:
    """Lower case, accents and dots removed, spacing collapsed: ``D. Milibånd`` -> ``d miliband``."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace(".", " ").split())


def _parts(name: str) -> tuple[tuple[str, ...], str]:
    """(forenames or initials, surname) of a folded name."""
    words = _fold(name).split()
    return tuple(words[:-1]), (words[-1] if words else "")


def _compatible(a: str, b: str) -> bool:
    """Two names of the same person as people write them: same surname, forenames that agree."""
    (fa, sa), (fb, sb) = _parts(a), _parts(b)
    if not sa or sa != sb:
        return False
    for x, y in zip(fa, fb, strict=False):  # the forenames both give, in order
        if x[0] != y[0]:
            return False
        if len(x) > 1 and len(y) > 1 and x != y:
            return False
    return True


def parse_aliases(items: Iterable[str], what: str = "alias") -> dict[str, str]:
    """``["David Miliband=D Miliband", ...]`` (commas also separate pairs) -> ``{model name: runner}``."""
    out: dict[str, str] = {}
    for item in items:
        for pair in item.split(","):
            if not pair.strip():
                continue
            name, sep, runner = pair.partition("=")
            if not sep or not name.strip() or not runner.strip():
                raise InputError(f"{what}: cannot read {pair.strip()!r}; expected MODEL NAME=RUNNER")
            out[" ".join(name.split())] = " ".join(runner.split())
    return out


def match_runners(
    runners: Sequence[str], names: Iterable[str], aliases: Mapping[str, str] | None = None
) -> list[RunnerMatch]:
    """Each of ``names`` (a model's runners) paired with one of ``runners`` (the market's), in the
    order of ``names``; see the module's docstring for the rules. Refuses a name that matches no
    runner or several, and two names that match the same runner."""
    runners = list(runners)
    aliases = dict(aliases or {})
    for name, runner in aliases.items():
        if runner not in runners:
            raise UnknownNameError(
                f"alias {name!r}={runner!r}: {runner!r} is not in the market ({', '.join(runners)})"
            )
    folded: dict[str, list[str]] = {}
    for r in runners:
        folded.setdefault(_fold(r), []).append(r)
    out: list[RunnerMatch] = []
    for name in names:
        key = " ".join(str(name).split())
        if key in aliases:
            out.append(RunnerMatch(name, aliases[key], "alias"))
        elif name in runners:
            out.append(RunnerMatch(name, name, "exact"))
        elif len(folded.get(_fold(name), [])) == 1:
            out.append(RunnerMatch(name, folded[_fold(name)][0], "same"))
        else:
            fits = [r for r in runners if _compatible(name, r)]
            if len(fits) > 1:
                raise UnknownNameError(
                    f"model runner {name!r} could be any of {', '.join(fits)}; "
                    f"give an alias, e.g. {name}={fits[0]}"
                )
            if not fits:
                raise UnknownNameError(f"model runner {name!r} is not in the market ({', '.join(runners)})")
            out.append(RunnerMatch(name, fits[0], "surname"))
    seen: dict[str, str] = {}
    for m in out:
        if m.runner in seen:
            raise UnknownNameError(
                f"model runners {seen[m.runner]!r} and {m.name!r} both match {m.runner!r}; give an alias"
            )
        seen[m.runner] = m.name
    return out
