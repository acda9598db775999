"""Staff sessions on the server, for the API and the console (an ASGI middleware).

The cookie ``dgw_session`` carries only an opaque random token; the session is a
row in the store (services/sessions.py), so logging out, a timeout, a changed
password or role, or a disabled account ends it for every copy of the cookie.

Per request:

* a cookie naming a live web session makes it the request's session: the account
  (re-read with the session, so a role change shows at once) and a small data dict
  (``request.session``: a message to show once, a verification result), saved back
  only when changed;
* otherwise the request is anonymous, and the cookie's value, or a fresh random one
  set when the login form needs it, is only a nonce the login form's CSRF token is
  derived from (HMAC under the session secret): a visitor who has not logged in
  costs no row and no write;
* a login puts the new session's token in the cookie (the old one, anonymous or
  not, is dropped: no fixation), a logout clears it.

The clock is the app's (``create_app(..., clock=...)``), so tests move time instead
of waiting.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..services import sessions
from ..services.context import Context
from .settings import ServiceSettings

COOKIE = "dgw_session"
#: scope keys
LIVE = "dgw.session"        # services.sessions.Live | None
TOKEN = "dgw.token"  # noqa: S105 - a scope key: the cookie's value as sent, or None
NONCE = "dgw.nonce"         # an anonymous request's nonce (login CSRF), or None
NEW_NONCE = "dgw.nonce.new"  # True: the nonce was made here and goes out in the cookie
ISSUE = "dgw.issue"         # (token, max_age) to set after a login; ("", 0) clears the cookie
CSRF_KEY = "dgw.csrf_key"


class SessionData(dict[str, Any]):
    """``request.session``: a dict that knows whether it was changed (only then is it saved)."""

    modified = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def pop(self, key: str, default: Any = None) -> Any:
        if key in self:
            self.modified = True
        return super().pop(key, default)

    def clear(self) -> None:
        self.modified = self.modified or bool(self)
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.modified = True
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)


def login_csrf(key: bytes, nonce: str) -> str:
    """The login form's CSRF token for an anonymous visitor's nonce."""
    return hmac.new(key, b"dgw-login-csrf\x00" + nonce.encode("ascii"), hashlib.sha256).hexdigest()


def csrf_of(scope: Scope) -> str:
    """The request's CSRF token: the live session's, else the one derived from the nonce."""
    live = scope.get(LIVE)
    if live is not None:
        return str(live.csrf)
    nonce = scope.get(NONCE)
    if not nonce:
        nonce = sessions.new_token()
        scope[NONCE] = nonce
        scope[NEW_NONCE] = True
    return login_csrf(scope[CSRF_KEY], nonce)


class ServerSessions:
    def __init__(self, app: ASGIApp, *, ctx: Context, settings: ServiceSettings,
                 clock: Callable[[], datetime]) -> None:
        self.app = app
        self.ctx = ctx
        self.clock = clock
        self.secure = settings.cookie_secure
        self.csrf_key = settings.resolved_session_secret().encode("utf-8")

    def _cookie(self, value: str, max_age: int | None) -> str:
        parts = [f"{COOKIE}={value}", "path=/", "httponly", "samesite=strict"]
        if max_age is not None:
            parts.append(f"max-age={max_age}")
            if max_age == 0:
                parts.append("expires=Thu, 01 Jan 1970 00:00:00 GMT")
        if self.secure:
            parts.append("secure")
        return "; ".join(parts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(COOKIE)
        live = None
        if sessions.plausible(token):
            now = self.clock()
            live = await anyio.to_thread.run_sync(
                lambda: sessions.resolve(self.ctx, token, kind="web", now=now))
        data = SessionData(live.data if live is not None else {})
        scope["session"] = data
        scope[LIVE] = live
        scope[TOKEN] = token
        scope[NONCE] = token if live is None and sessions.plausible(token) else None
        scope[CSRF_KEY] = self.csrf_key

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                issue = scope.get(ISSUE)
                if issue is not None:
                    value, max_age = issue
                    headers.append("set-cookie", self._cookie(value, max_age))
                elif live is not None and data.modified:
                    await anyio.to_thread.run_sync(sessions.save_data, self.ctx, live, dict(data))
                elif scope.get(NEW_NONCE):
                    headers.append("set-cookie", self._cookie(scope[NONCE], None))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
