"""Batches (replay detection, stages) and requests (bulk idempotent insert, streaming)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disclosure_gateway.errors import Conflict, InputError, NotFound
from disclosure_gateway.store import batches, requests
from disclosure_gateway.store.engine import Store

from .factories import T0, add_batch, add_requests, digest, request_row


def _insert(store: Store, batch_id: str, sha: str) -> bool:
    with store.transaction() as s:
        return batches.insert_batch(
            s, batch_id=batch_id, agreement_id="A", agreement_hash="a" * 64,
            requester_key_id="0" * 16, manifest_created=T0, received_at=T0,
            records_sha256=sha, record_count=2, manifest={"batch_id": batch_id})


def test_insert_batch_is_idempotent_for_the_same_batch(store: Store) -> None:
    assert _insert(store, "B1", digest(1)) is True
    assert _insert(store, "B1", digest(1)) is False
    with store.reader() as s:
        b = batches.require_batch(s, batch_id="B1")
        assert (b.status, b.record_count, b.response_version, b.manifest) == (
            "received", 2, 0, {"batch_id": "B1"})
        assert b.received_at == T0 and b.received_at.tzinfo is not None


def test_the_same_records_file_under_another_batch_id_is_a_replay(store: Store) -> None:
    _insert(store, "B1", digest(1))
    with pytest.raises(Conflict, match="already received as batch 'B1'"):
        _insert(store, "B2", digest(1))
    with pytest.raises(Conflict, match="already used by another records file"):
        _insert(store, "B1", digest(2))
    with store.reader() as s:
        assert batches.find_batch_by_digest(s, records_sha256=digest(1)).batch_id == "B1"


def test_status_moves_stamp_their_stage_once(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s)
        batches.set_batch_status(s, batch_id="B1", status="gated", at=T0 + timedelta(1))
        batches.set_batch_status(s, batch_id="B1", status="gated", at=T0 + timedelta(2))
        batches.set_batch_status(s, batch_id="B1", status="responded", at=T0 + timedelta(3))
    with store.reader() as s:
        b = batches.require_batch(s, batch_id="B1")
        assert (b.status, b.gated_at, b.responded_at) == ("responded", T0 + timedelta(1),
                                                           T0 + timedelta(3))
    with pytest.raises(InputError, match="unknown batch status 'done'"), store.transaction() as s:
        batches.set_batch_status(s, batch_id="B1", status="done", at=T0)
    with pytest.raises(NotFound, match="no batch 'B9'"), store.reader() as s:
        batches.require_batch(s, batch_id="B9")


def test_response_versions_count_up(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s)
        assert batches.next_response_version(s, batch_id="B1") == 1
        assert batches.next_response_version(s, batch_id="B1") == 2
        assert batches.require_batch(s, batch_id="B1").response_version == 2


def test_list_batches_newest_first(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s, "B1", received_at=T0)
        add_batch(s, "B2", received_at=T0 + timedelta(days=1), status="refused",
                  refusal_code="SIGNATURE_INVALID")
    with store.reader() as s:
        assert [b.batch_id for b in batches.list_batches(s)] == ["B2", "B1"]
        assert [b.batch_id for b in batches.list_batches(s, status="refused")] == ["B2"]
        assert batches.require_batch(s, batch_id="B2").refused_at == T0 + timedelta(days=1)


def test_bulk_requests_insert_once_and_stream_in_file_order(store: Store) -> None:
    n = 2_503
    with store.transaction() as s:
        add_batch(s, n=n)
        # out of order and in small chunks, to cross chunk boundaries both ways
        rows = [request_row(i) for i in reversed(range(n))]
        assert requests.insert_requests(s, batch_id="B1", rows=rows, chunk_size=700) == n
    with store.transaction() as s:  # a resume re-inserts everything: nothing changes
        requests.insert_requests(s, batch_id="B1",
                                 rows=[request_row(i, first_name="X") for i in range(n)])
    with store.reader() as s:
        assert requests.count_requests(s, batch_id="B1") == n
        got = list(requests.iter_requests(s, batch_id="B1", chunk_size=300,
                                          columns=["request_id", "first_name"]))
        assert [r["seq"] for r in got] == list(range(n))
        assert {r["first_name"] for r in got} == {"Ana"}
        assert requests.count_by_status(s, batch_id="B1") == {"received": n}


def test_update_requests_in_bulk(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s)
        ids = add_requests(s, n=5)
        assert requests.update_requests(s, batch_id="B1", updates=[
            {"request_id": ids[0], "status": "refused", "reason_codes": ["NAME_MISSING"]},
            {"request_id": ids[1], "status": "refused", "reason_codes": ["ADDRESS_ZIP_ONLY"]},
            {"request_id": ids[2], "status": "eligible"},
        ]) == 3
    with store.reader() as s:
        assert requests.count_by_status(s, batch_id="B1") == {"refused": 2, "eligible": 1,
                                                                "received": 2}
        r0 = requests.require_request(s, batch_id="B1", request_id=ids[0])
        assert r0.reason_codes == ["NAME_MISSING"]
        refused = list(requests.iter_requests(s, batch_id="B1", statuses=["refused"]))
        assert [r["request_id"] for r in refused] == ids[:2]
    with pytest.raises(InputError, match="unknown request update field"), \
            store.transaction() as s:
        requests.update_requests(s, batch_id="B1", updates=[{"request_id": ids[0], "tin": "1"}])


def test_request_rows_are_checked(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s)
    with pytest.raises(InputError, match="unknown request field"), store.transaction() as s:
        requests.insert_requests(s, batch_id="B1", rows=[{"request_id": "R", "seq": 0,
                                                          "shoe_size": 9}])
    with pytest.raises(InputError, match="needs request_id and seq"), store.transaction() as s:
        requests.insert_requests(s, batch_id="B1", rows=[{"request_id": "R"}])
    with pytest.raises(InputError, match="unknown request status"), store.transaction() as s:
        requests.insert_requests(s, batch_id="B1", rows=[{"request_id": "R", "seq": 0,
                                                          "status": "maybe"}])


def test_refused_before_unchanged(store: Store) -> None:
    with store.transaction() as s:
        add_batch(s, "B1")
        add_batch(s, "B2")
        add_requests(s, "B1", n=1, status="refused")
        add_requests(s, "B2", n=1)
        fp = digest(10**6)
        assert requests.find_refused_before(s, fingerprint=fp).batch_id == "B1"
        assert requests.find_refused_before(s, fingerprint=fp, exclude_batch_id="B1") is None
