"""PrefLib ordinal files: ``.soc .soi`` (strict orders) and ``.toc .toi`` (orders with ties).

Current format (PrefLib 2022)::

    # TITLE: 2010 UK Labor Leadership
    # NUMBER ALTERNATIVES: 5
    # ALTERNATIVE NAME 1: D.Abbott
    ...
    34: 4
    13: 4,5,2,3,1
    2: 1,{2,3},4          (toc/toi: equal ranks in braces)

The legacy format (alternatives count, ``i,name`` lines, ``voters,sum,unique``, then
``count,a,b,...``) is read as well.

Every header claim is checked at its line against :class:`~kingmaker.io.limits.ReadLimits`
(``NUMBER ALTERNATIVES`` before any name is made up for it) and then against what follows: the
alternative names given must be exactly ``1..n`` (or none), ``NUMBER VOTERS`` must be the sum of
the counts and ``NUMBER UNIQUE ORDERS`` the number of order lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError, KingmakerError
from kingmaker.io._fast_block import ascii_bytes, first_lines, parse_block
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits, Tally, padded_rankings, parse_count
from kingmaker.io.registry import BALLOT_FORMATS

_META = re.compile(r"^#\s*([^:]+):\s?(.*)$")
_TOKEN = re.compile(r"\{[^}]*\}|[^,]+")
TIE_TYPES = ("toc", "toi")
_CAPS = {
    "NUMBER ALTERNATIVES": "max_candidates",
    "NUMBER VOTERS": "max_ballots",
    "NUMBER UNIQUE ORDERS": "max_rows",
}
#: Line breaks other than \n and \r\n, which ``str.splitlines`` also counts as line ends.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)")
STRICT_TYPES = ("soc", "soi")


def _parse_order(
    text: str, n: int, ties_allowed: bool, groups: dict[tuple[int, ...], int], src: str, no: int
) -> list[int]:
    row: list[int] = []
    for tok in _TOKEN.findall(text.replace(" ", "")):
        if tok.startswith("{"):
            if not tok.endswith("}"):
                raise InputError(f"unclosed brace in {tok[:40]!r}", source=src, line=no)
            inner = [t for t in tok[1:-1].split(",") if t]
            if not ties_allowed:
                raise InputError("equal ranking in braces is only allowed in .toc/.toi", source=src, line=no)
            if not inner:
                continue
            members = tuple(sorted({_cand(t, n, src, no) for t in inner}))
            row.append(
                members[0] if len(members) == 1 else group_code(groups.setdefault(members, len(groups)))
            )
        else:
            row.append(_cand(tok, n, src, no))
    return row


def _cand(tok: str, n: int, src: str, no: int) -> int:
    c = (
        int(tok)
        if len(tok) < 19 and tok.isascii() and tok.isdigit()
        else parse_count(tok, "alternative number", src, no)
    )
    if not 1 <= c <= n:
        raise InputError(f"alternative number {c} out of range 1..{n}", source=src, line=no)
    return c - 1


def _ties_allowed(suffix: str, data_type: str | None) -> bool:
    """Ties (braces) are allowed in .toc/.toi, by extension, else by ``# DATA TYPE``, else allowed."""
    for kind in (suffix.lstrip("."), (data_type or "").strip().lower()):
        if kind in TIE_TYPES:
            return True
        if kind in STRICT_TYPES:
            return False
    return True


