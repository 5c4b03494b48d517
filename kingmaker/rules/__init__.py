"""Counting rules: pure functions ``rule(ballots, seats, options) -> Result``.

Ranked-ballot rules: :func:`irv` (AV), :func:`stv_scottish`, :func:`stv_ers97`,
:func:`stv_gregory`, :func:`stv_meek`, :func:`college` and :func:`exhaustive_ballot`.
"""

from __future__ import annotations

from kingmaker.rules.college import college, college_from_tallies, college_totals
from kingmaker.rules.exhaustive import exhaustive_ballot
from kingmaker.rules.irv import IRVOptions, MarkOptions, irv
from kingmaker.rules.stv import STVOptions, droop_quota, stv_ers97, stv_gregory, stv_meek, stv_scottish
from kingmaker.ties import TieBreakPolicy

__all__ = [
    "IRVOptions",
    "MarkOptions",
    "STVOptions",
    "TieBreakPolicy",
    "college",
    "college_from_tallies",
    "college_totals",
    "droop_quota",
    "exhaustive_ballot",
    "irv",
    "stv_ers97",
    "stv_gregory",
    "stv_meek",
    "stv_scottish",
]
