"""RCTab (the Ranked Choice Voting Tabulator, BrightSpots/rcv) rules, configs and count.

``kingmaker count X_config.json`` and ``count(ballots, method="rctab", ...)`` count as RCTab
does: every ``rules`` switch (:mod:`.rules`), a contest configuration read and checked as a
whole (:mod:`.config`), RCTab's tie-breaks with Java's generator (:mod:`.tiebreak`,
:mod:`.javarandom`) and its round loop (:mod:`.tabulate`); :mod:`.method` registers
``rctab`` in :data:`~kingmaker.counting.registry.METHODS`.

Internal dependency direction (a module imports only those to its left)::

    javarandom, rules -> tiebreak -> tabulate -> config -> method
"""
