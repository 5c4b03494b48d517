"""The fuzzing harness shared by tests/test_fuzz_*.py, and the tests that show it can fail.

Issue 10 section 4: every reader, fed hostile input, either reads it or refuses it with a
:class:`~kingmaker.errors.KingmakerError`; anything else (a ``ValueError``, an ``OverflowError``, a
``RecursionError``, a ``MemoryError`` from an allocation bomb, a hang) is a failure. Each input
runs inside :func:`bounded`: an address-space limit (``RLIMIT_AS``, the process's current size
plus :data:`MEMORY_HEADROOM`) so that a file which claims a billion of something fails the test
at once instead of taking the machine down, and a wall-clock alarm.

Inputs are mutations of valid, real-looking files (:func:`mutated_bytes`, :func:`mutated_json`):
byte flips, truncation, lines repeated, dropped or swapped, fields duplicated or emptied,
numbers swapped for hostile ones (beyond 64 bits, ``1e400``, ``nan``, non-ASCII digits), header
claims, other encodings -- so that the fuzzer gets past a file's first line.

How many examples each reader gets comes from the Hypothesis profile chosen by ``KINGMAKER_FUZZ``
(see tests/conftest.py): a few in the normal test run, thousands under ``make fuzz``, which prints
the number of inputs tried per reader (:func:`report`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from kingmaker.errors import KingmakerError
from tests import conftest  # noqa: F401  (registers the fuzz profiles, also when run as a script)

try:
    import resource
except ImportError:  # not on Windows: the memory limit is then not enforced
    resource = None  # type: ignore[assignment]

#: ``KINGMAKER_FUZZ=long`` selects the long profile (``make fuzz``); anything else the short one.
LONG = os.environ.get("KINGMAKER_FUZZ", "short") == "long"
PROFILE = settings.get_profile("kingmaker-fuzz-long" if LONG else "kingmaker-fuzz-short")
#: Memory one input may add to the process before an allocation fails (MemoryError).
MEMORY_HEADROOM = 768 * 2**20
#: Seconds one input may take before the test fails as a hang.
TIME_LIMIT = 30.0
#: Inputs tried per reader in this process (printed by ``make fuzz``).
TRIED: Counter[str] = Counter()
#: Where ``make fuzz`` collects each test process's counts (one JSON file per process).
REPORT_DIR = os.environ.get("KINGMAKER_FUZZ_REPORT")

DATA = Path(__file__).parent / "data"


class Hang(Exception):
    """An input ran past :data:`TIME_LIMIT`."""


def _vm_bytes() -> int:
    """The process's current virtual size (Linux), or 0 where unknown."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def bounded(headroom: int = MEMORY_HEADROOM, seconds: float = TIME_LIMIT) -> Iterator[None]:
    """Run the body with at most ``headroom`` more bytes of address space and ``seconds`` of time.

    Over the memory limit, allocations raise ``MemoryError``; over the time, :class:`Hang` is
    raised; either fails the fuzz test. Where the platform has no ``RLIMIT_AS`` or this is not
    the main thread, that limit is skipped.
    """
    restore_as = None
    used = _vm_bytes()
    if resource is not None and used:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = used + headroom
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        restore_as = (soft, hard)
    old_handler = None
    try:

        def on_alarm(signum: int, frame: Any) -> None:
            raise Hang(f"one input took over {seconds:g} s")

        old_handler = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    except (ValueError, AttributeError):  # not the main thread, or no SIGALRM
        old_handler = None
    try:
        yield
    finally:
        if old_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        if restore_as is not None:
            resource.setrlimit(resource.RLIMIT_AS, restore_as)


def harmless(surface: str, fn: Callable[[], object]) -> object | None:
    """Run ``fn`` on one fuzzed input of ``surface`` under :func:`bounded`: its result, or None
    when it refused the input with a :class:`KingmakerError`. Any other exception propagates
    (and so fails the test)."""
    TRIED[surface] += 1
    if REPORT_DIR:
        _save_counts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with bounded():
            try:
                return fn()
            except KingmakerError:
                return None


# ----------------------------------------------------------------------------- strategies

