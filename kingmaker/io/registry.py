"""The ballot-format registry: every reader and writer of ranked ballots, registered where defined.

Each format module ends with::

    BALLOT_FORMATS.register("blt", summary=..., extensions=(".blt",), writer=write_blt,
                            sniff=looks_like_blt)(read_blt)

so the entry's object is the reader (``reader(source, *, name=None, limits=None, **options)``) and
its ``extra`` holds ``extensions``, ``writer`` (``writer(ballots, path)`` or None) and ``sniff``
(``sniff(text) -> bool``: does this text look like the format?). A format whose files are not
UTF-8 text or not one file (an ``.xlsx`` workbook, a folder of vendor files) sets ``raw=True``:
its reader gets the source as given (path, bytes or text), and ``sniff_raw(source) -> bool``
tells it by a cheap look (the first bytes, a folder's listing); :func:`detect_raw` asks these
first. :func:`kingmaker.io.read_ballots`,
``write_ballots`` and ``detect_format``, the CLI and the web's upload all dispatch from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kingmaker._registry import Entry, Registry
from kingmaker.errors import InputError

if TYPE_CHECKING:
    from kingmaker.ballots import Ballots
    from kingmaker.io._source import Source

Reader = Callable[..., "Ballots"]

#: name -> ballot format; filled by the modules named here (in this order: detection tries them so).
BALLOT_FORMATS: Registry[Reader] = Registry(
    "ballot format",
    modules=(
        "kingmaker.io.blt",
        "kingmaker.io.preflib",
        "kingmaker.io.ess",
        "kingmaker.io.cdf",
        "kingmaker.io.dominion",
        "kingmaker.io.hart",
        "kingmaker.io.clear_ballot",
        "kingmaker.io.rctab_csv",
        "kingmaker.io.cvr",
        "kingmaker.io.simple_csv",
        "kingmaker.io.irish",
    ),
)


def extensions(entry: Entry[Reader]) -> tuple[str, ...]:
    """The file extensions (``".blt"``) a format claims."""
    return tuple(entry.extra.get("extensions", ()))


def writer(entry: Entry[Reader]) -> Callable[..., None] | None:
    """The format's writer ``writer(ballots, path)``, or None when it is read-only."""
    return entry.extra.get("writer")


def sniffs(entry: Entry[Reader], text: str) -> bool:
    """True when the format's sniffer says ``text`` looks like it (False when it has none)."""
    sniff: Callable[[str], bool] | None = entry.extra.get("sniff")
    return bool(sniff and sniff(text))


def detect_raw(source: Any) -> Entry[Reader] | None:
    """The raw format (``raw=True``: a workbook, a vendor folder...) whose sniffer claims ``source``
    as given (a path, bytes or text), or None."""
    for entry in BALLOT_FORMATS.entries():
        sniff = entry.extra.get("sniff_raw")
        if entry.extra.get("raw") and sniff is not None and sniff(source):
            return entry
    return None


def detect(source: Source) -> Entry[Reader]:
    """The format of ``source``: by extension (sniffing among formats that share it, e.g. the two
    CSVs, and overruled when the content is plainly another format's), else by content. Raises
    :class:`InputError` when neither tells."""
    ext = source.suffix
    by_ext = [e for e in BALLOT_FORMATS.entries() if ext and ext in extensions(e)]
    if len(by_ext) == 1:
        # a generic extension (".txt", ".json") may hold another format: when the claimant's
        # sniffer says no and another's says yes, the content decides
        only = by_ext[0]
        if only.extra.get("sniff") is None or sniffs(only, source.text):
            return only
        return next((e for e in BALLOT_FORMATS.entries() if e is not only and sniffs(e, source.text)), only)
    if by_ext:
        return next((e for e in by_ext if sniffs(e, source.text)), by_ext[-1])
    for entry in BALLOT_FORMATS.entries():
        if sniffs(entry, source.text):
            return entry
    known = ", ".join(dict.fromkeys(x for e in BALLOT_FORMATS.entries() for x in extensions(e)))
    raise InputError(
        f"cannot tell the ballot format from the extension {ext or '(none)'!r} or the content; "
        f"use {known}, or give the format ({', '.join(BALLOT_FORMATS.names())})",
        source=source.name,
    )


def for_writing(path_suffix: str, format: str | None, where: str) -> tuple[Entry[Reader], Callable[..., Any]]:
    """The format entry and writer for ``format`` (or the extension ``path_suffix``)."""
    if format:
        entry = BALLOT_FORMATS.get(format, what="ballot format")
    else:
        found = [e for e in BALLOT_FORMATS.entries() if path_suffix.lower() in extensions(e) and writer(e)]
        if not found:
            raise InputError(f"no writer for the extension {path_suffix or '(none)'!r}", source=where)
        entry = found[-1]
    write = writer(entry)
    if write is None:
        raise InputError(f"no writer for format {entry.name!r}", source=where)
    return entry, write
