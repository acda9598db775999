"""Fixtures of the API tests: one demo workspace per run, a private copy per
module (with staff accounts), the app on it, and a fresh client per test.

The client talks to ``https://testserver`` so the Secure session cookie is
sent back, as a browser would over HTTPS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from disclosure_gateway.api import ServiceSettings, create_app

from . import factories


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factories.staffed_workspace(tmp_path_factory, "ws")


@pytest.fixture(scope="module")
def app(ws: Path) -> Iterator[FastAPI]:
    application = create_app(ServiceSettings.build(workspace=ws))
    yield application
    application.state.ctx.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def login(client: TestClient, who: str) -> str:
    """Log ``who`` (a key of factories.STAFF) in; returns the session's CSRF token."""
    user = factories.STAFF[who]
    r = client.post("/api/v1/auth/login", json={"name": user.name, "password": user.password})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    return token
