"""Every staff endpoint against every role: allowed roles get in, the others get
403 naming what their role may not do, and nobody gets in without a session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.api.roles import PERMISSIONS, Can
from disclosure_gateway.services import batches as batch_service
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services.context import open_context

from .conftest import login

ROLE_LOGINS = {"admin": "admin", "disclosure_officer": "disclosure_officer", "reviewer": "reviewer",
               "auditor": "auditor"}


@pytest.fixture(scope="module")
def ids(ws: Path) -> dict[str, Any]:
    with open_context(ws) as ctx:
        batch_id = batch_service.list_batches(ctx)[0]["batch_id"]
        items = review_service.list_items(ctx, status="open")
    assert items, "the demo workspace should hold at least one open review item"
    return {"batch": batch_id, "item": items[0]["id"]}


def endpoints(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None, Can, bool]]:
    """(method, path, json, permission, safe to call as an allowed role here)."""
    b, i = ids["batch"], ids["item"]
    return [
        ("GET", "/api/v1/staff/batches", None, Can.VIEW_BATCHES, True),
        ("GET", f"/api/v1/staff/batches/{b}", None, Can.VIEW_BATCHES, True),
        ("GET", "/api/v1/staff/review/items", None, Can.LIST_REVIEW, True),
        ("GET", f"/api/v1/staff/review/items/{i}", None, Can.OPEN_REVIEW, True),
        ("POST", f"/api/v1/staff/review/items/{i}/decisions", {"match": True, "note": "looks right"},
         Can.DECIDE_REVIEW, False),
        ("GET", "/api/v1/staff/ledger/checkpoint", None, Can.VIEW_LEDGER, True),
        ("GET", "/api/v1/staff/ledger/verification", None, Can.VIEW_LEDGER, True),
        ("GET", "/api/v1/staff/ledger/proofs/0", None, Can.VIEW_LEDGER, True),
        ("POST", "/api/v1/staff/ledger/checkpoint", None, Can.CHECKPOINT_LEDGER, True),
        ("POST", "/api/v1/staff/accounting/lookup", {"tin": "123-45-6789"}, Can.LOOKUP_ACCOUNTING, True),
        ("GET", "/api/v1/staff/agreement", None, Can.VIEW_AGREEMENT, True),
        ("POST", "/api/v1/staff/agreement/suspension", {"suspended": True, "reason": "role matrix test"},
         Can.SUSPEND_AGREEMENT, False),
    ]


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_each_role_reaches_exactly_what_the_table_allows(client: TestClient, ids: dict[str, Any],
                                                          role: str) -> None:
    token = login(client, ROLE_LOGINS[role])
    for method, path, body, what, safe in endpoints(ids):
        allowed = role in PERMISSIONS[what]
        if allowed and not safe:
            continue  # state changes by allowed roles have their own tests
        r = client.request(method, path, json=body, headers={"X-CSRF-Token": token})
        if allowed:
            assert r.status_code < 400, (role, method, path, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, method, path, r.status_code, r.text)
            assert r.json()["detail"].startswith(f"your role ({role}) may not {what.value}")


def test_no_session_no_entry_anywhere(client: TestClient, ids: dict[str, Any]) -> None:
    for method, path, body, _what, _safe in endpoints(ids):
        r = client.request(method, path, json=body)
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"


def test_the_role_is_checked_before_csrf_matters_for_reads_only(client: TestClient,
                                                               ids: dict[str, Any]) -> None:
    # A GET needs no CSRF token; a POST without one is refused even for the right role.
    login(client, "auditor")
    assert client.get("/api/v1/staff/ledger/checkpoint").status_code == 200
    r = client.post("/api/v1/staff/ledger/checkpoint")
    assert r.status_code == 403 and r.json()["type"] == "/problems/csrf-failed"
