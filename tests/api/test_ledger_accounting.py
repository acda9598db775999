"""Auditors: the latest checkpoint, a fresh one, full verification, a proof, and
a taxpayer's accounting of disclosures (a look-up that is itself logged)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from disclosure_gateway.keys import public_from_b64
from disclosure_gateway.ledger.proofs import verify_proof
from disclosure_gateway.services.context import open_context
from disclosure_gateway.store.models import Decision, Disclosure
from disclosure_gateway.workspace import Workspace

from .conftest import login


def _disclosed_tin(ws: Path) -> str:
    """A TIN that was disclosed in the demo batch (custodian-side knowledge, for the test)."""
    with open_context(ws) as ctx, ctx.store.reader() as s:
        d = s.scalars(select(Disclosure)).first()
        assert d is not None
        dec = s.scalars(select(Decision).where(Decision.batch_id == d.batch_id,
                                               Decision.request_id == d.request_id)).first()
        assert dec is not None and dec.candidate_tin
        return dec.candidate_tin


def test_checkpoint_verify_and_prove(client: TestClient, ws: Path) -> None:
    token = login(client, "auditor")
    latest = client.get("/api/v1/staff/ledger/checkpoint").json()
    assert latest["tree_size"] > 0
    fresh = client.post("/api/v1/staff/ledger/checkpoint", headers={"X-CSRF-Token": token})
    assert fresh.status_code == 200 and fresh.json()["tree_size"] >= latest["tree_size"]
    report = client.get("/api/v1/staff/ledger/verification").json()
    assert report["ok"] is True and report["tree_size"] >= fresh.json()["tree_size"]
    proof = client.get("/api/v1/staff/ledger/proofs/3").json()
    custodian = public_from_b64(Workspace(ws).agreement().custodian.public_key or "")
    verify_proof(proof, public_key=custodian)
    assert client.get("/api/v1/staff/ledger/proofs/999999999").status_code in (404, 400)


def test_accounting_lists_the_taxpayer_disclosures_and_logs_the_look_up(client: TestClient, ws: Path) -> None:
    tin = _disclosed_tin(ws)
    token = login(client, "auditor")
    with open_context(ws) as ctx:
        before = ctx.ledger.head().size
    r = client.post("/api/v1/staff/accounting/lookup", json={"tin": tin}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert rows and {"disclosed_at", "requester_id", "batch_id", "code", "statute"} <= set(rows[0])
    with open_context(ws) as ctx:
        assert ctx.ledger.head().size == before + 1
    bad = client.post("/api/v1/staff/accounting/lookup", json={"tin": "12345"},
                      headers={"X-CSRF-Token": token})
    assert bad.status_code == 422
