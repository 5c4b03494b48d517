"""RCTab contest configurations (``*_config.json``): read, check as a whole, count.

:func:`read_config` reads the JSON plainly (as RCTab's ``RawContestConfig``) and checks it
(as ``ContestConfig.validate``), reporting every problem at once in one
:class:`~kingmaker.errors.InputError` that names the file. :func:`count_config` reads the cast
vote records its ``cvrFileSources`` name (through
:func:`kingmaker.io.cvr_sources.read_cvr_source`) and counts them by its rules; keyword
options override the file's rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import GROUP_BASE, PAD, Ballots
from kingmaker.counting.rctab.rules import UWI_LABEL, options_from_rules
from kingmaker.errors import InputError


@dataclass(frozen=True)
class Candidate:
    """A declared candidate: name, the aliases CVRs may use, and whether RCTab excludes them."""

    name: str
    aliases: tuple[str, ...] = ()
    excluded: bool = False


@dataclass(frozen=True)
class ContestConfig:
    """One RCTab contest: where its CVRs are, its candidates and its rules (as count options)."""

    path: Path
    contest: str
    sources: tuple[dict[str, Any], ...]
    candidates: tuple[Candidate, ...]
    seats: int
    options: dict[str, Any] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)

    @property
    def uwi_enabled(self) -> bool:
        """Whether any source marks undeclared write-ins (RCTab then adds that candidate)."""
        return any(
            str(s.get("undeclaredWriteInLabel") or "").strip() or s.get("treatBlankAsUndeclaredWriteIn")
            for s in self.sources
        )

    @property
    def names(self) -> tuple[str, ...]:
        """Candidate names in the config's order, then RCTab's undeclared write-ins if enabled."""
        names = tuple(c.name for c in self.candidates)
        return (*names, UWI_LABEL) if self.uwi_enabled else names


def is_config(path: str | Path) -> bool:
    """Whether ``path`` looks like an RCTab contest configuration (a JSON object with ``rules``)."""
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    try:
        with p.open(encoding="utf-8") as f:
            head = f.read(1 << 20)
    except OSError:
        return False
    return '"rules"' in head and '"cvrFileSources"' in head


_SCALAR = (str, int, float, bool, type(None))


def _shape_problems(raw: dict[str, Any]) -> list[str]:
    """What in ``raw`` has the wrong JSON type for the parts read (rules, sources, candidates,
    output settings), so that the checks after it meet only the types RCTab writes."""
    problems = []
    for key in ("rules", "outputSettings"):
        block = raw.get(key)
        if block is not None and not isinstance(block, dict):
            problems.append(f"{key!r} must be an object")
        elif block:
            problems += [
                f"{key}.{k} must be a string, number or true/false"
                for k, v in block.items()
                if not isinstance(v, _SCALAR)
            ]
    for key in ("cvrFileSources", "candidates"):
        items = raw.get(key)
        if items is not None and not isinstance(items, list):
            problems.append(f"{key!r} must be a list")
            continue
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                problems.append(f"{key}[{i}] must be an object")
                continue
            for k, v in item.items():
                if k == "aliases" and key == "candidates":
                    if not isinstance(v, list | type(None)) or not all(isinstance(a, str) for a in v or ()):
                        problems.append(f"{key}[{i}].aliases must be a list of names")
                elif not isinstance(v, _SCALAR):
                    problems.append(f"{key}[{i}].{k} must be a string, number or true/false")
    return problems


def read_config(path: str | Path) -> ContestConfig:
    """Read and check an RCTab ``*_config.json``; every problem found is reported at once."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"cannot read the contest configuration: {e.strerror}", source=str(p)) from None
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg}", source=str(p), line=e.lineno) from None
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})", source=str(p)) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to be a contest configuration", source=str(p)) from None
    if not isinstance(raw, dict):
        raise InputError("a contest configuration is a JSON object", source=str(p))
    problems: list[str] = _shape_problems(raw)
    if problems:
        raise InputError(
            f"{len(problems)} problem(s) in the contest configuration: " + "; ".join(problems), source=str(p)
        )
    rules = raw.get("rules")
    if not isinstance(rules, dict):
        problems.append("no 'rules' object")
        rules = {}
    kw, seats = options_from_rules(rules, problems)
    sources = raw.get("cvrFileSources")
    if not isinstance(sources, list) or not sources:
        problems.append("no cvrFileSources")
        sources = []
    for i, s in enumerate(sources):
        if not isinstance(s, dict) or not str(s.get("filePath") or "").strip():
            problems.append(f"cvrFileSources[{i}] has no filePath")
        elif not str(s.get("provider") or "").strip():
            problems.append(f"cvrFileSources[{i}] has no provider")
    cands: list[Candidate] = []
    seen: dict[str, str] = {}
    for i, c in enumerate(raw.get("candidates") or []):
        name = str((c or {}).get("name") or "").strip() if isinstance(c, dict) else ""
        if not name:
            problems.append(f"candidates[{i}] has no name")
            continue
        aliases = tuple(str(a).strip() for a in c.get("aliases") or () if str(a).strip())
        for label in (name, *aliases):
            if label in seen and seen[label] != name:
                problems.append(f"candidate name or alias {label!r} is used by {seen[label]!r} and {name!r}")
            elif label in seen and label != name:
                problems.append(f"candidate {name!r} lists {label!r} twice")
            seen[label] = name
        cands.append(Candidate(name, aliases, bool(c.get("excluded", False))))
    if not cands:
        problems.append("no candidates")
    if UWI_LABEL in seen:
        problems.append(f"{UWI_LABEL!r} is reserved for undeclared write-ins")
    mode = kw.get("winner_mode")
    if seats is None and mode != "bottoms-up-threshold":
        problems.append("rules.numberOfWinners is missing")
    if mode == "single" and seats not in (None, 1):
        problems.append(f"winnerElectionMode singleWinnerMajority elects 1, but numberOfWinners is {seats}")
    if mode in ("multi", "multi-one", "multi-pass", "bottoms-up") and seats == 1:
        problems.append(f"winnerElectionMode {rules.get('winnerElectionMode')} needs numberOfWinners above 1")
    if mode == "bottoms-up-threshold" and kw.get("percentage") is None:
        problems.append("bottomsUpUsingPercentageThreshold needs multiSeatBottomsUpPercentageThreshold")
    if kw.get("overvote") == "exhaust" and kw.get("equal_rankings") == "resolve":
        for i, s in enumerate(sources):
            if isinstance(s, dict) and str(s.get("overvoteLabel") or "").strip():
                problems.append(
                    f"cvrFileSources[{i}] marks overvotes with a label, which exhaustIfMultipleContinuing cannot read"
                )
    if problems:
        raise InputError(
            f"{len(problems)} problem(s) in the contest configuration: " + "; ".join(problems), source=str(p)
        )
    kw["excluded"] = tuple(c.name for c in cands if c.excluded)
    out = raw.get("outputSettings") or {}
    return ContestConfig(
        path=p,
        contest=str(out.get("contestName") or p.stem),
        sources=tuple(sources),
        candidates=tuple(cands),
        seats=seats or 1,  # bottoms-up to a percentage: RCTab says 0 winners
        options=kw,
        output=out if isinstance(out, dict) else {},
    )


