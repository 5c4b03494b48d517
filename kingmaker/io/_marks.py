"""What the vendor CVR readers share: naming marks as RCTab does, and turning marks into Ballots.

Every vendor file ends up as marks: (ballot, rank, candidate label). :class:`Labels` names each
label (aliases applied, the undeclared write-in label made the candidate ``Undeclared
Write-ins``, overvote and undervote labels made :data:`OVERVOTE` and :data:`SKIPPED`, a
delimited cell ``A|D`` made an equal-ranking group: an overvote whose candidates are known).
:func:`ballots_from_marks` builds the ranking matrix from flat mark arrays without a Python loop
per mark: two different candidates at one rank of one ballot become a group (an overvote, the
candidates kept so that ``exhaustIfMultipleContinuing`` can tell which continue).

Sources that are not text (an ``.xlsx`` file, a folder of files) come in through
:func:`raw_source`: a path or the bytes, with the name messages use.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code
from kingmaker.errors import InputError
from kingmaker.io._source import Source, is_path_like
from kingmaker.io.limits import ReadLimits

#: RCTab's name for the undeclared write-in candidate (a candidate like any other until counted).
UWI_NAME = "Undeclared Write-ins"


#: The reader options every vendor CVR format with contests takes (Dominion, Hart, CDF, Clear Ballot).
CONTEST_OPTIONS = (
    "contest_id",
    "candidates",
    "aliases",
    "undeclared_write_in_label",
    "max_rankings",
    "seats",
)
#: The reader options of the one-ballot-per-row formats RCTab configures alike (ES&S, RCTab's CSV).
ROW_OPTIONS = (
    "first_vote_column",
    "first_vote_row",
    "id_column",
    "precinct_column",
    "overvote_label",
    "undervote_label",
    "undeclared_write_in_label",
    "overvote_delimiter",
    "treat_blank_as_undeclared_write_in",
    "max_rankings",
    "candidates",
    "aliases",
    "seats",
)


def raw_source(source: Any, name: str | None) -> tuple[Path | None, bytes | None, str]:
    """A reader's input as ``(path, None, label)`` for a path or ``(None, bytes, label)`` otherwise."""
    if isinstance(source, Source):
        if source.path is not None:
            return source.path, None, name or source.name
        return None, source.text.encode("utf-8"), name or source.name
    if is_path_like(source):
        path = Path(source)
        label = name if name is not None else str(source)
        if not path.exists():
            raise InputError("file not found", source=label)
        return path, None, label
    if isinstance(source, str):
        return None, source.encode("utf-8"), name or "<text>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return None, bytes(source), name or "<bytes>"
    if hasattr(source, "read"):
        data = source.read()
        label = name or str(getattr(source, "name", "<stream>"))
        return None, data.encode("utf-8") if isinstance(data, str) else bytes(data), label
    raise InputError(f"cannot read ballots from a {type(source).__name__}; give a path, bytes or text")


def read_bytes(path: Path | None, data: bytes | None, label: str) -> bytes:
    """The bytes of a raw source (read from ``path`` when it has one)."""
    if data is not None:
        return data
    assert path is not None
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=label) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", source=label) from None


