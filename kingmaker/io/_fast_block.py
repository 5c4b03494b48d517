"""Vectorised readers for the common ballot block: whole numbers only, one ballot a line.

:func:`kingmaker.io.blt.read_blt` (``w c1 c2 ... 0``) and
:func:`kingmaker.io.preflib.read_preflib` (``count: c1,c2,...``) try these first. They parse
the block's bytes with numpy in slices of lines and return ``None`` -- so that the
line-by-line reader runs and raises its precise, line-numbered message -- whenever anything
is out of the ordinary: comments, ids, equal or skipped ranks, fractional weights, a number
too long, a candidate out of range, a malformed line, or any limit that would be passed.
They never raise, and never allocate the ranking matrix before the same caps are checked.

Each slice is tried first in the plain layout (:func:`_plain_slice`: single separators, every
line ending in a line feed), the layout every writer produces, in a dozen passes over its
bytes; a slice in any other layout goes to the general parser (:func:`_blt_slice`,
:func:`_preflib_slice`), which handles blanks, tabs and CR too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from kingmaker.ballots import PAD
from kingmaker.io.limits import ReadLimits

#: The first line that is exactly ``0`` (spaces allowed): the terminator of a BLT ballot block.
_TERMINATOR = re.compile(r"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
#: Slices of about this many bytes keep the temporaries small on a 10-million-line file.
_SLICE = 1 << 24
#: Longest number read here (15 digits stay exact in float64 sums); longer goes the slow way.
_MAX_DIGITS = 15
_NL, _SPACE, _TAB, _CR, _COMMA, _COLON = 10, 32, 9, 13, 44, 58

Slice = tuple[np.ndarray, np.ndarray]


def _two_digit_table() -> np.ndarray:
    """Value of the number ending at byte ``hi`` given the byte ``lo`` before it, indexed by
    the little-endian word ``lo | hi << 8``: ``10 * lo + hi`` when both are digits, ``hi`` when
    only ``hi`` is (a one-digit number), -1 when ``hi`` is no digit (never looked up)."""
    lo = np.arange(65536) & 0xFF
    hi = np.arange(65536) >> 8
    lo_digit = (lo >= 48) & (lo <= 57)
    hi_digit = (hi >= 48) & (hi <= 57)
    table = np.where(lo_digit, 10 * (lo - 48), 0) + hi - 48
    return np.where(hi_digit, table, -1).astype(np.int32)


#: See :func:`_two_digit_table`.
_TWO_DIGITS = _two_digit_table()


def first_lines(text: str, count: int) -> list[str]:
    """``text.splitlines()[:count]`` without splitting the whole text (a sniffer's look at a
    300 MB file): prefixes four times longer each time until they hold more than ``count``
    lines, the first ``count`` then being whole."""
    size = 4096
    while True:
        lines = text[:size].splitlines()
        if len(lines) > count or size >= len(text):
            return lines[:count]
        size *= 4


def find_block(text: str, start: int) -> tuple[int, int] | None:
    """``(end of block, start of terminator line)``: the first line ``0`` from ``text[start:]`` on.

    ``str.find`` of a bare ``0`` line is tried first (fast); the block may still hold a line
    ``0`` with blanks, which :func:`parse_block` refuses, sending the file to the slow reader.
    """
    if start > len(text):  # the header's last line ran to the end of the text: no block
        return None
    at = start - 1 if start and text[start - 1] == "\n" else start
    best = text.find("\n0\n", at)
    crlf = text.find("\n0\r\n", at, len(text) if best < 0 else best + 4)  # one starting before it
    if crlf >= 0:
        best = crlf
    if best < 0 and text.endswith("\n0"):
        best = len(text) - 2
    if best >= 0 and best + 1 >= start:
        return best + 1, best + 1
    term = _TERMINATOR.search(text, start)
    if term is None:
        return None
    return term.start(), term.start()


def ascii_bytes(text: str, start: int, end: int) -> tuple[bytes, int, int] | None:
    """``text[start:end]`` as ASCII bytes ``(data, start, end)``: the whole text encoded once
    (a copy, no slice of it) when it is all ASCII, else the slice; None when that is not ASCII."""
    if text.isascii():  # O(1) in CPython: a flag of the string
        return text.encode("ascii"), start, end
    block = text[start:end]
    return (block.encode("ascii"), 0, len(block)) if block.isascii() else None


def parse_block(
    data: bytes, n: int, limits: ReadLimits, kind: str = "blt", start: int = 0, end: int | None = None
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """``(matrix, weights, last candidate ranked)`` of the plain ballot block ``data[start:end]``,
    or None to go slow.

    ``kind`` is ``"blt"`` (``w c1 c2 ... 0``) or ``"preflib"`` (``count: c1,c2,...``).
    """
    end = len(data) if end is None else end
    if data.find(b"\r", start, end) >= 0 and data.count(b"\r", start, end) != data.count(b"\r\n", start, end):
        return None
    parse: Callable[[np.ndarray, int, ReadLimits], Slice | None] = (
        _blt_slice if kind == "blt" else _preflib_slice
    )
    # Slices are copied into ``out`` as they come (so that a 10-million-line block never holds
    # its matrix twice), sized at first for every line of the block, within the limits.
    out: np.ndarray | None = None
    lines = data.count(b"\n", start, end) + 1
    wts: list[np.ndarray] = []
    rows = 0
    width = 0
    total = 0.0
    ranked_last = False
    pos = start
    while pos < end:
        cut = data.rfind(b"\n", pos, pos + _SLICE) if pos + _SLICE < end else end - 1
        if cut < pos:
            cut = data.find(b"\n", pos + _SLICE, end)
            cut = end - 1 if cut < 0 else cut
        buf = np.frombuffer(data, dtype=np.uint8, count=cut + 1 - pos, offset=pos)
        piece = _plain_slice(buf, n, limits, kind)
        if piece is None:  # not the plain layout: the general parser reads it (or refuses it)
            piece = parse(buf, n, limits)
        pos = cut + 1
        if piece is None:
            return None
        mat, w = piece
        used = rows
        rows += len(w)
        width = max(width, mat.shape[1])
        total += float(w.sum(dtype=np.float64))
        if rows > limits.max_rows or width > limits.max_ranks or total > min(limits.max_ballots, 2**52):
            return None
        if rows * width > limits.max_cells:
            return None
        if kind == "blt":  # only BLT asks (a last name no ballot ranks may be a title)
            ranked_last = ranked_last or bool((mat == n - 1).any())
        if out is None and pos >= end:  # the whole block in one slice: no copy
            return mat, w, ranked_last
        if out is None or rows > len(out) or width > out.shape[1]:
            cap = max(rows, min(lines, limits.max_rows, limits.max_cells // max(width, 1)))
            grown = np.full((cap, width), PAD, dtype=np.int32)
            if out is not None:
                grown[:used, : out.shape[1]] = out[:used]
            out = grown
        out[used:rows, : mat.shape[1]] = mat
        wts.append(w)
    if out is None:
        return np.full((0, 0), PAD, dtype=np.int32), np.zeros(0, dtype=np.int64), ranked_last
    return out[:rows], np.concatenate(wts), ranked_last


def _plain_slice(buf: np.ndarray, n: int, limits: ReadLimits, kind: str) -> Slice | None:
    """A slice in the plain layout, parsed in a few passes over its bytes; else None.

    Plain: digits and single separators only, each line ending in ``\\n``. BLT lines are
    ``w c1 c2 ... 0`` (one space between numbers); PrefLib lines ``count: c1,c2,...`` (the
    space after the colon optional). Then every separator ends one number, so one pass over
    the bytes finds every number's end, the bytes before it are its digits and the line ends
    delimit the rows; the matrix is filled by one scatter. What this accepts the general
    parser accepts with the same result; for anything else (blank lines, doubled blanks, tabs,
    CR, a missing final line end) it returns None and the general parser decides.
    """
    if len(buf) == 0 or buf[-1] != _NL:
        return None
    other = (buf - np.uint8(48)) > 9  # every byte that is not a digit
    spaces = 0
    if kind != "blt":  # PrefLib: a space may follow a colon; it ends no number, so it is skipped
        space = buf == _SPACE
        spaces = int(np.count_nonzero(space))
        if spaces:
            other &= ~space
        del space
    sep = np.flatnonzero(other)  # the separators: each ends one number
    del other
    byte = buf[sep]
    gap = np.empty_like(sep)  # 1 + the digits of the number before each separator
    gap[0] = sep[0] + 1
    np.subtract(sep[1:], sep[:-1], out=gap[1:])
    if spaces:  # each space right after a colon, counted out of the next number's digits
        colon = np.flatnonzero(byte == _COLON)
        spaced = buf[sep[colon] + 1] == _SPACE  # a colon is never the last byte (that is \n)
        if int(np.count_nonzero(spaced)) != spaces:
            return None
        gap[colon[spaced] + 1] -= 1
    if (gap < 2).any():
        return None
    ends = (_SPACE, _NL) if kind == "blt" else (_COMMA, _COLON, _NL)
    known = byte == ends[0]
    for b in ends[1:]:
        known |= byte == b
    if not known.all():
        return None
    del known
    longest = int(gap.max()) - 1
    if longest > _MAX_DIGITS:
        return None
    kind_t = np.int32 if longest <= 9 else np.int64
    # the two bytes before each separator, read as one 16-bit word, give numbers up to 99
    sep -= 2
    if len(buf) > 1:
        pairs = np.ndarray((len(buf) - 1,), dtype="<u2", buffer=buf, strides=(1,))
        values = _TWO_DIGITS[np.ascontiguousarray(pairs)[sep]]  # a copy first: gathers faster
        if kind_t is np.int64:
            values = values.astype(np.int64)
    else:  # never: a one-byte slice is a lone line feed, refused above
        return None
    if gap[0] == 2:  # a one-digit number first: no byte before it (its pair wrapped round)
        values[0] = int(buf[0]) - 48
    scale = 10
    for k in range(2, longest):  # each longer number's next digit
        scale *= 10
        idx = np.flatnonzero(gap > k + 1)
        values[idx] += (buf[sep[idx] + 1 - k].astype(kind_t) - 48) * scale
    del gap, sep
    tail = np.flatnonzero(byte == _NL)  # the last number of each line
    count = np.diff(tail, prepend=np.intp(-1))
    head = tail - count + 1
    if (count < 2).any():
        return None
    if kind == "blt":
        if (values[tail] != 0).any():
            return None
        ranks = count - 2
    else:  # one colon a line, right after the count
        colon = byte == _COLON
        if int(np.count_nonzero(colon)) != len(head) or not colon[head].all():
            return None
        ranks = count - 1
    del byte
    rows, width = len(head), int(ranks.max())
    if not _fits(rows, width, limits):
        return None
    weights = values[head].astype(np.int64)
    values[head] = 0
    not_cand = len(head)
    if kind == "blt":
        values[tail] = 0
        not_cand += len(tail)
    # candidates 1..n: only the weights and closing zeros just set are 0
    if int(np.count_nonzero(values == 0)) != not_cand or int(values.max()) > n:
        return None
    # number t of line r goes to cell r * width + (t - head[r] - 1), a running sum that steps by
    # 1 within a line and jumps at each line's first number; weights and zeros go to a spare cell
    start = np.arange(rows, dtype=np.int64) * width - 1  # where each line's first number goes
    step = np.ones(len(values), dtype=np.int64)
    step[head[1:]] = start[1:] - start[:-1] - count[:-1] + 1
    step[0] = start[0]
    where = np.cumsum(step, out=step)
    spare = rows * width
    where[head] = spare
    if kind == "blt":
        where[tail] = spare
    cells = np.full(spare + 1, PAD, dtype=np.int32)
    values -= 1
    cells[where] = values
    return cells[:spare].reshape(rows, width), weights


def _numbers(buf: np.ndarray, allowed: tuple[int, ...]) -> tuple[np.ndarray, ...] | None:
    """The whole numbers in ``buf``: values, starts, ends, line of each, first of each line.

    None when ``buf`` holds a byte other than digits and ``allowed``, or a number too long;
    ``()`` when it holds no number at all.
    """
    digit = (buf >= 48) & (buf <= 57)
    other = ~digit
    for b in allowed:
        other &= buf != b
    if other.any():
        return None
    if not digit.any():
        return ()
    edge = np.diff(digit.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)
    del edge, digit, other
    lengths = ends - starts
    longest = int(lengths.max())
    if longest > _MAX_DIGITS:
        return None
    kind = np.int32 if longest <= 9 else np.int64
    values = buf[ends - 1].astype(kind) - 48  # units; then each longer number's next digit
    scale = 1
    for k in range(1, longest):
        scale *= 10
        idx = np.flatnonzero(lengths > k)
        values[idx] += (buf[ends[idx] - 1 - k].astype(kind) - 48) * scale
    line = np.cumsum(buf == _NL, dtype=np.int32)[starts]  # line of each number
    head = np.flatnonzero(np.diff(line, prepend=np.int32(-1)) != 0)  # first number of each line
    return values, starts, ends, line, head


def _fits(rows: int, width: int, limits: ReadLimits) -> bool:
    """True when a slice's ``rows`` x ``width`` matrix is within ``limits`` (checked before it is made)."""
    return rows <= limits.max_rows and width <= limits.max_ranks and rows * width <= limits.max_cells


