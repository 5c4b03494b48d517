"""Java's ``java.util.Random``, bit for bit, so that RCTab's random tie-breaks can be replayed.

RCTab (``Tiebreak.doRandom`` and ``Collections.shuffle`` for ``generatePermutation``) draws
with ``new Random(randomSeed)``: a 48-bit linear congruential generator (Java SE API,
``java.util.Random``: multiplier ``0x5DEECE66D``, increment ``0xB``). The same seed here gives
the same draws as the JVM, so a count settled by RCTab's draw is settled the same way.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from typing import Any

_MULT = 0x5DEECE66D
_MASK = (1 << 48) - 1


class JavaRandom:
    """``java.util.Random(seed)``: ``next_double``, ``next_int(bound)`` and ``shuffle``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._state = (seed ^ _MULT) & _MASK

    def _next(self, bits: int) -> int:
        self._state = (self._state * _MULT + 0xB) & _MASK
        r = self._state >> (48 - bits)
        if r >= 1 << (bits - 1) and bits == 32:
            r -= 1 << 32
        return r

    def next_double(self) -> float:
        """``Random.nextDouble()``: 53 random bits in [0, 1)."""
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)``, with Java's rejection of the biased top range."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < 1 << 31:  # no 32-bit overflow in Java's ``u - r + m < 0`` test
                return r
            u = self._next(31)

    def shuffle(self, items: MutableSequence[Any]) -> None:
        """``Collections.shuffle(list, random)``: swap each position from the end with a draw."""
        for i in range(len(items), 1, -1):
            j = self.next_int(i)
            items[i - 1], items[j] = items[j], items[i - 1]


__all__ = ["JavaRandom"]
