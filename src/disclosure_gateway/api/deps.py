"""Dependencies, declared once and reused by every router and console page.

* ``context`` — the open service context (workspace, store, ledger).
* ``staff`` / ``need(Can.X)`` — the logged-in staff member of the server-side
  session (api/sessions.py re-reads session and account on every request, so a
  disabled account or changed role takes effect at once), and the role check.
* ``csrf`` — the synchronizer token of the session, required on every
  state-changing staff request (header ``X-CSRF-Token`` or form field
  ``csrf_token``).
* ``requester`` — the requester authenticated by an RFC 9421 signature.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..agreement import Agreement
from ..errors import Forbidden
from ..services import sessions
from ..services.context import Context
from ..services.sessions import Live
from .problems import CsrfError, NotAuthenticated, PayloadTooLarge
from .roles import Can, allowed, roles_for
from .sessions import ISSUE, LIVE, TOKEN, csrf_of
from .settings import ServiceSettings
from .signatures import Requester, verify_request

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    csrf: str

    def can(self, what: Can) -> bool:
        return allowed(self.role, what)


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency
# in the thread pool, and every such hop is another wait in its queue under load.


async def get_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


_AGREEMENTS: dict[str, tuple[tuple[int, int, int], Agreement]] = {}


def agreement_of(ctx: Context) -> Agreement:
    """The agreement in force, re-read whenever its file changes.

    Parsing and validating the TOML costs about a millisecond, on every signed
    request otherwise; the file's identity (inode, size, mtime) says when it was
    replaced, as a suspension does (it writes a new file and renames it over).
    """
    path = ctx.ws.agreement_path
    try:
        st = path.stat()
    except OSError:
        return ctx.agreement()  # let the workspace raise its own error
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _AGREEMENTS.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    agreement = ctx.agreement()
    _AGREEMENTS[str(path)] = (stamp, agreement)
    return agreement


Ctx = Annotated[Context, Depends(get_context)]
Settings = Annotated[ServiceSettings, Depends(get_settings)]


# --- staff sessions -----------------------------------------------------------------
def now_of(request: Request) -> datetime:
    """The app's clock (``create_app(..., clock=...)``): timeouts and throttles read it."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def client_of(request: Request) -> str | None:
    """The client address the login throttle counts under (as the server sees it)."""
    return request.client.host if request.client else None


def session_csrf(request: Request) -> str:
    """The session's CSRF token; before login, the login form's (derived from a nonce)."""
    return csrf_of(request.scope)


async def start_session(request: Request, ctx: Context, settings: ServiceSettings,
                        account: dict[str, Any]) -> Staff:
    """Log in: a new session with a new token and CSRF token; the one the browser held ends."""
    token, live = await run_in_threadpool(
        lambda: sessions.start(ctx, account["name"], kind="web", now=now_of(request),
                               absolute_s=settings.session_max_age_s, idle_s=settings.session_idle_s,
                               replacing=request.scope.get(TOKEN)))
    request.scope[ISSUE] = (token, settings.session_max_age_s)
    request.scope[LIVE] = live
    return Staff(name=live.account, role=live.role, csrf=live.csrf)


async def end_session(request: Request, ctx: Context) -> None:
    """Log out: the session's row is deleted, so no copy of the cookie works again."""
    await run_in_threadpool(sessions.end, ctx, request.scope.get(TOKEN))
    request.scope[ISSUE] = ("", 0)
    request.scope[LIVE] = None


async def optional_staff(request: Request) -> Staff | None:
    """The logged-in staff member: the session and its account were re-read from the store
    for this request (ServerSessions), so a role change or a disabled account shows at once."""
    live: Live | None = request.scope.get(LIVE)
    if live is None:
        return None
    who = Staff(name=live.account, role=live.role, csrf=live.csrf)
    request.state.staff = who  # for the console's error page, which renders outside the route
    return who


async def staff(who: Annotated[Staff | None, Depends(optional_staff)]) -> Staff:
    if who is None:
        raise NotAuthenticated("log in first (POST /api/v1/auth/login or the console's login page)")
    return who


async def csrf(request: Request, who: Annotated[Staff, Depends(staff)]) -> Staff:
    """Refuse a state-changing request whose CSRF token is not the session's."""
    if request.method in _UNSAFE:
        check_csrf_token(await _sent_token(request), who.csrf)
    return who


def check_csrf_token(sent: str | None, expected: str) -> None:
    if not sent:
        raise CsrfError(f"missing CSRF token (send the {CSRF_HEADER} header or the {CSRF_FIELD} form field)")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("wrong CSRF token (the page may be stale: reload it and try again)")


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached by Starlette: the handler reads the same form
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def need(what: Can) -> Any:
    """A dependency: the staff member, if their role may do ``what`` (and, on a POST, CSRF passed)."""

    async def check(who: Annotated[Staff, Depends(csrf)]) -> Staff:
        if not who.can(what):
            raise Forbidden(f"your role ({who.role}) may not {what.value}; "
                            f"that needs one of: {', '.join(roles_for(what))}")
        return who

    return Depends(check)


# --- requesters -------------------------------------------------------------------
async def read_body(request: Request, settings: ServiceSettings) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body of {declared} bytes is over the limit of {settings.max_body_bytes}")
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body is over the limit of {settings.max_body_bytes} bytes")
    return body


async def requester(request: Request, ctx: Ctx, settings: Settings) -> Requester:
    """The requester whose agreement key signed this request (RFC 9421), or SignatureError."""
    body = await read_body(request, settings)
    agreement = await run_in_threadpool(agreement_of, ctx)
    return await run_in_threadpool(
        lambda: verify_request(
            method=request.method,
            url=str(request.url),
            headers=request.headers,
            body=body,
            agreement=agreement,
            store=ctx.store,
            max_age_s=settings.signature_max_age_s,
            skew_s=settings.signature_clock_skew_s,
        )
    )


StaffUser = Annotated[Staff, Depends(staff)]
SignedRequester = Annotated[Requester, Depends(requester)]
