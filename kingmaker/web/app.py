"""The FastAPI application behind ``kingmaker serve`` and ``kingmaker live``.

One page (``static/index.html`` + ``app.js`` + ``style.css``, no inline script, no external asset)
and a JSON API under ``/api``. Read endpoints are open; the live write endpoints need the bearer
token. Every response carries a strict Content-Security-Policy (``default-src 'self'``),
``X-Content-Type-Options: nosniff`` and friends; no CORS headers are sent, so other origins cannot
read the API from a browser. Request bodies are capped at :data:`~kingmaker.web.models.MAX_BODY_BYTES`
and the work one request may ask for by the limits in :mod:`kingmaker.web.models`.

Endpoints (all JSON unless said):

* ``GET /`` the page; ``GET /static/...`` its assets; ``GET /api/config`` mode, features, limits.
* ``GET /api/parliament`` parties, thresholds and the hemicycle seat coordinates.
* ``POST /api/coalition`` a group's seats, majority or shortfall, pivotal members, completions.
* ``POST /api/coalitions`` the governments the numbers allow, with their theories.
* ``POST /api/power`` Shapley-Shubik and Banzhaf indices (needs :mod:`kingmaker.power`).
* ``POST /api/project`` seats re-projected from national vote shares (needs a base result table).
* ``POST /api/count?method=&seats=&format=`` count an uploaded ballot file (raw bytes body).
* Live mode: ``GET /api/live/state``, ``GET /api/live/events`` (server-sent events),
  ``POST /api/live/results`` (JSON) and ``POST /api/live/results.csv`` (CSV), both with
  ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import math
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from kingmaker.coalitions import coalitions, complete
from kingmaker.errors import InputError, KingmakerError, TooLargeError, UnknownNameError
from kingmaker.io import BALLOT_FORMATS, read_ballots
from kingmaker.parliament import Parliament, Threshold
from kingmaker.parties import NonVoting, Party
from kingmaker.report.hemicycle import hemicycle_layout, party_order
from kingmaker.web.models import (
    LIMITS,
    MAX_BODY_BYTES,
    MAX_UPLOAD_SEATS,
    UPLOAD_LIMITS,
    CoalitionRequest,
    CoalitionsRequest,
    ProjectionRequest,
    ResultBatch,
    SeatsRequest,
)

if TYPE_CHECKING:
    from kingmaker.web.live import LiveService

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC_DIR = Path(str(resources.files("kingmaker.web").joinpath("static")))
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
FALLBACK_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7")


class _BodyTooLarge(Exception):
    pass


class GuardMiddleware:
    """Adds the security headers to every response and refuses bodies over ``max_body`` bytes (413)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if scope["path"].startswith("/api/") and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _send_json(send_with_headers, 413, _too_large_message(self.max_body))
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await _send_json(send_with_headers, 413, _too_large_message(self.max_body))


def _too_large_message(limit: int) -> dict[str, str]:
    return {"error": f"request body too large: the limit is {limit} bytes ({limit // 1024} KiB)"}


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ----------------------------------------------------------------------------- presentation helpers


def party_colour(parliament: Parliament, name: str) -> str:
    """The party's colour from the parliament file, or a stable fallback."""
    colour = parliament.party(name).colour
    if colour:
        return colour
    return FALLBACK_COLOURS[parliament.names.index(name) % len(FALLBACK_COLOURS)]


def _angle_between(angles: list[float], seat_count: int) -> float:
    """Angle (radians from the left end) between seat ``seat_count - 1`` and ``seat_count``."""
    k = min(max(seat_count, 1), len(angles))
    before = angles[k - 2] if k >= 2 else angles[0]
    return (before + angles[k - 1]) / 2


