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


# --- a store is opened, never made by mistake; private; damage is one line --------------

def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_missing_sqlite_store_is_refused_and_not_created(tmp_path: Path) -> None:
    typo = tmp_path / "stroe.sqlite"
    with pytest.raises(InputError, match="no store here; check --db") as e:
        open_store(f"sqlite:///{typo}")
    assert e.value.where == str(typo)
    assert not typo.exists()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(InputError, match="not a gateway store"):
        open_store(f"sqlite:///{empty}")


@pytest.mark.postgres
def test_a_missing_postgresql_database_or_schema_is_refused(pg_url: str) -> None:
    # pg_url is an empty schema: the database exists, the gateway's tables do not
    with pytest.raises(InputError, match="not a gateway store"):
        open_store(pg_url)
    base = pg_url.partition("?")[0]
    with pytest.raises(InputError, match="no such database") as e:
        open_store(base.rsplit("/", 1)[0] + "/dgw_no_such_db")
    assert "dgw_no_such_db" in str(e.value)
    with open_store(pg_url, create=True) as st:
        assert current_revision(st.engine) == _head()
    open_store(pg_url).close()  # and now it exists


def test_a_new_store_and_its_wal_files_are_private(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "store.sqlite"
    with open_store(f"sqlite:///{db}", create=True) as st, st.transaction() as s:
        s.execute(text("UPDATE ledger_head SET size = size"))
        wal, shm = db.with_name("store.sqlite-wal"), db.with_name("store.sqlite-shm")
        assert wal.exists() and shm.exists()
        assert (_mode(db), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
    assert _mode(db.parent) == _mode(db.parent.parent) == 0o700


def test_an_existing_readable_store_is_made_private_when_opened(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    open_store(f"sqlite:///{db}", create=True).close()
    db.chmod(0o644)
    open_store(f"sqlite:///{db}").close()
    assert _mode(db) == 0o600


def test_driver_errors_become_one_gateway_line() -> None:
    import psycopg
    from sqlalchemy.exc import DatabaseError, OperationalError

    from disclosure_gateway.errors import StoreDamaged, StoreError
    from disclosure_gateway.store.engine import store_error

    corrupt = sqlite3_error("database disk image is malformed", 11)
    wrapped = DatabaseError("SELECT 1", {}, corrupt)
    # pandas and others wrap the driver's error again: it is found through the chain
    try:
        try:
            raise wrapped
        except DatabaseError as inner:
            raise RuntimeError("Execution failed on sql") from inner
    except RuntimeError as outer:
        found = store_error(outer)
    assert isinstance(found, StoreDamaged)
    assert found.describe().startswith("the store is damaged: database disk image is malformed")
    locked = store_error(OperationalError("x", {}, sqlite3_error("database is locked", 5)))
    assert type(locked) is StoreError and "database is locked" in locked.describe()
    pg = psycopg.errors.DataCorrupted("invalid page in block 7 of relation base/1/2")
    assert isinstance(store_error(pg), StoreDamaged)
    assert type(store_error(psycopg.OperationalError("server closed"))) is StoreError
    assert store_error(ValueError("not a database error")) is None


def sqlite3_error(message: str, code: int) -> Exception:
    import sqlite3

    e = sqlite3.DatabaseError(message)
    e.sqlite_errorcode = code  # type: ignore[attr-defined]
    return e
