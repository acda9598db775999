"""The services' own queries on both backends, over hand-made rows (no model, no master).

Retraction and disposal, retention, and replay's search for a decision's ledger
leaf (the leaf data is bytes; each backend reads it as text differently).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.services import disclosures as svc
from disclosure_gateway.services.context import Context, utcnow
from disclosure_gateway.services.ledger import verify as verify_ledger
from disclosure_gateway.services.replay import replay
from disclosure_gateway.services.retention import run_retention
from disclosure_gateway.store.decisions import insert_decision
from disclosure_gateway.store.models import Decision, Request

from .factories import add_answers, add_batch, add_requests, disclose

TIN = "900000017"
THRESHOLDS = {"auto_threshold": 0.99, "review_threshold": 0.5, "min_weight_margin": 6.0,
              "reviewers_required": 2}


def _one_answered_batch(ctx: Context, *, days_ago: int = 0) -> str:
    at = utcnow() - timedelta(days=days_ago)
    with ctx.store.transaction() as s:
        add_batch(s, "H", requester="ice-ero", received=at)
        add_requests(s, "H", [{"request_id": "H1", "statute": "8 U.S.C. 1231"},
                              {"request_id": "H2", "statute": "8 U.S.C. 1231",
                               "reasons": ["ADDRESS_PO_BOX"]}])
        insert_decision(s, batch_id="H", request_id="H1", outcome="match", candidate_tin=TIN,
                        tin_key=ctx.tin_key(TIN), match_probability=0.9999, match_weight=13.3,
                        address_result="same", agreement_hash=ctx.agreement().terms_hash,
                        model_hash="m" * 64, master_snapshot_hash="s" * 64,
                        thresholds=THRESHOLDS, decided_at=at)
        add_answers(s, "H", 1, {"H1": "CONFIRMED", "H2": "REJECTED"}, at)
        disclose(s, "H", "H1", tin_key=ctx.tin_key(TIN), requester="ice-ero",
                 statute="8 U.S.C. 1231", at=at)
    return "H"


def test_retract_then_certify(bare: Context) -> None:
    b = _one_answered_batch(bare)
    r = svc.retract(bare, batch_id=b, request_id="H1", reason="wrong person", by="officer")
    assert [(t["tin"], t["request_id"]) for t in r["taxpayers"]] == [(TIN, "H1")]
    assert [x["request_id"] for x in svc.outstanding(bare)["retractions"]] == ["H1"]
    d = svc.certify_disposal(bare, batch_id=b, by="recipient", where="case share")
    assert d["retractions_closed"] == [r["retraction_id"]]
    assert svc.outstanding(bare)["retractions"] == []
    assert verify_ledger(bare)["ok"] is True


def test_retention_purges_and_logs(bare: Context) -> None:
    b = _one_answered_batch(bare, days_ago=bare.agreement().retention.request_data_days + 1)
    r = run_retention(bare)
    assert [(p["batch_id"], p["requests"], p["decisions"]) for p in r["purged"]] == [(b, 2, 1)]
    with bare.store.reader() as s:
        assert s.scalars(select(Request.first_name).where(Request.batch_id == b)).all() == [
            None, None]
        assert s.scalar(select(Decision.candidate_tin)) is None
        assert s.scalar(select(Decision.tin_key)) == bare.tin_key(TIN)
    assert verify_ledger(bare)["ok"] is True


def test_replay_finds_the_decisions_leaf(bare: Context) -> None:
    b = _one_answered_batch(bare)
    # without its leaf, the decision is one the ledger never saw
    assert replay(bare, b, "H1", viewer="auditor")["verdict"] == "altered"
    with bare.store.reader() as s:
        dec = s.get(Decision, (b, "H1"))
        assert dec is not None
        payload = {"batch_id": b, "request": bare.request_key(b, "H1"), "outcome": dec.outcome,
                   "match_probability": dec.match_probability, "match_weight": dec.match_weight,
                   "margin": dec.margin, "address_result": dec.address_result,
                   "tin_key": dec.tin_key, "agreement_hash": dec.agreement_hash,
                   "model_hash": dec.model_hash, "master_snapshot_hash": dec.master_snapshot_hash,
                   "settings_hash": None, "thresholds": dec.thresholds, "reasons": "AUTO_MATCH"}
        decided_at = dec.decided_at
    with bare.store.transaction() as s:
        leaf = bare.ledger.append(s, EventType.MATCH_DECIDED, payload, time=decided_at)
    r = replay(bare, b, "H1", viewer="auditor")
    # found and consistent with the row; this workspace has no model or master index
    assert r["leaf_index"] == leaf
    assert r["verdict"] == "impossible"
    assert "no installed model has hash " + "m" * 64 in r["message"]
    assert "no usable master index" in r["message"]
