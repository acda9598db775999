"""Separation of duties through the API (and the service every interface calls): only an
enabled reviewer account decides, an auditor never does, one person is one identity, a
requester is never staff, and whoever decided an item of a batch does not release it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from disclosure_gateway.errors import Conflict, Forbidden
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.store import review as review_store
from disclosure_gateway.store import users as user_store

from . import factories
from .conftest import login


@pytest.fixture(scope="module")
def items(ws: Path) -> list[dict[str, Any]]:
    with open_context(ws) as ctx:
        found = review_service.list_items(ctx, status="open")
    assert len(found) >= 4, "the demo workspace should hold a few open review items"
    return found


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def _decide(c: TestClient, token: str, item_id: int, note: str = "checked both sides") -> Any:
    return c.post(f"/api/v1/staff/review/items/{item_id}/decisions", json={"match": False, "note": note},
                  headers={"X-CSRF-Token": token})


def _decisions(ws: Path, item_id: int) -> list[str]:
    with open_context(ws) as ctx, ctx.store.reader() as s:
        return [d.reviewer for d in review_store.review_decisions(s, item_id=item_id)]


def test_an_auditor_or_an_officer_cannot_decide(app: FastAPI, ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]["id"]
    for who in ("auditor", "disclosure_officer"):
        with _client(app) as c:
            r = _decide(c, login(c, who), item)
            assert r.status_code == 403 and "may not decide a review item" in r.json()["detail"]
    with open_context(ws) as ctx, pytest.raises(Forbidden, match="an auditor never decides"):
        review_service.decide(ctx, item, match=True, reviewer=factories.STAFF["auditor"].name, note="n")
    assert _decisions(ws, item) == []


def test_a_name_that_is_no_account_decides_nothing(ws: Path, items: list[dict[str, Any]]) -> None:
    with open_context(ws) as ctx:
        for name in ("alice", "bob"):
            with pytest.raises(Forbidden, match=f"'{name}' is not a staff account"):
                review_service.decide(ctx, items[0]["id"], match=True, reviewer=name, note="n")
    assert _decisions(ws, items[0]["id"]) == []


def test_one_person_in_two_spellings_is_one_reviewer(app: FastAPI, ws: Path,
                                                    items: list[dict[str, Any]]) -> None:
    rita = factories.STAFF["reviewer"]
    item = items[1]["id"]
    with _client(app) as c:
        r = c.post("/api/v1/auth/login", json={"name": f"  {rita.name.upper()} ", "password": rita.password})
        assert r.status_code == 200 and r.json()["name"] == rita.name
        first = _decide(c, r.json()["csrf_token"], item)
        assert first.status_code == 200 and first.json()["needed"] == 1
    with open_context(ws) as ctx, pytest.raises(Conflict, match=f"{rita.name} has already decided"):
        review_service.decide(ctx, item, match=False, reviewer=rita.name.capitalize(), note="again")
    assert _decisions(ws, item) == [rita.name]


def test_an_earlier_spelling_counts_as_the_same_person(ws: Path, items: list[dict[str, Any]]) -> None:
    # a decision stored before names were folded (free text, another case)
    item = items[2]["id"]
    with open_context(ws) as ctx:
        with ctx.store.transaction() as s:
            review_store.add_review_decision(s, item_id=item, reviewer="Remy", decision="no_match",
                                             decided_at=datetime.now(UTC), note="legacy")
        with pytest.raises(Conflict, match=r"remy has already decided review item \d+ \(as 'Remy'\)"):
            review_service.decide(ctx, item, match=False, reviewer="remy", note="n")
        r = review_service.decide(ctx, item, match=False, reviewer=factories.STAFF["reviewer"].name, note="n")
    assert r["state"] == "resolved" and r["reviewers"] == ["Remy", factories.STAFF["reviewer"].name]


def test_a_requesters_identity_is_never_a_staff_account(app: FastAPI, ws: Path,
                                                        items: list[dict[str, Any]]) -> None:
    with open_context(ws) as ctx:
        for name in ("ice-director", "Ice-Director", "ICE DIRECTOR", "dhs.secretary",
                     ctx.agreement().requesters[0].key_id.upper()):
            with pytest.raises(Forbidden, match="a requester can never be staff"):
                user_service.add_user(ctx, name, "reviewer", "a-long-enough-password")
        # an account made before the rule (or before the agreement named that requester)
        with ctx.store.transaction() as s:
            user_store.create_user(s, name="ice-director", role="reviewer", created_at=datetime.now(UTC),
                                   password_hash=user_service.hash_password("a-long-enough-password"))
        with pytest.raises(Forbidden, match="'ice-director' is the identity of requester 'ice-director'"):
            review_service.decide(ctx, items[3]["id"], match=True, reviewer="ice-director", note="n")
    with _client(app) as c:
        r = c.post("/api/v1/auth/login", json={"name": "ice-director", "password": "a-long-enough-password"})
        assert r.status_code == 403 and "a requester can never be staff" in r.json()["detail"]
        assert c.get("/api/v1/auth/me").status_code == 401
    assert _decisions(ws, items[3]["id"]) == []


def test_whoever_decided_an_item_of_a_batch_does_not_release_its_response(
        app: FastAPI, ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]
    with _client(app) as c:
        assert _decide(c, login(c, "reviewer2"), item["id"]).status_code == 200
    remy = factories.STAFF["reviewer2"]
    with open_context(ws) as ctx:  # later promoted: the duty stays separate
        user_service.set_role(ctx, remy.name, "disclosure_officer")
    path = f"/api/v1/staff/batches/{item['batch_id']}/response"
    try:
        with _client(app) as c:
            r = c.post(path, headers={"X-CSRF-Token": login(c, "reviewer2")})
            assert r.status_code == 403
            found = re.fullmatch(
                rf"{remy.name} decided review item\(s\) ([\d, ]+) of batch {item['batch_id']} and so "
                r"may not release its response \(separation of duties\): another disclosure officer must "
                r"issue it",
                r.json()["detail"])
            # its own decision here, and the one spelled "Remy" of the test before, if it ran
            assert found and str(item["id"]) in found.group(1).split(", ")
        with _client(app) as c:
            r = c.post(path, headers={"X-CSRF-Token": login(c, "disclosure_officer")})
            assert r.status_code == 200, r.text
    finally:
        with open_context(ws) as ctx:
            user_service.set_role(ctx, remy.name, "reviewer")
