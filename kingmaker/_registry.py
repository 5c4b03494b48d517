"""Registries: every counting method, seat system, swing model, de-vig method, ballot format and
preset is registered once, where it is defined, and enumerated everywhere else.

A registry maps a canonical name (and its aliases) to an :class:`Entry`: the object itself (a
function or a class), a one-line summary, the option names it accepts, the decimals a report
shows, and declared properties that the contract tests check (see :data:`PROPERTIES`). The CLI's
choices and help, the web's ``/api/config`` and the registry-driven tests read from here, so adding
a method is one module plus its ``@REGISTRY.register(...)`` line.

Registries are filled lazily: each names the modules that register into it, and the first lookup
imports them. ``import kingmaker`` therefore stays light, and a module that fails to import fails
loudly at the first lookup instead of silently dropping its entries.

Models: pref_voting's ``@vm`` decorator and registry, scikit-learn's ``all_estimators`` and
votelib's ``register_functions`` (see ``../shared/STYLE.md`` section 1).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from kingmaker.errors import UnknownNameError

T = TypeVar("T")

#: The declared properties an entry may carry, and what each promises (checked by tests/contracts).
PROPERTIES: dict[str, str] = {
    "exact-conservation": "every round accounts for every vote exactly (integers, fixed decimals or fractions)",
    "float-conservation": "every round accounts for every vote to floating-point tolerance",
    "permutation-invariant": "the result does not depend on the order of the ballots or candidates' columns",
    "not-permutation-invariant": "the result may depend on ballot order (random sub-parcels, papers as they lie)",
    "seeded": "randomness comes only from the seed: the same seed gives the same result",
    "deterministic": "no randomness at all",
    "multi-winner": "fills any number of seats",
    "single-winner": "fills one seat only",
    "fills-seats": "always fills exactly the number of seats asked for (when there are enough candidates)",
    "house-monotone": "one more seat never takes a seat away from a party",
    "needs-scipy": "imports SciPy when used",
}


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered thing: its canonical name, the object, and what is declared about it."""

    name: str
    obj: T
    summary: str
    aliases: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    properties: frozenset[str] = frozenset()
    places: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, prop: str) -> bool:
        """True when ``prop`` is declared for this entry."""
        return prop in self.properties

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description (for ``/api/config`` and ``--format json`` listings)."""
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "options": list(self.options),
            "properties": sorted(self.properties),
            "places": self.places,
        }


class Registry(Generic[T]):
    """Name -> :class:`Entry`, filled by ``@registry.register(...)`` in the modules it names.

    ``kind`` names the registry in messages ("counting method", "seat system", ...);
    ``modules`` are imported on first lookup so that their registrations run; ``loader``, if
    given, is called then too (for entries that are data files rather than code, like presets).
    """

    def __init__(
        self,
        kind: str,
        modules: tuple[str, ...] = (),
        loader: Callable[[Registry[T]], None] | None = None,
    ) -> None:
        self.kind = kind
        self._modules = modules
        self._loader = loader
        self._loaded = not modules and loader is None
        self._entries: dict[str, Entry[T]] = {}
        self._lookup: dict[str, str] = {}

    # ------------------------------------------------------------------ filling
    def register(
        self,
        name: str,
        *,
        summary: str,
        aliases: tuple[str, ...] = (),
        options: tuple[str, ...] = (),
        properties: tuple[str, ...] | frozenset[str] = (),
        places: int | None = None,
        **extra: Any,
    ) -> Callable[[T], T]:
        """Decorator: register the decorated function or class under ``name``; returns it unchanged."""

        def decorate(obj: T) -> T:
            self.add(
                Entry(
                    name=name,
                    obj=obj,
                    summary=summary,
                    aliases=tuple(aliases),
                    options=tuple(options),
                    properties=frozenset(properties),
                    places=places,
                    extra=dict(extra),
                )
            )
            return obj

        return decorate

    def add(self, entry: Entry[T]) -> Entry[T]:
        """Add ``entry``; a name or alias already taken by another entry is a programming error."""
        unknown = set(entry.properties) - set(PROPERTIES)
        if unknown:
            raise ValueError(f"{self.kind} {entry.name!r}: undeclared properties {sorted(unknown)}")
        for key in (entry.name, *entry.aliases):
            folded = key.casefold()
            owner = self._lookup.get(folded)
            if owner is not None and owner != entry.name:
                raise ValueError(f"{self.kind} name {key!r} is taken by {owner!r}")
            self._lookup[folded] = entry.name
        self._entries[entry.name] = entry
        return entry

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._modules:
            importlib.import_module(module)
        if self._loader is not None:
            self._loader(self)

    # ------------------------------------------------------------------ lookup
    def get(self, name: str, *, what: str | None = None) -> Entry[T]:
        """The entry for ``name`` or one of its aliases (case-insensitive).

        An unknown name raises :class:`UnknownNameError` listing the choices and the nearest ones;
        ``what`` is the caller's label for the value (``"method"``, ``"--system"``).
        """
        self._load()
        key = self._lookup.get(str(name).strip().casefold())
        if key is None:
            label = what or self.kind
            near = difflib.get_close_matches(str(name).casefold(), list(self._lookup), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(repr(self._lookup[n]) for n in near)}?)" if near else ""
            raise UnknownNameError(f"unknown {label} {name!r}{hint}; choose one of {', '.join(self.names())}")
        return self._entries[key]

    def canonical(self, name: str, *, what: str | None = None) -> str:
        """The canonical name for ``name`` or an alias."""
        return self.get(name, what=what).name

    def _ordered(self) -> list[Entry[T]]:
        """Entries in the order of the modules that register them (then registration order), so
        listings do not depend on which module happened to be imported first."""
        self._load()

        def rank(entry: Entry[T]) -> int:
            module = getattr(entry.obj, "__module__", "") or ""
            for i, name in enumerate(self._modules):
                if module == name or module.startswith(name + "."):
                    return i
            return len(self._modules)

        return sorted(self._entries.values(), key=rank)  # stable: ties keep registration order

    def names(self) -> tuple[str, ...]:
        """Canonical names, in the order of the registering modules."""
        return tuple(e.name for e in self._ordered())

    def choices(self) -> tuple[str, ...]:
        """Every accepted spelling: the canonical names, then the aliases."""
        aliases = tuple(a for e in self._ordered() for a in e.aliases)
        return self.names() + aliases

    def entries(self) -> tuple[Entry[T], ...]:
        """Every entry, in the order of the registering modules."""
        return tuple(self._ordered())

    def with_property(self, prop: str) -> tuple[Entry[T], ...]:
        """The entries that declare ``prop``."""
        if prop not in PROPERTIES:
            raise ValueError(f"unknown property {prop!r}")
        return tuple(e for e in self.entries() if prop in e.properties)

    def help(self) -> str:
        """``name (aliases): summary`` for each entry, one per line, for CLI help texts."""
        lines = []
        for e in self.entries():
            alias = f" ({', '.join(e.aliases)})" if e.aliases else ""
            lines.append(f"{e.name}{alias}: {e.summary}")
        return "\n".join(lines)

    def to_dict(self) -> list[dict[str, Any]]:
        """Every entry as JSON-safe dicts."""
        return [e.to_dict() for e in self.entries()]

    def __contains__(self, name: object) -> bool:
        self._load()
        return isinstance(name, str) and name.strip().casefold() in self._lookup

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} entries)"
