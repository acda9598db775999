"""The console holds the same sessions and duties as the API (through HTTP, no browser):
logging out ends the session for every copy of the cookie, names are folded at login, a
requester's identity cannot log in, an auditor cannot decide, one person decides an item
once, and whoever decided an item of a batch cannot release its response."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from disclosure_gateway.services import review as review_service
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.store import users as user_store

from . import factories

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def items(ws: Path) -> list[dict[str, Any]]:
    with open_context(ws) as ctx:
        found = review_service.list_items(ctx, status="open")
    assert len(found) >= 2
    return found


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def _log_in(c: TestClient, name: str, password: str) -> Any:
    token = TOKEN.search(c.get("/console/login").text)
    assert token
    return c.post("/console/login", data={"name": name, "password": password, "csrf_token": token.group(1)})


def _token(c: TestClient) -> str:
    found = TOKEN.search(c.get("/console/agreement").text)
    assert found
    return found.group(1)


def _decide(c: TestClient, item_id: int) -> Any:
    return c.post(f"/console/review/{item_id}", data={"decision": "no_match", "note": "checked",
                                                       "csrf_token": _token(c)})


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(browser: TestClient, app: FastAPI) -> None:
    user = factories.STAFF["auditor"]
    assert _log_in(browser, user.name, user.password).status_code == 303
    cookie = browser.cookies.get("dgw_session")
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as copy:
        assert copy.get("/console/ledger", headers={"Cookie": f"dgw_session={cookie}"}).status_code == 200
    out = browser.post("/console/logout", data={"csrf_token": _token(browser)})
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as copy:
        r = copy.get("/console/ledger", headers={"Cookie": f"dgw_session={cookie}"})
        assert r.status_code == 303 and r.headers["location"] == "/console/login?next=/console/ledger"


def test_a_name_is_folded_at_login_and_one_person_decides_once(browser: TestClient,
                                                               items: list[dict[str, Any]]) -> None:
    rita = factories.STAFF["reviewer"]
    assert _log_in(browser, f"  {rita.name.upper()} ", rita.password).status_code == 303
    item = items[0]["id"]
    assert _decide(browser, item).status_code == 303
    page = browser.get(f"/console/review/{item}").text
    assert "You have decided this item" in page and "Record decision" not in page
    again = _decide(browser, item)
    assert again.status_code == 409 and f"{rita.name} has already decided review item {item}" in again.text


def test_an_auditor_cannot_decide(browser: TestClient, items: list[dict[str, Any]]) -> None:
    aude = factories.STAFF["auditor"]
    _log_in(browser, aude.name, aude.password)
    r = _decide(browser, items[1]["id"])
    assert r.status_code == 403 and "may not decide a review item" in r.text


def test_a_requesters_identity_cannot_log_in(browser: TestClient, ws: Path) -> None:
    with open_context(ws) as ctx, ctx.store.transaction() as s:  # an account from before the rule
        user_store.create_user(s, name="dhs-secretary", role="reviewer", created_at=datetime.now(UTC),
                               password_hash=user_service.hash_password("a-long-enough-password"))
    r = _log_in(browser, "DHS-Secretary", "a-long-enough-password")
    assert r.status_code == 403
    assert "is the identity of requester &#39;dhs-secretary&#39; of the agreement" in r.text
    assert browser.get("/console/").status_code == 303  # not logged in


def test_who_decided_cannot_release(browser: TestClient, ws: Path, items: list[dict[str, Any]]) -> None:
    rita = factories.STAFF["reviewer"]  # decided items[0] in the test above
    with open_context(ws) as ctx:
        user_service.set_role(ctx, rita.name, "disclosure_officer")
    try:
        _log_in(browser, rita.name, rita.password)
        batch = items[0]["batch_id"]
        r = browser.post(f"/console/batches/{batch}/response", data={"csrf_token": _token(browser)})
        assert r.status_code == 403
        assert f"{rita.name} decided review item(s) {items[0]['id']} of batch {batch}" in r.text
    finally:
        with open_context(ws) as ctx:
            user_service.set_role(ctx, rita.name, "reviewer")