#: Numbers a hostile file puts where a count, weight, seat number or header claim goes.
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "00",
    "-0",
    "0.5",
    "1.5",
    "1/3",
    "1/0",
    "9999999999999999999",
    str(2**63),
    str(2**64),
    "1" + "0" * 29,
    "9" * 400,
    "1e400",
    "1e-400",
    "1e308",
    "-1e308",
    "1e-999999999",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1_000",
    " 7 ",
    "0x1F",
    "\uff11\uff12",  # full-width digits
    "\u0663",  # Arabic-Indic three
    "\u00b2",  # superscript two: str.isdigit() is True, int() refuses it
    "1000000000",
    "2147483648",
    "10000",
    "100001",
    "60",
    "61",
]
#: Separators, quotes, comment marks and odd characters spliced into a file.
HOSTILE_TOKENS = [
    "",
    ",",
    ";",
    ":",
    "=",
    "{",
    "}",
    "[",
    "]",
    '"',
    "'",
    "#",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\x00",
    "\ufeff",
    "\u00e9",
    "\u2028",
    "/",
    "-",
    "+",
    ".",
    "\\",
    "<",
    ">",
    "&",
    "<!DOCTYPE a [<!ENTITY b 'c'>]>",
    "&b;",
    '"a","a"',
    "x" * 140_000,  # longer than the csv module's field limit
]
_TOKENS = st.sampled_from([t.encode() for t in HOSTILE_TOKENS + HOSTILE_NUMBERS] + [b"\xff", b"\xc3"])
_NUMBER_RE = __import__("re").compile(rb"-?[0-9]+(?:\.[0-9]+)?")