def hemicycle_payload(parliament: Parliament) -> dict[str, Any]:
    """Parties, thresholds and one (x, y, party) per seat, ready for the page to draw as SVG circles."""
    order = [n for n in party_order(parliament) if parliament.party(n).seats > 0]
    layout = hemicycle_layout(parliament.house)
    labels = [name for name in order for _ in range(parliament.party(name).seats)]
    angles = [float(a) for a in layout.angle]
    lines = [
        {
            "kind": "majority",
            "seats": parliament.absolute_majority,
            "angle": _angle_between(angles, parliament.absolute_majority),
        }
    ]
    if parliament.working_majority_threshold != parliament.absolute_majority:
        lines.append(
            {
                "kind": "working",
                "seats": parliament.working_majority_threshold,
                "angle": _angle_between(angles, parliament.working_majority_threshold),
            }
        )
    data = parliament.to_dict()
    colours = {p.name: party_colour(parliament, p.name) for p in parliament.parties}
    for p in data["parties"]:
        p["colour"] = colours[p["name"]]
    data["order"] = order
    data["explain"] = parliament.explain()
    data["layout"] = {
        "radius": layout.radius,
        "seats": [
            [round(float(x), 4), round(float(y), 4), name]
            for x, y, name in zip(layout.x, layout.y, labels, strict=True)
        ],
        "lines": lines,
    }
    return data


def parliament_with_seats(parliament: Parliament, seats: dict[str, int] | None) -> Parliament:
    """The same parties (names, positions, colours) with other seat numbers.

    Parties not named keep their seats; a new name (a party a projection gives seats to) joins
    unplaced. Non-voting conventions are kept where the party still has the seats (a Speaker with
    no seat left simply drops out).
    """
    if not seats:
        return parliament
    parties = tuple(
        Party(p.name, seats.get(p.name, p.seats), p.position, p.full_name, p.colour)
        for p in parliament.parties
    ) + tuple(Party(name, n) for name, n in seats.items() if name not in parliament.names)
    held = {p.name: p.seats for p in parties}
    non_voting = []
    for nv in parliament.non_voting:
        kept = min(nv.seats, held[nv.party])
        held[nv.party] -= kept
        if kept:
            non_voting.append(NonVoting(nv.party, kept, nv.kind, nv.reason))
    if sum(p.seats for p in parties) <= 0:
        raise InputError("the seats given add up to an empty parliament")
    return Parliament(
        parties,
        tuple(non_voting),
        name=parliament.name,
        title=parliament.title,
        source=parliament.source,
        positions_source=parliament.positions_source,
    )


#: Answers kept per process; parliaments are immutable and hashable, so an answer never goes stale.
ANSWER_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=ANSWER_CACHE_SIZE)
def completion_payload(
    parliament: Parliament, group: tuple[str, ...], threshold: Threshold
) -> dict[str, Any]:
    """``POST /api/coalition``'s answer, computed once per (parliament, group, threshold).

    Callers must not mutate the dict (FastAPI only serialises it).
    """
    result = complete(parliament, group, threshold, top=5).to_dict()
    result["text"] = coalition_text(result)
    return result


@functools.lru_cache(maxsize=ANSWER_CACHE_SIZE)
def coalitions_payload(
    parliament: Parliament, threshold: Threshold, top: int | None, order: str, minimal_only: bool
) -> dict[str, Any]:
    """``POST /api/coalitions``'s answer (the CoalitionTable as JSON), computed once per question."""
    return coalitions(parliament, threshold, top=top, order=order, minimal_only=minimal_only).to_dict()  # type: ignore[arg-type]


def coalition_text(result: dict[str, Any]) -> str:
    """``Con+LD: 363 seats — majority of 76`` or ``Lab+LD: 315 seats — short by 11``."""
    group = "+".join(result["group"])
    if result["wins"]:
        return f"{group}: {result['seats']} seats — majority of {result['majority']}"
    return f"{group}: {result['seats']} seats — short by {result['shortfall']}"


#: Names in the 2010 Electoral Commission file that the presets spell otherwise.
PARTY_ALIASES = {"Grn": "Green", "APNI": "Alliance"}


def served_name(name: str, parliament: Parliament) -> str:
    """A base-results party column as the served parliament names it (Grn -> Green, Ind2 -> Ind)."""
    if name in parliament.names:
        return name
    alias = PARTY_ALIASES.get(name)
    if alias in parliament.names:
        return alias  # type: ignore[return-value]
    if name.startswith("Ind") and name[3:].isdigit() and "Ind" in parliament.names:
        return "Ind"
    return name


