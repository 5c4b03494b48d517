"""The ``rctab`` counting method: RCTab's rules on kingmaker ballots, as a registry entry.

:func:`tabulate` checks the switch combinations, runs :class:`RCTabCount` (once, or once per
seat for multi-pass IRV) and turns its rounds into a :class:`Result`; :func:`count_config`
counts an RCTab contest configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from kingmaker.ballots import Ballots, compress_rankings
from kingmaker.counting.options import merge_options, one_set, option_names
from kingmaker.counting.rctab.rules import RCTabOptions
from kingmaker.counting.rctab.tabulate import STATUS_KEYS, RCTabCount, rank_lists
from kingmaker.counting.rctab.tiebreak import RCTabTies
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result, Round
from kingmaker.errors import InputError, RuleError
from kingmaker.ties import Number


def to_result(
    b: Ballots,
    seats: int,
    opts: RCTabOptions,
    records: list[dict],
    winners: Sequence[int],
    notes: Sequence[str],
) -> Result:
    """Plain round records (units) -> :class:`Result` with exact numbers."""
    S = 10**opts.decimals
    names = b.candidates

    def num(u: Number) -> Number:
        if isinstance(u, int):
            q, r = divmod(u, S)
            return q if r == 0 else Fraction(u, S)
        f = Fraction(u) / S
        return int(f) if f.denominator == 1 else f

    total = sum(int(w) for w in b.weights.tolist()) * S
    rounds = []
    prev: dict[str, Number] | None = None
    for rec in records:
        tallies = {names[c]: num(v) for c, v in rec["tallies"].items()}
        inactive = {STATUS_KEYS[s]: num(v) for s, v in sorted(rec["inactive"].items()) if v}
        exhausted = num(sum(rec["inactive"].values()))
        el = tuple(names[c] for c, kind in rec["decided"] if kind == "elected")
        ex = tuple(names[c] for c, kind in rec["decided"] if kind == "eliminated")
        deciders = {names[c] for c, _ in rec["decided"]}
        flows = {s: {t: num(v) for t, v in d.items()} for s, d in rec["moves"].items() if s in deciders}
        transfers = {} if prev is None else {c: tallies.get(c, 0) - v for c, v in prev.items()}
        action = (
            "first preferences"
            if prev is None
            else "transfer of " + ", ".join(rounds[-1].elected + rounds[-1].eliminated)
        )
        rounds.append(
            Round(
                number=rec["number"],
                tallies=tallies,
                exhausted=exhausted,
                loss=num(rec["loss"]),
                transfers=transfers,
                exhausted_transfer=exhausted - rounds[-1].exhausted if rounds else 0,
                elected=el,
                eliminated=ex,
                action=action,
                quota=num(rec["threshold"]),
                ties=tuple(rec["ties"]),
                inactive=inactive,
                flows=flows,
            )
        )
        prev = tallies
    return Result(
        method="rctab",
        seats=seats,
        candidates=names,
        winners=tuple(names[c] for c in winners),
        rounds=tuple(rounds),
        valid=num(total),
        quota=rounds[-1].quota if rounds else None,
        options=opts.to_dict(),
        notes=tuple(notes),
    )


def check_combination(opts: RCTabOptions, seats: int, source: str | None = None) -> None:
    """Refuse the switch combinations RCTab refuses (``ContestConfig.validate``), all at once."""
    mode = opts.mode(seats)
    bad = []
    if seats > 1 and mode != "multi-pass":
        for name, on in (("until='two'", opts.until == "two"), ("batch", opts.batch)):
            if on:
                bad.append(f"{name} needs one seat or winner_mode 'multi-pass'")
    if seats > 1 and opts.first_round_threshold:
        bad.append("first_round_threshold needs one seat")
    if seats == 1 and mode not in ("single", "bottoms-up-threshold"):
        bad.append(f"winner_mode {mode!r} needs more than one seat")
    if seats > 1 and mode == "single":
        bad.append("winner_mode 'single' fills one seat")
    if mode not in ("multi", "multi-one"):
        for name, on in (("hare", opts.hare), ("non_integer_threshold", opts.non_integer_threshold)):
            if on:
                bad.append(f"{name} needs winner_mode 'multi' or 'multi-one'")
    if opts.hare and opts.non_integer_threshold:
        bad.append("hare and non_integer_threshold exclude each other")
    if mode == "bottoms-up-threshold" and opts.batch:
        bad.append("batch does not go with winner_mode 'bottoms-up-threshold'")
    if bad:
        raise InputError("rctab: " + "; ".join(bad), source=source)


def tabulate(b: Ballots, seats: int, opts: RCTabOptions) -> Result:
    """Count ``b`` by RCTab's rules ``opts`` for ``seats`` seats (multi-pass IRV included)."""
    names = b.candidates
    unknown = [c for c in opts.excluded if c not in names]
    if unknown:
        raise InputError(f"excluded candidate(s) not on the ballots: {', '.join(unknown)}", source=b.source)
    excluded = {names.index(c) for c in opts.excluded} | set(b.withdrawn)
    if len(excluded) >= len(names):
        raise RuleError("every candidate is excluded")
    if not b.is_integral:
        raise InputError("RCTab counts whole ballots; the weights are not whole numbers", source=b.source)
    rows, w = compress_rankings(b.rankings, b.weights)  # one walk per distinct ranking
    ranks = rank_lists(rows, b.groups, opts.max_rankings, b.source)
    weights = [int(x) for x in w.tolist()]
    perm = [c for c in (opts.order or names) if c != opts.uwi]
    ties = RCTabTies(opts.tiebreak, opts.seed, perm, [])
    notes = []
    if opts.tiebreak in ("random", "permutation", "backwards", "forwards"):
        notes.append(
            f"ties beyond the counts are settled by Java's java.util.Random(seed={opts.seed}), "
            "the generator RCTab draws with"
        )
    mode = opts.mode(seats)
    check_combination(opts, seats, b.source)
    if mode != "multi-pass":
        records, winners = RCTabCount(b, seats, opts, ranks, weights, excluded, ties).run()
        return to_result(b, seats, opts, records, winners, notes)
    records = []
    won: list[int] = []
    one = replace(opts, winner_mode="single")
    for k in range(seats):
        if len(excluded | set(won)) >= len(names):
            break
        ties = RCTabTies(opts.tiebreak, opts.seed, perm, [])  # RCTab draws afresh each pass
        pas, w = RCTabCount(b, 1, one, ranks, weights, excluded | set(won), ties).run(len(records))
        records += pas
        won += w
        notes.append(f"pass {k + 1} (rounds {pas[0]['number']}-{pas[-1]['number']}) elected {names[w[0]]}")
    return to_result(b, seats, opts, records, won, notes)


