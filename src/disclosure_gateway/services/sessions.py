"""Staff sessions kept on the server: start, resolve, save, end.

The client holds only a random token (256 bits, URL-safe): the console's cookie or
the file `dgw login` writes. The store keeps the token's SHA-256, never the token,
so reading the database hands out no live session. A session is a row; ending one
deletes the row, so logging out, a timeout, a changed password or role, or a
disabled account (services/users.py) ends it for whoever holds a copy of the token.

Lifetimes follow logins.session_end (absolute and idle); the clock is a parameter.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..errors import AuthenticationFailed
from ..logins import session_end, touch_due
from ..store import sessions as session_store
from ..store import users as user_store
from .context import Context

KINDS = ("web", "cli")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


@dataclass(frozen=True)
class Live:
    """A live session and its account, as re-read from the store for this use."""

    token_hash: str
    kind: str
    account: str
    role: str
    csrf: str
    ends_at: datetime
    absolute_end: datetime
    data: dict[str, Any] = field(default_factory=dict)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def plausible(token: str | None) -> bool:
    """Shaped like a token we issue (anything else is not looked up)."""
    return bool(token) and _TOKEN.match(token or "") is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(ctx: Context, account: str, *, kind: str, now: datetime, absolute_s: int, idle_s: int,
          replacing: str | None = None) -> tuple[str, Live]:
    """A new session of ``account``; returns the token (given to the client once) and the session.

    ``replacing``: the token the client held before (its session ends: no session
    outlives a new login in the same browser). Ended sessions are swept here too.
    """
    if kind not in KINDS:
        raise ValueError(f"session kind {kind!r}")
    token, csrf = new_token(), secrets.token_urlsafe(32)
    absolute_end = now + timedelta(seconds=absolute_s)
    ends_at = session_end(absolute_end, now, idle_s)
    with ctx.store.transaction() as s:
        user = user_store.get_user(s, name=account)
        if user is None or user.disabled:
            raise AuthenticationFailed(f"account {account!r} cannot log in")
        if replacing and plausible(replacing):
            session_store.delete_session(s, token_hash=token_hash(replacing))
        session_store.delete_ended(s, now=now)
        session_store.insert_session(s, token_hash=token_hash(token), user_id=int(user.id), kind=kind,
                                     csrf=csrf, created_at=now, absolute_end=absolute_end,
                                     idle_s=idle_s, ends_at=ends_at)
        live = Live(token_hash=token_hash(token), kind=kind, account=user.name, role=user.role,
                    csrf=csrf, ends_at=ends_at, absolute_end=absolute_end)
    return token, live


def resolve(ctx: Context, token: str | None, *, kind: str, now: datetime) -> Live | None:
    """The live session of ``token``, or None (unknown, ended, of another kind, or its account
    disabled). Marks the session used (at most once a minute) and deletes an ended one."""
    if token is None or not plausible(token):
        return None
    h = token_hash(token)
    with ctx.store.reader() as s:
        found = session_store.session_with_user(s, token_hash=h)
        if found is None:
            return None
        sess, user = found
        live = Live(token_hash=h, kind=sess.kind, account=user.name, role=user.role, csrf=sess.csrf,
                    ends_at=sess.ends_at, absolute_end=sess.absolute_end, data=dict(sess.data or {}))
        disabled, last_used, idle_s = bool(user.disabled), sess.last_used_at, int(sess.idle_s)
    if live.kind != kind:
        return None
    if live.ends_at <= now or disabled:
        end(ctx, token)
        return None
    if touch_due(last_used, now, idle_s):
        ends_at = session_end(live.absolute_end, now, idle_s)
        with ctx.store.transaction() as s:
            session_store.touch_session(s, token_hash=h, used_at=now, ends_at=ends_at)
        live = replace(live, ends_at=ends_at)
    return live


def save_data(ctx: Context, live: Live, data: dict[str, Any]) -> None:
    with ctx.store.transaction() as s:
        session_store.save_data(s, token_hash=live.token_hash, data=data)


def end(ctx: Context, token: str | None) -> None:
    """End the session of ``token`` (nothing happens for an unknown one)."""
    if token is None or not plausible(token):
        return
    with ctx.store.transaction() as s:
        session_store.delete_session(s, token_hash=token_hash(token))
