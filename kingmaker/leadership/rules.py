"""Party leadership rules: how a party's electorate is divided into sections and counted.

:class:`PartyRules` (made of :class:`SectionRule`) says whether the sections form a weighted
electoral college, are pooled under one member one vote, or run an MPs' exhaustive ballot
before a members' ballot. Real rules are embedded as TOML presets, each with its sources
(:func:`rule_presets`, :meth:`PartyRules.preset`): ``labour-2010`` (three-section electoral
college, AV), ``labour-2015`` (one member one vote, AV), ``conservative`` (MPs' exhaustive
ballots, then members) and ``libdem`` (AV among members).

This module only describes rules; counting ballots under them is
:func:`kingmaker.leadership.contest.count_sections`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.provenance import frame_html, json_result

RULE_KINDS: tuple[str, ...] = ("college", "omov", "exhaustive")
_PRESET_DIR = "leadership"


@dataclass(frozen=True)
class SectionRule:
    """One section of a party's electorate: a college weight, or a stage of the count."""

    name: str
    title: str = ""
    weight: Fraction | None = None
    stage: str | None = None

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d: dict[str, Any] = {"name": self.name, "title": self.title}
        if self.weight is not None:
            d["weight"] = str(self.weight)
        if self.stage is not None:
            d["stage"] = self.stage
        return d


@dataclass(frozen=True)
class PartyRules:
    """How a party elects its leader: the sections of the electorate and how they are counted.

    ``kind``: ``college`` (weighted sections, AV on the college total), ``omov`` (one member
    one vote: sections pooled, AV) or ``exhaustive`` (MPs' exhaustive ballots down to two,
    then a members' ballot).
    """

    name: str
    title: str
    kind: str
    sections: tuple[SectionRule, ...]
    count: str = "av"
    description: str = ""
    sources: tuple[str, ...] = ()
    nomination_threshold: str = ""

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise InputError(f"unknown rules kind {self.kind!r}; use one of {', '.join(RULE_KINDS)}")
        if not self.sections:
            raise InputError(f"rules {self.name!r} have no sections")
        names = [s.name for s in self.sections]
        if len(set(names)) != len(names):
            raise InputError(f"rules {self.name!r} repeat a section name")
        if self.kind == "college" and any(s.weight is None for s in self.sections):
            raise InputError(f"every section of the college {self.name!r} needs a weight")
        if self.kind == "exhaustive":
            stages = [s.stage for s in self.sections]
            if sorted(stages, key=str) != ["exhaustive", "final"]:
                raise InputError(
                    f"exhaustive rules {self.name!r} need one section with stage 'exhaustive' "
                    "and one with stage 'final'"
                )

    @property
    def section_names(self) -> tuple[str, ...]:
        """Names of the sections, in order."""
        return tuple(s.name for s in self.sections)

    def section(self, name: str) -> SectionRule:
        """The section called ``name``."""
        for s in self.sections:
            if s.name == name:
                return s
        raise UnknownNameError(
            f"rules {self.name!r} have no section {name!r}; sections: {', '.join(self.section_names)}"
        )

    def stage_section(self, stage: str) -> SectionRule:
        """The section with the given stage (exhaustive rules)."""
        return next(s for s in self.sections if s.stage == stage)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> PartyRules:
        """Build from a preset's TOML table."""
        try:
            sections = []
            for s in data.get("sections", []):
                if not isinstance(s, Mapping) or "name" not in s:
                    raise InputError("each [[sections]] needs a name", source=source)
                w = s.get("weight")
                weight = None
                if w is not None:
                    try:
                        weight = Fraction(str(w))
                    except (ValueError, ZeroDivisionError):
                        raise InputError(f"bad section weight {w!r}", source=source) from None
                    if weight < 0:
                        raise InputError(f"section weight {w!r} is negative", source=source)
                sections.append(SectionRule(str(s["name"]), str(s.get("title", "")), weight, s.get("stage")))
            sources = data.get("sources", ())
            if isinstance(sources, str):
                sources = (sources,)
            return cls(
                name=str(data.get("name", "custom")),
                title=str(data.get("title", "")),
                kind=str(data.get("kind", "")),
                sections=tuple(sections),
                count=str(data.get("count", "av")),
                description=str(data.get("description", "")).strip(),
                sources=tuple(str(x) for x in sources),
                nomination_threshold=str(data.get("nomination_threshold", "")),
            )
        except InputError as exc:
            if exc.source is None and source is not None:
                raise InputError(str(exc), source=source) from None
            raise

    @classmethod
    def preset(cls, name: str) -> PartyRules:
        """An embedded preset by name (see :func:`rule_presets`)."""
        from kingmaker.presets import LEADERSHIP_RULES

        entry = LEADERSHIP_RULES.get(name, what="leadership rules")
        return cls.from_dict(tomllib.loads(entry.obj.read_text("utf-8")), source=f"preset {entry.name}")

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "count": self.count,
            "description": self.description,
            "sources": list(self.sources),
            "nomination_threshold": self.nomination_threshold,
            "sections": [s.to_dict() for s in self.sections],
        }

    def to_frame(self) -> Any:
        """Sections as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([s.to_dict() for s in self.sections]).set_index("name")

    def _repr_html_(self) -> str:
        return frame_html(self, f"{self.name}: {self.title}")


def _preset_root() -> Any:
    return resources.files("kingmaker.presets").joinpath(_PRESET_DIR)


def rule_presets() -> tuple[str, ...]:
    """Names of the embedded leadership-rule presets (the preset registry's entries), sorted."""
    from kingmaker.presets import LEADERSHIP_RULES

    return tuple(sorted(LEADERSHIP_RULES.names()))


__all__ = ["RULE_KINDS", "PartyRules", "SectionRule", "rule_presets"]
