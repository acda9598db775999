"""Signed checkpoints: both signatures, the C2SP signed note, tampering."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime

import pytest

from disclosure_gateway.errors import VerificationError
from disclosure_gateway.keys import KeyPair, new_keypair
from disclosure_gateway.ledger.checkpoint import (
    Checkpoint,
    note_key_hash,
    parse_note,
    sign_checkpoint,
    verify_checkpoint,
)

ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
T = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return new_keypair("custodian")


def _cp(key: KeyPair) -> Checkpoint:
    return sign_checkpoint(key=key, origin="example.org/log", tree_size=8, root=ROOT, time=T)


def test_a_signed_checkpoint_verifies_with_and_without_the_key(key: KeyPair) -> None:
    cp = _cp(key)
    verify_checkpoint(cp)
    verify_checkpoint(cp, public_key=key.public)
    assert cp.time == "2025-06-01T12:00:00.000000Z"
    assert Checkpoint.from_json(cp.to_json()) == cp


@pytest.mark.parametrize(("field", "value"), [
    ("tree_size", 9), ("root_hash", "00" * 32), ("time", "2025-06-01T12:00:01.000000Z"),
    ("origin", "example.org/other"),
])
def test_changing_any_signed_field_breaks_the_signature(key: KeyPair, field: str,
                                                        value: object) -> None:
    bad = dataclasses.replace(_cp(key), **{field: value})
    with pytest.raises(VerificationError, match="signature does not verify"):
        verify_checkpoint(bad, public_key=key.public)


def test_one_flipped_signature_bit_fails(key: KeyPair) -> None:
    cp = _cp(key)
    for field in ("signature", "note_signature"):
        raw = bytearray(base64.b64decode(getattr(cp, field)))
        raw[10] ^= 0x04
        bad = dataclasses.replace(cp, **{field: base64.b64encode(bytes(raw)).decode()})
        with pytest.raises(VerificationError, match="does not verify"):
            verify_checkpoint(bad)


def test_another_key_is_refused(key: KeyPair) -> None:
    other = new_keypair("mallory")
    forged = sign_checkpoint(key=other, origin="example.org/log", tree_size=8, root=ROOT, time=T)
    verify_checkpoint(forged)  # intact...
    with pytest.raises(VerificationError, match="not by the custodian key"):
        verify_checkpoint(forged, public_key=key.public)  # ...but not the custodian's
    swapped = dataclasses.replace(forged, key_id=key.key_id)
    with pytest.raises(VerificationError, match="does not name the key it carries"):
        verify_checkpoint(swapped)


def test_signed_note_is_c2sp_shaped_and_verifies(key: KeyPair) -> None:
    note = _cp(key).note()
    body, sig = note.split("\n\n")
    assert body == f"example.org/log\n8\n{base64.b64encode(ROOT).decode()}"
    assert sig.startswith("\u2014 example.org/log ") and sig.endswith("\n")
    blob = base64.b64decode(sig.split(" ")[2])
    assert blob[:4] == note_key_hash("example.org/log", key.public) and len(blob) == 68
    assert parse_note(note, public_key=key.public) == ("example.org/log", 8, ROOT)
    with pytest.raises(VerificationError, match="does not verify"):
        parse_note(note.replace("\n8\n", "\n9\n"), public_key=key.public)
    with pytest.raises(VerificationError, match="no signature by the given key"):
        parse_note(note, public_key=new_keypair("x").public)


def test_from_json_refuses_missing_or_mistyped_fields(key: KeyPair) -> None:
    doc = _cp(key).to_json()
    with pytest.raises(VerificationError, match="has the fields"):
        Checkpoint.from_json({k: v for k, v in doc.items() if k != "signature"})
    with pytest.raises(VerificationError, match="tree_size must be an integer"):
        Checkpoint.from_json({**doc, "tree_size": "8"})
