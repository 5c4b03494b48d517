"""BLT ballot files (the format of OpenSTV, eSTV and the ERS count programs).

Layout::

    4 2              candidates seats
    -3               optional: withdrawn candidates as negative numbers
    12 1 2 3 0       weight, then candidate numbers (1-based) in order, ending with 0
    3 2=3 1 0        extended form: ``a=b`` equal ranking, ``-`` a skipped rank
    0                terminator of the ballot section
    "Alice"          one quoted name per candidate (or one bare name per line)
    ...
    "Title"          optional title

``#`` starts a comment. Every error names the file and line. The header is a claim that is
checked: its candidates and seats against :class:`~kingmaker.io.limits.ReadLimits` before any
ballot is read, and its candidates against the names that follow: exactly that many, then at most
one title. Without a title, a last name that no ballot ranks is refused as a title read as a
candidate (a header one too high), since nothing else tells the two apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError, KingmakerError
from kingmaker.io import format_weight
from kingmaker.io._fast_block import ascii_bytes, find_block, first_lines, parse_block
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits, Tally, padded_rankings, parse_count, parse_weight
from kingmaker.io.registry import BALLOT_FORMATS

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_QUOTED_LINE = re.compile(r'(?:\s*"(?:[^"\\]|\\.)*")+\s*')
_HEADER = re.compile(r"[0-9]+\s+[0-9]+")
_WITHDRAWN = re.compile(r"-[0-9]+")
#: Line breaks other than \n and \r\n, which ``str.splitlines`` also counts as line ends.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)")


def _candidate(tok: str, n: int, src: str, line: int) -> int:
    """A 1-based candidate number as a 0-based index, checked against the header's ``n``."""
    c = (
        int(tok)
        if len(tok) < 19 and tok.isascii() and tok.isdigit()
        else parse_count(tok, "candidate number", src, line)
    )
    if not 1 <= c <= n:
        raise InputError(f"candidate number {c} out of range 1..{n}", source=src, line=line)
    return c - 1


def read_blt(source: SourceLike, *, name: str | None = None, limits: ReadLimits | None = None) -> Ballots:
    """Read a BLT file (a path, bytes or text) into :class:`Ballots`: weights, withdrawn, equal and
    skipped ranks kept; ``name`` names it in messages; ``limits`` caps the header's claims."""
    text = open_source(source, name=name)
    limits = limits or DEFAULT_LIMITS
    try:
        fast = _read_plain(text.text, text.name, limits)
    except KingmakerError:
        fast = None  # the line-by-line reader below raises the precise message
    if fast is not None:
        return fast
    src = text.name
    lines = text.text.splitlines()
    it = iter(enumerate(lines, start=1))

    def next_content() -> tuple[int, str] | None:
        for no, raw in it:
            s = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
            if s:
                return no, s
        return None

    head = next_content()
    if head is None:
        raise InputError("empty file: expected a header 'candidates seats'", source=src)
    no, s = head
    if not _HEADER.fullmatch(s):
        raise InputError(f"header must be 'candidates seats', got {s[:80]!r}", source=src, line=no)
    n_tok, seats_tok = s.split()
    n = limits.check("max_candidates", parse_count(n_tok, "candidates", src, no), "candidates", src, no)
    seats = limits.check("max_seats", parse_count(seats_tok, "seats", src, no), "seats", src, no)
    if n < 1 or seats < 1:
        raise InputError("header needs at least 1 candidate and 1 seat", source=src, line=no)

    withdrawn: set[int] = set()
    rows: list[list[int]] = []
    weights: list[int | float] = []
    groups: dict[tuple[int, ...], int] = {}
    tally = Tally(limits, src)
    ranked: set[int] = set()
    terminated = False
    first = True
    while True:
        item = next_content()
        if item is None:
            break
        no, s = item
        toks = s.split()
        if toks[0].startswith("(") and toks[0].endswith(")"):  # ballot id, OpenSTV style
            toks = toks[1:]
            if not toks:
                raise InputError("ballot line has an id but no weight", source=src, line=no)
        if first and all(_WITHDRAWN.fullmatch(t) for t in toks):
            for t in toks:
                withdrawn.add(_candidate(t[1:], n, src, no))
            first = False
            continue
        first = False
        if toks == ["0"]:
            terminated = True
            break
        if toks[0].startswith('"'):
            raise InputError("missing terminator: a line '0' must end the ballots", source=src, line=no)
        w = parse_weight(toks[0], "ballot weight", src, no)
        if toks[-1] != "0" or len(toks) < 2:
            raise InputError("ballot line must end with 0", source=src, line=no)
        tally.add(w, len(toks) - 2, no)
        row: list[int] = []
        for t in toks[1:-1]:
            if t == "-":
                row.append(SKIPPED)
                continue
            codes = [_candidate(m, n, src, no) for m in t.split("=")]
            ranked.update(codes)
            uniq = tuple(sorted(set(codes)))
            if len(uniq) == 1:
                row.append(uniq[0])
            else:
                row.append(group_code(groups.setdefault(uniq, len(groups))))
        rows.append(row)
        weights.append(w)
    if not terminated:
        raise InputError("missing terminator: no line '0' after the ballots", source=src, line=len(lines))
    names, title = _names(next_content, n, src, len(lines))
    if title is None and n - 1 not in ranked and n - 1 not in withdrawn:
        raise InputError(
            f"the header says {n} candidates and {n} names follow with no title, but no ballot ranks "
            f"the last, {names[-1]!r}: is it the title? Correct the header, or add a title line",
            source=src,
            line=len(lines),
        )
    return Ballots.from_matrix(
        padded_rankings(rows, limits, src),
        names,
        np.asarray(weights) if weights else np.zeros(0, dtype=np.int64),
        withdrawn=withdrawn,
        groups=tuple(groups),
        title=title,
        seats=seats,
        source=src,
    )


