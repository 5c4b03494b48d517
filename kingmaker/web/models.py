"""Request bodies of the web API (pydantic), and the limits on what one request may ask for.

Every limit is enforced before any work starts and refused with a 4xx JSON error that names it:

* :data:`MAX_BODY_BYTES` -- any request body (JSON, CSV, upload), 2 MiB; larger gets 413.
* :data:`MAX_PARTIES` -- parties named in one request (a coalition, a seat override, a result), 64.
* :data:`MAX_SEATS` -- seats in an overridden parliament, 10 000.
* :data:`MAX_BALLOTS` -- ballots (weighted total) in an uploaded ballot file, 200 000.
* :data:`MAX_CANDIDATES` -- candidates in an uploaded ballot file, 60.
* :data:`MAX_UPLOAD_SEATS` -- seats an upload's count may fill, 50.
* :data:`UPLOAD_LIMITS` -- the above as the ballot readers' :class:`~kingmaker.io.limits.ReadLimits`,
  so an upload's header is refused (413) before the reader allocates anything it claims.
* :data:`MAX_SIMULATIONS` -- Monte Carlo draws behind the live coalition probabilities, 2 000.
* :data:`MAX_RESULTS_PER_REQUEST` -- declared constituency results in one write, 700.
* :data:`MAX_COALITIONS_LISTED` -- rows of the governments table, 200.
* :data:`MAX_COALITION_PARTIES` -- parties that can join coalitions in one coalition analysis, 20
  (all ``2**n`` subsets are examined: at 20 about 0.1-0.2 s of CPU and 80 MB, measured on the
  2-core machine this was written on; 22 took 0.3-0.6 s and 230 MB); more gets 413.

And the expensive reads (coalition, coalitions, power, project, count) are rationed (see
:mod:`kingmaker.web.gate`):

* :data:`MAX_READS_PER_CLIENT` -- expensive reads one client address may have in flight, 2; more
  gets 429 with ``Retry-After``.
* :data:`MAX_READS_IN_FLIGHT` -- expensive reads in flight from all clients together, 4; more gets
  429 with ``Retry-After``.
* :data:`READ_WORKERS` -- workers running them (2: one per core of a small machine).
* :data:`READ_TIMEOUT_SECONDS` -- the longest a client waits for one, 10 s; then 503 (the work
  still holds its place in the limits until it ends).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from kingmaker.io.limits import ReadLimits

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_PARTIES = 64
MAX_SEATS = 10_000
MAX_BALLOTS = 200_000
MAX_CANDIDATES = 60
MAX_SIMULATIONS = 2_000
MAX_RESULTS_PER_REQUEST = 700
MAX_COALITIONS_LISTED = 200
MAX_VOTES_PER_PARTY = 10_000_000
MAX_UPLOAD_SEATS = 50
UPLOAD_LIMITS = ReadLimits(
    max_candidates=MAX_CANDIDATES,
    max_seats=MAX_UPLOAD_SEATS,
    max_ballots=MAX_BALLOTS,
    max_rows=MAX_BALLOTS,
    max_ranks=MAX_CANDIDATES,
    max_cells=MAX_BALLOTS * MAX_CANDIDATES,
)
#: Uncompressed bytes a zipped upload may hold (the 2013 Minneapolis workbook, 2 MB, holds 17 MB).
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
#: Files a zipped upload may hold (Hart writes one per ballot).
MAX_ZIP_MEMBERS = 5_000
MAX_COALITION_PARTIES = 20
#: Parties above which the governments table omits the formation model's probabilities (predicting
#: a 15-party parliament takes well under a second; 20 parties would not fit a read's budget).
MAX_FORMATION_PARTIES = 15
MAX_READS_PER_CLIENT = 2
MAX_READS_IN_FLIGHT = 4
READ_WORKERS = 2
READ_TIMEOUT_SECONDS = 10.0

LIMITS = {
    "max_body_bytes": MAX_BODY_BYTES,
    "max_parties": MAX_PARTIES,
    "max_seats": MAX_SEATS,
    "max_ballots": MAX_BALLOTS,
    "max_candidates": MAX_CANDIDATES,
    "max_simulations": MAX_SIMULATIONS,
    "max_results_per_request": MAX_RESULTS_PER_REQUEST,
    "max_coalitions_listed": MAX_COALITIONS_LISTED,
    "max_coalition_parties": MAX_COALITION_PARTIES,
    "max_reads_per_client": MAX_READS_PER_CLIENT,
    "max_reads_in_flight": MAX_READS_IN_FLIGHT,
    "read_timeout_seconds": READ_TIMEOUT_SECONDS,
}

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
ThresholdName = Literal["absolute", "working"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeatsRequest(_Strict):
    """A threshold and, optionally, other seat numbers than the served parliament's (``seats``: a
    projection; ``live``: the live House of results night)."""

    threshold: ThresholdName = "absolute"
    seats: dict[Name, Annotated[int, Field(ge=0, le=MAX_SEATS)]] | None = Field(
        default=None, max_length=MAX_PARTIES
    )
    live: bool = False

    @field_validator("seats")
    @classmethod
    def _total(cls, v: dict[str, int] | None) -> dict[str, int] | None:
        if v is not None and sum(v.values()) > MAX_SEATS:
            raise ValueError(f"at most {MAX_SEATS} seats in all")
        return v


class CoalitionRequest(SeatsRequest):
    """A group of parties to test; optionally against other seat numbers (projected or live)."""

    parties: list[Name] = Field(default_factory=list, max_length=MAX_PARTIES)


class ProjectionRequest(_Strict):
    """National vote shares in percent for some parties; the others keep their base share."""

    shares: dict[Name, Annotated[float, Field(ge=0, le=100)]] = Field(min_length=1, max_length=MAX_PARTIES)
    #: A name in :data:`kingmaker.projection.SWING_MODELS` (checked by the endpoint; default its first).
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = None


Votes = dict[Name, Annotated[int, Field(ge=0, le=MAX_VOTES_PER_PARTY)]]
#: Why a declared result is amended or withdrawn (kept in the audit trail).
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _some_votes(v: dict[str, int]) -> dict[str, int]:
    if sum(v.values()) <= 0:
        raise ValueError("a declared result needs at least one vote")
    return v


class DeclaredResult(_Strict):
    """One constituency's declared result: votes per party (whole, non-negative), and ``winner``:
    the returning officer's winner when the top two tied and the seat was decided by lot."""

    constituency: Name
    votes: Votes = Field(min_length=1, max_length=MAX_PARTIES)
    winner: Name | None = None

    @field_validator("votes")
    @classmethod
    def _some_votes(cls, v: dict[str, int]) -> dict[str, int]:
        return _some_votes(v)


class Amendment(_Strict):
    """A corrected result for a declared constituency (a recount, a typo) and why."""

    votes: Votes = Field(min_length=1, max_length=MAX_PARTIES)
    winner: Name | None = None
    reason: Reason

    @field_validator("votes")
    @classmethod
    def _some_votes(cls, v: dict[str, int]) -> dict[str, int]:
        return _some_votes(v)


class ResultBatch(_Strict):
    """Several declared results, stored all together or not at all."""

    results: list[DeclaredResult] = Field(min_length=1, max_length=MAX_RESULTS_PER_REQUEST)


class CoalitionsRequest(SeatsRequest):
    """The governments table: order, how many rows, minimal winning only."""

    order: Literal["seats", "parties", "range"] = "seats"
    top: int = Field(default=50, ge=1, le=MAX_COALITIONS_LISTED)
    minimal_only: bool = True