def read_preflib(
    source: SourceLike, *, name: str | None = None, limits: ReadLimits | None = None, ties: bool | None = None
) -> Ballots:
    """Read a PrefLib ``.soc/.soi/.toc/.toi`` file (a path, bytes or text), current or legacy format.

    ``ties`` allows equal rankings in braces (default: by the extension, else ``# DATA TYPE``);
    ``name`` names the input in messages; ``limits`` caps what the header may claim.
    """
    text = open_source(source, name=name)
    src = text.name
    limits = limits or DEFAULT_LIMITS
    try:
        fast = _read_plain(text.text, src, limits)
    except KingmakerError:
        fast = None  # the line-by-line reader below raises the precise message
    if fast is not None:
        return fast
    content = [(i, s.strip()) for i, s in enumerate(text.text.splitlines(), 1) if s.strip()]
    if content and not content[0][1].startswith("#"):
        return _read_legacy(content, src, _ties_allowed(text.suffix, None) if ties is None else ties, limits)
    meta: dict[str, str] = {}
    claims: dict[str, tuple[int, int]] = {}  # key -> (value, line)
    names: dict[int, tuple[str, int]] = {}
    rows: list[list[int]] = []
    weights: list[int] = []
    groups: dict[tuple[int, ...], int] = {}
    tally = Tally(limits, src)
    n: int | None = None
    ties_ok = True
    for no, s in content:
        if s.startswith("#"):
            _meta_line(s, no, n is not None, meta, claims, names, limits, src)
            continue
        if n is None:
            n = _alternatives(claims, names, src, no)
            ties_ok = _ties_allowed(text.suffix, meta.get("DATA TYPE")) if ties is None else ties
        count, sep, order = s.partition(":")
        if not sep:
            raise InputError(f"expected 'count: order', got {s[:80]!r}", source=src, line=no)
        if not re.fullmatch(r"[0-9]+", count.strip()):
            raise InputError(f"non-numeric count {count.strip()[:40]!r}", source=src, line=no)
        w = parse_count(count, "count", src, no)
        row = _parse_order(order, n, ties_ok, groups, src, no)
        tally.add(w, len(row), no)
        rows.append(row)
        weights.append(w)
    if n is None:
        n = _alternatives(claims, names, src, None)
    cand_names = [names[i][0] if i in names else f"Alternative {i}" for i in range(1, n + 1)]
    _check_totals(claims.get("NUMBER VOTERS"), claims.get("NUMBER UNIQUE ORDERS"), tally, src)
    return _build(rows, weights, cand_names, groups, meta.get("TITLE") or None, src, limits)


def _meta_line(
    s: str,
    no: int,
    after_orders: bool,
    meta: dict[str, str],
    claims: dict[str, tuple[int, int]],
    names: dict[int, tuple[str, int]],
    limits: ReadLimits,
    src: str,
) -> None:
    """Take one ``# KEY: value`` line: claims checked against ``limits`` at once, names kept."""
    m = _META.match(s)
    if not m:
        return
    key, val = m.group(1).strip().upper(), m.group(2).strip()
    if after_orders and (key in _CAPS or key.startswith("ALTERNATIVE NAME")):
        raise InputError(f"header line '# {key}' after the first order", source=src, line=no)
    meta[key] = val
    if key in _CAPS and val:
        claims[key] = (limits.check(_CAPS[key], parse_count(val, key, src, no), key, src, no), no)
    elif key.startswith("ALTERNATIVE NAME"):
        num = parse_count(key.removeprefix("ALTERNATIVE NAME"), "alternative number", src, no)
        if num in names:
            raise InputError(f"alternative {num} is named twice", source=src, line=no)
        names[num] = (val, no)


def _read_plain(text: str, src: str, limits: ReadLimits) -> Ballots | None:
    """The common current-format file read fast: ``#`` header lines, then a plain block of
    ``count: c1,c2,...`` lines parsed at once by :mod:`kingmaker.io._fast_block`; ``None`` for
    anything else (legacy format, braces, comments among the orders), read line by line."""
    meta: dict[str, str] = {}
    claims: dict[str, tuple[int, int]] = {}
    names: dict[int, tuple[str, int]] = {}
    pos = 0
    no = 0
    block_start = -1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        s = text[pos:end].strip()
        no += 1
        if s and not s.startswith("#"):
            block_start = pos
            break
        if s:
            _meta_line(s, no, False, meta, claims, names, limits, src)
        pos = end + 1
    if block_start < 0 or not meta or _ODD_BREAKS.search(text, 0, block_start):
        return None
    n = _alternatives(claims, names, src, no)
    found_bytes = ascii_bytes(text, block_start, len(text))
    if found_bytes is None:
        return None
    parsed = parse_block(found_bytes[0], n, limits, "preflib", found_bytes[1], found_bytes[2])
    del found_bytes
    if parsed is None:
        return None
    mat, weights, _ = parsed
    voters, unique = claims.get("NUMBER VOTERS"), claims.get("NUMBER UNIQUE ORDERS")
    if (voters is not None and int(weights.sum()) != voters[0]) or (
        unique is not None and len(weights) != unique[0]
    ):
        return None
    cand_names = [names[i][0] if i in names else f"Alternative {i}" for i in range(1, n + 1)]
    return Ballots.from_matrix(mat, cand_names, weights, title=meta.get("TITLE") or None, source=src)


