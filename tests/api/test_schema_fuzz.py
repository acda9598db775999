"""Schemathesis against the OpenAPI schema: no input makes the service fail (5xx).

Every operation of the schema gets generated requests (bounded, seeded), sent
as a logged-in admin with the CSRF token so the staff endpoints are exercised
past authentication; the requester endpoints answer unsigned fuzz with 401,
which is what they are for. (The schemathesis pytest plugin is not used: it
does not load under this pytest; hypothesis drives each operation's strategy.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from .conftest import login

#: operations that would change the state every other case runs against; tested directly
SKIP = {"POST /api/v1/staff/agreement/suspension", "POST /api/v1/auth/logout",
        "POST /api/v1/auth/login"}


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> Iterator[tuple[str, str]]:
    """The session cookie and CSRF token of a logged-in admin."""
    with TestClient(app, base_url="https://testserver") as c:
        token = login(c, "admin")
        cookie = c.cookies.get("dgw_session")
        assert cookie
        yield cookie, token


def _fuzz(op: schemathesis.APIOperation, token: str, cookie: str, failures: list[str],
          seen: Counter[str]) -> None:
    @given(case=op.as_strategy())
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers={"X-CSRF-Token": token}, cookies={"dgw_session": cookie})
        seen[f"{op.label} {response.status_code}"] += 1
        if response.status_code >= 500:
            failures.append(f"{op.label} -> {response.status_code}: {response.text[:300]}")

    run()


def test_no_input_makes_the_service_fail(app: FastAPI, admin: tuple[str, str]) -> None:
    cookie, token = admin
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert "GET /api/v1/batches/{batch_id}" in labels and "POST /api/v1/requests" in labels
    failures: list[str] = []
    seen: Counter[str] = Counter()
    for op in operations:
        if op.label not in SKIP:
            _fuzz(op, token, cookie, failures, seen)
    assert not failures, "\n".join(failures)
    # The session worked: staff operations were reached past authentication.
    assert seen["GET /api/v1/staff/batches 200"] > 0
    assert seen["GET /api/v1/staff/agreement 200"] > 0
