"""Opening the store: migrations on both backends, models == migrations, SQLite pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from disclosure_gateway.errors import InputError
from disclosure_gateway.store.engine import (
    Store,
    alembic_config,
    current_revision,
    downgrade,
    normalise_url,
    open_store,
    upgrade,
)
from disclosure_gateway.store.models import Base

# Later revisions may add tables of their own (e.g. the gate's request_history).
TABLES = {"batches", "requests", "decisions", "review_items", "review_decisions", "answers",
          "disclosures", "retractions", "disposals", "users", "api_nonces", "ledger_leaves",
          "ledger_head", "checkpoints", "alembic_version"}


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_upgrade_creates_every_table_at_head(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    assert current_revision(store.engine) == _head()


def test_models_and_migrations_agree(store: Store) -> None:
    """Every mapped model is exactly what the migrations built (tables, columns, types,
    indexes, constraints); tables that only later revisions own are left to them."""
    ours = set(Base.metadata.tables)

    def include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
                ) -> bool:
        return type_ != "table" or name in ours

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "include_object": include})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_migrations_go_down_and_up_again(store: Store) -> None:
    downgrade(store.engine, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(store.engine) is None
    upgrade(store.engine)
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    assert current_revision(store.engine) == _head()


def test_opening_twice_is_harmless_and_keeps_the_log_origin(db_url: str) -> None:
    with open_store(db_url, create=True) as a, a.engine.connect() as c:
        origin = c.execute(text("SELECT origin FROM ledger_head")).scalar_one()
    with open_store(db_url) as b, b.engine.connect() as c:
        assert c.execute(text("SELECT origin FROM ledger_head")).scalar_one() == origin
        assert origin.startswith("disclosure-gateway/ledger/")


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'sub' / 's.sqlite'}", create=True) as st, \
            st.reader() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_foreign_keys_are_enforced(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    from disclosure_gateway.store import requests

    with pytest.raises(IntegrityError), store.transaction() as s:
        requests.insert_requests(s, batch_id="no-such-batch", rows=[{"request_id": "R", "seq": 0}])


@pytest.mark.parametrize(("given", "want"), [
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
])
def test_url_normalisation(given: str, want: str) -> None:
    assert normalise_url(given) == want


def test_unsupported_or_unreachable_databases_are_input_errors() -> None:
    with pytest.raises(InputError, match="unsupported database 'mysql'"):
        normalise_url("mysql://u@h/db")
    with pytest.raises(InputError, match="not a database URL"):
        normalise_url("not a url")
    with pytest.raises(InputError, match="cannot open the database"):
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


@pytest.mark.timeout(25)
def test_opening_and_reading_never_wait_for_a_writer(tmp_path: Path) -> None:
    """A long pipeline transaction holds SQLite's write lock; verify must still run."""
    from disclosure_gateway.ledger.events import EventType
    from disclosure_gateway.ledger.log import Ledger

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with open_store(url, create=True) as writer, writer.transaction() as s:
        Ledger(writer).append(s, EventType.AGREEMENT_LOADED, {"agreement_hash": "a" * 64})
        with open_store(url) as reader:  # would wait out the 30 s busy timeout if it locked
            led = Ledger(reader)
            assert led.head().size == 0  # the uncommitted leaf is invisible
            assert led.verify().tree_size == 0
