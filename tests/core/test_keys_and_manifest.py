"""Ed25519 keys and batch manifest signatures round-trip; any change breaks them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from disclosure_gateway.agreement import load_agreement
from disclosure_gateway.errors import InputError, SignatureError
from disclosure_gateway.intake.manifest import (
    build_manifest,
    read_manifest,
    read_signature,
    sign_batch,
    sign_manifest,
    verify_manifest_signature,
    write_manifest,
)
from disclosure_gateway.keys import load_private, load_public, new_keypair, write_keypair

REFERENCE = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"


def test_key_files_round_trip_with_private_mode_0600(tmp_path: Path) -> None:
    pair = new_keypair("alice")
    priv, pub = write_keypair(pair, tmp_path)
    assert stat.S_IMODE(priv.stat().st_mode) == 0o600
    loaded = load_private(priv)
    assert loaded.key_id == pair.key_id
    sig = loaded.sign(b"hello")
    load_public(pub).verify(sig, b"hello")


def test_existing_private_key_is_never_overwritten(tmp_path: Path) -> None:
    write_keypair(new_keypair("bob"), tmp_path)
    before = (tmp_path / "bob.key").read_bytes()
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_keypair(new_keypair("bob"), tmp_path)
    assert (tmp_path / "bob.key").read_bytes() == before


def test_load_private_refuses_non_pem(tmp_path: Path) -> None:
    p = tmp_path / "x.key"
    p.write_text("nope")
    with pytest.raises(InputError, match="not a PEM private key"):
        load_private(p)


def _batch(tmp_path: Path) -> Path:
    d = tmp_path / "batch"
    d.mkdir()
    (d / "records.csv").write_text("request_id,first_name\nr1,Ana\nr2,Luis\n", encoding="utf-8")
    agr = load_agreement(REFERENCE)
    write_manifest(d, build_manifest(d / "records.csv", agreement=agr, requester_key_id="0" * 16))
    return d


def test_sign_batch_recomputes_count_and_digest_and_verifies(tmp_path: Path) -> None:
    d = _batch(tmp_path)
    pair = new_keypair("dhs")
    m = sign_batch(d, pair)
    assert m.record_count == 2
    assert m.requester_key_id == pair.key_id
    again = read_manifest(d)
    verify_manifest_signature(again, read_signature(d), pair.public)


def test_signature_fails_for_any_manifest_change_or_other_key(tmp_path: Path) -> None:
    d = _batch(tmp_path)
    pair = new_keypair("dhs")
    m = sign_batch(d, pair)
    sig = read_signature(d)
    with pytest.raises(SignatureError):
        verify_manifest_signature(m.model_copy(update={"record_count": 3}), sig, pair.public)
    with pytest.raises(SignatureError):
        verify_manifest_signature(m, sig, new_keypair("other").public)


def test_resigning_after_records_change_updates_the_digest(tmp_path: Path) -> None:
    d = _batch(tmp_path)
    pair = new_keypair("dhs")
    first = sign_batch(d, pair)
    (d / "records.csv").write_text("request_id,first_name\nr1,Ana\n", encoding="utf-8")
    second = sign_batch(d, pair)
    assert second.records_sha256 != first.records_sha256
    assert second.record_count == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "0 bytes"), ("abc", "not base64"), ("QUJD\n", "3 bytes")],
)
def test_truncated_or_garbled_signature_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    d = _batch(tmp_path)
    (d / "manifest.sig").write_text(text)
    with pytest.raises(SignatureError, match=expected):
        read_signature(d)


def test_malformed_manifest_names_the_problem(tmp_path: Path) -> None:
    d = _batch(tmp_path)
    (d / "manifest.json").write_text('{"batch_id": ')
    with pytest.raises(InputError, match="not valid JSON"):
        read_manifest(d)
    (d / "manifest.json").write_text('{"batch_id": "x", "extra": 1}')
    with pytest.raises(InputError, match="extra: unknown field"):
        read_manifest(d)


def test_signature_file_is_detached_base64(tmp_path: Path) -> None:
    d = _batch(tmp_path)
    pair = new_keypair("dhs")
    m = read_manifest(d)
    sign_manifest(d, m, pair)
    assert len(read_signature(d)) == 64