@METHODS.register(
    "rctab",
    summary="RCTab's rules (US ranked-choice: IRV, multi-winner, multi-pass, bottoms-up); a *_config.json counts as configured",
    options=tuple(o for o in option_names(RCTabOptions) if o != "notes"),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=4,
    one_seat_options=("until", "batch", "first_round_threshold"),
)
def rctab(
    ballots: Ballots, seats: int | None = None, options: RCTabOptions | None = None, **kw: Any
) -> Result:
    """Count ``ballots`` by RCTab's rules for ``seats`` seats (default: the file's, else 1).

    Keyword options are the fields of :class:`RCTabOptions` and the mark options
    (``overvote``, ``skipped_limit``, ``duplicates``, ``equal_rankings``).
    """
    b, n = one_set(ballots, seats, "rctab", default=1)
    opts = merge_options(RCTabOptions, options, kw, rule="rctab")
    return tabulate(b, n, opts)


def count_config(
    path: Any, seats: int | None = None, ballots: Ballots | None = None, **overrides: Any
) -> Result:
    """Count an RCTab ``*_config.json``: its CVRs by its rules (``overrides`` replace rules).

    ``ballots`` (already read) skips reading the config's CVR sources.
    """
    from kingmaker.counting.options import check_known
    from kingmaker.counting.rctab.config import config_ballots, read_config

    cfg = read_config(path)
    check_known(overrides, METHODS.get("rctab").options, "rctab")
    b = ballots if ballots is not None else config_ballots(cfg)
    kw = {**cfg.options, **overrides}
    return rctab(b, seats if seats is not None else cfg.seats, **kw)


__all__ = ["check_combination", "count_config", "rctab", "tabulate", "to_result"]
