"""Dependencies, declared once and reused by every router and console page.

* ``context`` — the open service context (workspace, store, ledger).
* ``staff`` / ``need(Can.X)`` — the logged-in staff member, re-read from the
  store on every request (a disabled account or changed role takes effect at
  once), and the role check.
* ``csrf`` — the synchronizer token of the session, required on every
  state-changing staff request (header ``X-CSRF-Token`` or form field
  ``csrf_token``).
* ``requester`` — the requester authenticated by an RFC 9421 signature.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..agreement import Agreement
from ..errors import Forbidden
from ..services import users as user_service
from ..services.context import Context
from .problems import CsrfError, NotAuthenticated, PayloadTooLarge
from .roles import Can, allowed, roles_for
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
def session_csrf(request: Request) -> str:
    """The session's CSRF token, made on first need (also before login, for the login form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def start_session(request: Request, account: dict[str, Any]) -> Staff:
    """Log in: a fresh session (and CSRF token), so nothing from before login carries over."""
    request.session.clear()
    request.session["user"] = account["name"]
    token = session_csrf(request)
    return Staff(name=account["name"], role=account["role"], csrf=token)


def end_session(request: Request) -> None:
    request.session.clear()


def optional_staff(request: Request, ctx: Ctx) -> Staff | None:
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    account = user_service.get_user(ctx, name)
    if account is None or account["disabled"]:
        end_session(request)
        return None
    who = Staff(name=account["name"], role=account["role"], csrf=session_csrf(request))
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
