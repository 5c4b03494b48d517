"""The FastAPI application behind ``kingmaker serve`` and ``kingmaker live``.

One page (``static/index.html``, ``style.css`` and classic scripts sharing one global scope:
``app.js`` and the one-job ``sliders.js``, ``export.js``, ``permalink.js``; no inline script, no
external asset)
and a JSON API under ``/api``. Read endpoints are open; the live write endpoints need the bearer
token. Every response carries a strict Content-Security-Policy (``default-src 'self'``),
``X-Content-Type-Options: nosniff`` and friends; no CORS headers are sent, so other origins cannot
read the API from a browser. Request bodies are capped at :data:`~kingmaker.web.models.MAX_BODY_BYTES`
and the work one request may ask for by the limits in :mod:`kingmaker.web.models`. The expensive
reads run off the event loop, rationed per client and in all by :mod:`kingmaker.web.gate`; the
answers themselves are :mod:`kingmaker.web.answers`. Results-night writes run on the live
service's own writer thread, so no read load can delay them.

Each analysis answer is the library's ``to_dict()`` (what ``kingmaker X --format json`` prints) with
a ``"provenance"`` block; page-only extras sit under ``"view"`` (see :mod:`kingmaker.web.answers`).

Endpoints (all JSON unless said):

* ``GET /`` the page; ``GET /static/...`` its assets; ``GET /api/config`` mode, features, limits
  and the registries the page's choices come from (ballot formats, count methods, swing models).
* ``GET /api/parliament`` parties, thresholds and the hemicycle seat coordinates.
* ``GET /api/project/base`` where the vote-share sliders start: base shares, Other, the area.
* ``POST /api/coalition`` a group's seats, majority or shortfall, pivotal members, completions.
* ``POST /api/coalitions`` the governments the numbers allow, with their theories.
* ``POST /api/power`` Shapley-Shubik and Banzhaf indices.
* ``POST /api/project`` seats re-projected from national vote shares (needs a base result table).
* ``POST /api/count?method=&seats=&format=&contest=`` count an uploaded ballot file (raw bytes
  body): any format kingmaker reads, an ES&S ``.xlsx``, or a vendor CVR folder zipped (see
  :mod:`kingmaker.web.upload`); the method and format default to the first entries of their
  registries; ``contest`` picks a Dominion or Hart contest.
* Live mode: the results-night endpoints of :mod:`kingmaker.web.live_routes` (state, events,
  audit trail; declare, amend and withdraw results with ``Authorization: Bearer <token>``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from kingmaker.counting.registry import METHODS
from kingmaker.errors import InputError, KingmakerError, TooLargeError, UnknownNameError
from kingmaker.io import BALLOT_FORMATS
from kingmaker.parliament import Parliament
from kingmaker.projection.registry import SWING_MODELS
from kingmaker.provenance import Digest, sha256_of
from kingmaker.web.answers import (
    check_coalition_size,
    coalitions_payload,
    completion_payload,
    hemicycle_payload,
    power_payload,
    projection_base_payload,
    projection_payload,
)
from kingmaker.web.gate import GateMiddleware, ReadGate
from kingmaker.web.models import (
    LIMITS,
    MAX_BODY_BYTES,
    MAX_UPLOAD_SEATS,
    CoalitionRequest,
    CoalitionsRequest,
    ProjectionRequest,
    SeatsRequest,
)
from kingmaker.web.upload import count_upload

if TYPE_CHECKING:
    from kingmaker.web.live import LiveService

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC_DIR = Path(str(resources.files("kingmaker.web").joinpath("static")))
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
#: The expensive reads, rationed by the :class:`~kingmaker.web.gate.ReadGate`.
READ_PATHS = frozenset({"/api/coalition", "/api/coalitions", "/api/power", "/api/project", "/api/count"})
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


def client_of(request: Request) -> str:
    """The client's address, the key of the per-client limits (behind a proxy: the proxy's)."""
    return request.client.host if request.client is not None else "unknown"


def _unavailable(what: str) -> JSONResponse:
    """503 for a feature whose data the server was not started with (the projection's base)."""
    return JSONResponse({"error": f"{what} is not available on this server"}, status_code=503)


# ----------------------------------------------------------------------------- the app


def create_app(
    parliament: Parliament,
    *,
    base: Any | None = None,
    live: LiveService | None = None,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
    gate: ReadGate | None = None,
) -> FastAPI:
    """The web app for ``parliament``; ``base`` (a VoteTable) enables the vote-share sliders,
    ``live`` the results-night endpoints. ``allowed_hosts`` (loopback names by default) guards
    against DNS rebinding; pass None to accept any Host header. ``gate`` rations the expensive
    reads (default: :class:`~kingmaker.web.gate.ReadGate` with the limits of
    :mod:`kingmaker.web.models`, on threads)."""
    gate = gate if gate is not None else ReadGate()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gate.warm()
        yield
        gate.close()

    app = FastAPI(title="kingmaker", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.parliament = parliament
    app.state.base = base
    app.state.live = live
    app.state.gate = gate

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

    # Provenance inputs: the served parliament and base table, hashed once here, not per request.
    served = {parliament.name: Digest(sha256_of(parliament))}
    based = {**served, **({base.election or "base": Digest(sha256_of(base))} if base is not None else {})}

    async def current(req: SeatsRequest) -> Parliament:
        if req.live:
            if live is None:
                raise InputError("live=true needs the server started by kingmaker live")
            return await asyncio.to_thread(live.current_parliament)  # cached per version
        if not req.seats:
            return parliament
        return parliament.with_seats(req.seats, name=parliament.name, keep_others=True, keep_deputies=True)

    def inputs_of(req: SeatsRequest, parl: Parliament) -> dict[str, Any]:
        return served if parl is parliament else {parl.name: parl}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/config")
    async def config() -> dict[str, Any]:
        return {
            "mode": "live" if live is not None else "serve",
            "features": {"power": True, "projection": base is not None, "count": True},
            "limits": LIMITS,
            "parties": list(parliament.names),
            # The page's choices come from the registries: no method name is kept by hand here.
            "registries": {
                "ballot_formats": BALLOT_FORMATS.to_dict(),
                "count_methods": METHODS.to_dict(),
                "swing_models": SWING_MODELS.to_dict(),
            },
        }

    @app.get("/api/parliament")
    def parliament_view() -> dict[str, Any]:
        return hemicycle_payload(live.current_parliament() if live is not None else parliament)

    @app.get("/api/project/base", response_model=None)
    def projection_base() -> dict[str, Any] | JSONResponse:
        if base is None:
            return _unavailable("projection (the server was started without base results)")
        return projection_base_payload(base)

    @app.post("/api/coalition")
    async def coalition(req: CoalitionRequest, request: Request) -> dict[str, Any]:
        parl = await current(req)
        if not req.parties:
            raise InputError("choose at least one party")
        group = tuple(parl.parse_party_list(req.parties, "parties"))
        check_coalition_size(parl, req.threshold)
        key = ("coalition", parl, group, req.threshold)
        args = (parl, group, req.threshold, inputs_of(req, parl))
        return await gate.answer(client_of(request), key, completion_payload, *args)

    @app.post("/api/coalitions")
    async def governments(req: CoalitionsRequest, request: Request) -> dict[str, Any]:
        parl = await current(req)
        check_coalition_size(parl, req.threshold)
        args = (parl, req.threshold, req.top, req.order, req.minimal_only)
        return await gate.answer(
            client_of(request), ("coalitions", *args), coalitions_payload, *args, inputs_of(req, parl)
        )

    @app.post("/api/power")
    async def power(req: SeatsRequest, request: Request) -> dict[str, Any]:
        parl = await current(req)
        args = (parl, req.threshold, inputs_of(req, parl))
        return await gate.answer(client_of(request), ("power", parl, req.threshold), power_payload, *args)

    @app.post("/api/project", response_model=None)
    async def project(req: ProjectionRequest, request: Request) -> dict[str, Any] | JSONResponse:
        if base is None:
            return _unavailable("projection (the server was started without base results)")
        model = SWING_MODELS.canonical(req.model or SWING_MODELS.names()[0], what="model")
        shares = dict(req.shares)
        key = ("project", tuple(shares.items()), model)
        return await gate.answer(
            client_of(request), key, projection_payload, base, parliament, shares, model, based
        )

    @app.post("/api/count")
    async def count(
        request: Request,
        method: str | None = Query(None, max_length=20),
        seats: int = Query(1, ge=1, le=MAX_UPLOAD_SEATS),
        format: str | None = Query(None, max_length=20),
        contest: str | None = Query(None, max_length=200),
    ) -> Any:
        # Defaults are the registries' first entries: no method or format name is kept here.
        method = method or METHODS.names()[0]
        format = format or BALLOT_FORMATS.names()[0]
        if format not in BALLOT_FORMATS:
            raise InputError(
                f"unknown ballot format {format!r}; use one of {', '.join(BALLOT_FORMATS.choices())}"
            )
        body = await request.body()
        if not body:
            raise InputError("the upload is empty: send the ballot file as the request body")
        return await gate.run(
            client_of(request), count_upload, body, format, method, seats, contest or None, local=True
        )

    if live is not None:
        from kingmaker.web.live_routes import add_live_routes

        add_live_routes(app, live)

    app.add_middleware(GateMiddleware, gate=gate, paths=READ_PATHS)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(GuardMiddleware, max_body=MAX_BODY_BYTES)  # outermost: headers on every reply
    return app
