"""Fit the shipped models on ParlGov and write them where the package finds them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kingmaker.formation.alternatives import DEFAULT_MAX_SIZE
from kingmaker.formation.dataset import formation_situations
from kingmaker.formation.duration import DURATION_RESOURCE, country_terms, fit_duration, spells
from kingmaker.formation.features import Described, describe
from kingmaker.formation.model import MODEL_RESOURCE, fit
from kingmaker.io.parlgov import ParlGov

PRESETS_DIR = Path(__file__).resolve().parents[1] / "presets"


def described_formations(pg: ParlGov, max_size: int = DEFAULT_MAX_SIZE) -> tuple[list[Described], int]:
    """Every post-election formation with its alternatives, and how many were set aside because
    their cabinet holds no party with seats (non-partisan cabinets)."""
    situations = formation_situations(pg)
    data = [describe(s, max_size) for s in situations if s.formed]
    return data, len(situations) - len(data)


def fit_shipped(
    pg: ParlGov, out_dir: str | Path = PRESETS_DIR, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Fit the formation and duration models on every ParlGov formation and cabinet since 1945
    and write ``formation-model.json`` and ``cabinet-duration.json`` into ``out_dir``."""
    out = Path(out_dir)
    provenance = {"data": pg.source.rsplit("/", 1)[-1], "data_sha256": pg.sha256}
    if progress:
        progress("describing the post-election formations")
    data, skipped = described_formations(pg)
    model = fit(data, meta={**provenance, "non_partisan_skipped": skipped, "max_size": DEFAULT_MAX_SIZE})
    model.save(out / MODEL_RESOURCE)
    if progress:
        progress("fitting the duration model")
    df = spells(pg)
    dur = fit_duration(df, terms=country_terms(pg), meta=provenance)
    (out / DURATION_RESOURCE).write_text(json.dumps(dur.to_dict(), indent=2) + "\n", encoding="utf-8")
    return {"formation": model.to_dict(4), "duration": dur.to_dict(4)}
