"""Embedded presets: small facts (parliaments, leadership rules and results, with their sources)
shipped as TOML package data, and the registries that list them.

A preset registers by existing: every ``<name>.toml`` here is a parliament preset and every
``leadership/<name>.toml`` a leadership-rules preset (``*-result.toml`` files are published
results, not rules). The entry's summary is the file's ``title``; the object is the file's
resource, read by :meth:`kingmaker.parliament.Parliament.preset` or
:meth:`kingmaker.leadership.PartyRules.preset`.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable

from kingmaker._registry import Entry, Registry


def _scan(registry: Registry[Traversable], folder: Traversable) -> None:
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml") or path.name.endswith("-result.toml"):
            continue
        data = tomllib.loads(path.read_text("utf-8"))
        name = str(data.get("name") or path.name[:-5])
        registry.add(Entry(name=name, obj=path, summary=str(data.get("title", name))))


#: Parliament presets (``kingmaker/presets/<name>.toml``).
PARLIAMENTS: Registry[Traversable] = Registry(
    "parliament preset", loader=lambda r: _scan(r, resources.files(__name__))
)

#: Leadership-rules presets (``kingmaker/presets/leadership/<name>.toml``).
LEADERSHIP_RULES: Registry[Traversable] = Registry(
    "leadership preset", loader=lambda r: _scan(r, resources.files(__name__).joinpath("leadership"))
)

__all__ = ["LEADERSHIP_RULES", "PARLIAMENTS"]
