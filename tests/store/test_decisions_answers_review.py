"""Decisions, clerical review and answers: one per key, resumable, never rewritten."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disclosure_gateway.errors import Conflict, InputError
from disclosure_gateway.store import answers, decisions, review
from disclosure_gateway.store.engine import Store

from .factories import T0, add_batch, add_requests, digest


@pytest.fixture
def three(store: Store) -> list[str]:
    with store.transaction() as s:
        add_batch(s, n=3)
        return add_requests(s, n=3)


def _decision(rid: str, **extra: object) -> dict[str, object]:
    return {"batch_id": "B1", "request_id": rid, "outcome": "match", "agreement_hash": "a" * 64,
            "decided_at": T0, "candidate_tin": "900000001", "tin_key": digest(7),
            "match_probability": 0.9993, "match_weight": 14.2, "margin": 9.1,
            "address_result": "same", "evidence": {"name": "exact"}, "model_hash": "m" * 64,
            "master_snapshot_hash": "s" * 64, "thresholds": {"match": 0.99}, **extra}


def test_one_decision_per_request(store: Store, three: list[str]) -> None:
    with store.transaction() as s:
        assert decisions.insert_decision(s, **_decision(three[0])) is True
        assert decisions.insert_decision(s, **_decision(three[0], outcome="no_match")) is False
        assert decisions.insert_decisions(s, rows=[_decision(r, outcome="review")
                                                   for r in three]) == 3
    with store.reader() as s:
        d = decisions.get_decision(s, batch_id="B1", request_id=three[0])
        assert d is not None and (d.outcome, d.match_probability, d.thresholds) == (
            "match", 0.9993, {"match": 0.99})
        assert decisions.decided_request_ids(s, batch_id="B1") == set(three)
        assert [r["outcome"] for r in decisions.iter_decisions(s, batch_id="B1", chunk_size=2)
                ] == ["match", "review", "review"]


def test_decision_fields_are_checked(store: Store, three: list[str]) -> None:
    with pytest.raises(InputError, match="unknown decision outcome 'perhaps'"), \
            store.transaction() as s:
        decisions.insert_decision(s, **_decision(three[0], outcome="perhaps"))
    with pytest.raises(InputError, match="a decision needs agreement_hash"), \
            store.transaction() as s:
        decisions.insert_decisions(s, rows=[_decision(three[0], agreement_hash=None)])


def test_answers_are_written_once_per_version(store: Store, three: list[str]) -> None:
    with store.transaction() as s:
        assert answers.insert_answer(s, batch_id="B1", request_id=three[0], response_version=1,
                                     code="PENDING_REVIEW", issued_at=T0) is True
        assert answers.insert_answer(s, batch_id="B1", request_id=three[0], response_version=1,
                                     code="CONFIRMED", issued_at=T0) is False
        answers.insert_answers(s, rows=[
            {"batch_id": "B1", "request_id": r, "response_version": 1, "code": "REJECTED",
             "reason_codes": ["NAME_MISSING"], "issued_at": T0} for r in three])
        answers.insert_answer(s, batch_id="B1", request_id=three[0], response_version=2,
                              code="CONFIRMED", issued_at=T0 + timedelta(days=1),
                              disclosed={"address_confirmed": True}, leaf_index=12)
    with store.reader() as s:
        assert answers.get_answer(s, batch_id="B1", request_id=three[0]).code == "CONFIRMED"
        assert answers.get_answer(s, batch_id="B1", request_id=three[0],
                                  response_version=1).code == "PENDING_REVIEW"
        assert answers.answered_request_ids(s, batch_id="B1", response_version=2) == {three[0]}
        assert answers.count_answers_by_code(s, batch_id="B1", response_version=1) == {
            "PENDING_REVIEW": 1, "REJECTED": 2}
        v1 = list(answers.iter_answers(s, batch_id="B1", response_version=1, chunk_size=2))
        assert [(a["request_id"], a["seq"]) for a in v1] == [(r, i) for i, r in enumerate(three)]


def test_review_by_two_reviewers(store: Store, three: list[str]) -> None:
    with store.transaction() as s:
        item = review.open_review_item(s, batch_id="B1", request_id=three[1], reason="tie",
                                       created_at=T0, required_decisions=2)
        again = review.open_review_item(s, batch_id="B1", request_id=three[1], reason="other",
                                        created_at=T0)
        assert again.id == item.id and again.reason == "tie"
        review.add_review_decision(s, item_id=item.id, reviewer="alice", decision="match",
                                   decided_at=T0, note="same DOB", tin_key=digest(7))
        review.add_review_decision(s, item_id=item.id, reviewer="bob", decision="match",
                                   decided_at=T0 + timedelta(minutes=5))
        item_id = item.id
    with pytest.raises(Conflict, match="alice has already decided"), store.transaction() as s:
        review.add_review_decision(s, item_id=item_id, reviewer="alice", decision="no_match",
                                   decided_at=T0)
    with store.transaction() as s:
        assert [d.reviewer for d in review.review_decisions(s, item_id=item_id)] == ["alice",
                                                                                     "bob"]
        assert review.count_open_items(s, batch_id="B1") == 1
        review.close_review_item(s, item_id=item_id, final_outcome="match", closed_at=T0)
        review.close_review_item(s, item_id=item_id, final_outcome="match", closed_at=T0)
        assert review.list_review_items(s) == []
        assert [i.id for i in review.list_review_items(s, status="closed")] == [item_id]
    with pytest.raises(Conflict, match="already closed as match"), store.transaction() as s:
        review.close_review_item(s, item_id=item_id, final_outcome="no_match", closed_at=T0)
    with pytest.raises(Conflict, match="is closed"), store.transaction() as s:
        review.add_review_decision(s, item_id=item_id, reviewer="carol", decision="match",
                                   decided_at=T0)


def test_streamed_rows_convert_types_and_allow_both_access_styles(store: Store,
                                                                  three: list[str]) -> None:
    from disclosure_gateway.store import requests

    with store.transaction() as s:
        requests.update_requests(s, batch_id="B1", updates=[
            {"request_id": three[1], "status": "refused", "reason_codes": ["NAME_MISSING"]}])
        answers.insert_answer(s, batch_id="B1", request_id=three[2], response_version=1,
                              code="ADDRESS_PROVIDED", issued_at=T0,
                              disclosed={"address": {"line1": "1 Main St"}}, leaf_index=3)
        decisions.insert_decision(s, **_decision(three[0]))
    with store.reader() as s:
        (req,) = requests.iter_requests(s, batch_id="B1", statuses=["refused"])
        assert (req.request_id, req["reason_codes"], req.purged_at) == (three[1],
                                                                         ["NAME_MISSING"], None)
        assert dict(req)["first_name"] == "Ana"
        (ans,) = answers.iter_answers(s, batch_id="B1", response_version=1)
        assert (ans.issued_at, ans.issued_at.tzinfo is not None, ans["disclosed"], ans.seq) == (
            T0, True, {"address": {"line1": "1 Main St"}}, 2)
        (dec,) = decisions.iter_decisions(s, batch_id="B1")
        assert (dec.decided_at, dec.thresholds, dec.match_probability) == (
            T0, {"match": 0.99}, 0.9993)
        with pytest.raises(AttributeError):
            _ = dec.no_such_column