def _matrix(
    values: np.ndarray, head: np.ndarray, ranks: np.ndarray, inner: np.ndarray, n: int, limits: ReadLimits
) -> Slice | None:
    """The code matrix from the candidate numbers ``values[inner]`` (``ranks`` a line), weights."""
    cand = values[inner]
    if len(cand) and (int(cand.min()) < 1 or int(cand.max()) > n):
        return None
    width = int(ranks.max()) if len(ranks) else 0
    if not _fits(len(head), width, limits):
        return None
    row = np.repeat(np.arange(len(head)), ranks)
    col = np.arange(len(cand)) - np.repeat(np.cumsum(ranks) - ranks, ranks)
    mat = np.full((len(head), width), PAD, dtype=np.int32)
    mat[row, col] = cand - 1
    return mat, values[head].astype(np.int64)


def _empty(buf: np.ndarray) -> Slice | None:
    """No ballots when ``buf`` (with no number in it) holds only blanks and line ends, else None."""
    if ((buf != _SPACE) & (buf != _TAB) & (buf != _CR) & (buf != _NL)).any():
        return None
    return np.zeros((0, 0), dtype=np.int32), np.zeros(0, dtype=np.int64)


def _blt_slice(buf: np.ndarray, n: int, limits: ReadLimits) -> Slice | None:
    """BLT ballot lines ``w c1 ... 0`` (bytes ending at a line end): code matrix and weights."""
    found = _numbers(buf, (_SPACE, _TAB, _CR, _NL))
    if not found:
        return _empty(buf) if found == () else None
    values, _, _, _, head = found
    count = np.diff(np.append(head, len(values)))
    tail = head + count - 1
    if (count < 2).any() or (values[tail] != 0).any():
        return None
    inner = np.ones(len(values), dtype=bool)
    inner[head] = False
    inner[tail] = False
    return _matrix(values, head, count - 2, inner, n, limits)


