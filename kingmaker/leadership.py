"""Party leadership contests: real party rules, the 2010 Labour arithmetic, and Monte Carlo.

* :class:`PartyRules` and :func:`rule_presets`: embedded TOML presets of real rules, each with
  its sources: ``labour-2010`` (three-section electoral college, AV), ``labour-2015`` (one
  member one vote, AV), ``conservative`` (MPs' exhaustive ballots, then members) and
  ``libdem`` (AV among members).
* :func:`labour_2010_reproduction`: the official college arithmetic of the 2010 Labour contest,
  recomputed from each section's published figures with the engine's college function.
* :class:`Contest` and :meth:`Contest.simulate`: a contest as an analyst has it (first
  preferences per section with Dirichlet uncertainty, plus transfer assumptions: a
  candidate-to-candidate :class:`TransferMatrix` or a :class:`SpatialModel`), counted
  deterministically by the engine (:meth:`Contest.count`) and by vectorised Monte Carlo.

How the Monte Carlo stays the engine's count: a transfer model turns into ranked ballots
(:class:`RankingModel`, rankings conditional on the first preference). The deterministic path
hands those ballots, weighted by the first-preference shares, to the engine
(:mod:`kingmaker.rules.college`, :mod:`kingmaker.rules.irv`, :mod:`kingmaker.rules.exhaustive`).
The vectorised path uses the same ballots: for every set of eliminated candidates it
precomputes where each first preference's ballots sit (an ``n x n`` landing table), so a
section's tally in a simulation is ``shares @ table``, done for all simulations at once. The
round logic (percentages of live ballots, majority test, last place out, backwards
tie-break) follows the engine's rules, and the tests check equality with the engine. One
caveat: an *exact* tie (equal shares with no uncertainty) may be broken by floating-point
noise in the engine's float tallies but by the engine's tie-break rule here; such counts are
reported in :attr:`Simulation.ties` and the notes. With Dirichlet noise ties have probability 0.

Contest configuration (TOML)::

    title = "..."                      # optional
    rules = "labour-2010"              # a preset name, or a [rules] table like a preset file
    candidates = ["A", "B", "C"]
    concentration = 300                # Dirichlet concentration for every section; omit: none
    transfer_concentration = 50        # Dirichlet noise on each transfer row; omit: none
    transfer_draws = 200               # distinct noisy matrices per model (default 200)

    [transfers]                        # candidate-to-candidate matrix, percent; rest exhausts
    A = { B = 60, C = 30 }             # a candidate without a row splits equally
    # or: [spatial] positions = { A = -1.0, B = [0.2, 1.0] ... }, spread, exhaust,
    #     max_preferences, voters (per candidate), seed

    [sections.NAME]                    # one table per section of the rules
    shares = { A = 40, B = 35, C = 25 }   # percent, adding up to 100 (+-1); or votes = {...}
    voters = 126870                    # needed to pool sections under one member one vote
    concentration = 500                # overrides the top-level one
    transfer_concentration = 20        # overrides the top-level one
    # [sections.NAME.transfers] / [sections.NAME.spatial] override the top-level model

Transfer uncertainty: with ``transfer_concentration = c`` each row of a transfer matrix (the
shares going to every other candidate plus the share that exhausts) is drawn from
Dirichlet(``c`` x row) in every simulation: its mean is the row as given, each entry ``p``
has standard deviation ``sqrt(p (1 - p) / (c + 1))``, and zero entries stay zero. The
vectorised count needs a landing table per matrix, so ``transfer_draws`` distinct matrices
are drawn once per run (from the seed) and each simulation picks one of them at random.
Sections that share a transfer model (the top-level one) and its concentration share the
draw in each simulation (the uncertainty is about voters' behaviour, common to sections);
a section with its own matrix gets its own draws. Without ``transfer_concentration`` the
matrix is fixed and the simulation is exactly the engine's count of the drawn shares.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker.ballots import PAD, Ballots
from kingmaker.errors import InputError, RuleError, TooLargeError, UnknownNameError
from kingmaker.result import Result

if TYPE_CHECKING:
    from kingmaker.spoilers import SpoilerReport

RULE_KINDS: tuple[str, ...] = ("college", "omov", "exhaustive")
_PRESET_DIR = "leadership"
#: Most candidates a transfer matrix may have (its rankings grow like n!).
MAX_MATRIX_CANDIDATES = 8
#: Most candidates any contest may have (landing tables grow like 2**n * n * n).
MAX_CANDIDATES = 12
#: Most simulations in one call.
MAX_SIMS = 50_000_000
#: Simulations processed per block (bounds memory). Fixed, so that a seed alone fixes the results.
CHUNK = 50_000
#: Relative tolerance on shares adding up to 100.
SHARE_TOLERANCE = 1.0
#: Distinct noisy transfer matrices drawn per model and run (``transfer_draws``) by default.
TRANSFER_DRAWS = 200
#: Memory allowed for the landing tables of the noisy transfer matrices of one model.
MAX_TRANSFER_TABLE_BYTES = 512 * 2**20


# ============================================================================ rules
@dataclass(frozen=True)
class SectionRule:
    """One section of a party's electorate: a college weight, or a stage of the count."""

    name: str
    title: str = ""
    weight: Fraction | None = None
    stage: str | None = None

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
        if name not in rule_presets():
            raise UnknownNameError(f"unknown leadership rules {name!r}; presets: {', '.join(rule_presets())}")
        text = _preset_root().joinpath(f"{name}.toml").read_text("utf-8")
        return cls.from_dict(tomllib.loads(text), source=f"preset {name}")

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


def _preset_root() -> Any:
    return resources.files("kingmaker.presets").joinpath(_PRESET_DIR)


def rule_presets() -> tuple[str, ...]:
    """Names of the embedded leadership-rule presets."""
    root = _preset_root()
    return tuple(
        sorted(
            p.name[:-5]
            for p in root.iterdir()
            if p.name.endswith(".toml") and not p.name.endswith("-result.toml")
        )
    )


