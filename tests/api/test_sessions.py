"""Staff sessions live on the server: a logout, a timeout, a changed password or role, or
a disabled account ends them for every copy of the cookie (issue 12, "sessions survive
logout")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context

from . import factories
from .clocked import Clock, client, clocked_app
from .conftest import login


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(ws: Path, clock: Clock) -> Iterator[FastAPI]:
    application = clocked_app(ws, clock)  # defaults: idle 30 minutes, absolute 8 hours
    yield application
    application.state.ctx.close()


def test_after_logout_the_old_cookie_reads_and_signs_nothing(app: FastAPI) -> None:
    with client(app) as c:
        token = login(c, "auditor")
        cookie = c.cookies.get("dgw_session")
        assert cookie and c.get("/api/v1/auth/me").status_code == 200
        with client(app) as copy:  # a copy of the cookie, sent by hand, works until the logout
            assert copy.get("/api/v1/auth/me", headers={"Cookie": f"dgw_session={cookie}"}).status_code == 200
        assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    with client(app) as copy:  # the cookie as copied before the logout, sent by hand
        sent = {"Cookie": f"dgw_session={cookie}"}
        assert copy.get("/api/v1/auth/me", headers=sent).status_code == 401
        r = copy.post("/api/v1/staff/ledger/checkpoint", headers={**sent, "X-CSRF-Token": token})
        assert r.status_code == 401 and r.json()["type"] == "/problems/not-authenticated"


def test_the_cookie_is_an_opaque_token_and_the_store_keeps_only_its_hash(app: FastAPI, ws: Path) -> None:
    from disclosure_gateway.store.models import StaffSession

    with client(app) as c:
        login(c, "reviewer")
        cookie = c.cookies.get("dgw_session")
    assert cookie is not None and len(cookie) == 43 and cookie.replace("-", "").replace("_", "").isalnum()
    assert factories.STAFF["reviewer"].name not in cookie
    with open_context(ws) as ctx, ctx.store.reader() as s:
        hashes = set(s.scalars(select(StaffSession.token_hash)))
        assert hashlib.sha256(cookie.encode()).hexdigest() in hashes
        assert cookie not in hashes


def test_a_session_left_idle_ends(app: FastAPI, clock: Clock) -> None:
    with client(app) as c:
        login(c, "auditor")
        for _ in range(3):  # used every 29 minutes: stays
            clock.advance(minutes=29)
            assert c.get("/api/v1/auth/me").status_code == 200
        clock.advance(minutes=31)
        assert c.get("/api/v1/auth/me").status_code == 401


def test_a_busy_session_still_ends_at_its_absolute_end(app: FastAPI, clock: Clock) -> None:
    with client(app) as c:
        login(c, "auditor")
        for _ in range(23):  # 7 h 40 min of use every 20 minutes
            clock.advance(minutes=20)
            assert c.get("/api/v1/auth/me").status_code == 200
        clock.advance(minutes=21)
        assert c.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("change", ["password", "role", "disabled"])
def test_a_changed_password_or_role_or_a_disabled_account_ends_every_session(
        app: FastAPI, ws: Path, change: str) -> None:
    name, password = f"temp-{change}", "temporary-password-1"
    with open_context(ws) as ctx:
        user_service.add_user(ctx, name, "disclosure_officer", password)
    with client(app) as one, client(app, "203.0.113.2") as two:
        for c in (one, two):
            assert c.post("/api/v1/auth/login", json={"name": name, "password": password}).status_code == 200
            assert c.get("/api/v1/staff/batches").status_code == 200
        with open_context(ws) as ctx:
            if change == "password":
                user_service.set_password(ctx, name, "another-password-2")
            elif change == "role":
                user_service.set_role(ctx, name, "auditor")
            else:
                user_service.set_disabled(ctx, name, True)
        for c in (one, two):
            assert c.get("/api/v1/auth/me").status_code == 401
            assert c.get("/api/v1/staff/batches").status_code == 401


def test_a_new_login_in_the_same_browser_ends_the_one_before(app: FastAPI) -> None:
    with client(app) as c:
        login(c, "auditor")
        first = c.cookies.get("dgw_session")
        with client(app) as copy:
            assert copy.get("/api/v1/auth/me", headers={"Cookie": f"dgw_session={first}"}).status_code == 200
        login(c, "admin")
        second = c.cookies.get("dgw_session")
        assert first and second and first != second
        assert c.get("/api/v1/auth/me").json()["name"] == factories.STAFF["admin"].name
    with client(app) as copy:
        assert copy.get("/api/v1/auth/me", headers={"Cookie": f"dgw_session={first}"}).status_code == 401
