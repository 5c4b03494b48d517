"""The de-vig method registry: every way of removing a market's overround, registered once.

Each method is a function ``raw implied probabilities -> (fair probabilities, fitted parameter or
None)`` registered in :mod:`kingmaker.odds.devig` with ``@DEVIG_METHODS.register(...)``. An entry's
``extra`` carries ``parameter`` (the fitted parameter's name, or None), ``title`` (a column
heading) and ``label`` (a format string for the fitted parameter, or None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kingmaker._registry import Registry

#: ``method(raw) -> (p, parameter)``: fair probabilities from raw implied probabilities.
DevigFunction = Callable[[Sequence[float]], tuple[np.ndarray, float | None]]

DEVIG_METHODS: Registry[DevigFunction] = Registry("de-vig method", modules=("kingmaker.odds.devig",))
