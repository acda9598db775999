"""Replay: the same decision from the same artefacts; impossible without them; tampering seen."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import Conflict
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.match.model_store import load_model, save_model
from disclosure_gateway.services.context import Context, utcnow
from disclosure_gateway.services.ledger import verify as verify_ledger
from disclosure_gateway.services.replay import PROBABILITY_TOLERANCE, compare, replay
from disclosure_gateway.services.retention import run_retention
from disclosure_gateway.services.review import decide, list_items
from disclosure_gateway.store.models import Decision, LedgerLeaf, Request

runner = CliRunner()


def _request(ctx: Context, **where: object) -> str:
    with ctx.store.reader() as s:
        q = select(Decision.request_id).order_by(Decision.request_id).limit(1)
        for col, value in where.items():
            q = q.where(getattr(Decision, col) == value)
        rid = s.scalar(q)
    assert rid is not None
    return str(rid)


# --- the comparison (pure) ---------------------------------------------------------------

RECORDED = {"outcome": "match", "tin_key": "k" * 64, "address_result": "same",
            "match_probability": 0.9991}


def test_compare_allows_rounding_only_in_the_probability() -> None:
    assert compare(RECORDED, {**RECORDED, "match_probability": 0.9991 + PROBABILITY_TOLERANCE / 2}) == []
    assert compare(RECORDED, {**RECORDED, "match_probability": 0.9991 + 2 * PROBABILITY_TOLERANCE}) == [
        {"field": "match_probability", "recorded": 0.9991,
         "rerun": 0.9991 + 2 * PROBABILITY_TOLERANCE}]
    assert [d["field"] for d in compare(RECORDED, {**RECORDED, "outcome": "review",
                                                   "tin_key": "j" * 64})] == ["outcome", "tin_key"]
    assert compare({**RECORDED, "match_probability": None},
                   {**RECORDED, "match_probability": None}) == []


# --- against the real demo ---------------------------------------------------------------


def test_an_untouched_decision_replays_the_same(demo: Context, batch_id: str) -> None:
    rid = _request(demo, outcome="match")
    r = replay(demo, batch_id, rid, viewer="auditor")
    assert r["verdict"] == "same", r["message"]
    assert r["rerun"]["outcome"] == r["recorded"]["outcome"] == "match"
    assert r["rerun"]["tin_key"] == r["recorded"]["tin_key"]
    assert abs(r["rerun"]["match_probability"] - r["recorded"]["match_probability"]) <= 1e-6
    with demo.store.reader() as s:
        leaf = s.scalar(select(LedgerLeaf.payload).where(LedgerLeaf.idx == r["leaf_index"]))
    assert json.loads(bytes(leaf))["type"] == EventType.MATCH_DECIDED
    # the replay itself is a logged look at a record
    with demo.store.reader() as s:
        views = [json.loads(bytes(p))["payload"] for p in s.scalars(
            select(LedgerLeaf.payload).where(
                LedgerLeaf.event_type == EventType.STAFF_VIEWED_RECORD.value))]
    assert {"viewer": "auditor", "what": "replay", "verdict": "same"}.items() <= views[-1].items()


def test_a_closed_human_review_is_final(demo: Context, batch_id: str) -> None:
    items = list_items(demo)
    assert items, "the demo data is expected to hold a request for review"
    item = items[0]
    for reviewer in ("rev-1", "rev-2"):
        decide(demo, item["id"], match=False, reviewer=reviewer, note="different birth date")
    r = replay(demo, batch_id, item["request_id"], viewer="auditor")
    assert r["verdict"] == "same" and r["model_outcome"] == "review"
    assert r["final_outcome"] == "no_match"
    assert [d["reviewer"] for d in r["review"]["reviewers"]] == ["rev-1", "rev-2"]
    assert "A human review decided 'no_match': that decision is final" in r["message"]


def test_a_refused_request_has_no_decision_to_replay(demo: Context, batch_id: str) -> None:
    with demo.store.reader() as s:
        rid = s.scalar(select(Request.request_id).where(Request.status == "refused").limit(1))
    with pytest.raises(Conflict, match=f"request {rid} was refused by the gate"):
        replay(demo, batch_id, str(rid), viewer="auditor")


def test_a_changed_threshold_makes_replay_impossible(demo: Context, batch_id: str) -> None:
    agreement = demo.agreement()
    changed = agreement.model_copy(update={"matching": agreement.matching.model_copy(
        update={"auto_threshold": 0.999})})
    demo.ws.save_agreement(changed)
    r = replay(demo, batch_id, _request(demo, outcome="match"), viewer="auditor")
    assert r["verdict"] == "impossible" and r["rerun"] is None
    assert "replay is impossible with the current artefacts: the agreement in force" in r["message"]


def test_the_model_is_found_by_its_hash_and_its_absence_is_said(demo: Context,
                                                                batch_id: str) -> None:
    rid = _request(demo, outcome="match")
    old = load_model(demo.ws.models_dir)
    retrained = copy.deepcopy(old.model)
    level = retrained["comparisons"][0]["comparison_levels"][1]
    level["m_probability"] = level["m_probability"] / 2
    new = save_model(demo.ws.models_dir, retrained, engine="test", training={})
    assert new.version == old.version + 1 and new.model_hash != old.model_hash
    # a newer model is in use, but the decision's own version is still installed
    assert replay(demo, batch_id, rid, viewer="auditor")["verdict"] == "same"
    old.path.unlink()
    r = replay(demo, batch_id, rid, viewer="auditor")
    assert r["verdict"] == "impossible"
    assert f"no installed model has hash {old.model_hash}" in r["message"]


def test_another_master_snapshot_makes_replay_impossible(demo: Context, batch_id: str) -> None:
    from disclosure_gateway.match.master_index import build_master_index

    master = demo.ws.root / "data" / "master.parquet"
    smaller = demo.ws.root / "data" / "master-smaller.parquet"
    pd.read_parquet(master).iloc[:-10].to_parquet(smaller)
    build_master_index(smaller, demo.ws.master_dir)
    r = replay(demo, batch_id, _request(demo, outcome="match"), viewer="auditor")
    assert r["verdict"] == "impossible"
    assert "the installed master index (snapshot" in r["message"]


def test_purged_request_data_makes_replay_impossible(demo: Context, batch_id: str) -> None:
    for item in list_items(demo):
        for reviewer in ("rev-1", "rev-2"):
            decide(demo, item["id"], match=False, reviewer=reviewer, note="n")
    run_retention(demo, now=utcnow() + timedelta(days=400))
    r = replay(demo, batch_id, _request(demo, outcome="match"), viewer="auditor")
    assert r["verdict"] == "impossible"
    assert "the request's data was purged by retention" in r["message"]


def test_a_decision_row_changed_behind_the_ledger_is_reported(demo: Context,
                                                               batch_id: str) -> None:
    rid = _request(demo, outcome="match")
    with demo.store.transaction() as s:
        s.execute(update(Decision).where(Decision.request_id == rid).values(
            thresholds={"auto_threshold": 0.5, "review_threshold": 0.4, "min_weight_margin": 0.0,
                        "reviewers_required": 1}))
    r = replay(demo, batch_id, rid, viewer="auditor")
    assert r["verdict"] == "altered" and r["rerun"] is None
    assert "decision row thresholds is" in r["message"]


def test_a_record_rewritten_in_row_and_leaf_replays_different(demo: Context,
                                                              batch_id: str) -> None:
    """A tamperer who rewrites both the decision and its leaf is caught twice: the replay
    disagrees with the rewritten record, and the ledger no longer verifies."""
    rid = _request(demo, outcome="match")
    first = replay(demo, batch_id, rid, viewer="auditor")
    with demo.store.transaction() as s:
        s.execute(update(Decision).where(Decision.request_id == rid).values(outcome="no_match"))
        payload = bytes(s.scalar(select(LedgerLeaf.payload).where(
            LedgerLeaf.idx == first["leaf_index"])))
        s.execute(update(LedgerLeaf).where(LedgerLeaf.idx == first["leaf_index"]).values(
            payload=payload.replace(b'"outcome":"match"', b'"outcome":"no_match"')))
    r = replay(demo, batch_id, rid, viewer="auditor")
    assert r["verdict"] == "different"
    assert r["differences"] == [{"field": "outcome", "recorded": "no_match", "rerun": "match"}]
    assert verify_ledger(demo)["ok"] is False


def test_cli_replay_exit_codes(demo: Context, batch_id: str) -> None:
    ws = str(demo.ws.root)
    rid = _request(demo, outcome="match")
    res = runner.invoke(app, ["replay", batch_id, "--record", rid, "-w", ws, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["verdict"] == "same"
    with demo.store.transaction() as s:
        s.execute(update(Decision).where(Decision.request_id == rid).values(outcome="no_match"))
    res = runner.invoke(app, ["replay", batch_id, "--record", rid, "-w", ws])
    assert res.exit_code == 8
    assert "ALTERED" in res.stdout
