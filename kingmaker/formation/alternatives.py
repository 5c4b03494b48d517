"""The alternatives of a formation: every government the real parties of a parliament could form.

A government is a non-empty set of parties with seats, majority or minority, one party or many.
Every subset is enumerated with bit masks (party ``i`` is bit ``i``), then bounded by size:

* **the bound**: at most :data:`DEFAULT_MAX_SIZE` parties (8). The largest government formed
  after any election in ParlGov since 1945 has 7 parties with seats (Israel 1984 and 1996, Italy
  2006, Japan 1993: see ``benchmarks/formation.py``, which checks that no formed government is
  dropped), so the bound keeps one party of headroom and never drops a government that formed;
* **the limit**: a parliament of more than :data:`MAX_PARTIES` parties is refused
  (:class:`~kingmaker.errors.TooLargeError`), as in :mod:`kingmaker.coalitions`.

With 19 parties (the most in any ParlGov parliament) the bound leaves 169,765 of the 524,287
subsets; with 15 parties, 22,818 of 32,767.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kingmaker.errors import InputError, TooLargeError

#: Most parties whose subsets are enumerated (2**22 = 4.2 million).
MAX_PARTIES = 22
#: Most parties in one government: one more than the largest government formed since 1945.
DEFAULT_MAX_SIZE = 8


@dataclass(frozen=True, eq=False)
class Alternatives:
    """The bounded set of governments: bit masks and the member matrix (alternatives x parties)."""

    parties: tuple[str, ...]
    masks: np.ndarray
    member: np.ndarray
    max_size: int

    def __len__(self) -> int:
        return len(self.masks)

    def members(self, row: int) -> tuple[str, ...]:
        """The parties of alternative ``row``, in the parliament's order."""
        return tuple(p for p, m in zip(self.parties, self.member[row], strict=True) if m)

    def index_of(self, parties: tuple[str, ...] | list[str]) -> int:
        """The row of the government made of exactly ``parties`` (InputError if it is not there)."""
        mask = 0
        for p in parties:
            if p not in self.parties:
                raise InputError(f"{p!r} is not a party with seats; parties: {', '.join(self.parties)}")
            mask |= 1 << self.parties.index(p)
        hit = np.flatnonzero(self.masks == mask)
        if not hit.size:
            raise InputError(
                f"{'+'.join(parties)} has {len(set(parties))} parties, over the bound of {self.max_size}"
            )
        return int(hit[0])


@lru_cache(maxsize=32)
def _subsets(n: int, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    masks = np.arange(1, 1 << n, dtype=np.int64)
    member = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    keep = member.sum(axis=1) <= max_size
    masks, member = masks[keep], member[keep]
    masks.setflags(write=False)
    member.setflags(write=False)
    return masks, member


def enumerate_alternatives(parties: tuple[str, ...], max_size: int = DEFAULT_MAX_SIZE) -> Alternatives:
    """Every government of at most ``max_size`` of ``parties`` (single parties included)."""
    n = len(parties)
    if n < 2:
        raise InputError(
            f"a formation needs at least two parties with seats; this parliament has {n}"
            + (f" ({parties[0]})" if parties else "")
        )
    if n > MAX_PARTIES:
        raise TooLargeError(
            f"{n} parties with seats; enumerating governments is limited to {MAX_PARTIES} parties"
        )
    if max_size < 1:
        raise InputError(f"the most parties in a government must be at least 1, got {max_size}")
    masks, member = _subsets(n, max_size)
    return Alternatives(parties, masks, member, max_size)