def _preflib_slice(buf: np.ndarray, n: int, limits: ReadLimits) -> Slice | None:
    """PrefLib order lines ``count: c1,c2,...`` (bytes ending at a line end): matrix and counts.

    Exactly as the line reader takes them: one number, one colon, then numbers with at least
    one comma between neighbours (it drops blanks, so ``1 2`` would read as ``12``: refused).
    """
    found = _numbers(buf, (_SPACE, _TAB, _CR, _NL, _COMMA, _COLON))
    if not found:
        return _empty(buf) if found == () else None
    values, starts, ends, line, head = found
    bounds = np.concatenate([[-1], np.flatnonzero(buf == _NL), [len(buf)]])
    rows = line[head]  # the line of each order, counted in newlines before it
    first = bounds[rows] + 1
    last = bounds[rows + 1]
    colon = np.zeros(len(buf) + 1, dtype=np.int32)  # colon[i]: colons in buf[:i]
    np.cumsum(buf == _COLON, out=colon[1:])
    comma = np.zeros(len(buf) + 1, dtype=np.int32)
    np.cumsum(buf == _COMMA, out=comma[1:])
    following = head + 1  # the number after each line's count, else the line's end
    has_next = following < len(values)
    has_next[has_next] = line[following[has_next]] == rows[has_next]
    upto = np.where(has_next, starts[np.minimum(following, len(values) - 1)], last)
    # one colon a line, right after the count; every mark on a line with numbers
    if int(colon[-1]) != len(head) or (colon[upto] - colon[ends[head]] != 1).any():
        return None
    if int((comma[last] - comma[first]).sum()) != int(comma[-1]):
        return None
    colons = np.flatnonzero(buf == _COLON)
    if (comma[colons] - comma[first] != 0).any():  # commas only after the colon
        return None
    # neighbouring candidate numbers on a line have a comma between them
    is_head = np.zeros(len(values), dtype=bool)
    is_head[head] = True
    pairs = np.flatnonzero((line[1:] == line[:-1]) & ~is_head[:-1])
    if (comma[starts[pairs + 1]] - comma[ends[pairs]] < 1).any():
        return None
    count = np.diff(np.append(head, len(values)))
    inner = np.ones(len(values), dtype=bool)
    inner[head] = False
    return _matrix(values, head, count - 1, inner, n, limits)