def _alternatives(
    claims: dict[str, tuple[int, int]], names: dict[int, tuple[str, int]], src: str, no: int | None
) -> int:
    """``NUMBER ALTERNATIVES``, checked against the alternative names given (all of 1..n, or none)."""
    if "NUMBER ALTERNATIVES" not in claims:
        raise InputError("missing '# NUMBER ALTERNATIVES: n' header", source=src, line=no)
    n, n_line = claims["NUMBER ALTERNATIVES"]
    for num, (_, line) in sorted(names.items()):
        if not 1 <= num <= n:
            raise InputError(
                f"alternative name {num} is outside 1..{n} (NUMBER ALTERNATIVES)", source=src, line=line
            )
    if names and len(names) != n:
        missing = [i for i in range(1, n + 1) if i not in names][:5]
        raise InputError(
            f"NUMBER ALTERNATIVES says {n} but {len(names)} names are given "
            f"(none for {', '.join(map(str, missing))}{', ...' if n - len(names) > 5 else ''})",
            source=src,
            line=n_line,
        )
    return n


def _check_totals(
    voters: tuple[int, int] | None, unique: tuple[int, int] | None, tally: Tally, src: str
) -> None:
    """The header's voters and distinct orders against the counts and lines that follow."""
    if voters is not None and tally.total != voters[0]:
        raise InputError(
            f"NUMBER VOTERS says {voters[0]} but the counts add up to {tally.total}",
            source=src,
            line=voters[1],
        )
    if unique is not None and tally.rows != unique[0]:
        raise InputError(
            f"NUMBER UNIQUE ORDERS says {unique[0]} but {tally.rows} orders follow",
            source=src,
            line=unique[1],
        )


def _build(rows, weights, names, groups, title, src, limits) -> Ballots:  # type: ignore[no-untyped-def]
    return Ballots.from_matrix(
        padded_rankings(rows, limits, src),
        names,
        np.asarray(weights, dtype=np.int64),
        groups=tuple(groups),
        title=title,
        source=src,
    )


