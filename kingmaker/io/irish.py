"""The Irish 2002 electronic-vote releases: the raw one-ballot-a-line text and the JSON rank vectors.

In May 2002 Dublin North, Dublin West and Meath voted on machines, and the returning officers
published every valid ballot after the count. Two forms of that release circulate:

* **raw text** (``dnorth.txt``, ``DublinWest.txt``): one ballot a line, one double-quoted token
  per candidate separated by spaces, in preference order; a token is a candidate code (the first
  four letters of the surname, ``"Sarg"``) or ``"XXXXX"`` for an unused preference. No header:
  neither the seats nor the candidates' names are in the file.
* **JSON** (``Meath2002.json``): one object with ``Candidate`` (a list of ``{Ref, Name, Party,
  Index}``), ``Ballot`` (one rank vector per ballot: position ``i`` is the rank given to the
  candidate whose ``Index`` is ``i``, 0 for none) and ``Number of Seats``.

Irish STV moves actual papers chosen by their place in the parcel, so the order of the ballots
matters (see :mod:`kingmaker.counting.stv.irish`, ``papers="as-they-lie"``). Both readers
therefore keep **file order** by default: every ballot is its own row of weight one, in the order
of the file (``keep_order=False`` groups identical rankings instead, as every other reader does;
that is smaller and faster but loses the order).

Candidate names: the raw files carry only the codes. ``names`` maps a code to a display name
(``{"Sarg": "Trevor Sargent", ...}``); when given for a raw file it must name every code in the
file, and its order is the candidates' order (a code it names that no ballot uses is still a
candidate, with no votes). Without it the candidates are the codes in order of first appearance.
For the JSON form the names are the file's ``Name`` fields (trimmed), or ``names[Ref]`` where
given. Seats: the JSON's ``Number of Seats``; the raw text has none, so its :class:`Ballots` has
``seats=None`` and an STV count asks for them.

Both forms are detected by content (``looks_like_irish_raw``, ``looks_like_irish_json``), not
only by extension.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import PAD, SKIPPED, Ballots, group_code
from kingmaker.errors import InputError
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits, Tally, padded_rankings
from kingmaker.io.registry import BALLOT_FORMATS

#: The raw form's "no preference here" token.
UNUSED = "XXXXX"
_RAW_LINE = re.compile(r'"[^"\s]{1,40}"(?: "[^"\s]{1,40}")*')


def _build(
    rows: list[list[int]],
    names: list[str],
    keep_order: bool,
    *,
    groups: tuple[tuple[int, ...], ...] = (),
    seats: int | None,
    title: str | None,
    src: str,
    limits: ReadLimits,
) -> Ballots:
    """Ballots from ragged code rows: one row per ballot in file order, or grouped."""
    mat = padded_rankings(rows, limits, src)
    weights = np.ones(len(rows), dtype=np.int64)
    if keep_order:
        return Ballots(mat, weights, tuple(names), frozenset(), groups, title, seats, src)
    return Ballots.from_matrix(mat, names, weights, groups=groups, title=title, seats=seats, source=src)


def read_irish_raw(
    source: SourceLike,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    names: Mapping[str, str] | None = None,
    keep_order: bool = True,
) -> Ballots:
    """Read a raw 2002 release (one ballot a line of quoted codes padded with ``"XXXXX"``).

    ``names`` maps codes to display names (and fixes the candidates' order); ``keep_order``
    keeps every ballot as its own row in file order (default). The result has ``seats=None``:
    the file does not say how many seats.
    """
    text = open_source(source, name=name)
    src = text.name
    limits = limits or DEFAULT_LIMITS
    code_index: dict[str, int] = {}
    if names is not None:
        for code in names:
            code_index[str(code)] = len(code_index)
        limits.check("max_candidates", len(code_index), "the names given", src)
    tally = Tally(limits, src)
    rows: list[list[int]] = []
    seen: set[int] = set()
    width: int | None = None
    for no, line in enumerate(text.text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        if not _RAW_LINE.fullmatch(s):
            raise InputError(
                f"expected double-quoted codes separated by single spaces, got {s[:80]!r}",
                source=src,
                line=no,
            )
        toks = s[1:-1].split('" "')
        if width is None:
            width = limits.check("max_ranks", len(toks), "tokens on a ballot line", src, no)
        elif len(toks) != width:
            raise InputError(
                f"{len(toks)} tokens on this line but {width} on the first: every line has one per candidate",
                source=src,
                line=no,
            )
        row: list[int] = []
        for tok in toks:
            if tok == UNUSED:
                row.append(SKIPPED)
                continue
            c = code_index.get(tok)
            if c is None:
                if names is not None:
                    raise InputError(
                        f"candidate code {tok!r} is not in the names given ({', '.join(list(names)[:20])})",
                        source=src,
                        line=no,
                    )
                c = code_index[tok] = len(code_index)
                limits.check("max_candidates", len(code_index), "candidate codes", src, no)
            row.append(c)
            seen.add(c)
        while row and row[-1] == SKIPPED:  # the padding after the last preference
            row.pop()
        tally.add(1, len(row), no)
        rows.append(row)
    if not rows:
        raise InputError("no ballot lines", source=src)
    if width is not None and len(seen) > width:
        raise InputError(
            f"{len(seen)} candidate codes but {width} tokens a line (one per candidate)", source=src
        )
    labels = [str(names[c]) for c in code_index] if names is not None else list(code_index)
    return _build(rows, labels, keep_order, seats=None, title=None, src=src, limits=limits)


def _field(data: Mapping[str, Any], key: str, kind: type, src: str) -> Any:
    if key not in data:
        raise InputError(f"no {key!r} field (need Candidate, Ballot; Number of Seats optional)", source=src)
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(f"{key!r} must be a JSON {kind.__name__}, not {type(value).__name__}", source=src)
    return value


def read_irish_json(
    source: SourceLike,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    names: Mapping[str, str] | None = None,
    keep_order: bool = True,
) -> Ballots:
    """Read the JSON rank-vector form (``Candidate``, ``Ballot``, ``Number of Seats``).

    Each ballot is a vector of ranks, one per candidate in ``Index`` order (0: not ranked).
    A rank left out below the highest becomes a skipped rank; two candidates given the same
    rank are an equal ranking; both are kept as cast. ``names`` maps a ``Ref`` to a display
    name; ``keep_order`` keeps file order (default).
    """
    text = open_source(source, name=name)
    src = text.name
    limits = limits or DEFAULT_LIMITS
    try:
        data = json.loads(text.text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", source=src, line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", source=src) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with Candidate and Ballot", source=src)
    cands = _field(data, "Candidate", list, src)
    n = limits.check("max_candidates", len(cands), "candidates", src)
    labels: list[str | None] = [None] * n
    for k, c in enumerate(cands):
        if not isinstance(c, dict):
            raise InputError(f"Candidate {k + 1} is not an object", source=src)
        idx = c.get("Index", k)
        if not isinstance(idx, int) or isinstance(idx, bool) or not 0 <= idx < n or labels[idx] is not None:
            raise InputError(f"Candidate {k + 1} has Index {idx!r}: need each of 0..{n - 1} once", source=src)
        ref = str(c.get("Ref", "")).strip()
        label = (
            names.get(ref) if names is not None and ref in names else str(c.get("Name", "") or ref).strip()
        )
        labels[idx] = label or f"Candidate {idx + 1}"
    seats = None
    if "Number of Seats" in data:
        seats = _field(data, "Number of Seats", int, src)
        if seats < 1:
            raise InputError(f"Number of Seats is {seats}: must be at least 1", source=src)
        limits.check("max_seats", seats, "Number of Seats", src)
    ballots = _field(data, "Ballot", list, src)
    limits.check("max_rows", len(ballots), "the number of ballots", src)
    limits.check("max_cells", len(ballots) * n, "ballots x candidates", src)
    tally = Tally(limits, src)
    groups: dict[tuple[int, ...], int] = {}
    rows: list[list[int]] = []
    for k, vec in enumerate(ballots):
        if not isinstance(vec, list) or len(vec) != n:
            raise InputError(f"ballot {k + 1} is not a list of {n} ranks", source=src)
        if any(not isinstance(r, int) or isinstance(r, bool) or not 0 <= r <= n for r in vec):
            raise InputError(f"ballot {k + 1}: ranks must be whole numbers 0..{n}, got {vec}", source=src)
        row = _ranks_to_row(vec, groups)
        tally.add(1, len(row), None)
        rows.append(row)
    if not rows:
        raise InputError("no ballots", source=src)
    title = " ".join(str(data[k]) for k in ("Constituency", "Election_Type") if data.get(k)) or None
    if title and isinstance(data.get("Date"), dict) and data["Date"].get("Year"):
        title += f" {data['Date']['Year']}"
    return _build(
        rows,
        [str(x) for x in labels],
        keep_order,
        groups=tuple(groups),
        seats=seats,
        title=title,
        src=src,
        limits=limits,
    )


def _ranks_to_row(vec: list[int], groups: dict[tuple[int, ...], int]) -> list[int]:
    """A rank vector (candidate -> rank, 0 none) as ranking codes: rank 1 first."""
    top = max(vec, default=0)
    at: list[list[int]] = [[] for _ in range(top + 1)]
    for c, r in enumerate(vec):
        if r:
            at[r].append(c)
    row: list[int] = []
    for members in at[1:]:
        if not members:
            row.append(SKIPPED)
        elif len(members) == 1:
            row.append(members[0])
        else:
            row.append(group_code(groups.setdefault(tuple(members), len(groups))))
    return row


def _expanded(ballots: Ballots, where: str) -> list[tuple[int, ...]]:
    """Every paper's ranking in row order (rows repeated by weight); refuses what the releases
    cannot hold (fractional weights, skipped ranks, overvotes)."""
    if not ballots.is_integral:
        raise InputError(
            "the Irish release forms hold whole ballots: weights must be whole numbers", source=where
        )
    out: list[tuple[int, ...]] = []
    for row, w in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        codes = tuple(c for c in row if c != PAD)
        if any(c < 0 for c in codes):
            raise InputError(
                "the Irish release forms cannot hold skipped ranks, overvotes or equal ranks", source=where
            )
        out.extend([codes] * int(w))
    return out


def write_irish_raw(ballots: Ballots, path: str | Path) -> None:
    """Write the raw form: one line per paper, the candidates' names as codes, ``"XXXXX"`` padding."""
    where = str(path)
    bad = [c for c in ballots.candidates if not re.fullmatch(r'[^"\s]{1,40}', c) or c == UNUSED]
    if bad:
        raise InputError(f"names usable as raw codes have no spaces or quotes: {bad[:5]}", source=where)
    n = ballots.n_candidates
    lines = []
    for codes in _expanded(ballots, where):
        toks = [ballots.candidates[c] for c in codes] + [UNUSED] * (n - len(codes))
        lines.append(" ".join(f'"{t}"' for t in toks))
    Path(path).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def write_irish_json(ballots: Ballots, path: str | Path) -> None:
    """Write the JSON rank-vector form (``Number of Seats`` when the ballots carry seats)."""
    n = ballots.n_candidates
    vectors = []
    for codes in _expanded(ballots, str(path)):
        vec = [0] * n
        rank = 0
        for c in codes:
            if vec[c] == 0:  # a candidate ranked again keeps the first rank
                rank += 1
                vec[c] = rank
        vectors.append(vec)
    data: dict[str, Any] = {}
    if ballots.title:
        data["Constituency"] = ballots.title
    if ballots.seats is not None:
        data["Number of Seats"] = ballots.seats
    data["Candidate"] = [{"Ref": c, "Name": c, "Index": i} for i, c in enumerate(ballots.candidates)]
    data["Ballot"] = vectors
    Path(path).write_text(json.dumps(data) + "\n", encoding="utf-8")


def looks_like_irish_raw(text: str) -> bool:
    """True when the first lines are all double-quoted tokens separated by single spaces."""
    lines = [s.strip() for s in text[:20_000].splitlines()[:5] if s.strip()]
    return bool(lines) and all(_RAW_LINE.fullmatch(s) for s in lines)


def looks_like_irish_json(text: str) -> bool:
    """True for a JSON object with the release's ``Candidate`` and ``Ballot`` keys."""
    head = text.lstrip()[:100_000]
    return head.startswith("{") and '"Candidate"' in head and '"Ballot"' in text


BALLOT_FORMATS.register(
    "irish",
    summary="Irish 2002 e-vote release, raw text: one ballot a line of quoted codes padded with XXXXX (file order kept)",
    aliases=("irish-raw",),
    options=("names", "keep_order"),
    extensions=(".txt",),
    writer=write_irish_raw,
    sniff=looks_like_irish_raw,
)(read_irish_raw)

BALLOT_FORMATS.register(
    "irish-json",
    summary="Irish 2002 e-vote release, JSON rank vectors (Candidate, Ballot, Number of Seats; file order kept)",
    options=("names", "keep_order"),
    extensions=(".json",),
    writer=write_irish_json,
    sniff=looks_like_irish_json,
)(read_irish_json)


__all__ = ["UNUSED", "looks_like_irish_json", "looks_like_irish_raw", "read_irish_json", "read_irish_raw"]
