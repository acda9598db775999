"""`dgw ledger ...` on both backends: proofs round-trip through the printed JSON and the
offline verifier; tampering shows up as exit code 8 with the bad index named."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import InputError, VerificationError
from disclosure_gateway.keys import load_public, new_keypair, write_keypair
from disclosure_gateway.ledger.checkpoint import parse_note
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.ledger.log import Ledger, NewEvent
from disclosure_gateway.store.engine import Store

runner = CliRunner()
T0 = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def ws(tmp_path: Path, store: Store) -> Path:
    """A workspace with a custodian key, over a store holding 8 events."""
    root = tmp_path / "ws"
    write_keypair(new_keypair("custodian"), root / "keys")
    led = Ledger(store)
    with store.transaction() as s:
        led.append_many(s, [NewEvent(EventType.RECORD_REFUSED,
                                     {"request_id": f"R{i}", "reason_codes": ["NAME_MISSING"]})
                            for i in range(8)], time=T0)
    return root


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_checkpoint_prove_and_verify_proof(ws: Path, db_url: str, tmp_path: Path) -> None:
    cp = json.loads(_ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url, "--json"))
    assert cp["tree_size"] == 8
    proof_text = _ok("ledger", "prove", "-w", str(ws), "--db", db_url, "--leaf", "3")
    doc = json.loads(proof_text)
    assert (doc["kind"], doc["leaf_index"], doc["tree_size"]) == ("inclusion", 3, 8)
    assert doc["checkpoint"]["signature"] == cp["signature"]
    proof = tmp_path / "proof.json"
    proof.write_text(proof_text)
    out = json.loads(_ok("ledger", "verify-proof", str(proof), "--custodian-key",
                         str(ws / "keys" / "custodian.pub"), "--require-signed", "--json"))
    assert out == {"ok": True, "kind": "inclusion", "signed": True, "key_checked": True}


def test_consistency_written_to_a_file(ws: Path, db_url: str, tmp_path: Path) -> None:
    _ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url)
    out = tmp_path / "c.json"
    _ok("ledger", "consistency", "-w", str(ws), "--db", db_url, "--from", "3", "--out", str(out))
    doc = json.loads(out.read_text())
    assert (doc["old_size"], doc["new_size"], doc["new_checkpoint"]["tree_size"]) == (3, 8, 8)
    _ok("ledger", "verify-proof", str(out))


def test_a_tampered_proof_file_fails(ws: Path, db_url: str, tmp_path: Path) -> None:
    _ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url)
    doc = json.loads(_ok("ledger", "prove", "-w", str(ws), "--db", db_url, "--leaf", "5"))
    doc["path"][0] = ("f" if doc["path"][0][0] != "f" else "e") + doc["path"][0][1:]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = runner.invoke(app, ["ledger", "verify-proof", str(bad)])
    assert isinstance(result.exception, VerificationError)
    assert "inclusion proof for leaf 5 in a tree of size 8 leads to root" in str(result.exception)


def test_another_custodian_key_is_refused(ws: Path, db_url: str, tmp_path: Path) -> None:
    _ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url)
    proof = tmp_path / "p.json"
    _ok("ledger", "prove", "-w", str(ws), "--db", db_url, "--leaf", "1", "--out", str(proof))
    _, other = write_keypair(new_keypair("other"), tmp_path / "k")
    result = runner.invoke(app, ["ledger", "verify-proof", str(proof), "--custodian-key",
                                 str(other)])
    assert isinstance(result.exception, VerificationError)
    assert "not by the custodian key" in str(result.exception)


def test_verify_show_and_export(ws: Path, db_url: str, tmp_path: Path) -> None:
    export = tmp_path / "witness.json"
    _ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url, "--export", str(export))
    report = json.loads(_ok("ledger", "verify", "-w", str(ws), "--db", db_url, "--json"))
    assert (report["ok"], report["tree_size"], report["checkpoints"], report["keys_trusted"]) == (
        True, 9, 1, True)
    leaves = json.loads(_ok("ledger", "show", "-w", str(ws), "--db", db_url, "--from", "7",
                            "--json"))
    assert [(lf["index"], lf["type"]) for lf in leaves] == [(7, "record_refused"),
                                                            (8, "checkpoint")]
    note = json.loads(export.read_text())["checkpoints"][0]["note"]
    assert parse_note(note, public_key=load_public(ws / "keys" / "custodian.pub"))[1] == 8
    table = _ok("ledger", "show", "-w", str(ws), "--db", db_url, "--type", "checkpoint")
    assert "checkpoint" in table and "record_refused" not in table


def test_verify_names_the_tampered_leaf_with_exit_code_8(ws: Path, db_url: str,
                                                         store: Store) -> None:
    _ok("ledger", "checkpoint", "-w", str(ws), "--db", db_url)
    with store.engine.begin() as c:
        c.execute(text("DELETE FROM ledger_leaves WHERE idx = 4"))
    proc = subprocess.run([sys.executable, "-m", "disclosure_gateway.cli.main", "ledger",
                           "verify", "-w", str(ws), "--db", db_url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == VerificationError.exit_code == 8
    assert "leaf 4 is missing (the next stored leaf is 5)" in proc.stderr


def test_no_store_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ledger", "verify", "-w", str(tmp_path / "nowhere")])
    assert isinstance(result.exception, InputError)
    assert "no store here" in str(result.exception)
    assert not (tmp_path / "nowhere").exists()
