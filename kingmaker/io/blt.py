"""BLT ballot files (the format of OpenSTV, eSTV and the ERS count programs).

Layout::

    4 2              candidates seats
    -3               optional: withdrawn candidates as negative numbers
    12 1 2 3 0       weight, then candidate numbers (1-based) in order, ending with 0
    3 2=3 1 0        extended form: ``a=b`` equal ranking, ``-`` a skipped rank
    0                terminator of the ballot section
    "Alice"          one quoted name per candidate
    ...
    "Title"          optional title

``#`` starts a comment. Every error names the file and line.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError
from kingmaker.io import format_weight, padded_rankings

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _weight(tok: str, src: str, line: int) -> int | float:
    try:
        return int(tok)
    except ValueError:
        pass
    try:
        f = float(Fraction(tok))
    except (ValueError, ZeroDivisionError):
        raise InputError(f"non-numeric ballot weight {tok!r}", source=src, line=line) from None
    if f < 0:
        raise InputError(f"negative ballot weight {tok!r}", source=src, line=line)
    return f


def read_blt(path: str | Path) -> Ballots:
    """Read a BLT file into :class:`Ballots` (weights, withdrawn, equal and skipped ranks kept)."""
    src = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=src) from None
    lines = text.splitlines()
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
    parts = s.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InputError(f"header must be 'candidates seats', got {s!r}", source=src, line=no)
    n, seats = int(parts[0]), int(parts[1])
    if n < 1 or seats < 1:
        raise InputError("header needs at least 1 candidate and 1 seat", source=src, line=no)

    withdrawn: set[int] = set()
    rows: list[list[int]] = []
    weights: list[int | float] = []
    groups: dict[tuple[int, ...], int] = {}
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
        if first and toks and all(t.startswith("-") and t[1:].isdigit() for t in toks):
            for t in toks:
                c = int(t[1:])
                if not 1 <= c <= n:
                    raise InputError(
                        f"withdrawn candidate number {c} out of range 1..{n}", source=src, line=no
                    )
                withdrawn.add(c - 1)
            first = False
            continue
        first = False
        if toks == ["0"]:
            terminated = True
            break
        if toks[0].startswith('"'):
            raise InputError("missing terminator: a line '0' must end the ballots", source=src, line=no)
        w = _weight(toks[0], src, no)
        if toks[-1] != "0" or len(toks) < 2:
            raise InputError("ballot line must end with 0", source=src, line=no)
        row: list[int] = []
        for t in toks[1:-1]:
            if t == "-":
                row.append(SKIPPED)
                continue
            members = t.split("=")
            codes = []
            for m in members:
                if not m.isdigit():
                    raise InputError(f"candidate number {m!r} is not a number", source=src, line=no)
                c = int(m)
                if not 1 <= c <= n:
                    raise InputError(f"candidate number {c} out of range 1..{n}", source=src, line=no)
                codes.append(c - 1)
            uniq = tuple(sorted(set(codes)))
            if len(uniq) == 1:
                row.append(uniq[0])
            else:
                row.append(group_code(groups.setdefault(uniq, len(groups))))
        rows.append(row)
        weights.append(w)
    if not terminated:
        raise InputError("missing terminator: no line '0' after the ballots", source=src, line=len(lines))
    names: list[str] = []
    title: str | None = None
    while True:
        item = next_content()
        if item is None:
            break
        no, s = item
        found = _QUOTED.findall(s)
        if not found:
            if len(names) < n:
                raise InputError(f"expected a quoted candidate name, got {s!r}", source=src, line=no)
            continue
        for f in found:
            if len(names) < n:
                names.append(f.replace('\\"', '"'))
            elif title is None:
                title = f
    if len(names) < n:
        raise InputError(f"expected {n} candidate names, found {len(names)}", source=src, line=len(lines))
    return Ballots.from_matrix(
        padded_rankings(rows),
        names,
        np.asarray(weights) if weights else np.zeros(0, dtype=np.int64),
        withdrawn=withdrawn,
        groups=tuple(groups),
        title=title,
        seats=seats,
        source=src,
    )


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