def _read_plain(text: str, src: str, limits: ReadLimits) -> Ballots | None:
    """The common file read fast: a plain ballot block (whole numbers, one ballot a line) parsed
    at once by :mod:`kingmaker.io._fast_block`; ``None`` for anything else, read line by line."""
    pos = 0
    no = 0

    def content() -> tuple[int, str, int] | None:  # next non-blank line: number, text, start
        nonlocal pos, no
        while pos < len(text):
            start = pos
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            pos = end + 1
            no += 1
            raw = text[start:end]
            s = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
            if s:
                return no, s, start
        return None

    head = content()
    if head is None or not _HEADER.fullmatch(head[1]):
        return None
    no0, s = head[0], head[1]
    n_tok, seats_tok = s.split()
    n = limits.check("max_candidates", parse_count(n_tok, "candidates", src, no0), "candidates", src, no0)
    seats = limits.check("max_seats", parse_count(seats_tok, "seats", src, no0), "seats", src, no0)
    if n < 1 or seats < 1:
        return None
    item = content()
    if item is None:
        return None
    withdrawn: set[int] = set()
    toks = item[1].split()
    if all(_WITHDRAWN.fullmatch(t) for t in toks):
        withdrawn = {_candidate(t[1:], n, src, item[0]) for t in toks}
        block_start = pos
    else:
        block_start = item[2]
    if _ODD_BREAKS.search(text, 0, block_start):
        return None
    found = find_block(text, block_start)
    if found is None:
        return None
    end, term_start = found
    found_bytes = ascii_bytes(text, block_start, end)
    if found_bytes is None:
        return None
    parsed = parse_block(found_bytes[0], n, limits, "blt", found_bytes[1], found_bytes[2])
    del found_bytes
    if parsed is None:
        return None
    mat, weights, ranked_last = parsed
    term_line = text.count("\n", 0, term_start) + 1
    tail = text[term_start:].splitlines()
    last_line = term_line - 1 + len(tail)
    rest = iter(enumerate(tail[1:], start=term_line + 1))

    def next_content() -> tuple[int, str] | None:
        for line_no, raw in rest:
            s = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
            if s:
                return line_no, s
        return None

    names, title = _names(next_content, n, src, last_line)
    if title is None and not ranked_last and n - 1 not in withdrawn:
        return None  # refused as a title read as a candidate: the slow reader says so
    return Ballots.from_matrix(mat, names, weights, withdrawn=withdrawn, title=title, seats=seats, source=src)


def _names(next_content, n: int, src: str, last_line: int) -> tuple[list[str], str | None]:  # type: ignore[no-untyped-def]
    """The ``n`` names after the terminator, then the optional title; more is an error.

    Names are quoted (several may share a line) or bare, one per line (Scottish council files).
    """
    names: list[str] = []
    title: str | None = None
    while True:
        item = next_content()
        if item is None:
            break
        no, s = item
        if _QUOTED_LINE.fullmatch(s):
            found = [f.replace('\\"', '"') for f in _QUOTED.findall(s)]
        elif '"' in s:
            raise InputError(f"expected quoted names or one bare name, got {s[:80]!r}", source=src, line=no)
        else:  # one bare name per line, as Scottish councils publish their BLT files
            found = [s]
        for f in found:
            if len(names) < n:
                if not f.strip():
                    raise InputError("empty candidate name", source=src, line=no)
                names.append(f)
            elif title is None:
                title = f
            else:
                raise InputError(
                    f"the header says {n} candidates, but more names follow than {n} and a title",
                    source=src,
                    line=no,
                )
    if len(names) < n:
        raise InputError(f"expected {n} candidate names, found {len(names)}", source=src, line=last_line)
    return names, title


def write_blt(ballots: Ballots, path: str | Path, seats: int | None = None) -> None:
    """Write BLT; equal rankings as ``a=b``, skipped ranks as ``-`` (overvotes cannot be written)."""
    b = ballots
    out = [f"{b.n_candidates} {seats or b.seats or 1}"]
    if b.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(b.withdrawn)))
    for row, w in zip(b.rankings, b.weights, strict=True):
        toks = []
        for code in row:
            code = int(code)
            if code == PAD:
                break
            if code == SKIPPED:
                toks.append("-")
            elif code == OVERVOTE:
                raise InputError("BLT cannot hold an overvote of unknown candidates", source=str(path))
            elif code < 0:
                toks.append("=".join(str(c + 1) for c in b.groups[group_index(code)]))
            else:
                toks.append(str(code + 1))
        out.append(" ".join([format_weight(w), *toks, "0"]))
    out.append("0")
    out.extend('"' + c.replace('"', '\\"') + '"' for c in b.candidates)
    out.append('"' + (b.title or "").replace('"', '\\"') + '"')
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")


def looks_like_blt(text: str) -> bool:
    """True when the first line that is not a comment is a ``candidates seats`` header."""
    for raw in first_lines(text, 50):
        s = raw.split("#", 1)[0].strip()
        if s:
            return bool(_HEADER.fullmatch(s))
    return False


BALLOT_FORMATS.register(
    "blt",
    summary="BLT (OpenSTV, eSTV, ERS): weights, withdrawn candidates, equal and skipped ranks, seats",
    extensions=(".blt",),
    writer=write_blt,
    sniff=looks_like_blt,
)(read_blt)
