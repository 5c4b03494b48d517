"""Dominion cast-vote-record JSON exports (a folder of manifests and ``CvrExport*.json``), as RCTab reads them.

The folder holds ``CandidateManifest.json`` (candidate id -> description, contest),
``ContestManifest.json``, ``PrecinctPortionManifest.json`` and one or more ``CvrExport.json`` /
``CvrExport_<n>.json`` files of ``Sessions``. Each session's current card set (the ``Modified``
one when adjudicated, else ``Original``) lists per contest the ``Marks``: candidate id and
``Rank``. Ambiguous marks are not marks (RCTab drops them); two candidates at one rank are an
overvote naming them; a session without the contest, or where the tabulator flagged it
``InvalidContest`` (an outstack condition: the contest is not on that voter's ballot style), is
not a ballot. Candidates are named by
their manifest description, unless ``aliases`` names the id (RCTab's configs alias Dominion
ids); ``undeclared_write_in_label`` is the write-in candidate's id. ``contest_id`` picks the
contest (needed when the export has several). Precincts are the precinct portions.

Given one ``CvrExport.json`` file (or its bytes) instead of the folder, candidates are named by
the manifests beside it when there are any, else by id. The folder may also be a
:class:`~kingmaker.io._folder.MemoryFolder` (an uploaded ``.zip``'s files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io._folder import MemoryFolder
from kingmaker.io._marks import (
    CONTEST_OPTIONS,
    Labels,
    ballots_from_marks,
    no_gc,
    peek,
    raw_source,
    read_bytes,
)
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS


def looks_like_dominion(source: Any) -> bool:
    """True for a folder holding ``CvrExport*.json``, or a file that starts like a Dominion export."""
    if isinstance(source, MemoryFolder):
        return bool(source.glob("CvrExport*.json"))
    if isinstance(source, (str, Path)) and "\n" not in str(source):
        path = Path(source)
        if path.is_dir():
            return any(path.glob("CvrExport*.json"))
    head = peek(source, 512)
    return b'"Sessions"' in head or (b'"ElectionId"' in head and b'"Version"' in head and b"CVR" not in head)


def _load(data: bytes, src: str) -> Any:
    """Parsed JSON (msgspec); malformed or too deeply nested JSON is an InputError naming ``src``."""
    try:
        return msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise InputError(f"malformed JSON ({exc})", source=src) from None


def _manifest(folder: Path | MemoryFolder | None, name: str, src: str) -> list[dict[str, Any]]:
    """The ``List`` of a manifest in ``folder`` ([] when absent)."""
    if isinstance(folder, MemoryFolder):
        raw = folder.get(name)
    else:
        raw = (folder / name).read_bytes() if folder is not None and (folder / name).is_file() else None
    if raw is None:
        return []
    doc = _load(raw, f"{src}/{name}")
    items = doc.get("List") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise InputError("a manifest without a List", source=f"{src}/{name}")
    return items


def _exports(path: Path | None, data: bytes | None, src: str) -> list[tuple[str, bytes]]:
    """(label, bytes) of each ``CvrExport*.json`` of a folder, or of the one file given."""
    if path is not None and path.is_dir():
        exports = sorted(path.glob("CvrExport*.json"))
        if not exports:
            raise InputError("no CvrExport.json (or CvrExport_<n>.json) in this folder", source=src)
        return [(str(p), read_bytes(p, None, str(p))) for p in exports]
    return [(str(path) if path is not None else src, read_bytes(path, data, src))]


def read_dominion(
    source: Any,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    contest_id: str | int | None = None,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    undeclared_write_in_label: str | None = None,
    max_rankings: int | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read a Dominion CVR export (its folder, one ``CvrExport*.json`` or its bytes); see the module doc."""
    limits = limits or DEFAULT_LIMITS
    folder: Path | MemoryFolder | None
    if isinstance(source, MemoryFolder):
        path, data, src, folder = None, None, name or source.name, source
        docs = [(f"{src}/{n}", source.files[n]) for n in source.glob("CvrExport*.json")]
        if not docs:
            raise InputError("no CvrExport.json (or CvrExport_<n>.json) in this folder", source=src)
    else:
        path, data, src = raw_source(source, name)
        folder = path if path is not None and path.is_dir() else (path.parent if path is not None else None)
        docs = _exports(path, data, src)
    try:
        cand_rows = _manifest(folder, "CandidateManifest.json", src)
        contest_rows = _manifest(folder, "ContestManifest.json", src)
        portions = {
            str(p["Id"]): str(p.get("Description", p["Id"]))
            for p in _manifest(folder, "PrecinctPortionManifest.json", src)
        }
        described = {str(c["Id"]): str(c.get("Description", c["Id"])) for c in cand_rows}
        invalid = {
            o["Id"]
            for o in _manifest(folder, "OutstackConditionManifest.json", src)
            if str(o.get("Description")) == "InvalidContest"
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"malformed Dominion manifest ({type(exc).__name__}: {exc})", source=src) from None
    if contest_id is None or contest_id == "":
        ids = sorted({str(c.get("Id")) for c in contest_rows})
        if len(ids) > 1:
            raise InputError(
                f"the export has {len(ids)} contests (ids {', '.join(ids)}); give contest_id", source=src
            )
        contest = ids[0] if ids else None
    else:
        contest = str(contest_id)
    ballot: list[int] = []
    rank: list[int] = []
    cand: list[int] = []
    ids_seen: dict[str, int] = {}
    precinct: list[int] = []
    portion_codes: dict[str, int] = {}
    n = 0
    for label, raw in docs:
        with no_gc():
            doc = _load(raw, label)
        try:
            sessions = doc["Sessions"]
            for session in sessions:
                card_set = session.get("Modified") if session.get("Modified") else session["Original"]
                if session.get("Modified") and not session["Modified"].get("IsCurrent", True):
                    card_set = session["Original"]
                cards = card_set.get("Cards") or [card_set]
                found = None
                for card in cards:
                    for con in card.get("Contests") or ():
                        if contest is None:
                            contest = str(con["Id"])
                        if str(con["Id"]) != contest or invalid.intersection(
                            con.get("OutstackConditionIds") or ()
                        ):
                            continue
                        if found is None:
                            n += 1
                            limits.check("max_rows", n, "the number of ballots", label)
                            found = n - 1
                            pp = str(card_set.get("PrecinctPortionId", ""))
                            precinct.append(portion_codes.setdefault(pp, len(portion_codes)))
                        for mark in con.get("Marks") or ():
                            if mark.get("IsAmbiguous"):
                                continue
                            ballot.append(found)
                            rank.append(int(mark["Rank"]))
                            cand.append(ids_seen.setdefault(str(mark["CandidateId"]), len(ids_seen)))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise InputError(
                f"not a Dominion CVR export ({type(exc).__name__}: {exc})", source=label
            ) from None
    labels = Labels(
        src=src,
        limits=limits,
        candidates=candidates,
        aliases=aliases,
        undeclared_write_in_label=undeclared_write_in_label,
    )
    amap = labels.aliases
    lut = np.array(
        [labels.candidate(i if i in amap or i == labels.uwi else described.get(i, i)) for i in ids_seen],
        dtype=np.int64,
    )
    return ballots_from_marks(
        labels,
        n,
        ballot,
        rank,
        lut[np.asarray(cand, dtype=np.int64)] if cand else [],
        precinct=np.asarray(precinct, dtype=np.int32) if portions else None,
        precinct_names=[portions.get(p, p) for p in portion_codes] if portions else (),
        max_rankings=max_rankings,
        seats=seats,
    )


BALLOT_FORMATS.register(
    "dominion",
    summary="Dominion CVR JSON export (a folder of manifests and CvrExport*.json)",
    extensions=(),
    options=CONTEST_OPTIONS,
    raw=True,
    sniff_raw=looks_like_dominion,
)(read_dominion)
