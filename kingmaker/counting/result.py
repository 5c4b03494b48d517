"""The outcome of a count: winners plus the audit trail of every round.

A :class:`Result` is what every ranked-ballot rule returns. Its :attr:`Result.rounds` are
:class:`Round` values, one per stage of the count, holding the tallies *after* that stage's
transfer, the transfer itself, the exhausted (non-transferable) votes and the loss to
rounding so far, who was elected or eliminated at that stage and every tie-break taken.
In every round ``sum(tallies) + exhausted + loss == valid`` holds exactly.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from kingmaker.errors import RuleError
from kingmaker.ties import Number, TieBreak


def as_plain(x: Number | None, places: int | None = None) -> int | float | None:
    """An exact number as ``int`` when whole, otherwise ``float`` (for JSON and tables)."""
    if x is None:
        return None
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return int(x.numerator)
        f = float(x)
        return round(f, places) if places is not None else f
    if isinstance(x, float):
        return int(x) if x.is_integer() else (round(x, places) if places is not None else x)
    return int(x)


@dataclass(frozen=True)
class Round:
    """One stage of a count.

    ``tallies``: votes of every candidate still in the count (continuing or elected) after
    this stage. ``transfers``: change since the previous stage per candidate (a candidate
    whose votes were moved out shows a negative change). ``exhausted`` and ``loss``: running
    totals of non-transferable votes and of value lost to rounding. ``elected``/``eliminated``:
    decisions taken at the end of this stage. ``inactive``: where the counts allow it, the
    ``exhausted`` votes by reason (``overvotes``, ``skipped_rankings``, ``repeated_rankings``,
    ``exhausted_choices``, and RCTab's ``no_rankings`` and ``final_round_surplus``), running
    totals. ``flows``: the votes moved out of each candidate decided at this stage, by
    destination (``"exhausted"`` and ``"residual surplus"`` included), as RCTab reports them.
    """

    number: int
    tallies: Mapping[str, Number]
    exhausted: Number = 0
    loss: Number = 0
    transfers: Mapping[str, Number] = field(default_factory=dict)
    exhausted_transfer: Number = 0
    elected: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()
    action: str = ""
    quota: Number | None = None
    ties: tuple[TieBreak, ...] = ()
    valid: Number | None = None  # set where the electorate changes between rounds
    sections: Mapping[str, Mapping[str, Number]] = field(default_factory=dict)
    inactive: Mapping[str, Number] = field(default_factory=dict)
    flows: Mapping[str, Mapping[str, Number]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tallies", MappingProxyType(dict(self.tallies)))
        object.__setattr__(self, "inactive", MappingProxyType(dict(self.inactive)))
        object.__setattr__(
            self, "flows", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.flows.items()})
        )
        object.__setattr__(
            self,
            "sections",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.sections.items()}),
        )
        object.__setattr__(self, "transfers", MappingProxyType(dict(self.transfers)))

    @property
    def continuing_total(self) -> Number:
        """Sum of the tallies (votes still counting for someone)."""
        return sum(self.tallies.values(), 0)

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """Plain-JSON form (exact fractions become floats)."""
        return {
            "round": self.number,
            "action": self.action,
            "tallies": {k: as_plain(v, places) for k, v in self.tallies.items()},
            "elected": list(self.elected),
            "eliminated": list(self.eliminated),
            "exhausted": as_plain(self.exhausted, places),
            "loss": as_plain(self.loss, places),
            "transfers": {k: as_plain(v, places) for k, v in self.transfers.items()},
            "exhausted_transfer": as_plain(self.exhausted_transfer, places),
            "quota": as_plain(self.quota, places),
            "ties": [t.to_dict() for t in self.ties],
            **({"valid": as_plain(self.valid, places)} if self.valid is not None else {}),
            **(
                {
                    "sections": {
                        s: {k: as_plain(v, places) for k, v in t.items()} for s, t in self.sections.items()
                    }
                }
                if self.sections
                else {}
            ),
            **(
                {"inactive": {k: as_plain(v, places) for k, v in self.inactive.items()}}
                if self.inactive
                else {}
            ),
            **(
                {"flows": {s: {k: as_plain(v, places) for k, v in t.items()} for s, t in self.flows.items()}}
                if self.flows
                else {}
            ),
        }


@dataclass(frozen=True)
class Result:
    """Winners of a ranked-ballot count with every round (see :class:`Round`)."""

    method: str
    seats: int
    candidates: tuple[str, ...]
    winners: tuple[str, ...]
    rounds: tuple[Round, ...]
    valid: Number
    quota: Number | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    @property
    def ties(self) -> tuple[TieBreak, ...]:
        """Every tie-break taken, in order."""
        return tuple(t for r in self.rounds for t in r.ties)

    @property
    def winner(self) -> str:
        """The single winner (first elected)."""
        if not self.winners:
            raise RuleError("the count elected nobody")
        return self.winners[0]

    def check_conservation(self) -> None:
        """Raise :class:`RuleError` unless continuing + exhausted + loss == valid in every round."""
        for r in self.rounds:
            total = r.continuing_total + r.exhausted + r.loss
            valid = self.valid if r.valid is None else r.valid
            if isinstance(total, float) or isinstance(valid, float):
                ok = abs(float(total) - float(valid)) <= 1e-6 * max(1.0, abs(float(valid)))
            else:
                ok = total == valid
            if not ok:
                raise RuleError(f"round {r.number}: {total} votes accounted for, {valid} valid")

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """``{"method", "seats", "winners", "valid", "quota", "rounds": [...], ...}`` in plain JSON types."""
        return {
            "method": self.method,
            "seats": self.seats,
            "winners": list(self.winners),
            "candidates": list(self.candidates),
            "valid": as_plain(self.valid, places),
            "quota": as_plain(self.quota, places),
            "options": {k: _jsonable(v) for k, v in self.options.items()},
            "notes": list(self.notes),
            "rounds": [r.to_dict(places) for r in self.rounds],
        }

    def to_frame(self) -> Any:
        """The count sheet as a pandas DataFrame: candidates (then exhausted, loss) by rounds."""
        import pandas as pd

        cols = {}
        for r in self.rounds:
            col: dict[str, float | None] = {}
            for c in self.candidates:
                v = r.tallies.get(c)
                col[c] = None if v is None else float(v)
            col["exhausted"] = float(r.exhausted)
            col["loss"] = float(r.loss)
            cols[r.number] = col
        df = pd.DataFrame(cols)
        df.index.name = "candidate"
        df.columns.name = "round"
        return df

    def rounds_frame(self) -> Any:
        """Long form for plotting: one row per (round, candidate) with votes, transfer and status."""
        import pandas as pd

        rows = []
        for r in self.rounds:
            for c, v in r.tallies.items():
                status = "elected" if c in r.elected else "eliminated" if c in r.eliminated else ""
                rows.append(
                    {
                        "round": r.number,
                        "candidate": c,
                        "votes": float(v),
                        "transfer": float(r.transfers.get(c, 0)),
                        "status": status,
                    }
                )
            rows.append(
                {
                    "round": r.number,
                    "candidate": "exhausted",
                    "votes": float(r.exhausted),
                    "transfer": float(r.exhausted_transfer),
                    "status": "",
                }
            )
        return pd.DataFrame(rows, columns=["round", "candidate", "votes", "transfer", "status"])

    def _repr_html_(self) -> str:
        df = self.to_frame()
        head = (
            f"<p><b>{html.escape(self.method)}</b>, {self.seats} seat(s): "
            f"{html.escape(', '.join(self.winners))}</p>"
        )
        return head + df.to_html(float_format=lambda x: f"{x:,.5g}", na_rep="")


def _jsonable(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, Fraction):
        return as_plain(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)
