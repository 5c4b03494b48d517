"""RCTab's tie-breaks (``Tiebreak.java``), each recorded as a :class:`~kingmaker.ties.TieBreak`.

The tied are sorted by name first (Java's ``Collections.sort``, UTF-16 order), as RCTab does,
so that a draw from :class:`~kingmaker.counting.rctab.javarandom.JavaRandom` picks the same
candidate as RCTab with the same seed. A draw is reported as such in the record's ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kingmaker.counting.rctab.javarandom import JavaRandom
from kingmaker.counting.rctab.rules import TIE_MODES
from kingmaker.errors import RuleError
from kingmaker.ties import TieBreak


def java_sorted(names: Sequence[str]) -> list[str]:
    """``names`` in Java's ``String.compareTo`` order (UTF-16 code units)."""
    return sorted(names, key=lambda s: s.encode("utf-16-be"))


class RCTabTies:
    """Breaks ties by one RCTab mode; ``history[r]`` is round ``r + 1``'s tallies."""

    def __init__(self, mode: str, seed: int, permutation: Sequence[str], history: list[Mapping[str, int]]):
        self.mode = mode
        self.seed = seed
        self.rng = JavaRandom(seed) if mode in ("random", "permutation", "backwards", "forwards") else None
        perm = list(permutation)
        if mode == "permutation":
            perm = java_sorted(perm)
            self.rng.shuffle(perm)  # type: ignore[union-attr]
        self.permutation = perm
        self.history = history

    def _draw(self, tied: list[str]) -> tuple[str, str]:
        assert self.rng is not None
        i = int(self.rng.next_double() * len(tied))
        return tied[i], f"drawn with Java's java.util.Random(seed={self.seed}), as RCTab draws"

    def _by_rounds(self, tied: list[str], winner: bool, rounds: range) -> tuple[list[str], str]:
        cont = tied
        for r in rounds:
            t = self.history[r - 1]
            best = (max if winner else min)(t[c] for c in cont)
            cont = [c for c in cont if t[c] == best]
            if len(cont) == 1:
                return cont, f"{cont[0]} had the {'most' if winner else 'fewest'} votes in round {r}"
        return cont, ""

    def choose(self, tied: Sequence[str], winner: bool, round_no: int) -> tuple[str, TieBreak]:
        """The one of ``tied`` elected (``winner``) or eliminated in round ``round_no``."""
        names = java_sorted(tied)
        mode = self.mode
        detail = ""
        if mode == "ask":
            raise RuleError(
                f"round {round_no}: tie between {', '.join(names)}; tiebreak mode stopCountingAndAsk "
                "needs an operator to choose: give another tiebreak mode"
            )
        if mode in ("order", "permutation"):
            search = self.permutation if winner else list(reversed(self.permutation))
            found = [c for c in search if c in names]
            if not found:
                raise RuleError(f"round {round_no}: none of {', '.join(names)} is in the tie-break order")
            chosen = found[0]
            detail = f"{'earliest' if winner else 'latest'} in the {'generated permutation' if mode == 'permutation' else 'candidate order'}"
        elif mode == "random":
            chosen, detail = self._draw(names)
        else:
            rounds = range(round_no - 1, 0, -1) if mode.startswith("backwards") else range(1, round_no)
            cont, detail = self._by_rounds(names, winner, rounds)
            if len(cont) == 1:
                chosen = cont[0]
            elif mode == "backwards-then-ask":
                raise RuleError(
                    f"round {round_no}: {', '.join(cont)} were tied in every earlier round; "
                    "previousRoundCountsThenAsk needs an operator to choose"
                )
            else:
                chosen, d = self._draw(cont)
                detail = f"tied in every earlier round, then {d}"
        tie = TieBreak(
            tied=tuple(names),
            winners=(chosen,),
            policy=TIE_MODES[mode],
            round=round_no,
            purpose="elect" if winner else "eliminate",
            detail=detail,
        )
        return chosen, tie


__all__ = ["RCTabTies", "java_sorted"]
