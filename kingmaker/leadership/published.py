"""The 2010 Labour leadership college count, recomputed from each section's published figures.

:func:`labour_2010_reproduction` reads the embedded ``labour-2010-result.toml`` (figures and
sources) and recomputes every round whose section figures are all public with the engine's
:func:`~kingmaker.counting.college.college_totals`, in exact Fractions, so the published
percentages can be set beside the engine's (:class:`PublishedContest`,
:class:`PublishedRound`). It checks the engine against a real count; it takes no part in
simulating contests.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from kingmaker.errors import InputError
from kingmaker.leadership.rules import _preset_root


@dataclass(frozen=True)
class PublishedRound:
    """One round of a published college count, recomputed where the section figures are public."""

    number: int
    published: Mapping[str, float]
    computed: Mapping[str, Fraction] | None
    eliminated: str | None
    sections: Mapping[str, Mapping[str, str | int]] | None
    note: str = ""
    missing: tuple[str, ...] = ()
    partial: Mapping[str, Fraction] | None = None

    @property
    def basis(self) -> str:
        """How the round's college totals are known: recomputed, or published totals only."""
        if self.computed is not None:
            return "recomputed from every section"
        return f"published total only ({', '.join(self.missing) or 'section'} figures not found)"

    def computed_rounded(self, places: int = 2) -> dict[str, float] | None:
        """The computed college totals rounded half-up to ``places`` decimals."""
        if self.computed is None:
            return None
        q = Fraction(1, 10**places)
        return {c: float(math.floor(v / q + Fraction(1, 2)) * q) for c, v in self.computed.items()}

    def matches(self, places: int = 2) -> bool | None:
        """True when the computed totals round to the published ones (``None`` if not computed)."""
        got = self.computed_rounded(places)
        if got is None:
            return None
        return all(
            round(got[c], places) == round(v, places)
            for c, v in self.published.items()
            if _decimals(v) >= places
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (computed totals as floats)."""
        return {
            "round": self.number,
            "published": dict(self.published),
            "computed": None if self.computed is None else {c: float(v) for c, v in self.computed.items()},
            "computed_2dp": self.computed_rounded(2),
            "matches": self.matches(2),
            "eliminated": self.eliminated,
            "basis": self.basis,
            "missing_sections": list(self.missing),
            "known_sections_points": None
            if self.partial is None
            else {c: float(v) for c, v in self.partial.items()},
            "note": self.note,
        }


def _decimals(x: float) -> int:
    s = repr(float(x))
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


@dataclass(frozen=True)
class PublishedContest:
    """A published college count set beside the engine's recomputation, round by round."""

    title: str
    rounds: tuple[PublishedRound, ...]
    winner: str
    weights: Mapping[str, Fraction]
    sources: tuple[str, ...]
    gap: str = ""

    @property
    def gaps(self) -> tuple[str, ...]:
        """One line per round that could not be recomputed, saying which sections are missing."""
        return tuple(
            f"round {r.number}: published college totals only; the "
            + " and ".join(f"{m}'" if m.endswith("s") else f"{m}'s" for m in r.missing)
            + " section figures are not obtainable"
            for r in self.rounds
            if r.computed is None
        )

    @property
    def elimination_order(self) -> tuple[str, ...]:
        """Candidates in the order they were eliminated."""
        return tuple(r.eliminated for r in self.rounds if r.eliminated)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "title": self.title,
            "winner": self.winner,
            "elimination_order": list(self.elimination_order),
            "weights": {k: str(v) for k, v in self.weights.items()},
            "rounds": [r.to_dict() for r in self.rounds],
            "gaps": list(self.gaps),
            "gap_note": self.gap,
            "sources": list(self.sources),
        }

    def to_frame(self) -> Any:
        """Candidates by round: published and computed college percentages."""
        import pandas as pd

        rows = []
        for r in self.rounds:
            got = r.computed_rounded(4)
            for c, v in r.published.items():
                rows.append(
                    {
                        "round": r.number,
                        "candidate": c,
                        "published": v,
                        "computed": None if got is None else got.get(c),
                        "eliminated": c == r.eliminated,
                    }
                )
        return pd.DataFrame(rows).set_index(["round", "candidate"])


def labour_2010_reproduction() -> PublishedContest:
    """The 2010 Labour college count recomputed from each section's published figures.

    Rounds 1 and 4 (the final) have every section's figures published: the engine's
    :func:`~kingmaker.counting.college.college_totals` recomputes the college totals exactly
    (Fractions). For rounds 2 and 3 only the college totals and the MPs' and MEPs' section
    (recounted from its published ballots) were found; the members' and affiliates' section
    figures were not, so those rounds are published-total-only (:attr:`PublishedRound.basis`,
    :attr:`PublishedRound.missing`): they carry the published totals, the elimination they
    imply, and the college points the known section contributes (:attr:`PublishedRound.partial`);
    :attr:`PublishedContest.gaps` and ``gap`` state the gap wherever the count is shown.
    Figures, sources and the gap's wording: the embedded ``labour-2010-result.toml``.
    """
    from kingmaker.counting.college import college_totals

    data = tomllib.loads(_preset_root().joinpath("labour-2010-result.toml").read_text("utf-8"))
    weights = {k: Fraction(str(v)) for k, v in data["weights"].items()}
    rounds: list[PublishedRound] = []
    for r in data["rounds"]:
        published = {str(k): float(v) for k, v in r["college"].items()}
        sections = r.get("sections")
        computed = partial = None
        missing = tuple(n for n in weights if not sections or n not in sections)
        if tuple(r.get("missing", ())) != missing:
            raise InputError(
                f"round {r['round']}: 'missing' must list the sections without figures: {missing}"
            )
        if sections and not missing:
            computed = college_totals(sections, weights)
        elif sections:
            # points (of 100) from the sections that are known: weight x share of that section
            partial = {c: Fraction(0) for c in published}
            for name, tally in sections.items():
                got = college_totals({name: tally})
                for c, v in got.items():
                    partial[c] += weights[name] * v
        basis = computed if computed is not None else published
        eliminated = None
        if not r.get("final", False):
            eliminated = min(basis, key=lambda c: basis[c])
        rounds.append(
            PublishedRound(
                number=int(r["round"]),
                published=MappingProxyType(published),
                computed=None if computed is None else MappingProxyType(dict(computed)),
                eliminated=eliminated,
                sections=sections,
                note=str(r.get("note", "")),
                missing=missing,
                partial=None if partial is None else MappingProxyType(partial),
            )
        )
    final = rounds[-1]
    basis = final.computed if final.computed is not None else final.published
    winner = max(basis, key=lambda c: basis[c])
    return PublishedContest(
        title=str(data["title"]),
        rounds=tuple(rounds),
        winner=winner,
        weights=MappingProxyType(weights),
        sources=tuple(data.get("sources", ())),
        gap=" ".join(str(data.get("gap", "")).split()),
    )


__all__ = ["PublishedContest", "PublishedRound", "labour_2010_reproduction"]
