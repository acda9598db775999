"""Staff login, the session cookie, and CSRF on every state-changing request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context

from . import factories
from .conftest import login

PROBLEM = "application/problem+json"


def test_login_sets_a_secure_strict_http_only_cookie_and_returns_a_csrf_token(client: TestClient) -> None:
    user = factories.STAFF["reviewer"]
    r = client.post("/api/v1/auth/login", json={"name": user.name, "password": user.password})
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == user.name and body["role"] == "reviewer"
    assert len(body["csrf_token"]) >= 32
    assert "decide a review item" in body["may"]
    cookie = r.headers["set-cookie"].lower()
    assert "dgw_session=" in cookie
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["name"] == user.name


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    user = factories.STAFF["admin"]
    wrong = client.post("/api/v1/auth/login", json={"name": user.name, "password": "not-the-password"})
    unknown = client.post("/api/v1/auth/login", json={"name": "nobody", "password": "not-the-password"})
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["detail"] == "wrong name or password"
        assert r.json()["type"] == "/problems/not-authenticated"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_without_a_session_staff_endpoints_say_log_in(client: TestClient) -> None:
    r = client.get("/api/v1/staff/batches")
    assert r.status_code == 401
    assert r.json()["detail"].startswith("log in first")


def test_a_forged_cookie_is_no_session(client: TestClient) -> None:
    # sent by hand: a cookie set on the client for "testserver" would never be sent at all
    for forged in ("eyJ1c2VyIjogImFkYSJ9.forged.signature", "A" * 43):
        assert client.get("/api/v1/auth/me", headers={"Cookie": f"dgw_session={forged}"}).status_code == 401


def test_logout_needs_the_csrf_token_and_then_ends_the_session(client: TestClient) -> None:
    token = login(client, "auditor")
    missing = client.post("/api/v1/auth/logout")
    assert missing.status_code == 403
    assert missing.json()["type"] == "/problems/csrf-failed"
    assert "missing CSRF token" in missing.json()["detail"]
    wrong = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403 and "wrong CSRF token" in wrong.json()["detail"]
    assert client.get("/api/v1/auth/me").status_code == 200
    ok = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token})
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_token_from_another_session_does_not_pass(app: object, client: TestClient) -> None:
    other = TestClient(client.app, base_url="https://testserver")
    their_token = login(other, "admin")
    login(client, "admin")
    r = client.post("/api/v1/staff/agreement/suspension", json={"suspended": True, "reason": "court order"},
                    headers={"X-CSRF-Token": their_token})
    assert r.status_code == 403 and r.json()["type"] == "/problems/csrf-failed"


def test_a_disabled_account_loses_its_session_at_once(client: TestClient, ws: Path) -> None:
    with open_context(ws) as ctx:
        user_service.add_user(ctx, "temp-officer", "disclosure_officer", "temporary-password")
    r = client.post("/api/v1/auth/login", json={"name": "temp-officer", "password": "temporary-password"})
    assert r.status_code == 200
    assert client.get("/api/v1/staff/batches").status_code == 200
    with open_context(ws) as ctx:
        from disclosure_gateway.store.users import update_user

        with ctx.store.transaction() as s:
            update_user(s, name="temp-officer", disabled=True)
    assert client.get("/api/v1/staff/batches").status_code == 401
    again = client.post("/api/v1/auth/login", json={"name": "temp-officer", "password": "temporary-password"})
    assert again.status_code == 401