def _recode(b: Ballots, names: tuple[str, ...], groups: list[tuple[int, ...]]) -> np.ndarray:
    """``b``'s rankings in the candidate order ``names`` (equal-ranking groups appended to ``groups``)."""
    index = {n: i for i, n in enumerate(names)}
    missing = [c for c in b.candidates if c not in index]
    if missing:
        raise InputError(
            f"candidate(s) not in the contest configuration: {', '.join(missing)}", source=b.source
        )
    cmap = np.array([index[c] for c in b.candidates], dtype=np.int64)
    given = b.rankings.astype(np.int64)
    out = given.copy()
    cand = given >= 0
    out[cand] = cmap[given[cand]]
    for gi, g in enumerate(b.groups):
        groups.append(tuple(int(cmap[c]) for c in g))
        code = GROUP_BASE - gi
        out[given == code] = GROUP_BASE - (len(groups) - 1)
    return out


def merge_sources(parts: list[Ballots], names: tuple[str, ...], source: str) -> Ballots:
    """One :class:`Ballots` of the config's candidates from the ballots of several CVR sources."""
    groups: list[tuple[int, ...]] = []
    mats = [_recode(b, names, groups) for b in parts]
    width = max((m.shape[1] for m in mats), default=0)
    mats = [np.pad(m, ((0, 0), (0, width - m.shape[1])), constant_values=PAD) for m in mats]
    R = np.concatenate(mats) if mats else np.zeros((0, 0), dtype=np.int64)
    w = np.concatenate([b.weights for b in parts]) if parts else np.zeros(0)
    return Ballots(R, w, names, groups=tuple(groups), source=source)


def config_ballots(cfg: ContestConfig) -> Ballots:
    """The ballots of every source of ``cfg``, in the config's candidate order."""
    from kingmaker.io.cvr_sources import read_cvr_source

    base = cfg.path.parent
    declared = [c.name for c in cfg.candidates]
    aliases = {a: c.name for c in cfg.candidates for a in c.aliases}
    parts = [read_cvr_source(s, base, candidates=declared, aliases=aliases) for s in cfg.sources]
    return merge_sources(parts, cfg.names, str(cfg.path))


__all__ = ["Candidate", "ContestConfig", "config_ballots", "is_config", "merge_sources", "read_config"]