# ============================================================================ 2010 Labour
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
    :func:`~kingmaker.rules.college.college_totals` recomputes the college totals exactly
    (Fractions). For rounds 2 and 3 only the college totals and the MPs' and MEPs' section
    (recounted from its published ballots) were found; the members' and affiliates' section
    figures were not, so those rounds are published-total-only (:attr:`PublishedRound.basis`,
    :attr:`PublishedRound.missing`): they carry the published totals, the elimination they
    imply, and the college points the known section contributes (:attr:`PublishedRound.partial`).
    Figures and sources: the embedded ``labour-2010-result.toml``.
    """
    from kingmaker.rules.college import college_totals

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
    )


# ============================================================================ transfer models
@dataclass(frozen=True, eq=False)
class RankingModel:
    """Rankings conditional on the first preference: ``P(ranking | first)``.

    ``rankings``: ``(R, n)`` candidate indices padded with -1 (a shorter ranking exhausts);
    ``first``: each row's first preference; ``prob``: each row's probability given its first
    preference (they sum to 1 for every first preference).
    """

    n: int
    rankings: np.ndarray
    first: np.ndarray
    prob: np.ndarray

    def ballots(self, candidates: Sequence[str], first_weights: np.ndarray, **kw: Any) -> Ballots:
        """Ranked ballots whose first preferences carry ``first_weights`` (the engine's input)."""
        w = np.asarray(first_weights, dtype=np.float64)[self.first] * self.prob
        keep = w > 0
        if not keep.any():
            raise RuleError("no votes in this section")
        return Ballots.from_matrix(self.rankings[keep], list(candidates), w[keep], **kw)

    def landing_tables(self) -> np.ndarray:
        """``T[mask, i, j]``: share of first preference ``i`` ballots sitting with ``j``.

        ``mask`` is the bitmask of eliminated candidates; ``j`` is the first candidate on the
        ballot not in ``mask``; what is missing from a row has exhausted.
        """
        n = self.n
        if n > MAX_CANDIDATES:
            raise TooLargeError(f"at most {MAX_CANDIDATES} candidates can be simulated")
        R = self.rankings
        tables = np.zeros((1 << n, n, n), dtype=np.float64)
        codes = np.where(R >= 0, R, n)
        bits = 1 << np.arange(n + 1, dtype=np.int64)
        bits[n] = 0
        for mask in range(1 << n):
            dead = np.zeros(n + 1, dtype=bool)
            dead[:n] = (mask & bits[:n]) != 0
            dead[n] = True  # padding is never a landing place
            ok = ~dead[codes]
            has = ok.any(axis=1)
            pos = ok.argmax(axis=1)
            land = R[np.arange(len(R)), pos]
            sel = has
            flat = np.bincount(self.first[sel] * n + land[sel], weights=self.prob[sel], minlength=n * n)
            tables[mask] = flat.reshape(n, n)
        return tables


def _check_names(names: Sequence[str], candidates: Sequence[str], what: str) -> None:
    unknown = [x for x in names if x not in candidates]
    if unknown:
        raise UnknownNameError(
            f"unknown candidate(s) in {what}: {', '.join(map(repr, unknown))}; "
            f"candidates: {', '.join(candidates)}"
        )


@dataclass(frozen=True, eq=False)
class TransferMatrix:
    """Where each candidate's ballots go next: ``matrix[i, j]`` is the share of ``i``'s ballots
    whose next preference is ``j``; ``1 - row sum`` exhausts (no further preference).

    Later preferences follow the same matrix from the candidate just ranked, renormalised over
    the candidates not yet ranked (the exhausting share keeps its weight), so the first
    transfer of ``i``'s own ballots is exactly row ``i``.
    """

    candidates: tuple[str, ...]
    matrix: np.ndarray
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        m = np.array(self.matrix, dtype=np.float64)
        n = len(self.candidates)
        if m.shape != (n, n):
            raise InputError(f"transfer matrix must be {n} x {n}")
        if not np.all(np.isfinite(m)) or np.any(m < 0):
            raise InputError("transfer shares must be finite and non-negative")
        if np.any(np.diag(m) != 0):
            raise InputError("a candidate cannot transfer to themselves")
        if np.any(m.sum(axis=1) > 1 + 1e-9):
            raise InputError("a transfer row adds up to more than 100%")
        m.flags.writeable = False
        object.__setattr__(self, "matrix", m)

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Mapping[str, float]], candidates: Sequence[str], *, percent: bool = True
    ) -> TransferMatrix:
        """From ``{from: {to: share}}`` (percentages unless ``percent=False``).

        A row adding up to less than 100 leaves the rest to exhaust. A candidate with no row
        is assumed to split equally among the others (recorded in :attr:`notes`).
        """
        cands = tuple(candidates)
        _check_names(list(table), cands, "the transfer matrix")
        n = len(cands)
        m = np.zeros((n, n))
        notes = []
        scale = 100.0 if percent else 1.0
        for src, row in table.items():
            if not isinstance(row, Mapping):
                raise InputError(f"transfers of {src!r} must be a table of candidate = share")
            _check_names(list(row), cands, f"the transfers of {src!r}")
            i = cands.index(src)
            for dst, v in row.items():
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise InputError(f"transfer {src!r} -> {dst!r} must be a number, got {v!r}")
                if v < 0 or not math.isfinite(v):
                    raise InputError(f"transfer {src!r} -> {dst!r} is negative or not finite: {v}")
                if dst == src:
                    raise InputError(f"{src!r} cannot transfer to themselves")
                m[i, cands.index(dst)] = v / scale
            total = m[i].sum() * scale
            if total > scale * (1 + SHARE_TOLERANCE / 100):
                raise InputError(f"transfers of {src!r} add up to {total:g}, more than {scale:g}")
            if m[i].sum() > 1:
                m[i] /= m[i].sum()
        for i, c in enumerate(cands):
            if c not in table and n > 1:
                m[i] = 1.0 / (n - 1)
                m[i, i] = 0.0
                notes.append(f"no transfers given for {c}: split equally")
        return cls(cands, m, tuple(notes))

    def draw(self, rng: np.random.Generator, concentration: float) -> TransferMatrix:
        """One noisy matrix: each row (with its exhausting share) drawn from Dirichlet(c x row).

        The row given is the mean; entries that are zero stay zero, and a row with a single
        non-zero entry is unchanged.
        """
        if not (concentration > 0 and math.isfinite(concentration)):
            raise InputError("transfer concentration must be a positive number")
        n = len(self.candidates)
        full = np.zeros((n, n + 1))
        full[:, :n] = self.matrix
        full[:, n] = np.clip(1.0 - self.matrix.sum(axis=1), 0.0, 1.0)
        out = full.copy()
        for i in range(n):
            pos = full[i] > 0
            if pos.sum() > 1:
                out[i] = 0.0
                out[i, pos] = rng.dirichlet(concentration * full[i, pos])
        m = out[:, :n]
        m[np.arange(n), np.arange(n)] = 0.0
        over = m.sum(axis=1)
        m = np.where(over[:, None] > 1, m / np.where(over > 1, over, 1)[:, None], m)  # rounding only
        return TransferMatrix(self.candidates, m, self.notes)

    def ranking_model(self) -> RankingModel:
        """Every ranking the chain can produce, with its probability given its first preference."""
        n = len(self.candidates)
        if n > MAX_MATRIX_CANDIDATES:
            raise TooLargeError(f"a transfer matrix is limited to {MAX_MATRIX_CANDIDATES} candidates")
        T = self.matrix
        exhaust = np.clip(1.0 - T.sum(axis=1), 0.0, 1.0)
        out_rows: list[np.ndarray] = []
        out_prob: list[np.ndarray] = []
        seq = np.arange(n, dtype=np.int8).reshape(n, 1)
        prob = np.ones(n)
        used = (1 << np.arange(n)).astype(np.int64)
        bits = 1 << np.arange(n, dtype=np.int64)
        for depth in range(1, n + 1):
            last = seq[:, -1].astype(np.int64)
            free = (used[:, None] & bits[None, :]) == 0
            W = T[last] * free
            denom = W.sum(axis=1) + exhaust[last]
            stop_p = np.where(denom > 0, prob * exhaust[last] / np.where(denom > 0, denom, 1), prob)
            if depth == n:
                stop_p = prob
            emit = stop_p > 0
            if emit.any():
                rows = np.full((int(emit.sum()), n), PAD, dtype=np.int32)
                rows[:, :depth] = seq[emit]
                out_rows.append(rows)
                out_prob.append(stop_p[emit])
            if depth == n:
                break
            P = np.where(denom[:, None] > 0, prob[:, None] * W / np.where(denom > 0, denom, 1)[:, None], 0)
            si, cj = np.nonzero(P > 0)
            seq = np.concatenate([seq[si], cj.astype(np.int8)[:, None]], axis=1)
            prob = P[si, cj]
            used = used[si] | bits[cj]
            if not len(seq):
                break
        rankings = np.vstack(out_rows)
        probs = np.concatenate(out_prob)
        return RankingModel(n, rankings, rankings[:, 0].astype(np.int64), probs)

    def to_dict(self) -> dict[str, Any]:
        """``{"matrix": {from: {to: percent}}}``."""
        return {
            "matrix": {
                a: {
                    b: round(float(self.matrix[i, j]) * 100, 6)
                    for j, b in enumerate(self.candidates)
                    if self.matrix[i, j] > 0
                }
                for i, a in enumerate(self.candidates)
            }
        }


