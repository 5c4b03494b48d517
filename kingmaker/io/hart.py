"""Hart InterCivic cast-vote records: a folder of XML files, one ``<Cvr>`` per ballot, as RCTab reads them.

Each ``Cvr`` lists ``Contests``; in the contest asked for (``contest_id``, the contest's ``Id``
GUID or its ``Name``), each ``Option`` (a candidate: ``Name`` and ``Id``) carries a ``Value`` of
0s and 1s, one per rank: ``010000`` is rank 2 (``1`` alone is rank 1; two options at one rank
are an overvote naming them). A ballot without the contest is not a ballot. Candidates are
named by ``Name`` unless ``aliases`` names the option's ``Id`` (RCTab's configs alias Hart
GUIDs); ``undeclared_write_in_label`` is the write-in option's ``Id``. Precincts are the
``PrecinctSplit`` names. XML is parsed with the standard library (files are a few KB each).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io._folder import MemoryFolder
from kingmaker.io._marks import CONTEST_OPTIONS, Labels, ballots_from_marks, peek, raw_source, read_bytes
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS


def _is_hart(head: bytes) -> bool:
    return b"<Cvr" in head and b"CVRDesign" in head


def looks_like_hart(source: Any) -> bool:
    """True for a folder whose first XML file is a Hart ``<Cvr>``, or such a file."""
    if isinstance(source, MemoryFolder):
        first = next(iter(source.glob("*.xml")), None)
        return first is not None and _is_hart(source.files[first][:1024])
    if isinstance(source, (str, Path)) and "\n" not in str(source) and Path(source).is_dir():
        first = next(iter(sorted(Path(source).glob("*.xml"))), None)
        return first is not None and _is_hart(peek(first, 1024))
    return _is_hart(peek(source, 1024))


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if c.tag.rsplit("}", 1)[-1] == name), None)


def _text(el: ET.Element | None, name: str) -> str | None:
    c = _child(el, name) if el is not None else None
    return None if c is None or c.text is None else c.text.strip()


def _folder_docs(
    src: str, names: list[str], limits: ReadLimits, read: Callable[[str], bytes]
) -> list[tuple[str, bytes]]:
    """(label, bytes) of each XML file of a folder, in name order."""
    if not names:
        raise InputError("no .xml CVR files in this folder", source=src)
    limits.check("max_rows", len(names), "the number of CVR files", src)
    return [(f"{src}/{n}", read(n)) for n in names]


def read_hart(
    source: Any,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    contest_id: str | None = None,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    undeclared_write_in_label: str | None = None,
    max_rankings: int | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read Hart XML CVRs (a folder of them, one file, or its bytes); see the module doc."""
    limits = limits or DEFAULT_LIMITS
    if isinstance(source, MemoryFolder):
        src = name or source.name
        docs = _folder_docs(src, source.glob("*.xml"), limits, source.files.__getitem__)
    else:
        path, data, src = raw_source(source, name)
        if path is not None and path.is_dir():
            folder = path
            names = [f.name for f in sorted(folder.glob("*.xml"))]
            docs = _folder_docs(src, names, limits, lambda n: read_bytes(folder / n, None, str(folder / n)))
        else:
            docs = [(src, read_bytes(path, data, src))]
    labels = Labels(
        src=src,
        limits=limits,
        candidates=candidates,
        aliases=aliases,
        undeclared_write_in_label=undeclared_write_in_label,
    )
    ballot: list[int] = []
    rank: list[int] = []
    code: list[int] = []
    precinct: list[int] = []
    splits: dict[str, int] = {}
    n = 0
    for label, raw in docs:
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            raise InputError(f"malformed XML ({exc})", source=label, line=exc.position[0]) from None
        except (LookupError, ValueError) as exc:  # e.g. an unknown encoding in the XML declaration
            raise InputError(f"malformed XML ({exc})", source=label) from None
        if root.tag.rsplit("}", 1)[-1] != "Cvr":
            raise InputError("not a Hart CVR (the root element is not <Cvr>)", source=label)
        contests = _child(root, "Contests")
        chosen = [
            c
            for c in (contests if contests is not None else ())
            if contest_id is None or contest_id in (_text(c, "Id"), _text(c, "Name"))
        ]
        if contest_id is None and len(chosen) > 1:
            names = ", ".join(repr(_text(c, "Name") or _text(c, "Id")) for c in chosen)
            raise InputError(f"the CVR has {len(chosen)} contests ({names}); give contest_id", source=label)
        if not chosen:
            continue  # a ballot without the contest is not a ballot of it
        n += 1
        split = _child(root, "PrecinctSplit")
        precinct.append(splits.setdefault(_text(split, "Name") or "", len(splits)))
        for option in _child(chosen[0], "Options") or ():
            oid = _text(option, "Id") or ""
            value = _text(option, "Value") or ""
            if not value.strip("01") == "":
                raise InputError(f"option value {value!r} is not 0s and 1s", source=label)
            limits.check("max_ranks", len(value), "the ranks in an option value", label)
            oname = _text(option, "Name")
            use = oid if (oid in labels.aliases or oid == labels.uwi or not oname) else oname
            c = labels.candidate(use)
            for r, bit in enumerate(value, start=1):
                if bit == "1":
                    ballot.append(n - 1)
                    rank.append(r)
                    code.append(c)
    has_splits = any(splits)
    return ballots_from_marks(
        labels,
        n,
        ballot,
        rank,
        code,
        precinct=np.asarray(precinct, dtype=np.int32) if has_splits else None,
        precinct_names=list(splits) if has_splits else (),
        max_rankings=max_rankings,
        seats=seats,
    )


BALLOT_FORMATS.register(
    "hart",
    summary="Hart InterCivic XML CVRs (a folder, one <Cvr> file per ballot)",
    extensions=(),
    options=CONTEST_OPTIONS,
    raw=True,
    sniff_raw=looks_like_hart,
)(read_hart)
