"""What an analyst has for each section of a leadership contest, and the TOML values behind it.

:class:`SectionInput` (first-preference shares, size, Dirichlet uncertainty and a transfer
model), the readers of a contest configuration's values (shares, numbers, transfer models) and
:class:`ContestInputs`, the read-only view of a contest that the Monte Carlo
(:mod:`kingmaker.leadership.simulation`) works from. Split out of
:mod:`kingmaker.leadership.contest` so that the simulation depends on this module, not on the
contest that calls it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kingmaker.counting.result import Result
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.leadership.rules import PartyRules
from kingmaker.leadership.transfers import SpatialModel, TransferModel
from kingmaker.transfers import SHARE_TOLERANCE, TransferMatrix, _check_names

#: Distinct noisy transfer matrices drawn per model and run (``transfer_draws``) by default.
TRANSFER_DRAWS = 200

#: Most voters a section may have, and most votes a candidate may hold: more people than are
#: alive. Larger numbers are typing errors, and beyond 2**63 they no longer fit a ballot weight.
MAX_VOTERS = 10**10


@dataclass(frozen=True, eq=False)
class SectionInput:
    """What an analyst has for one section: first-preference shares, size, uncertainty, transfers."""

    name: str
    shares: np.ndarray
    transfers: TransferModel
    voters: float | None = None
    concentration: float | None = None
    transfer_concentration: float | None = None

    def __post_init__(self) -> None:
        s = np.array(self.shares, dtype=np.float64)
        if s.ndim != 1 or not np.all(np.isfinite(s)) or np.any(s < 0) or s.sum() <= 0:
            raise InputError(f"section {self.name!r}: shares must be non-negative and not all zero")
        s = s / s.sum()
        s.flags.writeable = False
        object.__setattr__(self, "shares", s)
        if self.voters is not None and not (self.voters > 0 and math.isfinite(self.voters)):
            raise InputError(f"section {self.name!r}: voters must be a positive number")
        if self.voters is not None and self.voters > MAX_VOTERS:
            raise InputError(
                f"section {self.name!r}: voters is {self.voters:.4g}, more than {MAX_VOTERS:,} "
                "(more people than are alive)"
            )
        if self.concentration is not None and not (self.concentration > 0):
            raise InputError(f"section {self.name!r}: concentration must be positive (omit it for none)")
        if self.concentration is not None and math.isinf(self.concentration):
            object.__setattr__(self, "concentration", None)
        tc = self.transfer_concentration
        if tc is not None:
            if not tc > 0:
                raise InputError(
                    f"section {self.name!r}: transfer_concentration must be positive (omit it for none)"
                )
            if math.isinf(tc):
                object.__setattr__(self, "transfer_concentration", None)
            elif not isinstance(self.transfers, TransferMatrix):
                raise InputError(
                    f"section {self.name!r}: transfer_concentration needs a [transfers] matrix "
                    "(a spatial model has its own spread)"
                )

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws of the shares: Dirichlet(concentration * shares), or the shares themselves."""
        n = len(self.shares)
        if self.concentration is None:
            return np.broadcast_to(self.shares, (size, n)).copy()
        pos = self.shares > 0
        out = np.zeros((size, n))
        if pos.sum() == 1:
            out[:, pos] = 1.0
        else:
            out[:, pos] = rng.dirichlet(self.concentration * self.shares[pos], size=size)
        return out


def _check_sections(got: Sequence[str], want: Sequence[str], rules: str, source: str | None) -> None:
    unknown = [g for g in got if g not in want]
    if unknown:
        raise UnknownNameError(
            (f"{source}: " if source else "")
            + f"unknown section(s) {', '.join(map(repr, unknown))} for rules {rules!r}; "
            f"sections: {', '.join(want)}"
        )
    missing = [w for w in want if w not in got]
    if missing:
        raise InputError(f"no inputs for section(s) {', '.join(missing)} of rules {rules!r}", source=source)


def _parse_shares(sec: Mapping[str, Any], cands: tuple[str, ...], name: str) -> np.ndarray:
    has_shares, has_votes = "shares" in sec, "votes" in sec
    if has_shares == has_votes:
        raise InputError(f"section {name!r}: give exactly one of 'shares' (percent) or 'votes' (counts)")
    key = "shares" if has_shares else "votes"
    table = sec[key]
    if not isinstance(table, Mapping) or not table:
        raise InputError(f"section {name!r}: {key} must be a table of candidate = number")
    _check_names(list(table), cands, f"the {key} of section {name!r}")
    out = np.zeros(len(cands))
    for c, v in table.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"section {name!r}: {key} of {c!r} must be a number, got {v!r}")
        if v < 0:
            raise InputError(f"section {name!r}: {key} of {c!r} is negative ({v})")
        if v > MAX_VOTERS:
            raise InputError(f"section {name!r}: {key} of {c!r} is {v:.4g}, more than {MAX_VOTERS:,}")
        out[cands.index(c)] = v
    total = out.sum()
    if total <= 0:
        raise InputError(f"section {name!r}: {key} are all zero")
    if has_shares and abs(total - 100) > SHARE_TOLERANCE:
        raise InputError(
            f"section {name!r}: shares add up to {total:g}, not 100 (within {SHARE_TOLERANCE:g}); "
            "use 'votes' for counts"
        )
    return out / total


