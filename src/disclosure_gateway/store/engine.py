"""Opening the store: engines for SQLite (WAL) and PostgreSQL, migrations, sessions.

``open_store(url)`` is the one way in: it normalises the URL, sets up the
engine, brings the schema to the newest Alembic revision and returns a
:class:`Store`. Work happens in ``store.transaction()`` (a session that commits
on success and rolls back on error) or ``store.reader()`` (a read-only snapshot).

SQLite details, and why:

* ``journal_mode=WAL`` so readers (console, ``ledger verify``) never block the
  writer; ``synchronous=NORMAL`` is durable across application crashes in WAL
  mode (only an OS crash can lose the last commits, never corrupt);
  ``foreign_keys=ON``; ``busy_timeout`` so a second writer waits instead of failing.
* Write transactions start with ``BEGIN IMMEDIATE``: the write lock is taken up
  front, so a transaction that read first can never fail with "database is
  locked" when it later writes (SQLite cannot upgrade a stale WAL snapshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..errors import InputError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_READ_OPTION = "dgw_read_only"
# any constant; serialises concurrent migrations of one PostgreSQL database
_MIGRATION_LOCK = 0x64677773746F7265 & 0x7FFFFFFFFFFFFFFF


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` for the psycopg 3 driver; check the rest."""
    raw = url.strip()
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    try:
        parsed = make_url(raw)
    except ArgumentError as e:
        raise InputError(f"not a database URL: {e}", where="--db") from e
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise InputError(
            f"unsupported database {parsed.drivername!r}; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB", where="--db")
    return raw


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if not memory:
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; "begin" below emits BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(_READ_OPTION, False)
        conn.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: newest), in one transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    # read-only, so asking never waits for (or blocks) a writer
    with engine.execution_options(**{_READ_OPTION: True}).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass
class Store:
    """An open operational store. Thread-safe; one per process is enough."""

    url: str
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    _readers: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        read_engine = self.engine.execution_options(**{_READ_OPTION: True})
        if self.backend == "postgresql":
            # one snapshot for the whole read, so a long verify sees a fixed log
            read_engine = read_engine.execution_options(isolation_level="REPEATABLE READ",
                                                        postgresql_readonly=True)
        self._readers = sessionmaker(bind=read_engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write session: commits when the block ends, rolls back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session over one consistent snapshot; never commits."""
        with self._readers() as session:
            try:
                yield session
            finally:
                # Detach first: objects read here stay usable after the block
                # (a rollback would expire them and a later access would fail).
                session.expunge_all()
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``.

    ``sqlite:///PATH`` (directories are created) or ``postgresql://...``.
    Raises InputError when the database cannot be reached.
    """
    normal = normalise_url(url)
    engine = make_engine(normal)
    try:
        # Upgrading takes the write lock; a store already at head (every open but
        # the first) is only read, so `dgw ledger verify` never queues behind a writer.
        if migrate and current_revision(engine) != head_revision():
            upgrade(engine)
        else:
            with engine.connect():
                pass
    except OperationalError as e:
        engine.dispose()
        where = make_url(normal).render_as_string(hide_password=True)
        raise InputError(f"cannot open the database: {e.orig}", where=where) from e
    return Store(url=normal, engine=engine)
