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
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError
from kingmaker.io import padded_rankings

_META = re.compile(r"^#\s*([^:]+):\s?(.*)$")
_TOKEN = re.compile(r"\{[^}]*\}|[^,]+")


def _parse_order(
    text: str, n: int, ties_allowed: bool, groups: dict[tuple[int, ...], int], src: str, no: int
) -> list[int]:
    row: list[int] = []
    for tok in _TOKEN.findall(text.replace(" ", "")):
        if tok.startswith("{"):
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
    if not tok.isdigit():
        raise InputError(f"alternative {tok!r} is not a number", source=src, line=no)
    c = int(tok)
    if not 1 <= c <= n:
        raise InputError(f"alternative number {c} out of range 1..{n}", source=src, line=no)
    return c - 1


def read_preflib(path: str | Path) -> Ballots:
    """Read a PrefLib ``.soc/.soi/.toc/.toi`` file."""
    src = str(path)
    p = Path(path)
    ties_allowed = p.suffix.lower() in (".toc", ".toi")
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=src) from None
    meta: dict[str, str] = {}
    names: dict[int, str] = {}
    rows: list[list[int]] = []
    weights: list[int] = []
    groups: dict[tuple[int, ...], int] = {}
    content = [(i, s.strip()) for i, s in enumerate(lines, 1) if s.strip()]
    if content and not content[0][1].startswith("#"):
        return _read_legacy(content, src, ties_allowed)
    n: int | None = None
    for no, s in content:
        if s.startswith("#"):
            m = _META.match(s)
            if m:
                key, val = m.group(1).strip().upper(), m.group(2).strip()
                meta[key] = val
                if key.startswith("ALTERNATIVE NAME"):
                    num = key.removeprefix("ALTERNATIVE NAME").strip()
                    if not num.isdigit():
                        raise InputError(f"bad alternative number {num!r}", source=src, line=no)
                    names[int(num)] = val
            continue
        if n is None:
            if "NUMBER ALTERNATIVES" not in meta or not meta["NUMBER ALTERNATIVES"].isdigit():
                raise InputError("missing '# NUMBER ALTERNATIVES: n' header", source=src, line=no)
            n = int(meta["NUMBER ALTERNATIVES"])
        count, sep, order = s.partition(":")
        if not sep:
            raise InputError(f"expected 'count: order', got {s!r}", source=src, line=no)
        if not count.strip().isdigit():
            raise InputError(f"non-numeric count {count.strip()!r}", source=src, line=no)
        rows.append(_parse_order(order, n, ties_allowed, groups, src, no))
        weights.append(int(count))
    if n is None:
        if "NUMBER ALTERNATIVES" not in meta:
            raise InputError("missing '# NUMBER ALTERNATIVES: n' header", source=src)
        n = int(meta["NUMBER ALTERNATIVES"])
    cand_names = [names.get(i, f"Alternative {i}") for i in range(1, n + 1)]
    voters = meta.get("NUMBER VOTERS", "")
    if voters.isdigit() and sum(weights) != int(voters):
        raise InputError(f"NUMBER VOTERS says {voters} but the counts add up to {sum(weights)}", source=src)
    return _build(rows, weights, cand_names, groups, meta.get("TITLE") or None, src)


def _build(rows, weights, names, groups, title, src) -> Ballots:  # type: ignore[no-untyped-def]
    return Ballots.from_matrix(
        padded_rankings(rows),
        names,
        np.asarray(weights, dtype=np.int64),
        groups=tuple(groups),
        title=title,
        source=src,
    )


def _read_legacy(content: list[tuple[int, str]], src: str, ties_allowed: bool) -> Ballots:
    no, s = content[0]
    if not s.isdigit():
        raise InputError("expected the number of alternatives", source=src, line=no)
    n = int(s)
    if len(content) < n + 2:
        raise InputError("file ends before the ballots", source=src, line=content[-1][0])
    names = []
    for _no, s in content[1 : n + 1]:
        num, _, name = s.partition(",")
        names.append(name.strip() or f"Alternative {num}")
    rows: list[list[int]] = []
    weights: list[int] = []
    groups: dict[tuple[int, ...], int] = {}
    for no, s in content[n + 2 :]:
        count, _, order = s.partition(",")
        if not count.strip().isdigit():
            raise InputError(f"non-numeric count {count.strip()!r}", source=src, line=no)
        rows.append(_parse_order(order, n, True, groups, src, no))
        weights.append(int(count))
    return _build(rows, weights, names, groups, None, src)


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
