"""The app factory: ``create_app(settings)`` wires the API, the console, the
session, the error translation and the security headers, and nothing else.

The service context (workspace, store, ledger) is opened here, before the
server listens, so a bad workspace or database fails fast; it is closed when
the app shuts down. Starting also removes what interrupted uploads left in the
workspace's ``incoming/`` and exports checkpoints the store signed but the
workspace's witness file does not hold yet.

A database error (a damaged store, a lost connection) is translated once, here,
into the gateway's error and so into one problem document or error page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..errors import GatewayError
from ..services.context import open_context, utcnow
from ..services.ledger import export_checkpoints
from ..store.engine import store_error
from . import problems
from .routers import accounting, agreement, auth, batches, interactive, ledger, review
from .sessions import COOKIE, ServerSessions
from .settings import ServiceSettings

API_PREFIX = "/api/v1"
CONSOLE_PREFIX = "/console"
SESSION_COOKIE = COOKIE

DESCRIPTION = """\
The disclosure gateway's service.

**Requesters** authenticate every request with an RFC 9421 HTTP Message Signature
made with their agreement key (Ed25519): `Signature-Input` and `Signature` covering
`@method`, `@path`, `@query` and, with a body, `content-type` and `content-digest`
(RFC 9530), with `created`, `nonce`, `keyid` and `tag="dgw-request"`. Signatures older
than five minutes and reused nonces are refused.

**Staff** log in (`POST /api/v1/auth/login`) and get a session cookie (an opaque
token naming a server-side session) and a CSRF token to send as `X-CSRF-Token` on
every state-changing request. Failed logins are throttled (429 with `Retry-After`).

Every error is an RFC 9457 problem-details document (`application/problem+json`).
"""

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class SecurityHeaders:
    """Headers on every response: no sniffing, no framing, no caching of personal data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(f"{CONSOLE_PREFIX}/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", _CSP.encode()),
                ]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend((k, v) for k, v in extra if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_console(request: Request) -> bool:
    return request.url.path.startswith(CONSOLE_PREFIX)


def create_app(settings: ServiceSettings, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """Build the service for one workspace. The settings object is the only input; ``clock``
    (session timeouts, login throttling) is the real one except in tests."""
    ctx = open_context(settings.workspace, settings.db_url)
    ctx.ws.remove_interrupted_uploads()
    export_checkpoints(ctx)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Fewer threads than anyio's 40: the work is short and mostly holds the GIL or the
        # SQLite write lock, and forty contenders turn a queue into a lottery (long tails).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        if settings.warm_lane:
            from ..match.service import warm_lane

            await anyio.to_thread.run_sync(warm_lane, ctx.ws)
        yield
        ctx.store.close()

    app = FastAPI(
        title="disclosure-gateway",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Swagger UI and ReDoc load scripts from a CDN; the service serves nothing from
        # elsewhere, so only the schema itself is published (/openapi.json; docs/api.md).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ctx = ctx
    app.state.clock = clock

    for module in (auth, batches, interactive, review, ledger, accounting, agreement):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(batches.staff_router, prefix=API_PREFIX)

    # Imported here: the console depends on the API's dependencies, not the reverse.
    from ..console import pages
    from ..console.errors import render_error

    app.include_router(pages.router, prefix=CONSOLE_PREFIX)
    app.mount(f"{CONSOLE_PREFIX}/static", StaticFiles(packages=[("disclosure_gateway.console", "static")]),
              name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{CONSOLE_PREFIX}/", status_code=303)

    # --- errors: one translation for the API, one for the console --------------------
    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        if _is_console(request):
            return render_error(request, status=exc.status, kind=exc.kind, detail=exc.describe())
        return problems.from_gateway_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_console(request):
            detail = "; ".join(str(e.get("msg", "")) for e in exc.errors()) or "malformed form"
            return render_error(request, status=422, kind="validation-error", detail=detail)
        return problems.from_validation_error(request, exc)

    async def database_error(request: Request, exc: Exception) -> Response:
        failure = store_error(exc)
        if failure is None:
            return await unexpected(request, exc)
        problems.log.error("database error on %s: %s", request.url.path, failure.describe())
        return await gateway_error(request, failure)

    # the driver's own classes, and SQLAlchemy's wrapper of them; anything else that
    # wraps one (pandas) reaches `unexpected`, which looks through it as well
    for cls in (DBAPIError, sqlite3.Error, *_psycopg_errors()):
        app.add_exception_handler(cls, database_error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_console(request):
            return render_error(request, status=exc.status_code, kind="http-error", detail=str(exc.detail))
        return problems.from_http_exception(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        failure = store_error(exc)
        if failure is not None:
            return await gateway_error(request, failure)
        if _is_console(request):
            problems.log.exception("unexpected error on %s", request.url.path, exc_info=exc)
            return render_error(request, status=500, kind="internal-error",
                                detail="the gateway failed unexpectedly; the operator has the details")
        return problems.from_unexpected(request, exc)

    # Outermost last: headers wrap everything, including the session cookie responses.
    # The clock is read through app.state each time, so a test can move it after start-up.
    app.add_middleware(ServerSessions, ctx=ctx, settings=settings, clock=lambda: app.state.clock())
    app.add_middleware(SecurityHeaders)
    return app


def _psycopg_errors() -> tuple[type[Exception], ...]:
    import psycopg

    return (psycopg.Error,)


def openapi_schema(settings: ServiceSettings) -> dict[str, Any]:
    return create_app(settings).openapi()
