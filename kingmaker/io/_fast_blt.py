"""A vectorised reader for the common BLT ballot block: whole numbers only, one ballot a line.

:func:`kingmaker.io.blt.read_blt` tries this first. It parses the block's bytes with numpy in
slices of lines (weights, candidate numbers, the closing 0) and returns ``None`` -- so that the
line-by-line reader runs and raises its precise, line-numbered message -- whenever anything
is out of the ordinary: comments, ids, equal or skipped ranks, fractional weights, a number
too long, a candidate out of range, a line without its 0, or any limit that would be passed.
It never raises and never allocates the ranking matrix before the same caps are checked.
"""

from __future__ import annotations

import re

import numpy as np

from kingmaker.ballots import PAD
from kingmaker.io.limits import ReadLimits

#: The first line that is exactly ``0`` (spaces allowed): the terminator of the ballot block.
_TERMINATOR = re.compile(r"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
#: Slices of about this many bytes keep the temporaries small on a 10-million-line file.
_SLICE = 1 << 24
#: Longest number read here (15 digits stay exact in float64 sums); longer goes the slow way.
_MAX_DIGITS = 15


def find_block(text: str, start: int) -> tuple[int, int] | None:
    """``(end of block, start of terminator line)``: the first line ``0`` from ``text[start:]`` on.

    ``str.find`` of a bare ``0`` line is tried first (fast); the block may still hold a line
    ``0`` with blanks, which :func:`parse_block` refuses, sending the file to the slow reader.
    """
    at = start - 1 if start and text[start - 1] == "\n" else start
    best = -1
    for probe in ("\n0\n", "\n0\r\n"):
        i = text.find(probe, at)
        if i >= 0 and (best < 0 or i < best):
            best = i
    if best < 0 and text.endswith("\n0"):
        best = len(text) - 2
    if best >= 0 and best + 1 >= start:
        return best + 1, best + 1
    term = _TERMINATOR.search(text, start)
    if term is None:
        return None
    return term.start(), term.start()


def parse_block(block: bytes, n: int, limits: ReadLimits) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """``(matrix, weights, last candidate ranked)`` of a plain ballot block, or None to go slow."""
    if block.count(b"\r") != block.count(b"\r\n"):
        return None
    mats: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    rows = 0
    width = 0
    total = 0.0
    ranked_last = False
    pos = 0
    while pos < len(block):
        cut = block.rfind(b"\n", pos, pos + _SLICE) if pos + _SLICE < len(block) else len(block) - 1
        if cut < pos:
            cut = block.find(b"\n", pos + _SLICE)
            cut = len(block) - 1 if cut < 0 else cut
        piece = _parse_slice(np.frombuffer(block, dtype=np.uint8, count=cut + 1 - pos, offset=pos), n)
        pos = cut + 1
        if piece is None:
            return None
        mat, w = piece
        rows += len(w)
        width = max(width, mat.shape[1])
        total += float(w.sum(dtype=np.float64))
        if rows > limits.max_rows or width > limits.max_ranks or total > min(limits.max_ballots, 2**52):
            return None
        if rows * width > limits.max_cells:
            return None
        ranked_last = ranked_last or bool((mat == n - 1).any())
        mats.append(mat)
        wts.append(w)
    out = np.full((rows, width), PAD, dtype=np.int32)
    r = 0
    for mat in mats:
        out[r : r + len(mat), : mat.shape[1]] = mat
        r += len(mat)
    weights = np.concatenate(wts) if wts else np.zeros(0, dtype=np.int64)
    return out, weights, ranked_last


def _parse_slice(buf: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Ballot lines of whole numbers (bytes ending at a line end) as a code matrix and weights."""
    digit = buf >= 48
    if (buf > 57).any() or ((~digit) & (buf != 32) & (buf != 10) & (buf != 9) & (buf != 13)).any():
        return None  # anything but digits, blanks and line ends
    if not digit.any():
        return np.zeros((0, 0), dtype=np.int32), np.zeros(0, dtype=np.int64)
    edge = np.diff(digit.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)
    lengths = np.flatnonzero(edge == -1) - starts
    del edge, digit
    longest = int(lengths.max())
    if longest > _MAX_DIGITS:
        return None
    ends = starts + lengths
    kind = np.int32 if longest <= 9 else np.int64
    values = buf[ends - 1].astype(kind) - 48  # units; then each longer number's next digit
    scale = 1
    for k in range(1, longest):
        scale *= 10
        idx = np.flatnonzero(lengths > k)
        values[idx] += (buf[ends[idx] - 1 - k].astype(kind) - 48) * scale
    line = np.cumsum(buf == 10, dtype=np.int32)[starts]  # line of each number
    head = np.flatnonzero(np.diff(line, prepend=np.int32(-1)) != 0)  # first number of each line
    count = np.diff(np.append(head, len(starts)))
    tail = head + count - 1
    if (count < 2).any() or (values[tail] != 0).any():
        return None
    ranks = count - 2
    width = int(ranks.max())
    inner = np.ones(len(starts), dtype=bool)
    inner[head] = False
    inner[tail] = False
    cand = values[inner]
    if len(cand) and (int(cand.min()) < 1 or int(cand.max()) > n):
        return None
    row = np.repeat(np.arange(len(head)), ranks)
    col = np.arange(len(cand)) - np.repeat(np.cumsum(ranks) - ranks, ranks)
    mat = np.full((len(head), width), PAD, dtype=np.int32)
    mat[row, col] = cand - 1
    return mat, values[head].astype(np.int64)
