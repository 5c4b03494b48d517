"""The plain-layout block parser (kingmaker.io._fast_block._plain_slice) reads what the line
readers read: long weights (int32 and int64 sums, past 15 digits refused), leading zeros,
numbers of three digits, PrefLib's optional space after the colon, and blocks cut into many
slices. Each file is read with the fast path and with it switched off; results (or the error
messages) must be identical, and plain files must take the new path, not the general one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kingmaker.io._fast_block as fast_block
import kingmaker.io.blt as blt
import kingmaker.io.preflib as preflib
from kingmaker.errors import KingmakerError


def _read(reader, data: bytes, name: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return reader(data, name=name)
    except KingmakerError as exc:
        return (type(exc).__name__, str(exc))


def _both(module, reader, data: bytes, name: str, slice_bytes: int) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(fast_block, "_SLICE", slice_bytes)
        fast = _read(reader, data, name)
        m.setattr(module, "_read_plain", lambda *a: None)
        slow = _read(reader, data, name)
    return fast, slow


@st.composite
def plain_files(draw: st.DrawFn) -> tuple[str, bytes, bool]:
    """A BLT or PrefLib file in the plain layout, sometimes with one odd number in it."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fmt = draw(st.sampled_from(["blt", "preflib"]))
    n = draw(st.sampled_from([1, 3, 12, 150]))
    digits = draw(st.sampled_from([1, 3, 9, 10, 15, 16]))  # of the weights: int32, int64, refused
    colon = draw(st.sampled_from([": ", ":"]))
    zeros = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(1, 60))):
        ranks = [int(c) for c in rng.integers(1, n + 1, size=rng.integers(1, min(n, 8) + 1))]
        cands = [("0" + str(c)) if zeros and rng.random() < 0.2 else str(c) for c in ranks]
        weight = str(int(rng.integers(1, 10))) + "".join(str(d) for d in rng.integers(0, 10, digits - 1))
        if fmt == "blt":
            lines.append(" ".join([weight, *cands, "0"]))
        else:
            lines.append(weight + colon + ",".join(cands))
    odd = draw(st.sampled_from(["", "zero", "high"]))
    if odd:
        at = int(rng.integers(0, len(lines)))
        bad = "0" if odd == "zero" else str(n + 1)
        lines[at] = f"1 {bad} 0" if fmt == "blt" else f"1{colon}{bad}"
    if fmt == "blt":
        text = f"{n} 1\n" + "\n".join(lines) + "\n0\n" + "".join(f'"C{i}"\n' for i in range(n)) + '"T"\n'
    else:
        text = f"# NUMBER ALTERNATIVES: {n}\n" + "\n".join(lines) + "\n"
    return fmt, text.encode(), not odd and digits <= 15


@settings(max_examples=200, deadline=None)
@given(case=plain_files(), slice_bytes=st.sampled_from([64, 1000, 1 << 24]))
def test_plain_layout_reads_as_the_line_readers_do(case: tuple[str, bytes, bool], slice_bytes: int) -> None:
    fmt, data, plain = case
    module, reader, name = (
        (blt, blt.read_blt, "f.blt") if fmt == "blt" else (preflib, preflib.read_preflib, "f.soi")
    )
    fast, slow = _both(module, reader, data, name, slice_bytes)
    assert fast == slow
    if not isinstance(fast, tuple):
        assert fast.title == slow.title  # type: ignore[attr-defined]
        assert fast.weights.dtype == slow.weights.dtype  # type: ignore[attr-defined]
    if plain:  # the plain parser took every slice: the general one never ran
        with pytest.MonkeyPatch.context() as m:
            m.setattr(fast_block, "_SLICE", slice_bytes)
            m.setattr(fast_block, "_blt_slice", None)
            m.setattr(fast_block, "_preflib_slice", None)
            assert _read(reader, data, name) == slow
