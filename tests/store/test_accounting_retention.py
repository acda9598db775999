"""Accounting of disclosures, retractions and disposals, retention purges, users, nonces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from disclosure_gateway.errors import Conflict, InputError, NotFound
from disclosure_gateway.store import (
    accounting,
    decisions,
    nonces,
    requests,
    retention,
    retractions,
    users,
)
from disclosure_gateway.store.engine import Store
from disclosure_gateway.store.models import PERSONAL_REQUEST_FIELDS, Request

from .factories import T0, add_batch, add_requests, digest


def _disclosure(rid: str, tin: int, **extra: object) -> dict[str, object]:
    return {"tin_key": digest(tin), "batch_id": "B1", "request_id": rid,
            "requester_id": "ice-ero", "code": "CONFIRMED", "agreement_hash": "a" * 64,
            "disclosed_at": T0, "statute": "8 U.S.C. 1231", "disclosed": {"confirmed": True},
            **extra}


def test_accounting_per_taxpayer_and_in_aggregate(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s)
        ids = add_requests(s, n=4)
        assert accounting.record_disclosure(s, **_disclosure(ids[0], 1)) is True
        assert accounting.record_disclosure(s, **_disclosure(ids[0], 1)) is False
        accounting.record_disclosures(s, rows=[
            _disclosure(ids[1], 2, statute="8 U.S.C. 1357"),
            _disclosure(ids[2], 1, disclosed_at=T0 + timedelta(days=400), code="ADDRESS_PROVIDED"),
        ])
    with store.reader() as s:
        mine = accounting.disclosures_for(s, tin_key=digest(1))
        assert [(d.request_id, d.code) for d in mine] == [(ids[0], "CONFIRMED"),
                                                           (ids[2], "ADDRESS_PROVIDED")]
        year = (T0.replace(month=1, day=1), T0.replace(year=2026, month=1, day=1))
        assert accounting.count_disclosures(s, start=year[0], end=year[1], by="statute") == {
            "8 U.S.C. 1231": 1, "8 U.S.C. 1357": 1}
        assert accounting.count_disclosures(s, start=year[0], end=year[1],
                                            by="requester_id") == {"ice-ero": 2}
        assert len(accounting.disclosures_in_batch(s, batch_id="B1")) == 3
    with pytest.raises(InputError, match="cannot group disclosures by 'tin_key'"), \
            store.reader() as s:
        accounting.count_disclosures(s, start=T0, end=T0, by="tin_key")


def test_retractions_stay_outstanding_until_a_later_certificate_covers_them(
        store: Store) -> None:
    with store.transaction() as s:
        add_batch(s, "B1")
        add_batch(s, "B2")
        early = retractions.record_disposal(s, batch_id="B1", certified_by="ICE records officer",
                                            location="ICE ERO, Washington DC",
                                            certified_at=T0, recorded_at=T0)
        r1 = retractions.record_retraction(s, batch_id="B1", request_id="R1", reason="wrong",
                                           retracted_by="dpo", retracted_at=T0 + timedelta(1))
        r2 = retractions.record_retraction(s, batch_id="B2", reason="court order",
                                           retracted_by="dpo", retracted_at=T0 + timedelta(1))
        assert early.id is not None
        assert [r.id for r in retractions.outstanding_retractions(s)] == [r1.id, r2.id]
        retractions.record_disposal(s, batch_id="B1", request_id="R2", certified_by="x",
                                    location="y", certified_at=T0 + timedelta(2),
                                    recorded_at=T0 + timedelta(2))
        assert [r.id for r in retractions.outstanding_retractions(s)] == [r1.id, r2.id]
        retractions.record_disposal(s, batch_id="B1", request_id="R1", certified_by="x",
                                    location="y", certified_at=T0 + timedelta(2),
                                    recorded_at=T0 + timedelta(2))
        retractions.record_disposal(s, batch_id="B2", certified_by="x", location="y",
                                    certified_at=T0 + timedelta(3), recorded_at=T0 + timedelta(3))
        assert retractions.outstanding_retractions(s) == []
        assert len(retractions.list_retractions(s, batch_id="B1")) == 1
        assert len(retractions.list_disposals(s)) == 4
    with pytest.raises(NotFound), store.transaction() as s:
        retractions.record_retraction(s, batch_id="B9", reason="x", retracted_by="x",
                                      retracted_at=T0)


def test_answers_past_retention_without_a_certificate(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s, "B1")
        add_batch(s, "B2")
        ids = add_requests(s, "B1", n=1)
        accounting.record_disclosure(s, **_disclosure(ids[0], 1))
        assert [b.batch_id for b in retractions.batches_without_disposal(
            s, disclosed_before=T0 + timedelta(days=1))] == ["B1"]
        assert retractions.batches_without_disposal(s, disclosed_before=T0) == []
        retractions.record_disposal(s, batch_id="B1", certified_by="x", location="y",
                                    certified_at=T0, recorded_at=T0)
        assert retractions.batches_without_disposal(
            s, disclosed_before=T0 + timedelta(days=1)) == []


def test_retention_purges_personal_data_and_keeps_the_rest(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s, "B1", received_at=T0)
        add_batch(s, "B2", received_at=T0 + timedelta(days=400))
        ids = add_requests(s, "B1", n=2)
        add_requests(s, "B2", n=1)
        decisions.insert_decision(s, batch_id="B1", request_id=ids[0], outcome="match",
                                  agreement_hash="a" * 64, decided_at=T0,
                                  candidate_tin="900000001", tin_key=digest(5))
        accounting.record_disclosure(s, **_disclosure(ids[0], 5))
        due = retention.batches_received_before(s, cutoff=T0 + timedelta(days=365))
        assert due == ["B1"]
        purged = retention.purge_batch(s, batch_id="B1", at=T0 + timedelta(days=366))
        assert (purged.requests, purged.decisions) == (2, 1)
        again = retention.purge_batch(s, batch_id="B1", at=T0 + timedelta(days=367))
        assert (again.requests, again.decisions) == (0, 0)
        assert retention.batches_received_before(s, cutoff=T0 + timedelta(days=365)) == []
    with store.reader() as s:
        r = requests.require_request(s, batch_id="B1", request_id=ids[0])
        assert all(getattr(r, f) is None for f in PERSONAL_REQUEST_FIELDS)
        assert (r.subject_key, r.fingerprint, r.statute, r.purged_at) == (
            digest(0), digest(10**6), "8 U.S.C. 1231", T0 + timedelta(days=366))
        d = decisions.get_decision(s, batch_id="B1", request_id=ids[0])
        assert d is not None and (d.candidate_tin, d.tin_key) == (None, digest(5))
        assert len(accounting.disclosures_for(s, tin_key=digest(5))) == 1
        kept = s.scalars(select(Request.first_name).where(Request.batch_id == "B2")).one()
        assert kept == "Ana"


def test_users(store: Store) -> None:
    with store.transaction() as s:
        users.create_user(s, name="alice", role="reviewer", password_hash="h1", created_at=T0)
    with pytest.raises(Conflict, match="a user named 'alice' already exists"), \
            store.transaction() as s:
        users.create_user(s, name="alice", role="auditor", password_hash="h2", created_at=T0)
    with store.transaction() as s:
        users.update_user(s, name="alice", role="auditor", disabled=True)
        u = users.require_user(s, name="alice")
        assert (u.role, u.disabled, u.password_hash) == ("auditor", True, "h1")
        assert [x.name for x in users.list_users(s)] == ["alice"]
    with pytest.raises(NotFound, match="no user 'bob'"), store.reader() as s:
        users.require_user(s, name="bob")


def test_nonces_are_single_use_until_they_expire(store: Store) -> None:
    with store.transaction() as s:
        assert nonces.remember_nonce(s, key_id="k1", nonce="n1", seen_at=T0,
                                     expires_at=T0 + timedelta(minutes=5)) is True
        assert nonces.remember_nonce(s, key_id="k1", nonce="n1", seen_at=T0,
                                     expires_at=T0 + timedelta(minutes=5)) is False
        assert nonces.remember_nonce(s, key_id="k2", nonce="n1", seen_at=T0,
                                     expires_at=T0 + timedelta(minutes=5)) is True
        assert nonces.purge_expired_nonces(s, now=T0 + timedelta(minutes=6)) == 2
        assert nonces.remember_nonce(s, key_id="k1", nonce="n1", seen_at=T0,
                                     expires_at=T0 + timedelta(minutes=5)) is True