def _read_legacy(content: list[tuple[int, str]], src: str, ties_allowed: bool, limits: ReadLimits) -> Ballots:
    no, s = content[0]
    if not re.fullmatch(r"[0-9]+", s):
        raise InputError("expected the number of alternatives", source=src, line=no)
    n = limits.check(
        "max_candidates", parse_count(s, "number of alternatives", src, no), "alternatives", src, no
    )
    if len(content) < n + 2:
        raise InputError(
            f"file ends before the ballots: {n} alternatives need {n} name lines and a totals line",
            source=src,
            line=content[-1][0],
        )
    names: dict[int, str] = {}
    for line, s in content[1 : n + 1]:
        num_tok, _, label = s.partition(",")
        num = parse_count(num_tok, "alternative number", src, line)
        if not 1 <= num <= n or num in names:
            raise InputError(f"alternative number {num} is outside 1..{n} or repeated", source=src, line=line)
        names[num] = label.strip() or f"Alternative {num}"
    no, s = content[n + 1]
    totals = [t.strip() for t in s.split(",")]
    if len(totals) != 3:
        raise InputError(
            f"expected 'voters,sum of counts,unique orders', got {s[:80]!r}", source=src, line=no
        )
    voters = limits.check("max_ballots", parse_count(totals[0], "voters", src, no), "voters", src, no)
    total = limits.check(
        "max_ballots", parse_count(totals[1], "sum of counts", src, no), "sum of counts", src, no
    )
    unique = limits.check(
        "max_rows", parse_count(totals[2], "unique orders", src, no), "unique orders", src, no
    )
    rows: list[list[int]] = []
    weights: list[int] = []
    groups: dict[tuple[int, ...], int] = {}
    tally = Tally(limits, src)
    for line, s in content[n + 2 :]:
        count, _, order = s.partition(",")
        if not re.fullmatch(r"[0-9]+", count.strip()):
            raise InputError(f"non-numeric count {count.strip()[:40]!r}", source=src, line=line)
        w = parse_count(count, "count", src, line)
        row = _parse_order(order, n, ties_allowed, groups, src, line)
        tally.add(w, len(row), line)
        rows.append(row)
        weights.append(w)
    if tally.total != total:
        raise InputError(
            f"the totals line says the counts add up to {total}, not {tally.total}", source=src, line=no
        )
    _check_totals((voters, no), (unique, no), tally, src)
    cand_names = [names[i] for i in range(1, n + 1)]
    return _build(rows, weights, cand_names, groups, None, src, limits)


def write_preflib(ballots: Ballots, path: str | Path) -> None:
    """Write PrefLib format; ties need a ``.toc/.toi`` name, skipped ranks and overvotes are refused."""
    b = ballots
    p = Path(path)
    if not b.is_integral:
        raise InputError("PrefLib counts must be whole numbers", source=str(path))
    ties = p.suffix.lower() in (".toc", ".toi")
    out = [
        f"# FILE NAME: {p.name}",
        f"# TITLE: {b.title or ''}",
        f"# DATA TYPE: {p.suffix.lower().lstrip('.') or 'soi'}",
        f"# NUMBER ALTERNATIVES: {b.n_candidates}",
        f"# NUMBER VOTERS: {b.total}",
        f"# NUMBER UNIQUE ORDERS: {b.n_unique}",
    ]
    out += [f"# ALTERNATIVE NAME {i + 1}: {c}" for i, c in enumerate(b.candidates)]
    order = np.argsort(-b.weights, kind="stable")
    for i in order:
        toks = []
        for code in b.rankings[i]:
            code = int(code)
            if code == PAD:
                break
            if code in (SKIPPED, OVERVOTE):
                raise InputError("PrefLib cannot hold skipped ranks or overvotes", source=str(path))
            if code < 0:
                if not ties:
                    raise InputError("equal rankings need a .toc/.toi file", source=str(path))
                toks.append("{" + ",".join(str(c + 1) for c in b.groups[group_index(code)]) + "}")
            else:
                toks.append(str(code + 1))
        out.append(f"{int(b.weights[i])}: {','.join(toks)}")
    p.write_text("\n".join(out) + "\n", encoding="utf-8")


def looks_like_preflib(text: str) -> bool:
    """True for a current-format header (``# NUMBER ALTERNATIVES``) or a legacy ``n`` then ``1,name``."""
    lines = [s.strip() for s in first_lines(text, 3) if s.strip()]
    if lines and lines[0].startswith("#"):
        return "NUMBER ALTERNATIVES" in text[:100_000].upper()
    return len(lines) >= 2 and lines[0].isdigit() and lines[1].startswith("1,")


BALLOT_FORMATS.register(
    "preflib",
    summary="PrefLib ordinal data: .soc/.soi strict orders, .toc/.toi orders with ties (current and legacy)",
    aliases=("soc", "soi", "toc", "toi"),
    options=("ties",),
    extensions=(".soc", ".soi", ".toc", ".toi"),
    writer=write_preflib,
    sniff=looks_like_preflib,
)(read_preflib)
