"""Which government will form, and how long it will last.

One module per job; the public names are re-exported here:

* :mod:`~kingmaker.formation.alternatives`: every government of a parliament's parties, single
  parties and minorities included, bounded at :data:`DEFAULT_MAX_SIZE` parties.
* :mod:`~kingmaker.formation.features`: :class:`Situation` (one formation opportunity) and
  :func:`describe`, the Martin & Stevenson (2001) features and the classic theories' flags.
* :mod:`~kingmaker.formation.dataset`: situations from ParlGov cabinets
  (:mod:`kingmaker.io.parlgov`) or from a :class:`~kingmaker.parliament.Parliament`.
* :mod:`~kingmaker.formation.model`: :class:`FormationModel`, the conditional logit, and
  :func:`fit`; the shipped coefficients are ``kingmaker/presets/formation-model.json``.
* :mod:`~kingmaker.formation.registry` and :mod:`~kingmaker.formation.baselines`: the classic
  theories as baselines (:data:`BASELINES`).
* :mod:`~kingmaker.formation.duration`: cabinet spells and the Weibull duration model
  (lifelines), shipped as ``kingmaker/presets/cabinet-duration.json``.
* :mod:`~kingmaker.formation.results`: the result types; :mod:`~kingmaker.formation.predict`:
  :func:`formation`, :func:`parlgov_formation`, :func:`duration`;
  :mod:`~kingmaker.formation.validate`: leave-one-country-out and time-split validation;
  :mod:`~kingmaker.formation.fitting`: refit the shipped models.

Dependencies run one way: alternatives -> features -> (dataset, model, registry -> baselines,
duration) -> results -> predict -> validate -> fitting. The package reads
:mod:`kingmaker.io.parlgov` and never imports :mod:`kingmaker.parliament` (a parliament is read
through its attributes), so ``Parliament.formation()`` can delegate here without a cycle.
statsmodels and lifelines are imported only inside the functions that fit.
"""

from __future__ import annotations

from kingmaker.formation.alternatives import (
    DEFAULT_MAX_SIZE,
    MAX_PARTIES,
    Alternatives,
    enumerate_alternatives,
)
from kingmaker.formation.baselines import BASELINES
from kingmaker.formation.dataset import (
    formation_situations,
    situation_from_cabinet,
    situation_from_parliament,
)
from kingmaker.formation.duration import (
    COVARIATES,
    DurationModel,
    default_duration_model,
    fit_duration,
    spells,
)
from kingmaker.formation.features import FEATURES, THEORIES, Described, Situation, describe
from kingmaker.formation.model import FormationModel, default_model, fit
from kingmaker.formation.predict import duration, formation, parlgov_formation, parliament_duration, predict
from kingmaker.formation.results import DurationResult, FormationResult, Government, ValidationReport

__all__ = [
    "BASELINES",
    "COVARIATES",
    "DEFAULT_MAX_SIZE",
    "FEATURES",
    "MAX_PARTIES",
    "THEORIES",
    "Alternatives",
    "Described",
    "DurationModel",
    "DurationResult",
    "FormationModel",
    "FormationResult",
    "Government",
    "Situation",
    "ValidationReport",
    "default_duration_model",
    "default_model",
    "describe",
    "duration",
    "enumerate_alternatives",
    "fit",
    "fit_duration",
    "formation",
    "formation_situations",
    "parlgov_formation",
    "parliament_duration",
    "predict",
    "situation_from_cabinet",
    "situation_from_parliament",
    "spells",
]
