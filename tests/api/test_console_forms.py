"""The console's forms through HTTP (no browser): CSRF on every form, login CSRF,
no open redirect after login, one error page, the login trip for a missing session."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from . import factories

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def _log_in(c: TestClient, who: str, next_: str = "/console/") -> str:
    token = TOKEN.search(c.get("/console/login").text)
    assert token
    user = factories.STAFF[who]
    r = c.post("/console/login", data={"name": user.name, "password": user.password,
                                       "csrf_token": token.group(1), "next": next_})
    assert r.status_code == 303, r.text
    page = c.get("/console/agreement")
    found = TOKEN.search(page.text)
    assert found
    return found.group(1)


def test_a_page_without_a_session_sends_you_to_log_in_and_back(browser: TestClient) -> None:
    r = browser.get("/console/ledger")
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=/console/ledger"


def test_the_login_form_needs_its_csrf_token(browser: TestClient) -> None:
    user = factories.STAFF["admin"]
    r = browser.post("/console/login", data={"name": user.name, "password": user.password})
    assert r.status_code == 403
    assert "CSRF" in r.text and "text/html" in r.headers["content-type"]


def test_login_never_redirects_off_the_console(browser: TestClient) -> None:
    token = TOKEN.search(browser.get("/console/login").text)
    assert token
    user = factories.STAFF["auditor"]
    r = browser.post("/console/login", data={"name": user.name, "password": user.password,
                                             "csrf_token": token.group(1), "next": "https://evil.example/"})
    assert r.headers["location"] == "/console/"


def test_a_wrong_password_stays_on_the_form(browser: TestClient) -> None:
    token = TOKEN.search(browser.get("/console/login").text)
    assert token
    r = browser.post("/console/login", data={"name": "ada", "password": "nope", "csrf_token": token.group(1)})
    assert r.status_code == 401 and "Wrong name or password." in r.text


@pytest.mark.parametrize(("path", "data"), [
    ("/console/agreement/suspension", {"action": "suspend", "reason": "no token"}),
    ("/console/ledger/checkpoint", {}),
    ("/console/logout", {}),
])
def test_every_form_post_needs_the_session_token(browser: TestClient, path: str,
                                                 data: dict[str, str]) -> None:
    token = _log_in(browser, "admin")
    missing = browser.post(path, data=data)
    wrong = browser.post(path, data={**data, "csrf_token": token[::-1]})
    for r in (missing, wrong):
        assert r.status_code == 403, (path, r.status_code)
        assert "<h1>The form&#39;s CSRF token is missing or wrong</h1>" in r.text
    assert browser.get("/console/agreement").status_code == 200  # still logged in, nothing changed
    assert "In force" in browser.get("/console/agreement").text
