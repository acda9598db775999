"""The log on the store, on SQLite and PostgreSQL: appends, checkpoints, proofs, and
tampering with the database directly (edit, delete, reorder, truncate, rewrite)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from disclosure_gateway.errors import InputError, VerificationError
from disclosure_gateway.keys import KeyPair, new_keypair
from disclosure_gateway.ledger import merkle
from disclosure_gateway.ledger.events import EventType, decode_event, encode_event
from disclosure_gateway.ledger.log import Ledger, NewEvent
from disclosure_gateway.ledger.proofs import verify_proof
from disclosure_gateway.store import answers, batches, requests
from disclosure_gateway.store.engine import Store

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return new_keypair("custodian")


def _events(start: int, stop: int) -> list[NewEvent]:
    return [NewEvent(EventType.MATCH_DECIDED, {"request_id": f"R{i}", "p": i / 100})
            for i in range(start, stop)]


@pytest.fixture
def built(store: Store, key: KeyPair) -> Iterator[Ledger]:
    """40 leaves: checkpoints at sizes 10 and 25 (their events are leaves 10 and 25)."""
    led = Ledger(store)
    with store.transaction() as s:
        led.append_many(s, _events(0, 10), time=T0)
    led.checkpoint(key, time=T0)
    with store.transaction() as s:
        led.append_many(s, _events(11, 25), time=T0)
    led.checkpoint(key, time=T0)
    with store.transaction() as s:
        led.append_many(s, _events(26, 40), time=T0)
    yield led


def _sql(store: Store, sql: str, **params: Any) -> list[Any]:
    with store.engine.begin() as c:
        result = c.execute(text(sql), params)
        return list(result) if result.returns_rows else []


def _leaf(store: Store, idx: int) -> tuple[bytes, bytes]:
    (row,) = _sql(store, "SELECT payload, leaf_hash FROM ledger_leaves WHERE idx = :i", i=idx)
    return bytes(row[0]), bytes(row[1])


def _set_leaf(store: Store, idx: int, payload: bytes, leaf_hash: bytes | None = None) -> None:
    _sql(store, "UPDATE ledger_leaves SET payload = :p, leaf_hash = :h WHERE idx = :i",
         p=payload, h=leaf_hash if leaf_hash is not None else _leaf(store, idx)[1], i=idx)


def _verify_fails_at(led: Ledger, index: int | None, match: str,
                     key: KeyPair | None = None) -> None:
    with pytest.raises(VerificationError, match=match) as e:
        led.verify(trusted_keys=[key.public] if key else None)
    assert e.value.index == index


# --- appending -----------------------------------------------------------------------

def test_indices_run_on_across_transactions_and_verify(built: Ledger, key: KeyPair) -> None:
    report = built.verify(trusted_keys=[key.public])
    assert (report.tree_size, report.checkpoints, report.latest_checkpoint,
            report.unwitnessed, report.keys_trusted) == (40, 2, 25, 15, True)
    assert report.root_hash == built.head().root_hash
    leaves = built.leaves(9, 3)
    assert [lf.index for lf in leaves] == [9, 10, 11]
    assert leaves[1].event.type == "checkpoint"
    assert leaves[1].event.payload["tree_size"] == 10
    assert [lf.event.payload["request_id"] for lf in built.leaves(0, 40, type="match_decided")][
        :3] == ["R0", "R1", "R2"]


def test_head_root_equals_the_root_recomputed_from_leaves(built: Ledger, store: Store) -> None:
    hashes = [bytes(r[0]) for r in _sql(store, "SELECT leaf_hash FROM ledger_leaves ORDER BY idx")]
    assert built.head().root_hash == merkle.root_of(hashes).hex()
    assert built.head().size == 40


def test_keyed_append_is_idempotent(store: Store) -> None:
    led = Ledger(store)
    with store.transaction() as s:
        a = led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1")
        b = led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1")
    with store.transaction() as s:
        c = led.append_many(s, [NewEvent(EventType.BATCH_RECEIVED, {"batch_id": "B1"},
                                         key="batch:B1"),
                                NewEvent(EventType.BATCH_RECEIVED, {"batch_id": "B2"},
                                         key="batch:B2"),
                                NewEvent(EventType.BATCH_RECEIVED, {"batch_id": "B2"},
                                         key="batch:B2")])
    assert (a, b, c) == (0, 0, [0, 1, 1])
    assert led.head().size == 2
    led.verify()


def test_a_failed_transaction_leaves_neither_store_row_nor_leaf(store: Store) -> None:
    led = Ledger(store)
    with store.transaction() as s:
        led.append(s, EventType.AGREEMENT_LOADED, {"agreement_hash": "a" * 64})
    with pytest.raises(RuntimeError, match="crash"), store.transaction() as s:
        batches.insert_batch(s, batch_id="B1", agreement_id="A", agreement_hash="a" * 64,
                             requester_key_id="0" * 16, manifest_created=T0, received_at=T0,
                             records_sha256="b" * 64, record_count=1)
        led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1")
        raise RuntimeError("crash between the write and the commit")
    with store.reader() as s:
        assert batches.get_batch(s, batch_id="B1") is None
    assert led.head().size == 1
    with store.transaction() as s:  # the rerun logs it once
        assert batches.insert_batch(s, batch_id="B1", agreement_id="A", agreement_hash="a" * 64,
                                    requester_key_id="0" * 16, manifest_created=T0,
                                    received_at=T0, records_sha256="b" * 64, record_count=1)
        assert led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1") == 1
    led.verify()


def test_answer_and_its_leaf_commit_together(store: Store) -> None:
    """The resume pattern the pipeline uses: write the answer if absent, log it once."""
    led = Ledger(store)
    with store.transaction() as s:
        batches.insert_batch(s, batch_id="B1", agreement_id="A", agreement_hash="a" * 64,
                             requester_key_id="0" * 16, manifest_created=T0, received_at=T0,
                             records_sha256="b" * 64, record_count=1)
        requests.insert_requests(s, batch_id="B1", rows=[{"request_id": "R1", "seq": 0}])
    for _ in range(3):  # three runs, one answer, one leaf
        with store.transaction() as s:
            idx = led.append(s, EventType.ANSWER_ISSUED, {"batch_id": "B1", "request_id": "R1",
                                                          "code": "NOT_CONFIRMED"},
                             key="answer:B1:R1:1")
            answers.insert_answer(s, batch_id="B1", request_id="R1", response_version=1,
                                  code="NOT_CONFIRMED", issued_at=T0, leaf_index=idx)
    assert led.head().size == 1
    with store.reader() as s:
        ans = answers.get_answer(s, batch_id="B1", request_id="R1")
        assert ans is not None and ans.leaf_index == 0


def test_personal_data_never_reaches_a_leaf(store: Store) -> None:
    led = Ledger(store)
    with pytest.raises(InputError, match="personal field 'tin'"), store.transaction() as s:
        led.append(s, EventType.MATCH_DECIDED, {"request_id": "R1", "tin": "123456789"})
    assert led.head().size == 0


def test_concurrent_appenders_get_distinct_consecutive_indices(store: Store) -> None:
    led = Ledger(store)
    got: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                with store.transaction() as s:
                    idx = led.append(s, EventType.STAFF_VIEWED_RECORD,
                                     {"worker": worker, "i": i})
                with lock:
                    got.append(idx)
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(100))
    led.verify()


def test_checkpoint_signs_the_tree_before_its_own_event(built: Ledger, key: KeyPair) -> None:
    cps = built.checkpoints()
    assert [cp.tree_size for cp in cps] == [10, 25]
    with built.store.reader() as s:
        data = built.leaf_data(10, s)
    event = decode_event(data)
    assert event.payload == {"tree_size": 10, "root_hash": cps[0].root_hash,
                             "key_id": key.key_id, "signature": cps[0].signature}


def test_export_checkpoints_for_a_witness(built: Ledger, key: KeyPair, tmp_path: Any) -> None:
    import json

    from disclosure_gateway.ledger.checkpoint import parse_note

    path = tmp_path / "witness" / "checkpoints.json"
    assert built.export_checkpoints(path) == 2
    doc = json.loads(path.read_text())
    assert doc["public_keys"] == {key.key_id: key.public_b64}
    origin, size, root = parse_note(doc["checkpoints"][1]["note"], public_key=key.public)
    assert (origin, size, root.hex()) == (doc["origin"], 25, doc["checkpoints"][1]["root_hash"])


# --- proofs ----------------------------------------------------------------------------

def test_every_leaf_proves_into_its_signed_checkpoint(built: Ledger, key: KeyPair) -> None:
    for i in range(25):
        proof = built.prove(i)
        assert proof.tree_size == (25 if i < 25 else 40)
        verify_proof(proof.to_json(), public_key=key.public, require_signed=True)


def test_a_leaf_after_the_last_checkpoint_proves_into_the_unsigned_head(built: Ledger,
                                                                         key: KeyPair) -> None:
    proof = built.prove(30)
    assert (proof.tree_size, proof.checkpoint) == (40, None)
    verify_proof(proof.to_json(), public_key=key.public)
    with pytest.raises(VerificationError, match="no signed checkpoint for tree size 40"):
        verify_proof(proof.to_json(), public_key=key.public, require_signed=True)


def test_consistency_between_checkpoints(built: Ledger, key: KeyPair) -> None:
    proof = built.consistency(10)
    assert (proof.old_size, proof.new_size) == (10, 25)
    verify_proof(proof.to_json(), public_key=key.public, require_signed=True)
    whole = built.consistency(3, 40)
    verify_proof(whole.to_json())


def test_proof_with_a_changed_leaf_or_path_fails(built: Ledger, key: KeyPair) -> None:
    doc = built.prove(7).to_json()
    tampered = dict(doc, leaf_data=doc["leaf_data"].replace('"R7"', '"R8"'))
    with pytest.raises(VerificationError, match="does not hash to leaf_hash"):
        verify_proof(tampered, public_key=key.public)
    path = list(doc["path"])
    path[2] = ("0" if path[2][0] != "0" else "1") + path[2][1:]
    with pytest.raises(VerificationError, match="leads to root"):
        verify_proof(dict(doc, path=path), public_key=key.public)
    other = dict(built.prove(7, 40).to_json(), checkpoint=doc["checkpoint"])
    with pytest.raises(VerificationError, match="checkpoint is for another tree"):
        verify_proof(other, public_key=key.public)


def test_proof_arguments_outside_the_log_are_refused(built: Ledger) -> None:
    with pytest.raises(InputError, match="no leaf 40 in a tree of size 40"):
        built.prove(40)
    with pytest.raises(InputError, match="from size 30 to 25"):
        built.consistency(30, 25)


# --- tampering with the database ------------------------------------------------------

def test_edit_a_leaf(built: Ledger, store: Store, key: KeyPair) -> None:
    data, _ = _leaf(store, 17)
    _set_leaf(store, 17, data.replace(b'"R17"', b'"R99"'))
    _verify_fails_at(built, 17, "leaf 17 was changed", key)


def test_edit_a_leaf_and_its_stored_hash(built: Ledger, store: Store, key: KeyPair) -> None:
    data, _ = _leaf(store, 17)
    forged = data.replace(b'"R17"', b'"R99"')
    _set_leaf(store, 17, forged, merkle.leaf_hash(forged))
    _verify_fails_at(built, 17, "leaf 17 was changed after leaf 18 was logged", key)


def test_edit_the_last_leaf_and_its_stored_hash(built: Ledger, store: Store, key: KeyPair) -> None:
    data, _ = _leaf(store, 39)
    forged = data.replace(b'"R39"', b'"R99"')
    _set_leaf(store, 39, forged, merkle.leaf_hash(forged))
    _verify_fails_at(built, 39, "head's last leaf hash", key)


def test_edit_a_stored_leaf_hash_only(built: Ledger, store: Store, key: KeyPair) -> None:
    data, _ = _leaf(store, 3)
    _set_leaf(store, 3, data, bytes(32))
    _verify_fails_at(built, 3, "leaf 3 was changed", key)


def test_delete_a_leaf(built: Ledger, store: Store, key: KeyPair) -> None:
    _sql(store, "DELETE FROM ledger_leaves WHERE idx = 17")
    _verify_fails_at(built, 17, "leaf 17 is missing", key)


def test_delete_a_leaf_and_renumber_the_rest(built: Ledger, store: Store, key: KeyPair) -> None:
    _sql(store, "DELETE FROM ledger_leaves WHERE idx = 17")
    for i in range(18, 40):
        _sql(store, "UPDATE ledger_leaves SET idx = :n WHERE idx = :i", n=i - 1, i=i)
    _verify_fails_at(built, 17, "leaf 17 holds the event logged as leaf 18", key)


def test_reorder_two_leaves(built: Ledger, store: Store, key: KeyPair) -> None:
    a, b = _leaf(store, 12), _leaf(store, 20)
    _set_leaf(store, 12, *b)
    _set_leaf(store, 20, *a)
    _verify_fails_at(built, 12, "leaf 12 holds the event logged as leaf 20", key)


def test_truncate_the_log(built: Ledger, store: Store, key: KeyPair) -> None:
    _sql(store, "DELETE FROM ledger_leaves WHERE idx >= 30")
    _verify_fails_at(built, 30, "leaves 30 to 39 are missing: the log was truncated", key)


def test_truncate_below_a_checkpoint_and_fix_the_head(built: Ledger, store: Store,
                                                      key: KeyPair) -> None:
    _sql(store, "DELETE FROM ledger_leaves WHERE idx >= 20")
    hashes = [bytes(r[0]) for r in _sql(store, "SELECT leaf_hash FROM ledger_leaves ORDER BY idx")]
    cr = merkle.CompactRange()
    for h in hashes:
        cr.append(h)
    _sql(store, "UPDATE ledger_head SET size = 20, last_leaf_hash = :h, frontier = :f",
         h=hashes[-1], f=b"".join(cr.nodes))
    _verify_fails_at(built, 20, "checkpoint at tree size 25 covers leaves that are gone", key)


def test_add_a_leaf_beyond_the_head(built: Ledger, store: Store, key: KeyPair) -> None:
    data, h = _leaf(store, 5)
    _sql(store, "INSERT INTO ledger_leaves (idx, leaf_hash, payload, event_type, time) "
                "VALUES (40, :h, :p, 'match_decided', :t)", h=h, p=data, t=T0)
    _verify_fails_at(built, 40, "beyond the head", key)


def _rewrite_from(store: Store, start: int, size: int) -> None:
    """A careful tamperer: rewrite leaf ``start`` and re-chain everything after it."""
    prev = _leaf(store, start - 1)[1]
    cr = merkle.CompactRange()
    for (h,) in _sql(store, "SELECT leaf_hash FROM ledger_leaves WHERE idx < :s ORDER BY idx",
                     s=start):
        cr.append(bytes(h))
    for i in range(start, size):
        ev = decode_event(_leaf(store, i)[0])
        payload = dict(ev.payload)
        if i == start:
            payload["request_id"] = "R-forged"
        data = encode_event(seq=i, prev=prev.hex(), type=ev.type, time=ev.time, payload=payload)
        prev = merkle.leaf_hash(data)
        _set_leaf(store, i, data, prev)
        cr.append(prev)
    _sql(store, "UPDATE ledger_head SET last_leaf_hash = :h, frontier = :f", h=prev,
         f=b"".join(cr.nodes))


def test_consistent_rewrite_is_caught_by_the_signed_root(built: Ledger, store: Store,
                                                         key: KeyPair) -> None:
    _rewrite_from(store, 15, 40)
    _verify_fails_at(built, 10, "no longer match the signed checkpoint at tree size 25: "
                                "leaves from index 10 on", key)
    with pytest.raises(VerificationError, match="no longer match the checkpoint at size 25"):
        built.prove(3)


def test_consistent_rewrite_after_the_last_checkpoint_is_unwitnessed(built: Ledger,
                                                                     store: Store,
                                                                     key: KeyPair) -> None:
    """What no log can catch: leaves nobody signed yet. The report says how many."""
    _rewrite_from(store, 30, 40)
    report = built.verify(trusted_keys=[key.public])
    assert report.unwitnessed == 15


def test_tampered_checkpoint_signature(built: Ledger, store: Store, key: KeyPair) -> None:
    (sig,) = _sql(store, "SELECT signature FROM checkpoints WHERE tree_size = 25")[0]
    raw = bytearray(base64.b64decode(sig))
    raw[0] ^= 1
    _sql(store, "UPDATE checkpoints SET signature = :s WHERE tree_size = 25",
         s=base64.b64encode(bytes(raw)).decode())
    _verify_fails_at(built, 25, "checkpoint at tree size 25: signature does not verify", key)


def test_tampered_checkpoint_root(built: Ledger, store: Store, key: KeyPair) -> None:
    _sql(store, "UPDATE checkpoints SET root_hash = :r WHERE tree_size = 10", r="ab" * 32)
    _verify_fails_at(built, 10, "signature does not verify", key)


def test_deleted_checkpoint_row(built: Ledger, store: Store, key: KeyPair) -> None:
    _sql(store, "DELETE FROM checkpoints WHERE tree_size = 10")
    _verify_fails_at(built, 10, "checkpoint at tree size 10 \\(logged in leaf 10\\) was deleted",
                     key)


def test_checkpoints_by_an_untrusted_key(built: Ledger) -> None:
    other = new_keypair("other")
    with pytest.raises(VerificationError, match="not a trusted custodian key") as e:
        built.verify(trusted_keys=[other.public])
    assert e.value.index == 10


def test_leaf_rows_read_back_through_the_models(store: Store) -> None:
    """append_many writes rows with the DBAPI directly; the ORM must read them as written."""
    from datetime import timedelta, timezone

    from sqlalchemy import select

    from disclosure_gateway.store.models import LedgerLeaf

    led = Ledger(store)
    local = datetime(2025, 6, 1, 7, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with store.transaction() as s:
        led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1", time=local)
    with store.reader() as s:
        row = s.scalars(select(LedgerLeaf)).one()
    assert (row.idx, row.event_type, row.event_key, row.time) == (
        0, "batch_received", "batch:B1", T0.replace(microsecond=123456))
    assert row.leaf_hash == merkle.leaf_hash(row.payload)


def test_append_many_streams_a_generator_across_pages(store: Store) -> None:
    led = Ledger(store)

    def events() -> Iterator[NewEvent]:
        for i in range(25_003):
            key = "dup" if i in (5, 20_001) else None
            yield NewEvent(EventType.RECORD_REFUSED, {"request_id": f"R{i}"}, key=key)

    with store.transaction() as s:
        got = led.append_many(s, events(), time=T0)
    assert len(got) == 25_003
    assert got[20_001] == 5  # the key logged on the first page is found on the third
    assert got[-1] == 25_001 and led.head().size == 25_002
    led.verify()
