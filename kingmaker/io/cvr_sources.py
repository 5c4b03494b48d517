"""RCTab's ``cvrFileSources``: one source record -> the reader call, and a contest's sources -> Ballots.

An RCTab contest configuration lists its cast-vote-record files, each with a ``provider``
(``ess``, ``dominion``, ``hart``, ``clearBallot``, ``cdf``, ``genericCsv``: each is a name or
alias in :data:`~kingmaker.io.registry.BALLOT_FORMATS`) and the vendor options in camelCase.
:class:`CvrSource` is that record; :func:`read_cvr_source` reads one with
``read_ballots(path, format=provider, **options)``; :func:`read_contest` reads all of a
configuration's sources with its candidate list and aliases and adds them together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import GROUP_BASE, PAD, Ballots, group_code
from kingmaker.errors import InputError
from kingmaker.io import read_ballots
from kingmaker.io.limits import ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS

#: RCTab's field name -> the reader option (or CvrSource field) it fills.
_FIELDS = {
    "filePath": "path",
    "provider": "provider",
    "contestId": "contest_id",
    "firstVoteColumnIndex": "first_vote_column",
    "firstVoteRowIndex": "first_vote_row",
    "idColumnIndex": "id_column",
    "batchColumnIndex": "batch_column",
    "precinctColumnIndex": "precinct_column",
    "overvoteDelimiter": "overvote_delimiter",
    "overvoteLabel": "overvote_label",
    "skippedRankLabel": "undervote_label",
    "undeclaredWriteInLabel": "undeclared_write_in_label",
    "treatBlankAsUndeclaredWriteIn": "treat_blank_as_undeclared_write_in",
}


#: The ``cvrFileSources`` fields that hold a column or row number.
_WHOLE_FIELDS = ("first_vote_column", "first_vote_row", "id_column", "batch_column", "precinct_column")


def _show(value: object) -> str:
    """``value`` for a message, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


@dataclass(frozen=True)
class CvrSource:
    """One entry of RCTab's ``cvrFileSources``; empty strings (RCTab's "not set") become None."""

    path: str
    provider: str
    contest_id: str | None = None
    first_vote_column: int | None = None
    first_vote_row: int | None = None
    id_column: int | None = None
    batch_column: int | None = None
    precinct_column: int | None = None
    overvote_delimiter: str | None = None
    overvote_label: str | None = None
    undervote_label: str | None = None
    undeclared_write_in_label: str | None = None
    treat_blank_as_undeclared_write_in: bool = False

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> CvrSource:
        """The record for one ``cvrFileSources`` entry (unknown RCTab fields are ignored)."""
        values: dict[str, Any] = {}
        for key, value in entry.items():
            field = _FIELDS.get(key)
            if field is None or value is None or value == "":
                continue
            if field in _WHOLE_FIELDS:
                text = (
                    str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
                )
                if not (text.isascii() and text.isdigit() and len(text) <= 9):
                    raise InputError(
                        f"cvrFileSources {key} must be a whole number below a billion, got {_show(value)}"
                    )
                value = int(text)
            elif field == "treat_blank_as_undeclared_write_in":
                if not isinstance(value, bool):
                    raise InputError(f"cvrFileSources {key} must be true or false, got {_show(value)}")
            elif not isinstance(value, str):
                raise InputError(f"cvrFileSources {key} must be a string, got {_show(value)}")
            values[field] = value
        for need in ("filePath", "provider"):
            if _FIELDS[need] not in values:
                raise InputError(f"a cvrFileSources entry has no {need}")
        return cls(**values)

    def options(self) -> dict[str, Any]:
        """The reader options this source sets that its format's reader takes."""
        entry = BALLOT_FORMATS.get(self.provider, what="cvrFileSources provider")
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in entry.options and value not in (None, False):
                out[f.name] = value
        return out


def read_cvr_source(
    source: Mapping[str, Any] | CvrSource,
    base_dir: str | Path,
    *,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    limits: ReadLimits | None = None,
) -> Ballots:
    """Read one ``cvrFileSources`` entry (its path relative to ``base_dir``, the config's folder).

    ``candidates`` and ``aliases`` (label in the file -> candidate name) come from the config's
    ``candidates`` block; a label that is neither is then an error naming the file.
    """
    src = source if isinstance(source, CvrSource) else CvrSource.from_config(source)
    options = src.options()
    entry = BALLOT_FORMATS.get(src.provider, what="cvrFileSources provider")
    if candidates is not None and "candidates" in entry.options:
        options["candidates"] = list(candidates)
    if aliases and "aliases" in entry.options:
        options["aliases"] = dict(aliases)
    path = Path(base_dir) / src.path
    return read_ballots(path, format=entry.name, limits=limits, **options)


def read_contest(
    config: Mapping[str, Any], base_dir: str | Path, *, limits: ReadLimits | None = None
) -> Ballots:
    """All of an RCTab configuration's CVR sources, read with its candidates and aliases, as one Ballots."""
    cands = config.get("candidates") or []
    names = [str(c["name"]) for c in cands if c.get("name")]
    aliases = {str(a): str(c["name"]) for c in cands for a in c.get("aliases") or () if c.get("name")}
    sources = config.get("cvrFileSources") or []
    if not sources:
        raise InputError("the configuration lists no cvrFileSources")
    parts = [
        read_cvr_source(s, base_dir, candidates=names or None, aliases=aliases, limits=limits)
        for s in sources
    ]
    return parts[0] if len(parts) == 1 else concat_ballots(parts)


def concat_ballots(parts: Sequence[Ballots]) -> Ballots:
    """Several Ballots as one: candidates matched by name (in order of first appearance), equal-ranking
    groups renumbered, precincts kept when every part has them."""
    names: dict[str, int] = {}
    for b in parts:
        for c in b.candidates:
            names.setdefault(c, len(names))
    groups: dict[tuple[int, ...], int] = {}
    width = max(b.rankings.shape[1] for b in parts)
    mats, weights, precincts = [], [], []
    keep_precincts = all(b.precinct is not None for b in parts)
    pnames: dict[str, int] = {}
    for b in parts:
        cand_map = np.array([names[c] for c in b.candidates], dtype=np.int32)
        group_map = np.array(
            [
                group_code(groups.setdefault(tuple(sorted(int(cand_map[m]) for m in g)), len(groups)))
                for g in b.groups
            ],
            dtype=np.int32,
        )
        r = b.rankings
        out = np.full((len(r), width), PAD, dtype=np.int32)
        body = r.copy()
        cand = r >= 0
        body[cand] = cand_map[r[cand]]
        grp = r <= GROUP_BASE
        body[grp] = group_map[GROUP_BASE - r[grp]]
        out[:, : r.shape[1]] = body
        mats.append(out)
        weights.append(b.weights)
        if keep_precincts:
            pmap = np.array([pnames.setdefault(p, len(pnames)) for p in b.precinct_names], dtype=np.int32)
            precincts.append(pmap[b.precinct] if len(pmap) else b.precinct)
    return Ballots.from_matrix(
        np.vstack(mats),
        list(names),
        np.concatenate(weights),
        groups=tuple(groups),
        source=", ".join(str(b.source) for b in parts),
        precinct=np.concatenate(precincts) if keep_precincts else None,
        precinct_names=list(pnames),
    )