def _number(x: Any, what: str, *, allow_none: bool = True) -> float | None:
    if x is None and allow_none:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise InputError(f"{what} must be a number, got {x!r}")
    return float(x)


def _whole(x: Any, what: str, *, minimum: int = 1) -> int:
    """A whole number >= ``minimum`` (a TOML integer, or a float with no fraction such as 2.0)."""
    ok = not isinstance(x, bool) and isinstance(x, int | float) and math.isfinite(x) and x == int(x)
    if not ok or x < minimum:
        raise InputError(f"{what} must be a whole number >= {minimum}, got {x!r}")
    return int(x)


def _parse_transfers(spec: Mapping[str, Any], cands: tuple[str, ...], where: str) -> TransferModel:
    has_m, has_s = "transfers" in spec, "spatial" in spec
    if has_m and has_s:
        raise InputError(f"{where}: give either [transfers] or [spatial], not both")
    if has_s:
        sp = spec["spatial"]
        if not isinstance(sp, Mapping) or "positions" not in sp:
            raise InputError(f"{where}: [spatial] needs positions = {{candidate = x or [x, y]}}")
        pos = sp["positions"]
        if not isinstance(pos, Mapping):
            raise InputError(f"{where}: spatial positions must be a table")
        _check_names(list(pos), cands, f"{where} spatial positions")
        missing = [c for c in cands if c not in pos]
        if missing:
            raise InputError(f"{where}: no spatial position for {', '.join(missing)}")
        coords = []
        for c in cands:
            v = pos[c]
            v = [v] if isinstance(v, int | float) and not isinstance(v, bool) else v
            if (
                not isinstance(v, list)
                or not 1 <= len(v) <= 2
                or any(isinstance(x, bool) or not isinstance(x, int | float) for x in v)
            ):
                raise InputError(f"{where}: position of {c!r} must be a number or [x, y]")
            coords.append([float(x) for x in v])
        if len({len(v) for v in coords}) != 1:
            raise InputError(f"{where}: every position needs the same number of dimensions")
        known = {"positions", "spread", "exhaust", "max_preferences", "voters", "seed"}
        extra = set(sp) - known
        if extra:
            raise InputError(f"{where}: unknown spatial key(s) {', '.join(sorted(extra))}")
        mp = sp.get("max_preferences")
        return SpatialModel(
            cands,
            np.array(coords),
            spread=_number(sp.get("spread", 0.5), "spread") or 0.0,
            exhaust=_number(sp.get("exhaust", 0.0), "exhaust") or 0.0,
            max_preferences=None if mp is None else _whole(mp, f"{where}: spatial max_preferences"),
            voters=_whole(sp.get("voters", 20_000), f"{where}: spatial voters"),
            seed=_whole(sp.get("seed", 0), f"{where}: spatial seed", minimum=0),
        )
    if has_m:
        table = spec["transfers"]
        if not isinstance(table, Mapping):
            raise InputError(f"{where}: [transfers] must be a table of candidate = {{candidate = percent}}")
        return TransferMatrix.from_mapping(table, cands)
    raise InputError(f"{where}: give transfer assumptions: [transfers] (a matrix) or [spatial]")


class ContestInputs(Protocol):
    """What the Monte Carlo reads from a contest (:class:`~kingmaker.leadership.contest.Contest`
    satisfies it): the rules, candidates and sections, and the engine's count for the central path."""

    @property
    def title(self) -> str: ...

    @property
    def rules(self) -> PartyRules: ...

    @property
    def candidates(self) -> tuple[str, ...]: ...

    @property
    def sections(self) -> tuple[SectionInput, ...]: ...

    @property
    def notes(self) -> tuple[str, ...]: ...

    @property
    def transfer_draws(self) -> int: ...

    def count(
        self,
        shares: Mapping[str, np.ndarray] | None = None,
        withdrawn: Sequence[str] = (),
        transfers: Mapping[str, TransferModel] | None = None,
    ) -> Result: ...

    def simulate(
        self, sims: int, seed: int | None = None, *, withdrawn: Sequence[str] = (), keep: int = 0
    ) -> Any: ...


__all__ = ["TRANSFER_DRAWS", "ContestInputs", "SectionInput"]
