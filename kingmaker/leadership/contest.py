"""A leadership contest as an analyst has it, and its deterministic count by the engine.

:class:`Contest` holds the party's rules, the candidates and each section's inputs
(:class:`SectionInput`: first-preference shares, size, Dirichlet uncertainty and a transfer
model). :meth:`Contest.count` turns the transfer models into ranked ballots and counts them
with the engine under the party's rules (:func:`count_sections`:
:mod:`kingmaker.counting.college`, :mod:`kingmaker.counting.av`,
:mod:`kingmaker.counting.exhaustive`); :meth:`Contest.simulate` hands the contest to the Monte
Carlo in :mod:`kingmaker.leadership.simulation`. This module also reads contest
configurations; :class:`SectionInput` and the readers of the configuration's values live in
:mod:`kingmaker.leadership.sections`.

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

How ``transfer_concentration`` and ``transfer_draws`` act in a simulation: see
:mod:`kingmaker.leadership.simulation`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.counting.result import Result
from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.leadership.rules import PartyRules, rule_presets
from kingmaker.leadership.sections import (
    TRANSFER_DRAWS,
    SectionInput,
    _check_sections,
    _number,
    _parse_shares,
    _parse_transfers,
)
from kingmaker.leadership.transfers import TransferModel, _ranking_model
from kingmaker.transfers import MAX_CANDIDATES, TransferMatrix, _check_names

if TYPE_CHECKING:
    from kingmaker.leadership.simulation import Simulation
    from kingmaker.spoilers import SpoilerReport


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
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
        return cls.from_toml(text, source=str(path))

    @classmethod
    def from_toml(cls, text: str, source: str | None = None) -> Contest:
        """Parse a contest configuration from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"malformed TOML: {exc}", source=source) from None
        except RecursionError:
            raise InputError("malformed TOML: nested too deeply", source=source) from None
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Contest:
        """Build from the parsed configuration (see the module docstring for the keys)."""
        try:
            _check_numbers(data, "")
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
        from kingmaker.leadership.simulation import simulate_contest  # simulation depends on contest

        return simulate_contest(self, sims, seed, withdrawn=withdrawn, keep=keep)

    def spoilers(self, methods: Sequence[str] | None = None) -> SpoilerReport:
        """Spoiler recounts (by the party's rules) and other methods on the expected ballots."""
        from kingmaker.spoilers import spoiler_analysis, weighted_union

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

        return spoiler_analysis(union, count=recount, method=self.rules.name, methods=methods)

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


def count_sections(
    rules: PartyRules, ballots: Mapping[str, Ballots], voters: Mapping[str, float | None] | None = None
) -> Result:
    """Count sections' ranked ballots under ``rules`` with the engine.

    ``college``: :func:`kingmaker.counting.college.college` with the rules' weights; ``omov``:
    the sections' ballots pooled (each weighted as cast) and counted by AV
    (:func:`kingmaker.counting.count`); ``exhaustive``:
    :func:`kingmaker.counting.exhaustive.exhaustive_ballot`.
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


#: The largest number a contest configuration may hold (votes, voters, seeds): 10**15.
MAX_NUMBER = 10**15


def _check_numbers(node: Any, where: str) -> None:
    """Refuse, naming the key, any number in a parsed configuration that no contest needs and
    the arithmetic after it cannot take: ``nan``, ``inf`` and whole numbers beyond 10**15."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            _check_numbers(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            _check_numbers(value, f"{where}[{i}]")
    elif isinstance(node, float) and not math.isfinite(node):
        raise InputError(f"{where} must be a finite number, got {node!r}")
    elif isinstance(node, int | float) and not isinstance(node, bool) and abs(node) > MAX_NUMBER:
        shown = f"{node:g}" if isinstance(node, float) else f"a {len(str(abs(node)))}-digit number"
        raise InputError(f"{where} is {shown}, beyond the limit of {MAX_NUMBER:,}")


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


__all__ = ["Contest", "count_sections"]
