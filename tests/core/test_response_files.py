"""Signed response files: written private and atomically, read back and verified, and
compared with the responses the ledger logged (what `dgw ledger verify` does last)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from disclosure_gateway.errors import ResponsesDisagree
from disclosure_gateway.keys import KeyPair, new_keypair
from disclosure_gateway.response_files import (
    RESPONSE_CSV,
    RESPONSE_MANIFEST,
    compare_with_log,
    read_response,
    responses_on_disk,
    write_response,
)

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def _write(root: Path, batch: str, key: KeyPair, version: int = 1,
           answer: str = "NOT_CONFIRMED") -> str:
    manifest = write_response(
        root / batch, batch_id=batch, agreement_id="A", agreement_hash="a" * 64,
        mode="confirm_address", version=version, issued=T0,
        rows=[{"request_id": "R1", "answer": answer, "reason_codes": ""}], key=key)
    return str(manifest["response_sha256"])


@pytest.fixture
def key() -> KeyPair:
    return new_keypair("custodian")


def test_response_files_are_private_and_leave_no_temporary_file(tmp_path: Path,
                                                                key: KeyPair) -> None:
    _write(tmp_path / "responses", "B1", key)
    d = tmp_path / "responses" / "B1"
    assert sorted(p.name for p in d.iterdir()) == sorted(
        [RESPONSE_CSV, RESPONSE_MANIFEST, "response-manifest.sig"])
    assert {oct(p.stat().st_mode & 0o777) for p in d.iterdir()} == {"0o600"}
    assert oct(d.stat().st_mode & 0o777) == oct((tmp_path / "responses").stat().st_mode
                                                & 0o777) == "0o700"
    r = read_response(d, key.public)
    assert r is not None and (r.batch_id, r.version) == ("B1", 1)


def _compare(root: Path, logged: dict[str, dict[int, str]], versions: dict[str, int],
             key: KeyPair) -> None:
    compare_with_log(responses_on_disk(root, key.public), logged, versions, responses_dir=root,
                     reread=lambda b: read_response(root / b, key.public))


def test_responses_that_match_the_log_pass(tmp_path: Path, key: KeyPair) -> None:
    sha = _write(tmp_path, "B1", key, version=2)
    # earlier versions are logged too; only the latest is on disk
    _compare(tmp_path, {"B1": {1: "0" * 64, 2: sha}}, {"B1": 2}, key)


@pytest.mark.parametrize(("logged", "versions", "message"), [
    ({}, {}, "batch B1: its signed response (version 1, {d}) is not known to the store: "
     "the store lost the batch"),
    ({}, {"B1": 1}, "batch B1: response version 1 ({d}) is written but not in the ledger: "
     "its publishing was interrupted"),
    ({"B1": {1: "f" * 64}}, {"B1": 1}, "batch B1: the response on disk (version 1, {d}) is "
     "not the one the ledger logged for that version"),
    ({"B1": {1: "SHA", 2: "f" * 64}}, {"B1": 2}, "batch B1: response version 2 is in the "
     "ledger but {d} holds version 1"),
    ({"B1": {1: "SHA"}, "B2": {1: "f" * 64}}, {"B1": 1, "B2": 1}, "batch B2: response version 1 "
     "is in the ledger but its files are gone from {root}/B2"),
], ids=["lost-batch", "publish-interrupted", "other-digest", "older-on-disk", "gone"])
def test_each_disagreement_is_named(tmp_path: Path, key: KeyPair,
                                    logged: dict[str, dict[int, str]], versions: dict[str, int],
                                    message: str) -> None:
    sha = _write(tmp_path, "B1", key)
    logged = {b: {v: sha if h == "SHA" else h for v, h in vs.items()} for b, vs in logged.items()}
    with pytest.raises(ResponsesDisagree) as e:
        _compare(tmp_path, logged, versions, key)
    assert message.format(d=tmp_path / "B1", root=tmp_path) in e.value.describe()
    assert e.value.exit_code == 12


def test_a_response_file_changed_on_disk_is_named(tmp_path: Path, key: KeyPair) -> None:
    sha = _write(tmp_path, "B1", key)
    csv = tmp_path / "B1" / RESPONSE_CSV
    csv.write_text(csv.read_text().replace("NOT_CONFIRMED", "CONFIRMED"))
    with pytest.raises(ResponsesDisagree, match="the signed response does not verify: response "
                       "file does not match the signed digest") as e:
        _compare(tmp_path, {"B1": {1: sha}}, {"B1": 1}, key)
    assert e.value.where == str(csv)
