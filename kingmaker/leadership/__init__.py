"""Party leadership contests: real party rules, the 2010 Labour arithmetic, and Monte Carlo.

One module per job; every public name is re-exported here, so ``from kingmaker.leadership
import ...`` is the import to use:

* :mod:`~kingmaker.leadership.rules`: :class:`PartyRules` and :func:`rule_presets`, embedded
  TOML presets of real rules, each with its sources: ``labour-2010`` (three-section electoral
  college, AV), ``labour-2015`` (one member one vote, AV), ``conservative`` (MPs' exhaustive
  ballots, then members) and ``libdem`` (AV among members).
* :mod:`~kingmaker.leadership.published`: :func:`labour_2010_reproduction`, the official
  college arithmetic of the 2010 Labour contest, recomputed from each section's published
  figures with the engine's college function.
* :mod:`~kingmaker.leadership.transfers`: transfer assumptions (a candidate-to-candidate
  :class:`TransferMatrix` or a :class:`SpatialModel`) turned into ranked ballots
  (:class:`RankingModel`).
* :mod:`~kingmaker.leadership.sections`: :class:`SectionInput`, one section's inputs, and the
  readers of a contest configuration's values.
* :mod:`~kingmaker.leadership.contest`: :class:`Contest`, a contest as an analyst has it
  (first preferences per section with Dirichlet uncertainty, plus transfer assumptions), read
  from TOML and counted deterministically by the engine (:meth:`Contest.count`,
  :func:`count_sections`).
* :mod:`~kingmaker.leadership.simulation`: :meth:`Contest.simulate` /
  :func:`simulate_contest`, the vectorised Monte Carlo that reproduces the engine's count,
  and :func:`spoiler_probabilities`.

Dependencies run one way: rules -> transfers -> sections -> simulation -> contest (the
simulation reads a contest through the :class:`~kingmaker.leadership.sections.ContestInputs`
protocol; :meth:`Contest.simulate` calls it); published needs only rules.
"""

from __future__ import annotations

# Names outside ``__all__`` (limits, defaults, the TransferModel alias) are re-exported with
# ``X as X`` so that they stay importable from here, as before the split.
from kingmaker.leadership.contest import Contest, count_sections
from kingmaker.leadership.published import PublishedContest, PublishedRound, labour_2010_reproduction
from kingmaker.leadership.rules import RULE_KINDS, PartyRules, SectionRule, rule_presets
from kingmaker.leadership.sections import TRANSFER_DRAWS as TRANSFER_DRAWS
from kingmaker.leadership.sections import SectionInput
from kingmaker.leadership.simulation import CHUNK as CHUNK
from kingmaker.leadership.simulation import MAX_SIMS as MAX_SIMS
from kingmaker.leadership.simulation import MAX_TRANSFER_TABLE_BYTES as MAX_TRANSFER_TABLE_BYTES
from kingmaker.leadership.simulation import Simulation, simulate_contest, spoiler_probabilities
from kingmaker.leadership.transfers import SpatialModel
from kingmaker.leadership.transfers import TransferModel as TransferModel
from kingmaker.transfers import MAX_CANDIDATES as MAX_CANDIDATES
from kingmaker.transfers import MAX_MATRIX_CANDIDATES as MAX_MATRIX_CANDIDATES
from kingmaker.transfers import SHARE_TOLERANCE as SHARE_TOLERANCE
from kingmaker.transfers import RankingModel, TransferMatrix

__all__ = [
    "RULE_KINDS",
    "Contest",
    "PartyRules",
    "PublishedContest",
    "PublishedRound",
    "RankingModel",
    "SectionInput",
    "SectionRule",
    "Simulation",
    "SpatialModel",
    "TransferMatrix",
    "count_sections",
    "labour_2010_reproduction",
    "rule_presets",
    "simulate_contest",
    "spoiler_probabilities",
]