@dataclass(frozen=True, eq=False)
class SpatialModel:
    """Voters rank candidates by distance on one or two dimensions.

    A voter whose first preference is ``i`` sits at ``positions[i]`` plus Gaussian noise of
    standard deviation ``spread`` per dimension, keeps ``i`` first and ranks the others by
    distance. After each further preference a ballot stops with probability ``exhaust``;
    ``max_preferences`` caps its length. The conditional ranking distribution is estimated
    once from ``voters`` voters per candidate drawn with the fixed ``seed``, so the model is
    deterministic and the same for the engine and the Monte Carlo.
    """

    candidates: tuple[str, ...]
    positions: np.ndarray
    spread: float = 0.5
    exhaust: float = 0.0
    max_preferences: int | None = None
    voters: int = 20_000
    seed: int = 0

    def __post_init__(self) -> None:
        p = np.array(self.positions, dtype=np.float64)
        if p.ndim == 1:
            p = p[:, None]
        if p.shape[0] != len(self.candidates) or p.shape[1] not in (1, 2):
            raise InputError("spatial positions must give one or two coordinates for every candidate")
        if not np.all(np.isfinite(p)):
            raise InputError("spatial positions must be finite")
        if not (self.spread >= 0 and math.isfinite(self.spread)):
            raise InputError("spatial spread must be a non-negative number")
        if not 0 <= self.exhaust < 1:
            raise InputError("spatial exhaust must be in [0, 1)")
        if self.max_preferences is not None and self.max_preferences < 1:
            raise InputError("max_preferences must be at least 1")
        if not 1 <= self.voters <= 1_000_000:
            raise InputError("spatial voters per candidate must be between 1 and 1,000,000")
        p.flags.writeable = False
        object.__setattr__(self, "positions", p)

    def ranking_model(self) -> RankingModel:
        """The empirical ranking distribution of the sampled voters (see the class docstring)."""
        n = len(self.candidates)
        rng = np.random.default_rng(self.seed)
        P = self.positions
        rows_all, first_all, w_all = [], [], []
        depth_cap = n if self.max_preferences is None else min(n, self.max_preferences)
        for i in range(n):
            x = P[i] + rng.normal(0.0, 1.0, size=(self.voters, P.shape[1])) * self.spread
            d = ((x[:, None, :] - P[None, :, :]) ** 2).sum(axis=2)
            d[:, i] = -1.0  # first preference stays first
            order = np.argsort(d, axis=1, kind="stable").astype(np.int32)
            if self.exhaust > 0:
                # stop after each preference with probability exhaust: P(length = l) = (1-e)^(l-1) e
                length = np.minimum(rng.geometric(self.exhaust, size=self.voters), depth_cap)
            else:
                length = np.full(self.voters, depth_cap)
            order[np.arange(n)[None, :] >= length[:, None]] = PAD
            uniq, counts = np.unique(order, axis=0, return_counts=True)
            rows_all.append(uniq)
            first_all.append(np.full(len(uniq), i, dtype=np.int64))
            w_all.append(counts / self.voters)
        return RankingModel(n, np.vstack(rows_all), np.concatenate(first_all), np.concatenate(w_all))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "spatial": {
                "positions": {
                    c: [float(v) for v in self.positions[i]] for i, c in enumerate(self.candidates)
                },
                "spread": self.spread,
                "exhaust": self.exhaust,
                "max_preferences": self.max_preferences,
                "voters": self.voters,
                "seed": self.seed,
            }
        }


TransferModel = TransferMatrix | SpatialModel