def peek(source: Any, size: int = 4096) -> bytes:
    """The first ``size`` bytes of a source without reading it all ('' for a directory or a stream)."""
    if isinstance(source, Source):
        return source.text[:size].encode("utf-8", "replace")
    if is_path_like(source):
        try:
            with open(os.fspath(source), "rb") as fh:
                return fh.read(size)
        except OSError:
            return b""
    if isinstance(source, str):
        return source[:size].encode("utf-8", "replace")
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:size])
    return b""


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a reader builds millions of small containers
    (a parsed JSON report, a sheet's rows): otherwise it rescans them all, again and again
    (3-4x the parse time on a 20k-ballot CDF report). Restores the previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole-number floats without ``.0``, surrounding spaces dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Labels:
    """Names the labels of one contest's marks as RCTab does, collecting candidates and groups.

    ``candidates`` fixes the candidate list (a label that is neither one of them nor an alias is
    then an error); otherwise candidates are added in order of first appearance. ``aliases`` maps
    a label as it appears in the file (a vendor's candidate id, another spelling) to a name.
    """

    def __init__(
        self,
        *,
        src: str,
        limits: ReadLimits,
        candidates: Sequence[str] | None = None,
        aliases: Mapping[str, str] | None = None,
        overvote_label: str | None = None,
        undervote_label: str | None = None,
        undeclared_write_in_label: str | None = None,
        overvote_delimiter: str | None = None,
        treat_blank_as_undeclared_write_in: bool = False,
    ) -> None:
        self.src, self.limits = src, limits
        self.fixed = candidates is not None
        self.names: list[str] = [str(c) for c in candidates] if candidates is not None else []
        limits.check("max_candidates", len(self.names), "the number of candidates given", src)
        self.index = {c: i for i, c in enumerate(self.names)}
        self.aliases = {str(k): str(v) for k, v in (aliases or {}).items()}
        self.overvote = overvote_label or None
        self.undervote = undervote_label or None
        self.uwi = undeclared_write_in_label or None
        self.delimiter = overvote_delimiter or None
        self.blank_uwi = bool(treat_blank_as_undeclared_write_in)
        self.groups: dict[tuple[int, ...], int] = {}

    def candidate(self, label: str, line: int | None = None) -> int:
        """The code of the candidate a label names (added to the list unless it is fixed)."""
        name = UWI_NAME if self.uwi is not None and label == self.uwi else self.aliases.get(label, label)
        code = self.index.get(name)
        if code is not None:
            return code
        if self.fixed and name != UWI_NAME:
            raise InputError(
                f"unknown candidate {label!r} (not a candidate or alias)", source=self.src, line=line
            )
        self.limits.check("max_candidates", len(self.names) + 1, "the number of candidates", self.src, line)
        self.index[name] = len(self.names)
        self.names.append(name)
        return len(self.names) - 1

    def group(self, members: Iterable[int]) -> int:
        """The code of several candidates marked at one rank (an overvote that names them)."""
        key = tuple(sorted(set(members)))
        if len(key) == 1:
            return key[0]
        return group_code(self.groups.setdefault(key, len(self.groups)))

    def cell(self, text: str, line: int | None = None) -> int:
        """The code of one spreadsheet cell (already stripped): candidate, label, or delimited overvote."""
        if text == "":
            return self.candidate(UWI_NAME, line) if self.blank_uwi else SKIPPED
        if self.overvote is not None and text == self.overvote:
            return OVERVOTE
        if self.undervote is not None and text == self.undervote:
            return SKIPPED
        if self.delimiter is not None and self.delimiter in text:
            parts = [p.strip() for p in text.split(self.delimiter)]
            return self.group(self.candidate(p, line) for p in parts if p)
        return self.candidate(text, line)

    def finish(
        self,
        matrix: np.ndarray,
        *,
        weights: np.ndarray | None = None,
        precinct: np.ndarray | None = None,
        precinct_names: Sequence[str] = (),
        seats: int | None = None,
    ) -> Ballots:
        """Ballots from a full code matrix: trailing skipped ranks become the end of the ballot."""
        if not self.names:
            raise InputError("no candidates found in the ballots", source=self.src)
        trailing_to_pad(matrix)
        return Ballots.from_matrix(
            matrix,
            self.names,
            weights,
            groups=tuple(self.groups),
            seats=seats,
            source=self.src,
            precinct=precinct,
            precinct_names=precinct_names,
        )


def trailing_to_pad(mat: np.ndarray) -> None:
    """Make skipped ranks after a ballot's last mark :data:`PAD` (in place): they end the ballot."""
    if mat.shape[1] == 0 or mat.shape[0] == 0:
        return
    marked = mat != SKIPPED
    last = mat.shape[1] - 1 - np.argmax(marked[:, ::-1], axis=1)
    last = np.where(marked.any(axis=1), last, -1)
    mat[np.arange(mat.shape[1])[None, :] > last[:, None]] = PAD


def ballots_from_marks(
    labels: Labels,
    n_ballots: int,
    ballot: Sequence[int] | np.ndarray,
    rank: Sequence[int] | np.ndarray,
    code: Sequence[int] | np.ndarray,
    *,
    precinct: np.ndarray | None = None,
    precinct_names: Sequence[str] = (),
    max_rankings: int | None = None,
    seats: int | None = None,
) -> Ballots:
    """Ballots from flat marks: ballot ``ballot[i]`` marked candidate ``code[i]`` at rank ``rank[i]``.

    Ranks are 1-based; ranks nobody marked are skipped; one candidate marked twice at a rank is one
    mark; several at a rank are a group (an overvote naming them). Ranks above ``max_rankings``
    are dropped (RCTab reads no further).
    """
    src, limits = labels.src, labels.limits
    b = np.asarray(ballot, dtype=np.int64)
    try:
        r = np.asarray(rank, dtype=np.int64)
    except (OverflowError, TypeError, ValueError):
        raise InputError("a rank is not a whole number within the 64-bit range", source=src) from None
    c = np.asarray(code, dtype=np.int64)
    limits.check("max_rows", n_ballots, "the number of ballots", src)
    if r.size and int(r.min()) < 1:
        raise InputError(f"rank {int(r.min())} is below 1", source=src)
    if max_rankings is not None and r.size:
        keep = r <= max_rankings
        b, r, c = b[keep], r[keep], c[keep]
    width = int(r.max()) if r.size else 0
    limits.check("max_ranks", width, "the highest rank marked", src)
    limits.check("max_cells", n_ballots * width, "ballots x highest rank", src)
    mat = np.full(n_ballots * width, SKIPPED, dtype=np.int32)
    if b.size:
        key = b * width + (r - 1)
        order = np.lexsort((c, key))
        key, c = key[order], c[order]
        new = np.r_[True, (key[1:] != key[:-1]) | (c[1:] != c[:-1])]
        key, c = key[new], c[new]
        same = key[1:] == key[:-1]
        multi = np.r_[same, False] | np.r_[False, same]
        mat[key[~multi]] = c[~multi]
        if multi.any():
            mk, mc = key[multi], c[multi]
            starts = np.flatnonzero(np.r_[True, mk[1:] != mk[:-1], True])
            for lo, hi in itertools.pairwise(starts):
                mat[mk[lo]] = labels.group(int(x) for x in mc[lo:hi])
    return labels.finish(
        mat.reshape(n_ballots, width),
        precinct=precinct,
        precinct_names=precinct_names,
        seats=seats,
    )


def open_text(data: bytes, label: str) -> io.StringIO:
    """UTF-8 text of ``data`` (a byte-order mark dropped) as a stream; bad bytes raise InputError."""
    from kingmaker.io._source import decode

    return io.StringIO(decode(data, label))
