"""Retraction, the recipient's certificate of disposal, and what stays outstanding."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from disclosure_gateway.canonical import canonical_bytes
from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import Conflict, InputError, NotFound
from disclosure_gateway.keys import verify
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.services import disclosures as svc
from disclosure_gateway.services.context import Context, utcnow
from disclosure_gateway.services.ledger import verify as verify_ledger
from disclosure_gateway.services.retention import run_retention
from disclosure_gateway.store.accounting import disclosures_in_batch
from disclosure_gateway.store.decisions import get_decision
from disclosure_gateway.store.models import LedgerLeaf

runner = CliRunner()


def _disclosed(ctx: Context, batch_id: str) -> list[tuple[str, str]]:
    """(request_id, candidate TIN) of every disclosure of the batch."""
    with ctx.store.reader() as s:
        out = []
        for d in disclosures_in_batch(s, batch_id=batch_id):
            dec = get_decision(s, batch_id=batch_id, request_id=d.request_id)
            assert dec is not None and dec.candidate_tin
            out.append((d.request_id, dec.candidate_tin))
        return out


def _leaves(ctx: Context, type_: str) -> list[bytes]:
    with ctx.store.reader() as s:
        return [bytes(p) for p in s.scalars(select(LedgerLeaf.payload)
                                            .where(LedgerLeaf.event_type == type_))]


def test_retraction_is_outstanding_until_the_recipient_certifies_disposal(
        demo: Context, batch_id: str) -> None:
    rid, tin = _disclosed(demo, batch_id)[0]
    r = svc.retract(demo, batch_id=batch_id, request_id=rid, reason="wrong person: a namesake",
                    by="officer-a")
    # the custodian learns whom to notify, by TIN ...
    assert [(t["request_id"], t["tin"], t["code"]) for t in r["taxpayers"]] == [
        (rid, tin, "CONFIRMED")]
    assert r["answers"] == {"CONFIRMED": 1}
    # ... and the ledger gets the event without the TIN
    (leaf,) = _leaves(demo, EventType.RETRACTION)
    assert tin.encode() not in leaf and b"wrong person: a namesake" in leaf
    assert json.loads(leaf)["payload"]["request"] == demo.request_key(batch_id, rid)

    still = svc.outstanding(demo)
    assert [(x["retraction_id"], x["request_id"]) for x in still["retractions"]] == [
        (r["retraction_id"], rid)]

    d = svc.certify_disposal(demo, batch_id=batch_id, request_id=rid, by="J. Doe, records",
                             where="ERO case share")
    assert d["retractions_closed"] == [r["retraction_id"]]
    assert svc.outstanding(demo)["retractions"] == []
    assert len(_leaves(demo, EventType.DISPOSAL_CERTIFIED)) == 1
    assert verify_ledger(demo)["ok"] is True


def test_the_notice_is_signed_and_names_no_taxpayer(demo: Context, batch_id: str) -> None:
    rid, tin = _disclosed(demo, batch_id)[0]
    r = svc.retract(demo, batch_id=batch_id, request_id=rid, reason="order vacated", by="o")
    notice_path = Path(r["notice"])
    assert notice_path.parent == demo.ws.root / "notices" / batch_id
    notice = json.loads(notice_path.read_text(encoding="utf-8"))
    sig = base64.b64decode(notice_path.with_suffix(".sig").read_text())
    verify(demo.custodian_key().public, sig, canonical_bytes(notice), what="notice")
    assert notice["request_ids"] == [rid] and notice["scope"] == "record"
    assert notice["certify_with"] == (f"dgw disclosure disposed --batch {batch_id} --record {rid} "
                                      "--by NAME --where TEXT")
    letter = notice_path.with_suffix(".txt").read_text(encoding="utf-8")
    assert "destroy every copy" in letter and rid in letter
    for text in (notice_path.read_text(), letter):
        assert tin not in text


def test_a_record_certificate_does_not_close_a_whole_batch_retraction(
        demo: Context, batch_id: str) -> None:
    disclosed = _disclosed(demo, batch_id)
    r = svc.retract(demo, batch_id=batch_id, reason="court order: all answers void", by="o")
    assert r["scope"] == "batch" and sorted(t["tin"] for t in r["taxpayers"]) == sorted(
        t for _r, t in disclosed)
    assert sum(r["answers"].values()) == 500
    with pytest.raises(Conflict, match=f"already retracted by retraction {r['retraction_id']}"):
        svc.retract(demo, batch_id=batch_id, request_id=disclosed[0][0], reason="x", by="o")
    svc.certify_disposal(demo, batch_id=batch_id, request_id=disclosed[0][0], by="r", where="w")
    assert len(svc.outstanding(demo)["retractions"]) == 1
    svc.certify_disposal(demo, batch_id=batch_id, by="r", where="all copies, ERO share")
    assert svc.outstanding(demo)["retractions"] == []


def test_answers_past_the_recipients_retention_are_outstanding_until_destroyed(
        demo: Context, batch_id: str) -> None:
    days = demo.agreement().retention.recipient_days
    assert svc.outstanding(demo)["past_retention"] == []
    later = utcnow() + timedelta(days=days + 3)
    (due,) = svc.outstanding(demo, now=later)["past_retention"]
    assert due["batch_id"] == batch_id and due["disclosures"] == len(_disclosed(demo, batch_id))
    assert due["days_overdue"] in (2, 3)
    svc.certify_disposal(demo, batch_id=batch_id, by="r", where="destroyed per schedule")
    assert svc.outstanding(demo, now=later)["past_retention"] == []


def test_after_retention_the_taxpayers_are_found_through_the_master_index(
        demo: Context, batch_id: str) -> None:
    from disclosure_gateway.services.review import decide, list_items

    for item in list_items(demo):  # open reviews hold a batch back from retention
        for reviewer in ("rev-1", "rev-2"):
            decide(demo, item["id"], match=False, reviewer=reviewer, note="not the person")
    rid, tin = _disclosed(demo, batch_id)[0]
    run_retention(demo, now=utcnow() + timedelta(days=400))
    with demo.store.reader() as s:
        dec = get_decision(s, batch_id=batch_id, request_id=rid)
        assert dec is not None and dec.candidate_tin is None
    r = svc.retract(demo, batch_id=batch_id, request_id=rid, reason="late finding", by="o")
    assert [t["tin"] for t in r["taxpayers"]] == [tin]


def test_refusals_say_what_is_wrong(demo: Context, batch_id: str) -> None:
    rid = _disclosed(demo, batch_id)[0][0]
    with pytest.raises(InputError, match="--reason: a reason may not contain a TIN"):
        svc.retract(demo, batch_id=batch_id, request_id=rid, reason="TIN 123-45-6789", by="o")
    with pytest.raises(InputError, match="--reason: a reason is required"):
        svc.retract(demo, batch_id=batch_id, request_id=rid, reason="  ", by="o")
    with pytest.raises(NotFound, match="no request 'NOPE'"):
        svc.retract(demo, batch_id=batch_id, request_id="NOPE", reason="r", by="o")
    with pytest.raises(NotFound, match="no batch 'NOPE'"):
        svc.certify_disposal(demo, batch_id="NOPE", by="r", where="w")
    with pytest.raises(InputError, match="--on: a certificate cannot be dated in the future"):
        svc.certify_disposal(demo, batch_id=batch_id, by="r", where="w",
                             certified_at=utcnow() + timedelta(days=1))
    with pytest.raises(InputError, match="--where: where the answers were held is required"):
        svc.certify_disposal(demo, batch_id=batch_id, by="r", where="")
    assert _leaves(demo, EventType.RETRACTION) == []
    assert _leaves(demo, EventType.DISPOSAL_CERTIFIED) == []


def test_cli_retract_prints_the_taxpayers_and_the_notice(demo: Context, batch_id: str) -> None:
    rid, tin = _disclosed(demo, batch_id)[0]
    ws = str(demo.ws.root)
    res = runner.invoke(app, ["disclosure", "retract", "--batch", batch_id, "--record", rid,
                              "--reason", "wrong person", "--by", "officer", "-w", ws])
    assert res.exit_code == 0, res.output
    assert tin in res.stdout and "notices" in res.stdout
    res = runner.invoke(app, ["disclosure", "outstanding", "-w", ws, "--json"])
    assert [x["request_id"] for x in json.loads(res.stdout)["retractions"]] == [rid]
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    res = runner.invoke(app, ["disclosure", "disposed", "--batch", batch_id, "--record", rid,
                              "--by", "J. Doe", "--where", "share", "--on", yesterday,
                              "-w", ws, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["certified_at"] == f"{yesterday}T00:00:00+00:00"
    res = runner.invoke(app, ["disclosure", "outstanding", "-w", ws, "--json"])
    assert json.loads(res.stdout)["retractions"] == []
