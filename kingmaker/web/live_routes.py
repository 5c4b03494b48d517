"""The results-night endpoints of ``kingmaker live`` (added to the app by :func:`add_live_routes`).

Reads (open):

* ``GET /api/live/state`` -- the live picture (:meth:`~kingmaker.web.live.LiveService.state`);
* ``GET /api/live/events`` -- the same as server-sent events, one per change;
* ``GET /api/live/audit?corrections=false&limit=500`` -- the audit trail, latest first; the
  client address of each change only for a request that carries a valid token.

Writes (``Authorization: Bearer <token>``; the token's label and the client's address go into the
audit trail). Each runs on the live service's own writer thread, one at a time, so no read load
can delay it, and is acknowledged only once committed:

* ``POST /api/live/results`` (JSON :class:`~kingmaker.web.models.ResultBatch`) and
  ``POST /api/live/results.csv`` (CSV) -- declare results; all or none;
* ``PUT /api/live/results/{constituency}`` (JSON :class:`~kingmaker.web.models.Amendment`:
  ``votes``, ``winner``, ``reason``) -- amend a declared result (a recount, a typo);
* ``DELETE /api/live/results/{constituency}?reason=...`` -- withdraw a declared result.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import StreamingResponse

from kingmaker.web.live import LiveService, require_token, token_label
from kingmaker.web.models import Amendment, ResultBatch
from kingmaker.web.store import MAX_AUDIT_LISTED, Change


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def add_live_routes(app: FastAPI, live: LiveService) -> None:
    """Add the results-night endpoints for ``live`` to ``app``."""
    auth = Depends(require_token(live.tokens))
    expected = [(label, token.encode()) for label, token in live.tokens.items()]

    @app.get("/api/live/state")
    def live_state() -> dict[str, Any]:
        return live.state()

    @app.get("/api/live/audit")
    def live_audit(
        request: Request,
        corrections: bool = False,
        limit: int = Query(MAX_AUDIT_LISTED, ge=1, le=MAX_AUDIT_LISTED),
    ) -> dict[str, Any]:
        entries = live.store.audit(corrections_only=corrections, limit=limit)
        if token_label(request, expected) is None:  # addresses only for the desk
            entries = [{k: v for k, v in e.items() if k != "client"} for e in entries]
        return {"audit": entries, "revision": live.version}

    @app.get("/api/live/events")
    async def live_events(request: Request, once: bool = False) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            seen = -1
            idle = 0.0
            while True:
                if live.version != seen:
                    state = await asyncio.to_thread(live.state)
                    seen = state["version"]
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

    async def write(fn: Any, *args: Any) -> dict[str, Any]:
        """Run a write on the service's writer thread: never queued behind reads, one at a time."""
        return await asyncio.wrap_future(live.writer.submit(fn, *args))

    @app.post("/api/live/results")
    async def post_results(batch: ResultBatch, request: Request, who: str = auth) -> dict[str, Any]:
        return await write(live.submit, list(batch.results), Change(who, _client(request)))

    @app.post("/api/live/results.csv")
    async def post_results_csv(request: Request, who: str = auth) -> dict[str, Any]:
        body = await request.body()
        return await write(live.submit_csv, body, Change(who, _client(request)))

    @app.put("/api/live/results/{constituency}")
    async def amend_result(
        constituency: str, amendment: Amendment, request: Request, who: str = auth
    ) -> dict[str, Any]:
        return await write(live.amend, constituency, amendment, Change(who, _client(request)))

    @app.delete("/api/live/results/{constituency}")
    async def withdraw_result(
        constituency: str,
        request: Request,
        who: str = auth,
        reason: str = Query(..., min_length=1, max_length=300),
    ) -> dict[str, Any]:
        return await write(live.withdraw, constituency, Change(who, _client(request), reason.strip()))
