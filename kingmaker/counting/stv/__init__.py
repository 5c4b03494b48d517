"""Single transferable vote: one module per statute, on one shared parcel engine.

All five work on compressed ballots: every distinct ranking travels as one parcel (its papers
share a value and a next preference), so the counts are exact and fast.

* :mod:`.scottish` (``stv-scottish``): the Scottish Local Government Elections Order 2007;
* :mod:`.ers97` (``stv-ers97``): the Electoral Reform Society's 1997 rules;
* :mod:`.gregory` (``stv-gregory``): the plain last-parcel Gregory method, exact;
* :mod:`.irish` (``stv-irish``): the Dáil rules of the Electoral Act 1992, whole papers drawn
  at random;
* :mod:`.meek` (``stv-meek``): Meek's method (Hill, Wichmann & Woodall 1987).

Internal dependency direction (a module imports only those to its left)::

    _engine -> scottish, ers97, gregory, irish, meek

``_engine`` holds :class:`STVOptions`, the :class:`_Ruleset` record, the parcel book-keeping
``_Count``, the Gregory loop and the exclusion step; each statute module cites its rules,
builds its ruleset by name and registers its method in
:data:`kingmaker.counting.registry.METHODS`. Meek's method has its own iteration and its own
options (:class:`~.meek.MeekOptions`: precision, tolerance).
"""

from __future__ import annotations

# the statutes register in this order (the order of ``kingmaker count --help``)
# isort: off
from kingmaker.counting.stv._engine import STVOptions, droop_quota
from kingmaker.counting.stv.scottish import stv_scottish
from kingmaker.counting.stv.ers97 import stv_ers97
from kingmaker.counting.stv.meek import MeekOptions, stv_meek
from kingmaker.counting.stv.gregory import stv_gregory
from kingmaker.counting.stv.irish import IrishCount, irish_count, stv_irish

# isort: on

__all__ = [
    "IrishCount",
    "MeekOptions",
    "STVOptions",
    "droop_quota",
    "irish_count",
    "stv_ers97",
    "stv_gregory",
    "stv_irish",
    "stv_meek",
    "stv_scottish",
]
