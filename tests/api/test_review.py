"""Review through the API: the item side by side (a ledger event), the
two-person rule, and the batch's answer changing once the item closes and a
new response is issued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.services import batches as batch_service
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services.context import open_context

from .conftest import login


@pytest.fixture(scope="module")
def item(ws: Path) -> dict[str, Any]:
    with open_context(ws) as ctx:
        items = review_service.list_items(ctx, status="open")
    assert items, "the demo workspace should hold an open review item"
    return items[0]


def _ledger_size(ws: Path) -> int:
    with open_context(ws) as ctx:
        return int(ctx.ledger.head().size)


def _answer(ws: Path, batch_id: str, request_id: str) -> str | None:
    with open_context(ws) as ctx:
        rows = batch_service.batch_records(ctx, batch_id)
    return next(r["answer"] for r in rows if r["request_id"] == request_id)


def test_opening_an_item_shows_both_sides_and_is_logged(client: TestClient, item: dict[str, Any],
                                                         ws: Path) -> None:
    login(client, "reviewer")
    before = _ledger_size(ws)
    r = client.get(f"/api/v1/staff/review/items/{item['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["request"]["last_name"]
    assert body["candidate"] is not None and body["candidate"]["tin"]
    assert body["comparisons"]
    assert body["required_decisions"] == 2
    assert _ledger_size(ws) == before + 1


def test_two_reviewers_close_the_item_and_a_new_response_changes_the_answer(
        app: Any, item: dict[str, Any], ws: Path) -> None:
    assert _answer(ws, item["batch_id"], item["request_id"]) == "PENDING_REVIEW"
    path = f"/api/v1/staff/review/items/{item['id']}/decisions"
    with TestClient(app, base_url="https://testserver") as rita:
        token = login(rita, "reviewer")
        no_note = rita.post(path, json={"match": True, "note": ""}, headers={"X-CSRF-Token": token})
        assert no_note.status_code == 422
        first = rita.post(path, json={"match": True, "note": "same person, moved"},
                          headers={"X-CSRF-Token": token})
        assert first.status_code == 200, first.text
        assert first.json()["state"] == "awaiting" and first.json()["needed"] == 1
        again = rita.post(path, json={"match": True, "note": "still sure"}, headers={"X-CSRF-Token": token})
        assert again.status_code == 409
        assert again.json()["type"] == "/problems/conflict"
    with TestClient(app, base_url="https://testserver") as remy:
        token = login(remy, "reviewer2")
        second = remy.post(path, json={"match": True, "note": "agree"}, headers={"X-CSRF-Token": token})
        assert second.status_code == 200
        assert second.json()["state"] == "resolved" and second.json()["outcome"] == "match"
        closed = remy.post(path, json={"match": False, "note": "late"}, headers={"X-CSRF-Token": token})
        assert closed.status_code == 409
    # Closing the item does not release an answer by itself: a disclosure officer issues it.
    assert _answer(ws, item["batch_id"], item["request_id"]) == "PENDING_REVIEW"
    with TestClient(app, base_url="https://testserver") as reviewer:
        token = login(reviewer, "reviewer")
        denied = reviewer.post(f"/api/v1/staff/batches/{item['batch_id']}/response",
                               headers={"X-CSRF-Token": token})
        assert denied.status_code == 403
    with TestClient(app, base_url="https://testserver") as otto:
        token = login(otto, "disclosure_officer")
        r = otto.post(f"/api/v1/staff/batches/{item['batch_id']}/response", headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.text
        assert r.json()["response_version"] == 2
    assert _answer(ws, item["batch_id"], item["request_id"]) in ("CONFIRMED", "NOT_CONFIRMED")
