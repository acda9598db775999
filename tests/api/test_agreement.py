"""The suspension switch: admin only, reason required, and while suspended no
batch and no interactive request is answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.keys import KeyPair
from disclosure_gateway.synth import write_batch
from disclosure_gateway.workspace import Workspace

from . import factories
from .conftest import login


@pytest.fixture(scope="module")
def ice(ws: Path) -> KeyPair:
    return factories.requester_key(ws, "ice-director")


def test_everyone_reads_the_agreement(client: TestClient) -> None:
    login(client, "reviewer")
    body = client.get("/api/v1/staff/agreement").json()
    assert body["id"] == "irs-ice-2025"
    assert {r["id"] for r in body["requesters"]} == {"dhs-secretary", "ice-director"}
    assert all(len(r["key_id"]) == 16 for r in body["requesters"])
    assert body["disclosure_mode"] == "confirm_address"
    assert body["status"]["suspended"] is False


def test_a_reason_is_required(client: TestClient) -> None:
    token = login(client, "admin")
    r = client.post("/api/v1/staff/agreement/suspension", json={"suspended": True, "reason": ""},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 422


def test_suspension_refuses_batches_and_requests_until_resumed(app: Any, ice: KeyPair, ws: Path,
                                                               tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    write_batch(batch, ws / "data" / "master.parquet", 5, seed=11, agreement=Workspace(ws).agreement(),
                sign_with=ice)
    with TestClient(app, base_url="https://testserver") as admin:
        token = login(admin, "admin")
        r = admin.post("/api/v1/staff/agreement/suspension",
                       json={"suspended": True, "reason": "court order of 2026-11-20"},
                       headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.text
        assert admin.get("/api/v1/staff/agreement").json()["status"] == {
            **admin.get("/api/v1/staff/agreement").json()["status"],
            "suspended": True, "suspended_reason": "court order of 2026-11-20"}
        with TestClient(app, base_url="https://testserver") as requester:
            refused = requester.post("/api/v1/batches", files=factories.batch_parts(batch),
                                     auth=factories.signed(ice))
            assert refused.status_code == 422, refused.text
            assert refused.json()["code"] == "BATCH_AGREEMENT_SUSPENDED"
            one = requester.post("/api/v1/requests", json={"request_id": "S-1"}, auth=factories.signed(ice))
            assert one.status_code == 409
            assert "suspended" in one.json()["detail"]
        resumed = admin.post("/api/v1/staff/agreement/suspension",
                             json={"suspended": False, "reason": "order lifted"},
                             headers={"X-CSRF-Token": token})
        assert resumed.status_code == 200
        with TestClient(app, base_url="https://testserver") as requester:
            again = requester.post("/api/v1/batches", files=factories.batch_parts(batch),
                                   auth=factories.signed(ice))
            assert again.status_code == 201, again.text
