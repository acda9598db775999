"""Checkpoints exported outside the store: the file only grows, and `dgw ledger verify`
names a store rolled back behind it (exit code 11) on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app
from disclosure_gateway.errors import RollbackDetected, VerificationError
from disclosure_gateway.keys import KeyPair, new_keypair, write_keypair
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.ledger.log import Ledger, NewEvent
from disclosure_gateway.ledger.witness import FORMAT, append_export, read_export
from disclosure_gateway.store.engine import Store

runner = CliRunner()
T0 = datetime(2025, 6, 1, tzinfo=UTC)


def _events(store: Store, n: int, tag: str) -> None:
    with store.transaction() as s:
        Ledger(store).append_many(s, [NewEvent(EventType.RECORD_REFUSED,
                                               {"request_id": f"{tag}{i}",
                                                "reason_codes": ["NAME_MISSING"]})
                                      for i in range(n)], time=T0)


def _head(store: Store) -> dict[str, Any]:
    with store.engine.connect() as c:
        return dict(c.execute(text("SELECT size, last_leaf_hash, frontier FROM ledger_head"))
                    .one()._mapping)


def _roll_back(store: Store, head: dict[str, Any]) -> None:
    """The store as a backup taken at ``head`` would restore it: consistent, but older."""
    with store.engine.begin() as c:
        c.execute(text("DELETE FROM ledger_leaves WHERE idx >= :n"), {"n": head["size"]})
        c.execute(text("DELETE FROM checkpoints WHERE tree_size >= :n"), {"n": head["size"]})
        c.execute(text("UPDATE ledger_head SET size = :size, last_leaf_hash = :last_leaf_hash, "
                       "frontier = :frontier"), head)


Run = Callable[..., tuple[int, str, str]]  # the ``dgw`` fixture of tests/conftest.py


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write_keypair(new_keypair("custodian"), root / "keys")
    return root


def _checkpoint(ws: Path, db_url: str, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["ledger", "checkpoint", "-w", str(ws), "--db", db_url,
                                 "--json", *extra])
    assert result.exit_code == 0, (result.output, result.exception)
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_a_store_behind_or_beside_its_exported_checkpoints_is_a_rollback(
        ws: Path, db_url: str, store: Store, dgw: Run) -> None:
    def verify(*extra: str) -> tuple[int, str]:
        code, _, err = dgw("ledger", "verify", "-w", str(ws), "--db", db_url, *extra)
        return code, err

    _events(store, 5, "A")
    _checkpoint(ws, db_url)  # size 5; leaf 5 is its event
    backup = _head(store)
    _events(store, 4, "B")
    _checkpoint(ws, db_url)  # size 10, exported to the workspace's witness file
    assert [c.tree_size for c in read_export(ws / "witness" / "checkpoints.json")[1]] == [5, 10]
    assert verify()[0] == 0

    _roll_back(store, backup)
    code, err = verify()
    assert code == RollbackDetected.exit_code == 11, err
    assert err.count("\n") == 1
    assert "the store's log has 6 leaves, but the checkpoint of 10 leaves exported at " in err

    # It grows again past the exported size, with other events: still caught, by the
    # consistency proof from the exported checkpoint to the store's tree.
    _events(store, 7, "C")
    code, err = verify()
    assert code == 11, err
    assert "does not extend the checkpoint of 10 leaves exported at" in err
    # Signing a new checkpoint does not overwrite the evidence: the file only grows.
    _checkpoint(ws, db_url)
    assert [c.tree_size for c in read_export(ws / "witness" / "checkpoints.json")[1]] == [5, 10,
                                                                                          13]
    assert verify()[0] == 11


def test_a_witness_file_from_elsewhere_is_compared_too(ws: Path, db_url: str, store: Store,
                                                       tmp_path: Path, dgw: Run) -> None:
    _events(store, 3, "A")
    backup = _head(store)
    _events(store, 3, "B")
    outside = tmp_path / "witness-copy.json"
    _checkpoint(ws, db_url, "--export", str(outside))
    (ws / "witness" / "checkpoints.json").unlink()
    _roll_back(store, backup)
    where = ("-w", str(ws), "--db", db_url)
    assert dgw("ledger", "verify", *where)[0] == 0  # the workspace's own file is gone
    code, _, err = dgw("ledger", "verify", *where, "--witness", str(outside))
    assert code == 11 and "the store's log has 3 leaves" in err


def _cp_doc(key: KeyPair, store: Store) -> Any:
    _events(store, 2, "A")
    return Ledger(store).checkpoint(key, time=T0)


def test_the_export_only_grows_and_is_never_rewritten(tmp_path: Path, store: Store) -> None:
    key = new_keypair("custodian")
    led = Ledger(store)
    first = _cp_doc(key, store)
    path = tmp_path / "w" / "checkpoints.json"
    assert append_export(path, origin=first.origin, checkpoints=[first]) == 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_bytes()
    assert append_export(path, origin=first.origin, checkpoints=[first]) == 0
    assert path.read_bytes() == before
    _events(store, 2, "B")
    second = led.checkpoint(key, time=T0)
    # given everything again (and in any order): only the new one is added, the old
    # entry stays byte for byte
    assert append_export(path, origin=first.origin, checkpoints=[second, first]) == 1
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT
    assert [c["tree_size"] for c in doc["checkpoints"]] == [first.tree_size, second.tree_size]
    assert doc["checkpoints"][0] == json.loads(before)["checkpoints"][0]
    # another log's checkpoints are not mixed in: the file stays evidence of the first
    assert append_export(path, origin="disclosure-gateway/ledger/other",
                         checkpoints=[second]) == 0
    assert not list(path.parent.glob("*.tmp"))


def test_an_unreadable_export_is_named(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    path.write_text("{not json")
    with pytest.raises(VerificationError, match="exported checkpoints are not JSON") as e:
        read_export(path)
    assert e.value.where == str(path)
    path.write_text(json.dumps({"format": FORMAT, "checkpoints": [{"tree_size": 1}]}))
    with pytest.raises(VerificationError, match="entry 0: a checkpoint has the fields"):
        read_export(path)
