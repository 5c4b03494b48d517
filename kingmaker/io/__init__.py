"""Readers and writers of ballot files; each turns a path, bytes or text into validated :class:`Ballots`.

Formats (each registers itself in :data:`kingmaker.io.registry.BALLOT_FORMATS`): BLT
(:mod:`kingmaker.io.blt`), PrefLib ``.soc .soi .toc .toi`` (:mod:`kingmaker.io.preflib`),
cast-vote-record CSV (:mod:`kingmaker.io.cvr`), the simple ``count,rank1,rank2,...`` CSV
(:mod:`kingmaker.io.simple_csv`), the Irish 2002 e-vote releases, raw text and JSON, read in
file order (:mod:`kingmaker.io.irish`), and the US vendors' CVRs as published, read-only and detected
by content: ES&S ``.xlsx`` (:mod:`~kingmaker.io.ess`), Dominion JSON folders
(:mod:`~kingmaker.io.dominion`), Hart XML folders (:mod:`~kingmaker.io.hart`), Clear Ballot CSV
(:mod:`~kingmaker.io.clear_ballot`), NIST CDF JSON/XML (:mod:`~kingmaker.io.cdf`) and RCTab's
generic CSV (:mod:`~kingmaker.io.rctab_csv`); :mod:`~kingmaker.io.cvr_sources` maps an RCTab
configuration's ``cvrFileSources`` onto them. Every reader checks the file's claims against
:class:`~kingmaker.io.limits.ReadLimits` before it allocates anything they size.

Internal dependency direction: ``limits`` and ``_source`` (no kingmaker.io imports) <- ``registry``
and ``_marks`` (the vendor readers' shared label and mark handling) <- the format modules <- this
``__init__`` (which reaches the formats only through the registry) <- ``cvr_sources``.
``hoc``, ``long_csv`` and ``party_names`` read results tables and stand apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kingmaker.errors import InputError
from kingmaker.io._source import SourceLike, check_path, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS, detect, detect_raw, for_writing

if TYPE_CHECKING:
    from kingmaker.ballots import Ballots


def format_weight(weight: float | int) -> str:
    """A ballot weight as the writers print it: whole numbers without a decimal point."""
    if float(weight).is_integer():
        return str(int(weight))
    return repr(float(weight))


def detect_format(source: SourceLike, *, name: str | None = None) -> str:
    """Name of the reader for ``source`` (``blt``, ``preflib``, ``cvr``, ``csv``, ``irish``, ``ess``, ...):
    by extension, sniffing the content where the extension is shared, missing or contradicted;
    folders and binary files (Dominion, Hart, ``.xlsx``) by their raw layout."""
    raw = detect_raw(source)
    return raw.name if raw is not None else detect(open_source(source, name=name)).name


def read_ballots(
    source: SourceLike,
    format: str | None = None,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    **options: Any,
) -> Ballots:
    """Read ballots from a path, bytes or text with the reader for ``format`` (detected when omitted).

    ``name`` is what error messages call the input (default: the path, ``<bytes>`` or ``<text>``);
    ``limits`` caps what the file may claim (default :data:`~kingmaker.io.limits.DEFAULT_LIMITS`);
    other ``options`` go to the reader (e.g. ``candidates=`` for the CSV readers).
    """
    check_path(source, name)
    entry = BALLOT_FORMATS.get(format, what="ballot format") if format else detect_raw(source)
    if entry is not None and entry.extra.get("raw"):  # a workbook or a folder: the reader opens it
        src: Any = source
        label = name if name is not None else (str(source) if isinstance(source, (str, Path)) else None)
    else:
        src = open_source(source, name=name)
        entry = entry or detect(src)
        label = src.name
    unknown = sorted(set(options) - set(entry.options))
    if unknown:
        accepted = ", ".join(entry.options) or "none"
        raise InputError(
            f"the {entry.name} reader takes no option {', '.join(unknown)} (its options: {accepted})",
            source=label,
        )
    if entry.extra.get("raw"):
        return entry.obj(src, name=name, limits=limits or DEFAULT_LIMITS, **options)
    return entry.obj(src, limits=limits or DEFAULT_LIMITS, **options)


def write_ballots(ballots: Ballots, path: str | Path, format: str | None = None) -> None:
    """Write ``ballots`` to ``path`` in the format named, or the one its extension belongs to."""
    _, write = for_writing(Path(path).suffix, format, str(path))
    write(ballots, path)


__all__ = ["BALLOT_FORMATS", "DEFAULT_LIMITS", "ReadLimits", "detect_format", "read_ballots", "write_ballots"]