def base_national_shares(base: Any, floor: float = 0.5) -> dict[str, float]:
    """Each party's share (%) of the base votes in Great Britain (the scope of national polls)."""
    import numpy as np

    rows = np.ones(base.n_districts, dtype=bool)
    if base.nations is not None:
        rows = np.array([n != "Northern Ireland" for n in base.nations])
    totals = base.votes[rows].sum(axis=0).astype(float)
    shares = 100 * totals / max(totals.sum(), 1.0)
    order = np.argsort(-shares, kind="stable")
    return {base.parties[i]: round(float(shares[i]), 1) for i in order if shares[i] >= floor}


def optional_module(name: str) -> Any | None:
    """A library module that another part of kingmaker provides, or None while it is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _unavailable(what: str) -> JSONResponse:
    return JSONResponse({"error": f"{what} is not available in this installation"}, status_code=503)


# ----------------------------------------------------------------------------- the app


def create_app(
    parliament: Parliament,
    *,
    base: Any | None = None,
    live: LiveService | None = None,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
) -> FastAPI:
    """The web app for ``parliament``; ``base`` (a VoteTable) enables the vote-share sliders,
    ``live`` the results-night endpoints. ``allowed_hosts`` (loopback names by default) guards
    against DNS rebinding; pass None to accept any Host header."""
    app = FastAPI(title="kingmaker", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.parliament = parliament
    app.state.base = base
    app.state.live = live

    @app.exception_handler(KingmakerError)
    async def _kingmaker_error(request: Request, exc: KingmakerError) -> JSONResponse:
        status = 400
        if isinstance(exc, TooLargeError):
            status = 413
        elif isinstance(exc, UnknownNameError):
            status = 422
        status = getattr(exc, "status_code", status)
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
        return JSONResponse({"error": "invalid request: " + "; ".join(problems)}, status_code=422)

    def current(req: SeatsRequest) -> Parliament:
        if req.live:
            if live is None:
                raise InputError("live=true needs the server started by kingmaker live")
            return live.current_parliament()
        return parliament_with_seats(parliament, req.seats)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/config")
    def config() -> dict[str, Any]:
        return {
            "mode": "live" if live is not None else "serve",
            "features": {
                "power": optional_module("kingmaker.power") is not None,
                "projection": base is not None and optional_module("kingmaker.projection") is not None,
                "count": optional_module("kingmaker.counting") is not None,
            },
            "limits": LIMITS,
            "parties": list(parliament.names),
        }

    @app.get("/api/parliament")
    def parliament_view() -> dict[str, Any]:
        return hemicycle_payload(live.current_parliament() if live is not None else parliament)

    @app.get("/api/project/base", response_model=None)
    def projection_base() -> dict[str, Any] | JSONResponse:
        if base is None or optional_module("kingmaker.projection") is None:
            return _unavailable("projection")
        return {"shares": base_national_shares(base)}

    @app.post("/api/coalition")
    def coalition(req: CoalitionRequest) -> dict[str, Any]:
        parl = current(req)
        if not req.parties:
            raise InputError("choose at least one party")
        group = tuple(parl.parse_party_list(req.parties, "parties"))
        return completion_payload(parl, group, req.threshold)

    @app.post("/api/coalitions")
    def governments(req: CoalitionsRequest) -> dict[str, Any]:
        return coalitions_payload(current(req), req.threshold, req.top, req.order, req.minimal_only)

    @app.post("/api/power", response_model=None)
    def power(req: SeatsRequest) -> dict[str, Any] | JSONResponse:
        module = optional_module("kingmaker.power")
        if module is None or not hasattr(module, "power_indices"):
            return _unavailable("power indices (kingmaker.power)")
        parl = current(req)
        res = module.power_indices(parl.weights(req.threshold), parl.quota(req.threshold))
        rows = [
            {
                "party": name,
                "seats": weight,
                "shapley_shubik": float(res.shapley_shubik.get(name, 0.0)),
                "banzhaf": float(res.banzhaf.get(name, 0.0)),
            }
            for name, weight in parl.weights(req.threshold).items()
        ]
        return {"threshold": req.threshold, "quota": parl.quota(req.threshold), "rows": rows}

    @app.post("/api/project", response_model=None)
    def project(req: ProjectionRequest) -> dict[str, Any] | JSONResponse:
        if base is None:
            return _unavailable("projection (the server was started without base results)")
        module = optional_module("kingmaker.projection")
        if module is None:
            return _unavailable("projection (kingmaker.projection)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            projection = module.project(base, dict(req.shares), req.model)
        seats: dict[str, int] = {}
        for name, n in projection.seats.items():
            served = served_name(name, parliament)
            seats[served] = seats.get(served, 0) + int(n)
        seats.update({p: 0 for p in parliament.names if p not in seats})
        seats = {p: n for p, n in seats.items() if n or p in parliament.names}
        house = parliament_with_seats(parliament, seats)
        gains = ", ".join(f"{c.after} gains {c.district} from {c.before}" for c in projection.changes[:3])
        return {
            "seats": seats,
            "parliament": hemicycle_payload(house),
            "text": f"{req.model} swing: "
            + ", ".join(f"{p} {n}" for p, n in seats.items() if n)
            + (f". Narrowest changes: {gains}" if gains else ""),
        }

    @app.post("/api/count")
    async def count(
        request: Request,
        method: str = Query("irv", max_length=20),
        seats: int = Query(1, ge=1, le=MAX_UPLOAD_SEATS),
        format: str = Query("blt", max_length=10),
    ) -> Any:
        module = optional_module("kingmaker.counting")
        if module is None:
            return _unavailable("counting (kingmaker.counting)")
        if format not in BALLOT_FORMATS:
            raise InputError(
                f"unknown ballot format {format!r}; use one of {', '.join(BALLOT_FORMATS.choices())}"
            )
        body = await request.body()
        if not body:
            raise InputError("the upload is empty: send the ballot file as the request body")
        return await asyncio.to_thread(_count_upload, module, body, format, method, seats)

    if live is not None:
        _add_live_routes(app, live)

    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(GuardMiddleware, max_body=MAX_BODY_BYTES)  # outermost: headers on every reply
    return app


def _count_upload(module: Any, body: bytes, fmt: str, method: str, seats: int) -> dict[str, Any]:
    """Parse the uploaded bytes (called ``upload`` in messages) under :data:`UPLOAD_LIMITS`, and count.

    The readers check the file's claims against the upload caps before they allocate anything, so
    a header claiming a billion candidates is a quick 413, not an out-of-memory server.
    """
    ballots = read_ballots(body, fmt, name="upload", limits=UPLOAD_LIMITS)
    if seats >= ballots.n_candidates:
        raise InputError(f"{seats} seats for {ballots.n_candidates} candidates: nothing to count")
    result = module.count(ballots, method, seats)
    data = result.to_dict(places=4) if _accepts_places(result) else result.to_dict()
    return _finite(data)


def _accepts_places(result: Any) -> bool:
    import inspect

    return "places" in inspect.signature(result.to_dict).parameters


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _add_live_routes(app: FastAPI, live: LiveService) -> None:
    from kingmaker.web.live import require_token

    auth = Depends(require_token(live.token))

    @app.get("/api/live/state")
    def live_state() -> dict[str, Any]:
        return live.state()

    @app.get("/api/live/events")
    async def live_events(request: Request, once: bool = False) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            seen = -1
            idle = 0.0
            while True:
                if live.version != seen:
                    seen = live.version
                    state = await asyncio.to_thread(live.state)
                    yield f"event: state\nid: {seen}\ndata: {json.dumps(state)}\n\n"
                    if once:
                        return
                    idle = 0.0
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.25)
                idle += 0.25
                if idle >= 15:
                    yield ": keep-alive\n\n"
                    idle = 0.0

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    @app.post("/api/live/results", dependencies=[auth])
    def post_results(batch: ResultBatch) -> dict[str, Any]:
        return live.submit(list(batch.results))

    @app.post("/api/live/results.csv", dependencies=[auth])
    async def post_results_csv(request: Request) -> dict[str, Any]:
        from kingmaker.web.live import parse_results_csv

        body = await request.body()
        results = parse_results_csv(body)
        return await asyncio.to_thread(live.submit, results)
