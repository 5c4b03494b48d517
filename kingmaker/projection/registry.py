"""The swing-model registry: every model registers itself in :mod:`kingmaker.projection.models`.

``SWING_MODELS.get(name).obj`` is the model's score function ``(plan, targets) -> scores``; the
entry's ``extra`` holds ``kind`` (``additive``, ``proportional`` or ``transition``: how the
forecast kernel treats it) and ``level`` (where the swing is measured by default).
"""

from __future__ import annotations

from kingmaker._registry import Registry

SWING_MODELS: Registry = Registry("swing model", modules=("kingmaker.projection.models",))

__all__ = ["SWING_MODELS"]
