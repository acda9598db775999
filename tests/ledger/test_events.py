"""Event encoding, keyed hashes and the personal-data guard."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_gateway.errors import InputError, VerificationError
from disclosure_gateway.ledger.events import (
    EVENT_TYPES,
    GENESIS_PREV,
    EventType,
    _prepare,
    _Slow,
    check_payload,
    decode_event,
    encode_event,
    keyed_hash,
)

SECRET = bytes(range(32))
T = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_event_types_are_the_documented_stable_list() -> None:
    assert sorted(EVENT_TYPES) == sorted([
        "batch_received", "batch_refused", "signature_checked", "record_refused",
        "match_decided", "review_decided", "answer_issued", "response_issued",
        "agreement_loaded", "agreement_suspended", "agreement_resumed", "retraction",
        "disposal_certified", "retention_purged", "staff_viewed_record", "checkpoint",
        "login_locked"])


def test_keyed_hash_is_hmac_sha256_over_the_domain_kind_and_value() -> None:
    expected = hmac.new(SECRET, b"disclosure-gateway/keyed-hash/v1\x00tin\x00123456789",
                        hashlib.sha256).hexdigest()
    assert keyed_hash(SECRET, "tin", "123456789") == expected
    # golden: a change of construction would orphan every stored hash
    assert expected == "ad104f5557eea0de9412376c6478b71abea64fdaf3b00edc56ede6e7c6b9c1bb"


def test_keyed_hash_separates_kinds_and_secrets() -> None:
    a = keyed_hash(SECRET, "tin", "123456789")
    assert keyed_hash(SECRET, "subject", "123456789") != a
    assert keyed_hash(SECRET[::-1], "tin", "123456789") != a
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert keyed_hash(SECRET, "ab", "c") != keyed_hash(SECRET, "a", "bc")


def test_keyed_hash_refuses_a_short_secret_and_odd_kinds() -> None:
    with pytest.raises(InputError, match="at least 16 bytes"):
        keyed_hash(b"short", "tin", "1")
    with pytest.raises(InputError, match="short lower-case identifier"):
        keyed_hash(SECRET, "TIN\x00", "1")


def test_encoding_is_canonical_json_with_seq_and_prev() -> None:
    data = encode_event(seq=7, prev=GENESIS_PREV, type=EventType.BATCH_RECEIVED,
                        time=T.astimezone(timezone(timedelta(hours=-5))),
                        payload={"z": 1, "batch_id": "B1", "p": 0.5})
    assert data == (
        b'{"payload":{"batch_id":"B1","p":0.5,"z":1},"prev":"' + GENESIS_PREV.encode()
        + b'","seq":7,"time":"2025-06-01T12:00:00.123456Z","type":"batch_received"}')
    ev = decode_event(data)
    assert (ev.seq, ev.type, ev.time, ev.payload) == (
        7, "batch_received", "2025-06-01T12:00:00.123456Z", {"batch_id": "B1", "p": 0.5, "z": 1})


def test_encoding_refuses_unknown_types_naive_times_and_non_json() -> None:
    with pytest.raises(InputError, match="unknown event type 'coffee_break'"):
        encode_event(seq=0, prev=GENESIS_PREV, type="coffee_break", time=T, payload={})
    with pytest.raises(InputError, match="timezone-aware"):
        encode_event(seq=0, prev=GENESIS_PREV, type="checkpoint", time=T.replace(tzinfo=None),
                     payload={})
    with pytest.raises(InputError, match="not plain JSON"):
        encode_event(seq=0, prev=GENESIS_PREV, type="checkpoint", time=T,
                     payload={"x": float("nan")})


def test_guard_names_every_personal_field_at_any_depth() -> None:
    payload = {"batch_id": "B1", "tin": "x", "evidence": {"First_Name": "x"},
               "rows": [{"address_line1": "1 Main St"}], "dob": None}
    with pytest.raises(InputError) as e:
        check_payload(payload)
    msg = str(e.value)
    for path in ("tin:", "evidence.First_Name:", "rows[0].address_line1:", "dob:"):
        assert path in msg
    assert "batch_id" not in msg


def test_guard_refuses_tin_shaped_values_but_not_digests() -> None:
    with pytest.raises(InputError, match=r"note: a TIN-shaped value"):
        check_payload({"note": "123-45-6789"})
    with pytest.raises(InputError, match=r"ids\[1\]: a TIN-shaped value"):
        check_payload({"ids": ["R1", "123456789"]})
    check_payload({"tin_key": keyed_hash(SECRET, "tin", "123456789"), "zip5_count": 12345,
                   "request_id": "R-000123"})


def test_encode_applies_the_guard() -> None:
    with pytest.raises(InputError, match="personal field 'last_name'"):
        encode_event(seq=0, prev=GENESIS_PREV, type="match_decided", time=T,
                     payload={"last_name": "Doe"})


@pytest.mark.parametrize("data", [b"not json", b"[]", b'{"seq": 1}',
                                  b'{"seq":"1","prev":"","type":"x","time":"","payload":{}}'])
def test_decode_refuses_what_is_not_an_event(data: bytes) -> None:
    with pytest.raises(VerificationError):
        decode_event(data, index=3)


# --- the fast encoder is RFC 8785 -----------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([0.0, -0.0, 5.0, 1e-4, 9.9999e-5, 1e16, 1e21, 1e-7, 0.1, 1 / 3,
                               123456789.125, 2.5e-05, 0.99999, 1e15 + 0.5])
            | st.text())
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@settings(max_examples=500, derandomize=True)
@given(_json)
def test_fast_encoding_equals_rfc8785(value: object) -> None:
    payload = {"v": value}
    try:
        data = encode_event(seq=1, prev=GENESIS_PREV, type="checkpoint", time=T, payload=payload)
    except InputError:  # TIN-shaped text, surrogates, ...: refused either way
        return
    assert data == rfc8785.dumps({"seq": 1, "prev": GENESIS_PREV, "type": "checkpoint",
                                  "time": "2025-06-01T12:00:00.123456Z", "payload": payload})


def test_fast_path_takes_the_common_shapes() -> None:
    payload = {"p": 0.9987, "w": -3.0, "key": "a" * 64, "codes": ["X"], "n": None, "ok": True}
    assert _prepare(payload) == {**payload, "w": -3}
    for slow in ({"p": 2.5e-05}, {"é": 1}, {"big": 2**60}, {"t": datetime.now(UTC)}):
        with pytest.raises(_Slow):
            _prepare(slow)


def test_every_event_type_and_ledger_command_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "ledger.md").read_text(encoding="utf-8")
    missing = [t for t in sorted(EVENT_TYPES) if f"`{t}`" not in doc]
    assert missing == []
    for command in ("verify", "prove", "consistency", "checkpoint", "show", "verify-proof"):
        assert f"dgw ledger {command}" in doc
