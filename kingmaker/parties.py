"""The records a parliament is made of: parties with their seats, and seats whose holders do not
vote. Plain data, below both the file readers (:mod:`kingmaker.io.parliament_file`) and
:class:`kingmaker.parliament.Parliament`, which validates them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Most seats one party may hold (far above any real assembly; the cap stops a hostile input
#: from asking for work or memory in proportion to a huge number).
MAX_PARTY_SEATS = 100_000

#: Why a member does not vote.
NON_VOTING_KINDS: tuple[str, ...] = ("speaker", "deputy", "abstention", "other")


@dataclass(frozen=True)
class Party:
    """One party (or independent member) and its seats."""

    name: str
    seats: int
    position: float | None = None
    full_name: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class NonVoting:
    """Seats of a party whose holders do not vote, and why (Speaker, deputies, abstentionists)."""

    party: str
    seats: int
    kind: str
    reason: str


@dataclass(frozen=True)
class ParliamentFile:
    """What a parliament file says, before :class:`~kingmaker.parliament.Parliament` validates it."""

    parties: tuple[Party, ...]
    non_voting: tuple[NonVoting, ...] = ()
    name: str = "custom"
    title: str = ""
    source: str = ""
    positions_source: str = ""
