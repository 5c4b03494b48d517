"""The vectorised BLT block reader gives exactly what the line-by-line reader gives.

Files are generated (plain blocks that take the fast path, and variants that must fall back:
equal and skipped ranks, comments, ids, fractional weights, bad lines) and read twice, once
with the fast path switched off; results, or the error messages, must be identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kingmaker.io.blt as blt
from kingmaker.errors import KingmakerError


def _read_both(data: bytes) -> tuple[object, object]:
    def read() -> object:
        try:
            return blt.read_blt(data, name="f.blt")
        except KingmakerError as exc:
            return (type(exc).__name__, str(exc))

    fast = read()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blt, "_read_plain", lambda *a: None)
        slow = read()
    return fast, slow


@st.composite
def blt_files(draw: st.DrawFn) -> bytes:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 30))
    lines = [f"{n} {draw(st.integers(1, 3))}"]
    if draw(st.booleans()):
        lines.append(
            " ".join(f"-{c}" for c in rng.choice(np.arange(1, n + 1), size=min(n, 2), replace=False))
        )
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    odds = draw(st.sampled_from([0, 4, 30, 200]))  # 0: a plain file, fast path throughout
    for _ in range(draw(st.integers(0, 40))):
        ranks = [str(int(c)) for c in rng.integers(1, n + 1, size=rng.integers(0, n + 2))]
        weight = str(int(rng.integers(0, 5)))
        line = " ".join([weight, *ranks, "0"])
        twist = rng.integers(0, odds) if odds else -1
        if twist == 0:
            line = line.replace(" ", "  ") + " "
        elif twist == 1:
            line = ""
        elif twist == 2 and ranks:
            line = line.replace(" ", " - ", 1)
        elif twist == 3 and len(ranks) > 1:
            line = f"{weight} {ranks[0]}={ranks[1]} 0"
        elif twist == 4:
            line = "0.5 1 0"
        elif twist == 5:
            line = line + " # comment"
        elif twist == 6:
            line = "(7) " + line
        elif twist == 7:
            line = f"1 {n + 1} 0"
        elif twist == 8:
            line = "1 1"
        elif twist == 9:
            line = "0" + line
        lines.append(line)
    lines.append("0")
    names = [f'"C{i}"' for i in range(n)]
    if draw(st.booleans()):
        names.append('"Title"')
    if draw(st.booleans()):
        names = names[:-1]
    text = eol.join(lines + names) + (eol if draw(st.booleans()) else "")
    return text.encode()


@settings(max_examples=300, deadline=None)
@given(data=blt_files())
def test_fast_blt_equals_line_reader(data: bytes) -> None:
    fast, slow = _read_both(data)
    assert fast == slow
    if not isinstance(fast, tuple):
        assert fast.title == slow.title and fast.seats == slow.seats  # type: ignore[attr-defined]


def test_plain_file_takes_the_fast_path() -> None:
    data = b'3 1\n2 1 2 0\n1 3 0\n3 1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    parsed = blt._read_plain(data.decode(), "f.blt", blt.DEFAULT_LIMITS)
    assert parsed is not None and parsed.total == 6 and parsed.title == "T"
    assert parsed == blt.read_blt(data)


def _read_both_preflib(data: bytes, suffix: str) -> tuple[object, object]:
    import kingmaker.io.preflib as preflib

    def read() -> object:
        try:
            return preflib.read_preflib(data, name=f"f.{suffix}")
        except KingmakerError as exc:
            return (type(exc).__name__, str(exc))

    fast = read()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(preflib, "_read_plain", lambda *a: None)
        slow = read()
    return fast, slow


@st.composite
def preflib_files(draw: st.DrawFn) -> tuple[bytes, str]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 30))
    odds = draw(st.sampled_from([0, 4, 30, 200]))
    orders = []
    for _ in range(draw(st.integers(0, 40))):
        ranks = [str(int(c)) for c in rng.integers(1, n + 1, size=rng.integers(0, n + 2))]
        count = str(int(rng.integers(0, 5)))
        line = f"{count}: " + ",".join(ranks)
        twist = rng.integers(0, odds) if odds else -1
        if twist == 0:
            line = line.replace(",", " , ") + "  "
        elif twist == 1:
            line = ""
        elif twist == 2 and len(ranks) > 1:
            line = f"{count}: {ranks[0]} {ranks[1]}"
        elif twist == 3 and len(ranks) > 1:
            line = f"{count}: {{{ranks[0]},{ranks[1]}}}"
        elif twist == 4:
            line = line.replace(":", "")
        elif twist == 5:
            line = "# a comment"
        elif twist == 6:
            line = line.replace(": ", ":,,") + ",,"
        elif twist == 7:
            line = f"1: {n + 1}"
        elif twist == 8:
            line = line + ": 1"
        elif twist == 9:
            line = "1 2: 3"
        orders.append((line, count))
    total = sum(int(c) for ln, c in orders if ":" in ln and ln[0].isdigit())
    head = ["# DATA TYPE: soi", "# TITLE: t", f"# NUMBER ALTERNATIVES: {n}"]
    if draw(st.booleans()):
        head += [f"# ALTERNATIVE NAME {i + 1}: C{i}" for i in range(n)]
    if draw(st.booleans()):
        head.append(f"# NUMBER VOTERS: {total + draw(st.sampled_from([0, 0, 1]))}")
    if draw(st.booleans()):
        head.append(f"# NUMBER UNIQUE ORDERS: {len([o for o in orders if o[0]])}")
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(head + [ln for ln, _ in orders]) + (eol if draw(st.booleans()) else "")
    return text.encode(), draw(st.sampled_from(["soi", "toi"]))


@settings(max_examples=300, deadline=None)
@given(case=preflib_files())
def test_fast_preflib_equals_line_reader(case: tuple[bytes, str]) -> None:
    fast, slow = _read_both_preflib(*case)
    assert fast == slow
    if not isinstance(fast, tuple):
        assert fast.title == slow.title  # type: ignore[attr-defined]


def test_plain_preflib_takes_the_fast_path() -> None:
    import kingmaker.io.preflib as preflib

    text = "# NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 6\n3: 1,2\n2: 3\n1: 2, 1,3\n"
    parsed = preflib._read_plain(text, "f.soi", preflib.DEFAULT_LIMITS)
    assert parsed is not None and parsed.total == 6
    assert parsed == preflib.read_preflib(text.encode())