@st.composite
def _mutate_once(draw: st.DrawFn, data: bytes) -> bytes:
    """One structured mutation of ``data``."""
    kind = draw(
        st.sampled_from(
            ["splice", "number", "number", "truncate", "line", "line", "field", "flip", "encoding"]
        )
    )
    if kind == "splice":
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 4))
        return data[:at] + draw(_TOKENS) + data[at + cut :]
    if kind == "number":
        spots = list(_NUMBER_RE.finditer(data))
        if not spots:
            return data
        # header claims come first: favour the early numbers
        m = spots[
            draw(st.integers(0, len(spots) - 1))
            if draw(st.booleans())
            else draw(st.integers(0, 3)) % len(spots)
        ]
        return data[: m.start()] + draw(st.sampled_from(HOSTILE_NUMBERS)).encode() + data[m.end() :]
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "line":
        lines = data.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["dup", "drop", "swap", "repeat", "empty"]))
        if op == "dup":
            lines.insert(i, lines[i])
        elif op == "drop":
            del lines[i]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "repeat":
            lines[i:i] = [lines[i]] * draw(st.integers(2, 300))
        else:
            lines[i] = b""
        return b"\n".join(lines)
    if kind == "field":
        lines = data.split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        sep = b"," if b"," in lines[i] else b" "
        fields = lines[i].split(sep)
        j = draw(st.integers(0, len(fields) - 1))
        op = draw(st.sampled_from(["dup", "drop", "empty", "many"]))
        if op == "dup":
            fields.insert(j, fields[j])
        elif op == "drop":
            del fields[j]
        elif op == "empty":
            fields[j] = b""
        else:
            fields[j:j] = [fields[j]] * draw(st.integers(2, 200))
        lines[i] = sep.join(fields)
        return b"\n".join(lines)
    if kind == "flip":
        if not data:
            return data
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
    # encoding
    text = data.decode("utf-8", "replace")
    enc = draw(st.sampled_from(["utf-16", "utf-8-sig", "cp1252", "latin-1-accents", "crlf"]))
    if enc == "latin-1-accents":
        return text.replace("a", "\u00e4").encode("latin-1", "replace")
    if enc == "crlf":
        return text.replace("\n", "\r\n").encode()
    return text.encode(enc, "replace")


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: list[bytes], most: int = 4) -> bytes:
    """A seed file with one to ``most`` structured mutations."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, most))):
        data = draw(_mutate_once(data))
    return data


#: Values a hostile JSON document puts in place of a valid one.
_HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    10**30,
    -(10**30),
    2**63,
    1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 1000,
    "1e400",
    "10000000000",
    [],
    {},
    [1, 2],
    {"a": 1},
]
_DEEP = "[" * 100_000 + "]" * 100_000


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*here, i))
    return out


@st.composite
def _mutate_tree(draw: st.DrawFn, doc: Any) -> Any:
    """One mutation of a parsed JSON document: a value replaced, a key dropped or added, a list
    item repeated."""
    paths = _paths(doc)
    path = draw(st.sampled_from(paths))
    if not path:
        return copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    op = draw(st.sampled_from(["replace", "replace", "drop", "add", "repeat"]))
    if op == "replace":
        parent[key] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
    elif op == "drop":
        del parent[key]
    elif op == "add" and isinstance(parent, dict):
        new_key = draw(st.sampled_from(["extra", "", "rules", "candidates", str(key) + " "]))
        parent[new_key] = copy.deepcopy(draw(st.sampled_from(_HOSTILE_VALUES)))
    elif op == "repeat" and isinstance(parent, list):
        parent[key:key] = [parent[key]] * draw(st.integers(1, 100))
    return doc


@st.composite
def mutated_json(draw: st.DrawFn, seeds: list[Any], most: int = 3) -> bytes:
    """A seed JSON document with tree mutations, sometimes byte mutations or a nesting bomb."""
    doc = json.loads(json.dumps(draw(st.sampled_from(seeds))))
    for _ in range(draw(st.integers(1, most))):
        doc = draw(_mutate_tree(doc))
    data = json.dumps(doc).encode()
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return _DEEP.encode()
    if choice == 1:
        return draw(_mutate_once(data))
    return data


# ----------------------------------------------------------------------------- the report


def _save_counts() -> None:
    if REPORT_DIR and TRIED:
        Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
        (Path(REPORT_DIR) / f"{os.getpid()}.json").write_text(json.dumps(dict(TRIED)))


def report(folder: str | Path) -> str:
    """The table ``make fuzz`` prints: inputs tried per reader, summed over the test processes."""
    total: Counter[str] = Counter()
    for f in Path(folder).glob("*.json"):
        total.update({k: v for k, v in json.loads(f.read_text()).items() if k != "self-test"})
    width = max((len(k) for k in total), default=10)
    lines = [f"{'reader':<{width}}  inputs tried"]
    lines += [f"{k:<{width}}  {v:>12,}" for k, v in sorted(total.items())]
    lines.append(f"{'total':<{width}}  {sum(total.values()):>12,}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the harness can fail


@pytest.mark.skipif(resource is None or not _vm_bytes(), reason="RLIMIT_AS needs Linux")
def test_an_allocation_bomb_fails_under_the_limit() -> None:
    with pytest.raises(MemoryError):
        harmless("self-test", lambda: np.ones(2**33, dtype=np.uint8))  # 8 GiB
    assert np.ones(2**20).sum() == 2**20  # the limit is lifted afterwards


def test_a_non_kingmaker_exception_fails_and_a_kingmaker_error_passes() -> None:
    from kingmaker.errors import InputError

    def bad() -> None:
        raise InputError("refused")

    assert harmless("self-test", bad) is None
    with pytest.raises(ValueError):
        harmless("self-test", lambda: int("x"))
    assert harmless("self-test", lambda: 7) == 7


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM here")
def test_a_hang_fails() -> None:
    import time

    with pytest.raises(Hang), bounded(seconds=0.2):
        time.sleep(5)


def test_mutations_get_past_the_first_line() -> None:
    """Structured mutation reaches the body of a file with its header intact (not only line 1)."""
    seed = b'2 1\n1 1 2 0\n0\n"A"\n"B"\n'
    found = find(mutated_bytes([seed]), lambda d: d.startswith(b"2 1\n") and d != seed and len(d) > 12)
    assert found.startswith(b"2 1\n") and found != seed


if __name__ == "__main__":  # ``python -m tests.test_fuzz_harness DIR``: the report of ``make fuzz``
    print(report(sys.argv[1]))