# ============================================================================ contest
@dataclass(frozen=True, eq=False)
class SectionInput:
    """What an analyst has for one section: first-preference shares, size, uncertainty, transfers."""

    name: str
    shares: np.ndarray
    transfers: TransferModel
    voters: float | None = None
    concentration: float | None = None
    transfer_concentration: float | None = None

    def __post_init__(self) -> None:
        s = np.array(self.shares, dtype=np.float64)
        if s.ndim != 1 or not np.all(np.isfinite(s)) or np.any(s < 0) or s.sum() <= 0:
            raise InputError(f"section {self.name!r}: shares must be non-negative and not all zero")
        s = s / s.sum()
        s.flags.writeable = False
        object.__setattr__(self, "shares", s)
        if self.voters is not None and not (self.voters > 0 and math.isfinite(self.voters)):
            raise InputError(f"section {self.name!r}: voters must be a positive number")
        if self.concentration is not None and not (self.concentration > 0):
            raise InputError(f"section {self.name!r}: concentration must be positive (omit it for none)")
        if self.concentration is not None and math.isinf(self.concentration):
            object.__setattr__(self, "concentration", None)
        tc = self.transfer_concentration
        if tc is not None:
            if not tc > 0:
                raise InputError(
                    f"section {self.name!r}: transfer_concentration must be positive (omit it for none)"
                )
            if math.isinf(tc):
                object.__setattr__(self, "transfer_concentration", None)
            elif not isinstance(self.transfers, TransferMatrix):
                raise InputError(
                    f"section {self.name!r}: transfer_concentration needs a [transfers] matrix "
                    "(a spatial model has its own spread)"
                )

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws of the shares: Dirichlet(concentration * shares), or the shares themselves."""
        n = len(self.shares)
        if self.concentration is None:
            return np.broadcast_to(self.shares, (size, n)).copy()
        pos = self.shares > 0
        out = np.zeros((size, n))
        if pos.sum() == 1:
            out[:, pos] = 1.0
        else:
            out[:, pos] = rng.dirichlet(self.concentration * self.shares[pos], size=size)
        return out


@dataclass(frozen=True, eq=False)
class Contest:
    """A leadership contest: party rules, candidates and each section's inputs.

    Read one from TOML with :meth:`read` (see ``tests/data/leadership/*.toml``), count it
    deterministically with :meth:`count` (the engine), or simulate it with :meth:`simulate`.
    """

    rules: PartyRules
    candidates: tuple[str, ...]
    sections: tuple[SectionInput, ...]
    title: str = ""
    notes: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)
    transfer_draws: int = TRANSFER_DRAWS

    def __post_init__(self) -> None:
        if (
            isinstance(self.transfer_draws, bool)
            or not isinstance(self.transfer_draws, int | np.integer)
            or not 1 <= self.transfer_draws <= 100_000
        ):
            raise InputError(
                f"transfer_draws must be a whole number from 1 to 100,000, got {self.transfer_draws!r}",
                source=self.source,
            )
        cands = tuple(str(c) for c in self.candidates)
        if len(cands) < 2:
            raise InputError("a contest needs at least two candidates", source=self.source)
        if len(set(cands)) != len(cands):
            raise InputError("duplicate candidate names", source=self.source)
        if len(cands) > MAX_CANDIDATES:
            raise TooLargeError(f"at most {MAX_CANDIDATES} candidates can be simulated")
        object.__setattr__(self, "candidates", cands)
        got = [s.name for s in self.sections]
        want = list(self.rules.section_names)
        _check_sections(got, want, self.rules.name, self.source)
        order = {n: i for i, n in enumerate(want)}
        object.__setattr__(self, "sections", tuple(sorted(self.sections, key=lambda s: order[s.name])))
        for s in self.sections:
            if len(s.shares) != len(cands):
                raise InputError(f"section {s.name!r}: one share per candidate is needed", source=self.source)
        if (
            self.rules.kind == "omov"
            and len(self.sections) > 1
            and any(s.voters is None for s in self.sections)
        ):
            raise InputError(
                "one member one vote with several sections needs 'voters' for every section (to pool them)",
                source=self.source,
            )

    # ------------------------------------------------------------------ reading
    @classmethod
    def read(cls, path: str | Path) -> Contest:
        """Read a contest configuration (TOML)."""
        p = Path(path)
        if not p.exists():
            raise InputError("file not found", source=str(path))
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read: {exc}", source=str(path)) from None
        return cls.from_toml(text, source=str(path))

    @classmethod
    def from_toml(cls, text: str, source: str | None = None) -> Contest:
        """Parse a contest configuration from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"malformed TOML: {exc}", source=source) from None
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Contest:
        """Build from the parsed configuration (see the module docstring for the keys)."""
        try:
            return _contest_from_dict(data, source)
        except InputError as exc:
            if exc.source is None and source is not None and not str(exc).startswith(f"{source}:"):
                raise type(exc)(str(exc), source=source) from None
            raise

    # ------------------------------------------------------------------ the engine
    def section(self, name: str) -> SectionInput:
        """The input of section ``name``."""
        for s in self.sections:
            if s.name == name:
                return s
        raise UnknownNameError(f"no section {name!r}; sections: {', '.join(self.rules.section_names)}")

    def expected_ballots(
        self,
        shares: Mapping[str, np.ndarray] | None = None,
        withdrawn: Sequence[str] = (),
        transfers: Mapping[str, TransferModel] | None = None,
    ) -> dict[str, Ballots]:
        """Each section's ranked ballots implied by its shares and transfer model.

        Weights are the section's voters (or 100) times share times ranking probability.
        ``shares`` and ``transfers`` override the sections' shares and transfer models
        (one draw of a simulation: ``Simulation.kept``).
        """
        out = {}
        for s in self.sections:
            sh = s.shares if shares is None else np.asarray(shares[s.name], dtype=np.float64)
            total = s.voters if s.voters is not None else 100.0
            model = _ranking_model(s.transfers if transfers is None else transfers.get(s.name, s.transfers))
            out[s.name] = model.ballots(
                self.candidates,
                sh / sh.sum() * total,
                withdrawn=[self.candidates.index(c) for c in withdrawn],
                title=f"{self.title} ({s.name})" if self.title else s.name,
            )
        return out

    def count(
        self,
        shares: Mapping[str, np.ndarray] | None = None,
        withdrawn: Sequence[str] = (),
        transfers: Mapping[str, TransferModel] | None = None,
    ) -> Result:
        """The deterministic count by the engine under the party's rules.

        ``shares`` and ``transfers`` (section -> model) override the central inputs.
        """
        _check_names(list(withdrawn), self.candidates, "withdrawn")
        ballots = self.expected_ballots(shares, withdrawn, transfers)
        return count_sections(self.rules, ballots, {s.name: s.voters for s in self.sections})

    # ------------------------------------------------------------------ Monte Carlo
    def simulate(
        self,
        sims: int,
        seed: int | None = None,
        *,
        withdrawn: Sequence[str] = (),
        keep: int = 0,
    ) -> Simulation:
        """Monte Carlo: ``sims`` contests with shares drawn around the given ones.

        Returns each candidate's probability of winning and of reaching each round. With a
        fixed ``seed`` the result is reproducible. ``keep`` keeps the first ``keep``
        simulations' shares and round tallies (for checking against the engine).
        """
        return simulate_contest(self, sims, seed, withdrawn=withdrawn, keep=keep)

    def spoilers(self, methods: Sequence[str] | None = None) -> SpoilerReport:
        """Spoiler recounts (by the party's rules) and other methods on the expected ballots."""
        from kingmaker.spoilers import METHODS, spoiler_analysis, weighted_union

        ballots = self.expected_ballots()
        names = list(ballots)
        if self.rules.kind == "college":
            union = weighted_union([(ballots[n], float(self.rules.section(n).weight or 0)) for n in names])
        elif self.rules.kind == "omov":
            union = weighted_union([(ballots[n], float(self.section(n).voters or 1.0)) for n in names])
        else:
            union = ballots[self.rules.stage_section("final").name]
        voters = {s.name: s.voters for s in self.sections}

        def recount(b: Ballots) -> Result:
            return count_sections(
                self.rules,
                {n: x.with_withdrawn([b.candidates[c] for c in b.withdrawn]) for n, x in ballots.items()},
                voters,
            )

        return spoiler_analysis(
            union, count=recount, method=self.rules.name, methods=METHODS if methods is None else methods
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form of the inputs."""
        return {
            "title": self.title,
            "rules": self.rules.name,
            "candidates": list(self.candidates),
            "sections": {
                s.name: {
                    "shares": {
                        c: round(float(v) * 100, 6) for c, v in zip(self.candidates, s.shares, strict=True)
                    },
                    "voters": s.voters,
                    "concentration": s.concentration,
                    "transfer_concentration": s.transfer_concentration,
                    **s.transfers.to_dict(),
                }
                for s in self.sections
            },
            "transfer_draws": self.transfer_draws,
            "notes": list(self.notes),
        }


_RANKING_CACHE: dict[int, tuple[TransferModel, RankingModel, np.ndarray | None]] = {}


def _ranking_model(model: TransferModel) -> RankingModel:
    if len(_RANKING_CACHE) > 32:
        _RANKING_CACHE.clear()
    hit = _RANKING_CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    rm = model.ranking_model()
    _RANKING_CACHE[id(model)] = (model, rm, None)
    return rm


def _landing_tables(model: TransferModel) -> np.ndarray:
    rm = _ranking_model(model)
    hit = _RANKING_CACHE[id(model)]
    if hit[2] is None:
        tables = rm.landing_tables()
        _RANKING_CACHE[id(model)] = (model, rm, tables)
        return tables
    return hit[2]


def _check_sections(got: Sequence[str], want: Sequence[str], rules: str, source: str | None) -> None:
    unknown = [g for g in got if g not in want]
    if unknown:
        raise UnknownNameError(
            (f"{source}: " if source else "")
            + f"unknown section(s) {', '.join(map(repr, unknown))} for rules {rules!r}; "
            f"sections: {', '.join(want)}"
        )
    missing = [w for w in want if w not in got]
    if missing:
        raise InputError(f"no inputs for section(s) {', '.join(missing)} of rules {rules!r}", source=source)


def count_sections(
    rules: PartyRules, ballots: Mapping[str, Ballots], voters: Mapping[str, float | None] | None = None
) -> Result:
    """Count sections' ranked ballots under ``rules`` with the engine.

    ``college``: :func:`kingmaker.rules.college.college` with the rules' weights; ``omov``:
    the sections' ballots pooled (each weighted as cast) and counted by AV
    (:func:`kingmaker.counting.count`); ``exhaustive``:
    :func:`kingmaker.rules.exhaustive.exhaustive_ballot`.
    """
    from kingmaker.counting import count

    names = list(rules.section_names)
    _check_sections(list(ballots), names, rules.name, None)
    if rules.kind == "college":
        return count(
            {n: ballots[n] for n in names}, "college", weights={n: rules.section(n).weight for n in names}
        )
    if rules.kind == "exhaustive":
        return count(
            (ballots[rules.stage_section("exhaustive").name], ballots[rules.stage_section("final").name]),
            "exhaustive",
        )
    if len(names) == 1:
        return count(ballots[names[0]], "av")
    from kingmaker.spoilers import weighted_union

    pooled = weighted_union([(ballots[n], float(ballots[n].weights.sum())) for n in names])
    return count(pooled, "av")


def _parse_shares(sec: Mapping[str, Any], cands: tuple[str, ...], name: str) -> np.ndarray:
    has_shares, has_votes = "shares" in sec, "votes" in sec
    if has_shares == has_votes:
        raise InputError(f"section {name!r}: give exactly one of 'shares' (percent) or 'votes' (counts)")
    key = "shares" if has_shares else "votes"
    table = sec[key]
    if not isinstance(table, Mapping) or not table:
        raise InputError(f"section {name!r}: {key} must be a table of candidate = number")
    _check_names(list(table), cands, f"the {key} of section {name!r}")
    out = np.zeros(len(cands))
    for c, v in table.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"section {name!r}: {key} of {c!r} must be a number, got {v!r}")
        if v < 0:
            raise InputError(f"section {name!r}: {key} of {c!r} is negative ({v})")
        out[cands.index(c)] = v
    total = out.sum()
    if total <= 0:
        raise InputError(f"section {name!r}: {key} are all zero")
    if has_shares and abs(total - 100) > SHARE_TOLERANCE:
        raise InputError(
            f"section {name!r}: shares add up to {total:g}, not 100 (within {SHARE_TOLERANCE:g}); "
            "use 'votes' for counts"
        )
    return out / total


def _number(x: Any, what: str, *, allow_none: bool = True) -> float | None:
    if x is None and allow_none:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise InputError(f"{what} must be a number, got {x!r}")
    return float(x)


def _parse_transfers(spec: Mapping[str, Any], cands: tuple[str, ...], where: str) -> TransferModel:
    has_m, has_s = "transfers" in spec, "spatial" in spec
    if has_m and has_s:
        raise InputError(f"{where}: give either [transfers] or [spatial], not both")
    if has_s:
        sp = spec["spatial"]
        if not isinstance(sp, Mapping) or "positions" not in sp:
            raise InputError(f"{where}: [spatial] needs positions = {{candidate = x or [x, y]}}")
        pos = sp["positions"]
        if not isinstance(pos, Mapping):
            raise InputError(f"{where}: spatial positions must be a table")
        _check_names(list(pos), cands, f"{where} spatial positions")
        missing = [c for c in cands if c not in pos]
        if missing:
            raise InputError(f"{where}: no spatial position for {', '.join(missing)}")
        coords = []
        for c in cands:
            v = pos[c]
            v = [v] if isinstance(v, int | float) and not isinstance(v, bool) else v
            if (
                not isinstance(v, list)
                or not 1 <= len(v) <= 2
                or any(isinstance(x, bool) or not isinstance(x, int | float) for x in v)
            ):
                raise InputError(f"{where}: position of {c!r} must be a number or [x, y]")
            coords.append([float(x) for x in v])
        if len({len(v) for v in coords}) != 1:
            raise InputError(f"{where}: every position needs the same number of dimensions")
        known = {"positions", "spread", "exhaust", "max_preferences", "voters", "seed"}
        extra = set(sp) - known
        if extra:
            raise InputError(f"{where}: unknown spatial key(s) {', '.join(sorted(extra))}")
        mp = sp.get("max_preferences")
        return SpatialModel(
            cands,
            np.array(coords),
            spread=_number(sp.get("spread", 0.5), "spread") or 0.0,
            exhaust=_number(sp.get("exhaust", 0.0), "exhaust") or 0.0,
            max_preferences=None if mp is None else int(_number(mp, "max_preferences") or 0),
            voters=int(_number(sp.get("voters", 20_000), "voters") or 0),
            seed=int(_number(sp.get("seed", 0), "seed") or 0),
        )
    if has_m:
        table = spec["transfers"]
        if not isinstance(table, Mapping):
            raise InputError(f"{where}: [transfers] must be a table of candidate = {{candidate = percent}}")
        return TransferMatrix.from_mapping(table, cands)
    raise InputError(f"{where}: give transfer assumptions: [transfers] (a matrix) or [spatial]")


def _contest_from_dict(data: Mapping[str, Any], source: str | None) -> Contest:
    known = {
        "title",
        "rules",
        "candidates",
        "concentration",
        "transfer_concentration",
        "transfer_draws",
        "transfers",
        "spatial",
        "sections",
        "notes",
    }
    extra = set(data) - known
    if extra:
        raise InputError(f"unknown key(s) {', '.join(sorted(extra))}; known: {', '.join(sorted(known))}")
    rules_spec = data.get("rules")
    if isinstance(rules_spec, str):
        rules = PartyRules.preset(rules_spec)
    elif isinstance(rules_spec, Mapping):
        rules = PartyRules.from_dict(rules_spec)
    else:
        raise InputError(f"'rules' must name a preset ({', '.join(rule_presets())}) or be a [rules] table")
    cands = data.get("candidates")
    if not isinstance(cands, list) or not all(isinstance(c, str) and c.strip() for c in cands):
        raise InputError("'candidates' must be a list of names")
    cands_t = tuple(cands)
    conc0 = data.get("concentration")
    if conc0 is not None:
        conc0 = _number(conc0, "concentration")
        if conc0 is not None and conc0 <= 0:
            raise InputError(f"concentration must be positive (omit it for no uncertainty), got {conc0:g}")
    tconc0 = _number(data.get("transfer_concentration"), "transfer_concentration")
    if tconc0 is not None and tconc0 <= 0:
        raise InputError(f"transfer_concentration must be positive (omit it for none), got {tconc0:g}")
    draws = data.get("transfer_draws", TRANSFER_DRAWS)
    if isinstance(draws, bool) or not isinstance(draws, int):
        raise InputError(f"transfer_draws must be a whole number, got {draws!r}")
    default_model = None
    if "transfers" in data or "spatial" in data:
        default_model = _parse_transfers(data, cands_t, "top level")
    secs = data.get("sections")
    if not isinstance(secs, Mapping) or not secs:
        raise InputError("no [sections.NAME] tables")
    _check_sections(list(secs), list(rules.section_names), rules.name, None)
    sections = []
    notes = list(data.get("notes", []) if isinstance(data.get("notes", []), list) else [])
    for name, sec in secs.items():
        if not isinstance(sec, Mapping):
            raise InputError(f"[sections.{name}] must be a table")
        allowed = {
            "shares",
            "votes",
            "voters",
            "concentration",
            "transfer_concentration",
            "transfers",
            "spatial",
            "title",
        }
        extra = set(sec) - allowed
        if extra:
            raise InputError(f"section {name!r}: unknown key(s) {', '.join(sorted(extra))}")
        shares = _parse_shares(sec, cands_t, name)
        model = (
            _parse_transfers(sec, cands_t, f"section {name!r}")
            if ("transfers" in sec or "spatial" in sec)
            else default_model
        )
        if model is None:
            raise InputError(f"section {name!r}: no transfer assumptions ([transfers] or [spatial])")
        conc = sec.get("concentration", conc0)
        conc = _number(conc, f"section {name!r}: concentration")
        if conc is not None and conc <= 0:
            raise InputError(f"section {name!r}: concentration must be positive, got {conc:g}")
        voters = _number(sec.get("voters"), f"section {name!r}: voters")
        if voters is None and "votes" in sec and rules.kind == "omov":
            voters = float(sum(v for v in sec["votes"].values()))
        tconc = _number(
            sec.get("transfer_concentration", tconc0), f"section {name!r}: transfer_concentration"
        )
        if tconc is not None and not isinstance(model, TransferMatrix):
            if "transfer_concentration" in sec or ("transfers" not in sec and "spatial" not in sec):
                raise InputError(
                    f"section {name!r}: transfer_concentration needs a [transfers] matrix "
                    "(a spatial model has its own spread)"
                )
            tconc = None  # the top-level concentration does not reach a section's own spatial model
        sections.append(SectionInput(str(name), shares, model, voters, conc, tconc))
        if isinstance(model, TransferMatrix):
            notes += [n for n in model.notes if n not in notes]
    return Contest(
        rules,
        cands_t,
        tuple(sections),
        title=str(data.get("title", "")),
        notes=tuple(str(n) for n in notes),
        source=source,
        transfer_draws=draws,
    )


# ============================================================================ simulation
@dataclass(frozen=True)
class Simulation:
    """Monte Carlo result: probabilities of winning and of reaching each round.

    ``reach[c][k]`` is the probability that candidate ``c`` is still in the count at round
    ``k + 1`` (round 1 is 1 for everyone). ``deterministic_winner`` is the engine's count at
    the central shares. ``to_dict()`` has ``win_probability`` so that it feeds
    ``kingmaker odds --model``.
    """

    title: str
    rules: str
    candidates: tuple[str, ...]
    sims: int
    seed: int | None
    win_probability: Mapping[str, float]
    reach: Mapping[str, tuple[float, ...]]
    round_labels: tuple[str, ...]
    deterministic_winner: str
    ties: int = 0
    elapsed: float = 0.0
    withdrawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    kept: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    winners: np.ndarray | None = field(default=None, compare=False, repr=False)

    def standard_error(self, candidate: str) -> float:
        """Monte Carlo standard error of a win probability."""
        p = self.win_probability[candidate]
        return math.sqrt(p * (1 - p) / self.sims)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: ``win_probability``, ``reach_round`` per candidate, and the settings."""
        return {
            "title": self.title,
            "rules": self.rules,
            "sims": self.sims,
            "seed": self.seed,
            "win_probability": dict(self.win_probability),
            "standard_error": {c: self.standard_error(c) for c in self.candidates},
            "reach_round": {
                c: dict(zip(self.round_labels, self.reach[c], strict=True)) for c in self.candidates
            },
            "deterministic_winner": self.deterministic_winner,
            "withdrawn": list(self.withdrawn),
            "ties": self.ties,
            "elapsed_seconds": round(self.elapsed, 4),
            "notes": list(self.notes),
        }

    def to_frame(self) -> Any:
        """Candidates by win probability and probability of reaching each round."""
        import pandas as pd

        rows = []
        for c in self.candidates:
            row = {"candidate": c, "win": self.win_probability[c]}
            row.update(dict(zip(self.round_labels, self.reach[c], strict=True)))
            rows.append(row)
        return pd.DataFrame(rows).set_index("candidate").sort_values("win", ascending=False)


def _round_labels(kind: str, n_active: int) -> tuple[str, ...]:
    if kind == "exhaustive":
        k = max(n_active - 2, 0)
        return (*tuple(f"MPs' ballot {i + 1}" for i in range(k)), "members' ballot")
    return tuple(f"round {i + 1}" for i in range(max(n_active, 1)))


def simulate_contest(
    contest: Contest,
    sims: int,
    seed: int | None = None,
    *,
    withdrawn: Sequence[str] = (),
    keep: int = 0,
    chunk: int = CHUNK,
) -> Simulation:
    """Vectorised Monte Carlo of ``contest`` (see :meth:`Contest.simulate`)."""
    if isinstance(sims, bool) or not isinstance(sims, int | np.integer) or sims < 1:
        raise InputError(f"the number of simulations must be a positive whole number, got {sims!r}")
    if sims > MAX_SIMS:
        raise TooLargeError(f"at most {MAX_SIMS:,} simulations per run")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0):
        raise InputError(f"seed must be a non-negative whole number, got {seed!r}")
    _check_names(list(withdrawn), contest.candidates, "withdrawn")
    t0 = time.perf_counter()
    rules = contest.rules
    n = len(contest.candidates)
    start_mask = 0
    for c in withdrawn:
        start_mask |= 1 << contest.candidates.index(c)
    n_active = n - len(set(withdrawn))
    if n_active < 1:
        raise RuleError("every candidate has withdrawn")
    labels = _round_labels(rules.kind, n_active)
    det = contest.count(withdrawn=withdrawn).winner
    rng = np.random.default_rng(seed)
    # transfer uncertainty draws from a child stream, so the share draws are the same with or without it
    pools, pool_of = _transfer_pools(contest, rng.spawn(1)[0] if _has_transfer_noise(contest) else None)
    tables = [
        _landing_tables(s.transfers) if pool_of[i] is None else pools[pool_of[i]][1]
        for i, s in enumerate(contest.sections)
    ]
    trng = rng.spawn(1)[0] if pools else None
    wins = np.zeros(n, dtype=np.int64)
    reach = np.zeros((len(labels), n), dtype=np.int64)
    ties = 0
    winners_all = np.empty(sims, dtype=np.int64)
    kept_shares: dict[str, list[np.ndarray]] = {s.name: [] for s in contest.sections}
    kept_draws: dict[str, list[np.ndarray]] = {
        s.name: [] for i, s in enumerate(contest.sections) if pool_of[i] is not None
    }
    kept_tallies: list[list[np.ndarray]] = []
    done = 0
    while done < sims:
        k = min(chunk, sims - done)
        F = [s.draw(rng, k) for s in contest.sections]
        picks = [] if trng is None else [trng.integers(len(p[0]), size=k) for p in pools]
        idx = [None if pool_of[i] is None else picks[pool_of[i]] for i in range(len(contest.sections))]
        want = max(0, min(keep - done, k))
        w, rch, nt, tall = _count_block(contest, F, tables, start_mask, n_active, keep=want, draws=idx)
        wins += np.bincount(w, minlength=n)
        reach += rch
        ties += nt
        winners_all[done : done + k] = w
        if want:
            for i, (s, f) in enumerate(zip(contest.sections, F, strict=True)):
                kept_shares[s.name].append(f[:want])
                if idx[i] is not None:
                    kept_draws[s.name].append(idx[i][:want])
            kept_tallies.append(tall)
        done += k
    kept: dict[str, Any] = {}
    if keep:
        kept["shares"] = {k_: np.vstack(v) for k_, v in kept_shares.items()}
        if kept_draws:
            # each kept simulation's noisy transfer matrix per section (TransferMatrix objects)
            kept["transfers"] = {
                name: [pools[pool_of[i]][0][j] for j in np.concatenate(kept_draws[name])]
                for i, name in enumerate(s.name for s in contest.sections)
                if pool_of[i] is not None
            }
        kept["tallies"] = [
            np.concatenate([blk[r] for blk in kept_tallies], axis=0) for r in range(len(labels))
        ]
    used = len(labels)
    while used > 1 and not reach[used - 1].any():
        used -= 1
    labels, reach = labels[:used], reach[:used]
    if keep:
        kept["tallies"] = kept["tallies"][:used]
    notes = list(contest.notes)
    for p in range(len(pools)):
        secs = [s for i, s in enumerate(contest.sections) if pool_of[i] == p]
        notes.append(
            f"transfer uncertainty: each transfer row drawn from Dirichlet({secs[0].transfer_concentration:g}"
            f" x row), {len(pools[p][0])} distinct matrices, shared by section(s) "
            + ", ".join(s.name for s in secs)
        )
    if ties:
        notes.append(f"{ties} simulated count(s) met an exact tie, broken as the engine does (backwards)")
    return Simulation(
        title=contest.title,
        rules=rules.name,
        candidates=contest.candidates,
        sims=int(sims),
        seed=seed,
        win_probability=MappingProxyType(
            {c: float(wins[i]) / sims for i, c in enumerate(contest.candidates)}
        ),
        reach=MappingProxyType(
            {
                c: tuple(float(reach[r, i]) / sims for r in range(len(labels)))
                for i, c in enumerate(contest.candidates)
            }
        ),
        round_labels=labels,
        deterministic_winner=det,
        ties=ties,
        elapsed=time.perf_counter() - t0,
        withdrawn=tuple(withdrawn),
        notes=tuple(notes),
        kept=MappingProxyType(kept),
        winners=winners_all,
    )


def _has_transfer_noise(contest: Contest) -> bool:
    return any(s.transfer_concentration is not None for s in contest.sections)


def _transfer_pools(
    contest: Contest, rng: np.random.Generator | None
) -> tuple[list[tuple[list[TransferMatrix], np.ndarray]], list[int | None]]:
    """Noisy transfer matrices and their landing tables, one pool per (model, concentration).

    Returns the pools (``(matrices, tables[draw, mask, i, j])``) and, per section, the index
    of its pool (``None``: a fixed model). Sections sharing a model and concentration share
    a pool, hence the draw in each simulation.
    """
    pools: list[tuple[list[TransferMatrix], np.ndarray]] = []
    keys: dict[tuple[int, float], int] = {}
    pool_of: list[int | None] = []
    n = len(contest.candidates)
    per_table = (1 << n) * n * n * 8
    draws = contest.transfer_draws
    if draws * per_table > MAX_TRANSFER_TABLE_BYTES:
        raise TooLargeError(
            f"{draws} transfer draws for {n} candidates need {draws * per_table / 2**20:,.0f} MiB of "
            f"landing tables (limit {MAX_TRANSFER_TABLE_BYTES // 2**20} MiB): lower transfer_draws"
        )
    for s in contest.sections:
        tc = s.transfer_concentration
        if tc is None or rng is None:
            pool_of.append(None)
            continue
        assert isinstance(s.transfers, TransferMatrix)
        key = (id(s.transfers), float(tc))
        if key not in keys:
            mats = [s.transfers.draw(rng, tc) for _ in range(draws)]
            tabs = np.stack([m.ranking_model().landing_tables() for m in mats])
            keys[key] = len(pools)
            pools.append((mats, tabs))
        pool_of.append(keys[key])
    return pools, pool_of


def _section_tally(
    F: np.ndarray, table: np.ndarray, masks: np.ndarray, draw: np.ndarray | None = None
) -> np.ndarray:
    """``F[s] @ table[masks[s]]`` (or ``table[draw[s], masks[s]]``) for every simulation ``s``."""
    if draw is not None:
        return np.einsum("si,sij->sj", F, table[draw, masks])
    first = int(masks[0])
    if not (masks != first).any():
        return np.einsum("si,ij->sj", F, table[first])  # einsum: no BLAS threads for tiny matrices
    return np.einsum("si,sij->sj", F, table[masks])


def _count_block(
    contest: Contest,
    F: list[np.ndarray],
    tables: list[np.ndarray],
    start_mask: int,
    n_active: int,
    keep: int = 0,
    draws: Sequence[np.ndarray | None] | None = None,
) -> tuple[np.ndarray, np.ndarray, int, list[np.ndarray]]:
    """Count a block of simulations round by round on ``(sims, candidates)`` arrays.

    Returns each simulation's winner, reach counts per round and candidate, the number of
    exact ties met, and (for the first ``keep`` simulations) the round tallies with NaN where
    a candidate is out or the count has ended. Tallies are in the engine's units: college
    percentages, pooled votes, or each stage's votes. ``draws`` gives, per section, each
    simulation's noisy transfer matrix (an index into that section's stacked tables) or None.
    """
    rules = contest.rules
    if draws is None:
        draws = [None] * len(F)
    kind = rules.kind
    k, n = F[0].shape
    bits = 1 << np.arange(n, dtype=np.int64)
    alive = np.ones((k, n), dtype=bool)
    alive &= (start_mask & bits) == 0
    masks = np.full(k, start_mask, dtype=np.int64)
    open_ = np.ones(k, dtype=bool)
    winner = np.full(k, -1, dtype=np.int64)
    labels = _round_labels(kind, n_active)
    reach = np.zeros((len(labels), n), dtype=np.int64)
    history: list[np.ndarray] = []
    kept: list[np.ndarray] = []
    n_ties = 0
    scale = np.array([s.voters if s.voters is not None else 100.0 for s in contest.sections])
    if kind == "college":
        wts = np.array([float(rules.section(s.name).weight or 0) for s in contest.sections])
        wts = wts / wts.sum()
    else:
        wts = scale
    mps_i = fin_i = 0
    if kind == "exhaustive":
        names = [s.name for s in contest.sections]
        mps_i = names.index(rules.stage_section("exhaustive").name)
        fin_i = names.index(rules.stage_section("final").name)
    for rnd in range(len(labels)):
        final_stage = kind == "exhaustive" and rnd == len(labels) - 1
        if kind == "college":
            score = np.zeros((k, n))
            for f, tab, w, d in zip(F, tables, wts, draws, strict=True):
                t = _section_tally(f, tab, masks, d)
                tot = t.sum(axis=1, keepdims=True)
                score += np.where(tot > 0, 100.0 * w * t / np.where(tot > 0, tot, 1.0), 0.0)
            total = np.full(k, 100.0)
        elif kind == "omov":
            score = np.zeros((k, n))
            for f, tab, w, d in zip(F, tables, wts, draws, strict=True):
                score += w * _section_tally(f, tab, masks, d)
            total = score.sum(axis=1)
        else:
            i = fin_i if final_stage else mps_i
            score = scale[i] * _section_tally(F[i], tables[i], masks, draws[i])
            total = score.sum(axis=1)
        reach[rnd] = (alive & open_[:, None]).sum(axis=0)
        if keep:
            kept.append(np.where(alive[:keep] & open_[:keep, None], score[:keep], np.nan))
        history.append(np.where(alive, score, np.nan))
        masked_hi = np.where(alive, score, -np.inf)
        best = masked_hi.argmax(axis=1)
        top = masked_hi.max(axis=1)
        n_alive = alive.sum(axis=1)
        if kind == "exhaustive":
            decide = np.full(k, final_stage)
        else:
            decide = (top * 2 > total) | (n_alive <= 1) | (total <= 0)
        decide &= open_
        winner[decide] = best[decide]
        open_ &= ~decide
        if not open_.any():
            break
        masked_lo = np.where(alive, score, np.inf)
        low = masked_lo.min(axis=1)
        loser = masked_lo.argmin(axis=1)
        tied = open_ & ((masked_lo == low[:, None]).sum(axis=1) > 1)
        for s in np.nonzero(tied)[0]:
            loser[s] = _break_tie(contest.candidates, history, s, np.nonzero(masked_lo[s] == low[s])[0])
            n_ties += 1
        rows = np.nonzero(open_)[0]
        alive[rows, loser[rows]] = False
        masks[rows] |= bits[loser[rows]]
    if (winner < 0).any():  # pragma: no cover - every count ends within n rounds
        raise RuleError("a simulated count did not finish")
    if keep:
        kept += [np.full((keep, n), np.nan) for _ in range(len(labels) - len(kept))]
    return winner, reach, n_ties, kept


def _break_tie(candidates: Sequence[str], history: list[np.ndarray], s: int, tied: np.ndarray) -> int:
    """The engine's tie-break for an elimination (backwards, then its seeded lot)."""
    from kingmaker.rules.tiebreak import TieBreaker, TieBreakPolicy

    breaker = TieBreaker(TieBreakPolicy("backwards"), candidates)
    for h in history:
        row = h[s]
        breaker.record({int(c): float(row[c]) for c in np.nonzero(~np.isnan(row))[0]})
    chosen, _ = breaker.break_tie(
        [int(c) for c in tied], lowest=True, round_no=len(history), purpose="eliminate"
    )
    return chosen


def spoiler_probabilities(contest: Contest, sims: int, seed: int | None = None) -> dict[str, float]:
    """For each candidate, the probability that their withdrawal changes the winner.

    Every run uses the same seed, hence the same draws of the shares, so the comparison is
    simulation by simulation. A candidate's own win counts as a change only for others.
    """
    base = contest.simulate(sims, seed)
    assert base.winners is not None
    out = {}
    for i, c in enumerate(contest.candidates):
        alt = contest.simulate(sims, seed, withdrawn=[c])
        assert alt.winners is not None
        changed = (alt.winners != base.winners) & (base.winners != i)
        out[c] = float(changed.mean())
    return out


__all__ = [
    "RULE_KINDS",
    "Contest",
    "PartyRules",
    "PublishedContest",
    "PublishedRound",
    "RankingModel",
    "SectionInput",
    "SectionRule",
    "Simulation",
    "SpatialModel",
    "TransferMatrix",
    "count_sections",
    "labour_2010_reproduction",
    "rule_presets",
    "simulate_contest",
    "spoiler_probabilities",
]
