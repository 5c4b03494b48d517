"""The registry of formation baselines: each classic theory as a uniform choice among the
governments it names (filled by :mod:`kingmaker.formation.baselines`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kingmaker._registry import Registry

#: name -> function(described) -> boolean mask of the governments the theory names
BASELINES: Registry[Callable[..., np.ndarray]] = Registry(
    "formation baseline", modules=("kingmaker.formation.baselines",)
)
