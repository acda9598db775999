"""Login throttling per account and per client address: 429 with Retry-After, the right
password refused during a lock-out, lock-outs in the ledger (issue 12, "no login
throttling": 400 wrong passwords were all plain 401 and the right one worked at once)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from disclosure_gateway.services.context import open_context
from disclosure_gateway.store.models import LedgerLeaf

from . import factories
from .clocked import Clock, client, clocked_app

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(ws: Path, clock: Clock) -> Iterator[FastAPI]:
    application = clocked_app(ws, clock)
    yield application
    application.state.ctx.close()


def _try(c: TestClient, name: str, password: str) -> Any:
    return c.post(LOGIN, json={"name": name, "password": password})


def _lockouts(ws: Path) -> list[dict[str, Any]]:
    with open_context(ws) as ctx, ctx.store.reader() as s:
        return [json.loads(bytes(p))["payload"] for p in s.scalars(
            select(LedgerLeaf.payload).where(LedgerLeaf.event_type == "login_locked")
            .order_by(LedgerLeaf.idx))]


def test_wrong_passwords_lock_the_account_and_the_right_one_waits_too(app: FastAPI, clock: Clock,
                                                                       ws: Path) -> None:
    user = factories.STAFF["auditor"]
    with client(app, "203.0.113.20") as c:
        answers = [_try(c, user.name, f"guess-{i}") for i in range(6)]
        assert [r.status_code for r in answers] == [401] * 6
        refused = _try(c, user.name, user.password)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["type"] == "/problems/too-many-attempts"
        assert body["detail"] == "too many failed logins for this account; try again in 2 s"
        clock.advance(seconds=1)
        assert _try(c, user.name, "guess-again").headers["retry-after"] == "1"  # not counted
        clock.advance(seconds=1)
        assert _try(c, user.name, user.password).status_code == 200
        # the success reset the count: five free mistakes again
        assert [_try(c, user.name, "x").status_code for _ in range(5)] == [401] * 5
    (event,) = [e for e in _lockouts(ws) if e["account"] == user.name]
    assert event["scope"] == "account" and event["failures"] == 6 and event["lock_s"] == 2
    assert set(event) == {"scope", "account", "account_key", "client_key", "failures", "locked_until",
                          "lock_s"}
    assert "203.0.113.20" not in json.dumps(event)  # the address only as a keyed hash


def test_each_further_failure_doubles_the_lock(app: FastAPI, clock: Clock) -> None:
    user = factories.STAFF["disclosure_officer"]
    waits = []
    with client(app, "203.0.113.21") as c:
        for _ in range(5):
            _try(c, user.name, "wrong")
        for _ in range(5):
            assert _try(c, user.name, "wrong").status_code == 401
            r = _try(c, user.name, "wrong")
            waits.append(int(r.headers["retry-after"]))
            clock.advance(seconds=waits[-1])
        assert _try(c, user.name, user.password).status_code == 200
    assert waits == [2, 4, 8, 16, 32]


def test_a_name_that_is_no_account_locks_the_same_and_is_not_logged(app: FastAPI, ws: Path) -> None:
    before = len(_lockouts(ws))
    with client(app, "203.0.113.22") as c:
        codes = [_try(c, "nobody-here", "guess").status_code for _ in range(7)]
    assert codes == [401] * 6 + [429]
    assert len(_lockouts(ws)) == before


def test_one_address_spraying_many_accounts_is_locked_out(app: FastAPI, ws: Path) -> None:
    user = factories.STAFF["admin"]
    with client(app, "203.0.113.23") as sprayer, client(app, "203.0.113.24") as colleague:
        assert [_try(sprayer, f"name-{i}", "Winter2026!").status_code for i in range(20)] == [401] * 20
        assert _try(sprayer, f"name-{20}", "Winter2026!").status_code == 401  # the 21st locks
        r = _try(sprayer, user.name, user.password)
        assert r.status_code == 429 and "for this address" in r.json()["detail"]
        assert _try(colleague, user.name, user.password).status_code == 200
    event = _lockouts(ws)[-1]
    assert event["scope"] == "client" and event["failures"] == 21 and event["account"] is None


def test_the_console_login_form_is_throttled_too(app: FastAPI) -> None:
    import re

    user = factories.STAFF["reviewer2"]
    with client(app, "203.0.113.25", follow_redirects=False) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/console/login").text)
        assert token
        form = {"name": user.name, "csrf_token": token.group(1)}
        codes = [c.post("/console/login", data={**form, "password": "wrong"}).status_code for _ in range(6)]
        page = c.post("/console/login", data={**form, "password": user.password})
    assert codes == [401] * 6
    assert page.status_code == 429 and page.headers["retry-after"] == "2"
    assert "Too many failed logins: try again in 2 seconds." in page.text
