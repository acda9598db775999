"""The database's own integrity check, on both backends: a healthy store passes and says
what was checked; a damaged SQLite index is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from disclosure_gateway.errors import StoreDamaged
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.ledger.log import Ledger, NewEvent
from disclosure_gateway.store.engine import Store, open_store
from disclosure_gateway.store.integrity import check_integrity


def test_a_healthy_store_passes_and_says_what_was_checked(store: Store) -> None:
    full, quick = check_integrity(store), check_integrity(store, quick=True)
    if store.backend == "sqlite":
        assert (full.check, quick.check) == ("SQLite integrity_check", "SQLite quick_check")
        assert full.complete and quick.complete
    elif full.complete:  # amcheck was installable (the test server runs as a superuser)
        assert full.check.startswith("PostgreSQL amcheck: ")
        assert "every row in its indexes" in full.check
        assert "every row" not in quick.check
    else:
        assert "no page or index was checked" in full.check


def test_damaged_pages_are_named_with_their_table_or_index(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    with open_store(f"sqlite:///{db}", create=True) as st, st.transaction() as s:
        Ledger(st).append_many(s, [NewEvent(EventType.RECORD_REFUSED, {"request_id": f"R{i}"},
                                            key=f"key-{i}") for i in range(200)])
    with sqlite3.connect(db) as c:
        size = c.execute("PRAGMA page_size").fetchone()[0]
        index = "ix_ledger_leaves_event_type"
        pages = [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = ?", (index,))]
    with db.open("r+b") as f:
        for p in pages:
            f.seek((p - 1) * size)
            f.write(bytes([0xA5]) * size)
    with open_store(f"sqlite:///{db}") as st:
        for quick in (False, True):
            with pytest.raises(StoreDamaged, match=f"the store is damaged: SQLite's .*{index}: ") as e:
                check_integrity(st, quick=quick)
            assert e.value.where == str(db)
            assert "\n" not in e.value.describe()
