"""The public calls: the most likely governments of a parliament, and how long one would last."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.formation.alternatives import DEFAULT_MAX_SIZE
from kingmaker.formation.dataset import situation_from_cabinet, situation_from_parliament
from kingmaker.formation.duration import DEFAULT_TERM, DurationModel, covariates, default_duration_model
from kingmaker.formation.features import Situation, describe
from kingmaker.formation.model import FormationModel, default_model
from kingmaker.formation.results import DurationResult, FormationResult, Government

DEFAULT_TOP = 10


def predict(
    situation: Situation,
    *,
    model: FormationModel | None = None,
    top: int | None = DEFAULT_TOP,
    max_size: int = DEFAULT_MAX_SIZE,
) -> FormationResult:
    """The ``top`` most likely governments of one formation (all of them when ``top`` is None);
    ties in probability keep the enumeration order (fewer, earlier parties first)."""
    if top is not None and top <= 0:
        raise InputError(f"top must be positive, got {top}")
    model = model or default_model()
    d = describe(situation, max_size)
    p = model.probabilities(d)
    order = np.argsort(-p, kind="stable")
    chosen = d.chosen
    rows = order if top is None else order[:top]
    govs = tuple(
        Government(
            parties=d.alternatives.members(int(i)),
            probability=float(p[i]),
            seats=int(d.seats[i]),
            features=d.feature_dict(int(i)),
            contributions=model.contributions(d, int(i)),
            formed=chosen is not None and int(i) == chosen,
        )
        for i in rows
    )
    return FormationResult(
        label=situation.label,
        governments=govs,
        alternatives=len(d.alternatives),
        quota=situation.quota,
        house=situation.house,
        formed=situation.formed,
        formed_probability=None if chosen is None else float(p[chosen]),
        formed_rank=None if chosen is None else int(np.flatnonzero(order == chosen)[0]) + 1,
        model={k: model.meta.get(k) for k in ("engine", "formations", "fitted", "data_sha256")},
    )


def formation(
    parliament: Any,
    *,
    previous: Sequence[str] = (),
    previous_pm: str | None = None,
    model: FormationModel | None = None,
    top: int | None = DEFAULT_TOP,
) -> FormationResult:
    """The most likely governments of a :class:`~kingmaker.parliament.Parliament`, given the
    parties of the cabinet before the election (``previous``) and its prime minister's party."""
    situation = situation_from_parliament(parliament, previous=tuple(previous), previous_pm=previous_pm)
    return predict(situation, model=model, top=top)


def parlgov_formation(
    country: str,
    when: str | int,
    *,
    data_dir: str | Path | None = None,
    model: FormationModel | None = None,
    top: int | None = DEFAULT_TOP,
) -> FormationResult:
    """The most likely governments after a ParlGov election, with the one that formed marked."""
    from kingmaker.datasets import load_parlgov

    pg = load_parlgov(data_dir)
    return predict(situation_from_cabinet(pg, pg.formation(country, when)), model=model, top=top)


def duration(
    parties: Sequence[str],
    seats: Sequence[int],
    positions: Sequence[float | None],
    house: int,
    *,
    caretaker: bool = False,
    term_months: int | None = None,
    model: DurationModel | None = None,
) -> DurationResult:
    """Survival curve of a cabinet of ``parties`` (with their seats and positions) in a house of
    ``house`` seats: median months and the probability of lasting ``term_months``."""
    if not parties:
        raise InputError("a duration query needs a cabinet of at least one party; got an empty coalition")
    if not (len(parties) == len(seats) == len(positions)):
        raise InputError("parties, seats and positions differ in length")
    if house <= 0:
        raise InputError(f"the house must have seats, got {house}")
    term = int(term_months or DEFAULT_TERM)
    if term <= 0:
        raise InputError(f"the term must be a positive number of months, got {term}")
    model = model or default_duration_model()
    x = covariates(seats, positions, house, caretaker=caretaker)
    months = np.linspace(0, max(term * 1.5, 12), 91)
    surv = model.survival(x, months)
    return DurationResult(
        parties=tuple(parties),
        covariates=x,
        median_months=model.median(x),
        term_months=term,
        p_full_term=float(model.survival(x, np.array([term]))[0]),
        months=tuple(float(m) for m in months),
        survival=tuple(float(s) for s in surv),
        model={k: model.meta.get(k) for k in ("cabinets", "failures", "fitted", "data_sha256")},
    )


def parliament_duration(
    parliament: Any,
    parties: Sequence[str],
    *,
    caretaker: bool = False,
    term_months: int | None = None,
    model: DurationModel | None = None,
) -> DurationResult:
    """:func:`duration` of a cabinet of ``parties`` in a :class:`~kingmaker.parliament.Parliament`."""
    if not parties:
        raise InputError("a duration query needs a cabinet of at least one party; got an empty coalition")
    members = [parliament.party(p) for p in parties]
    return duration(
        [m.name for m in members],
        [m.seats for m in members],
        [m.position for m in members],
        parliament.house,
        caretaker=caretaker,
        term_months=term_months,
        model=model,
    )
