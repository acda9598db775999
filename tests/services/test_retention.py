"""Retention purges request personal data; keyed hashes, answers, accounting and ledger stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.services.accounting import for_tin
from disclosure_gateway.services.context import Context, utcnow
from disclosure_gateway.services.ledger import verify as verify_ledger
from disclosure_gateway.services.retention import run_retention
from disclosure_gateway.services.review import decide, list_items
from disclosure_gateway.store.accounting import disclosures_in_batch
from disclosure_gateway.store.answers import count_answers_by_code
from disclosure_gateway.store.models import PERSONAL_REQUEST_FIELDS, Decision, LedgerLeaf, Request

runner = CliRunner()


def _close_reviews(ctx: Context) -> None:
    for item in list_items(ctx):
        for reviewer in ("rev-1", "rev-2"):
            decide(ctx, item["id"], match=False, reviewer=reviewer, note="not the person")


def _snapshot(ctx: Context, batch_id: str) -> dict[str, object]:
    """What retention must leave exactly as it was."""
    with ctx.store.reader() as s:
        reqs = s.scalars(select(Request).where(Request.batch_id == batch_id)
                         .order_by(Request.seq)).all()
        decs = s.scalars(select(Decision).where(Decision.batch_id == batch_id)
                         .order_by(Decision.request_id)).all()
        return {
            "requests": [(r.request_id, r.status, r.reason_codes, r.subject_key, r.fingerprint,
                          r.statute, r.taxable_periods) for r in reqs],
            "decisions": [(d.request_id, d.tin_key, d.outcome, d.match_probability)
                          for d in decs],
            "answers": count_answers_by_code(s, batch_id=batch_id, response_version=1),
            "disclosures": [(d.tin_key, d.request_id, d.code, d.disclosed)
                            for d in disclosures_in_batch(s, batch_id=batch_id)],
        }


def test_nothing_is_purged_inside_the_retention_period(demo: Context) -> None:
    r = run_retention(demo)
    assert r["due"] == [] and r["purged"] == [] and r["held"] == []


def test_a_batch_with_open_reviews_is_held_back(demo: Context, batch_id: str) -> None:
    open_items = len(list_items(demo))
    assert open_items > 0, "the demo data is expected to hold a request for review"
    r = run_retention(demo, now=utcnow() + timedelta(days=400))
    assert r["purged"] == []
    assert r["held"] == [{"batch_id": batch_id, "open_review_items": open_items,
                          "why": "open review items need the request data; close them first"}]


def test_purge_keeps_hashes_answers_accounting_and_a_verifiable_ledger(
        demo: Context, batch_id: str) -> None:
    _close_reviews(demo)
    before = _snapshot(demo, batch_id)
    with demo.store.reader() as s:
        (rid, tin) = s.execute(select(Decision.request_id, Decision.candidate_tin)
                               .where(Decision.batch_id == batch_id, Decision.outcome == "match")
                               .limit(1)).one()
    tin_disclosures = for_tin(demo, tin, viewer="auditor")
    now = utcnow() + timedelta(days=demo.agreement().retention.request_data_days + 1)

    dry = run_retention(demo, now=now, dry_run=True)
    assert dry["due"] == [batch_id] and dry["purged"] == []

    r = run_retention(demo, now=now)
    assert [(p["batch_id"], p["requests"]) for p in r["purged"]] == [(batch_id, 500)]
    assert r["purged"][0]["decisions"] > 0
    with demo.store.reader() as s:
        for req in s.scalars(select(Request).where(Request.batch_id == batch_id)):
            assert all(getattr(req, f) is None for f in PERSONAL_REQUEST_FIELDS)
            assert req.purged_at is not None
        assert s.scalar(select(Decision.candidate_tin).where(
            Decision.candidate_tin.is_not(None))) is None
        (leaf,) = s.scalars(select(LedgerLeaf.payload).where(
            LedgerLeaf.event_type == EventType.RETENTION_PURGED.value))
    payload = json.loads(bytes(leaf))["payload"]
    assert (payload["batch_id"], payload["requests"]) == (batch_id, 500)
    assert tin.encode() not in bytes(leaf)

    assert _snapshot(demo, batch_id) == before
    # the accounting still answers for the taxpayer, by the keyed hash of the TIN
    assert for_tin(demo, tin, viewer="auditor") == tin_disclosures
    assert any(d["request_id"] == rid for d in tin_disclosures)
    assert verify_ledger(demo)["ok"] is True
    # a second run finds nothing more to do
    again = run_retention(demo, now=now)
    assert again["due"] == [] and again["purged"] == []


@pytest.mark.parametrize("now", ["yesterday", "2026-13-01"])
def test_cli_retention_run(demo: Context, now: str) -> None:
    ws = str(demo.ws.root)
    if now == "yesterday":
        res = runner.invoke(app, ["retention", "run", "-w", ws, "--now",
                                  (utcnow() - timedelta(days=1)).isoformat(), "--json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["purged"] == []
    else:
        res = runner.invoke(app, ["retention", "run", "-w", ws, "--now", now])
        assert "--now: not an ISO 8601 date or time: '2026-13-01'" in str(res.exception)
