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
* The store file is created 0600 in a 0700 directory before SQLite opens it
  (SQLite gives its ``-wal`` and ``-shm`` files the database file's mode), and an
  existing store with group or other permissions is tightened when opened: it
  holds plaintext TINs, names and addresses.

A store is created only when the caller asks (``create=True``: workspace set-up,
the demo, ``--create-db``): a mistyped path or URL is refused, never answered
with a new empty store that has no re-request or probing history. An existing
store must hold the ledger's head row; a damaged one is refused with one line
(:class:`StoreDamaged`), and :func:`store_error` gives the same one line for a
driver error raised later, at each edge.
"""

from __future__ import annotations

import os
import sqlite3
import sys
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
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..errors import InputError, StoreDamaged, StoreError
from ..files import FILE_MODE, private_dir, restrict

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_READ_OPTION = "dgw_read_only"
# any constant; serialises concurrent migrations of one PostgreSQL database
_MIGRATION_LOCK = 0x64677773746F7265 & 0x7FFFFFFFFFFFFFFF
#: where a missing store's message sends the user
_CREATE_HINT = ("check --db and the workspace's db_url; a new store is made only when asked "
                "(`dgw agreement install`, `--create-db`, `dgw demo`)")
# SQLite's primary result codes that mean the file itself is damaged
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


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


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser()


def _prepare_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a missing store unless asked to create it; create it private; keep it private."""
    if not path.exists():
        if not create:
            raise InputError(f"no store here; {_CREATE_HINT}", where=str(path))
        private_dir(path.parent)
        try:
            # 0600 before SQLite writes a byte; its -wal and -shm files take this mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        except FileExistsError:
            pass  # created meanwhile by another process: open it
        except OSError as e:
            raise InputError(f"cannot create the store: {e.strerror}", where=str(path)) from e
        return
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        restrict(p, FILE_MODE)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
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


def open_store(url: str, *, migrate: bool = True, create: bool = False) -> Store:
    """Open (and by default migrate) the store at ``url``.

    ``sqlite:///PATH`` or ``postgresql://...``. Without ``create``, the store must
    exist: the SQLite file, or on PostgreSQL the database with the gateway's
    tables (InputError naming the path or URL otherwise). With ``create``, a
    missing SQLite file (and its directories) is made, 0600/0700, and an empty
    PostgreSQL database or schema gets the gateway's tables; the PostgreSQL
    database itself is the server administrator's to create.
    Raises InputError when the database cannot be reached, StoreDamaged when
    it is not a gateway store in working order.
    """
    normal = normalise_url(url)
    where = display_url(normal)
    path = sqlite_path(normal)
    if path is not None:
        _prepare_sqlite_file(path, create=create)
    engine = make_engine(normal)
    try:
        # Upgrading takes the write lock; a store already at head (every open but
        # the first) is only read, so `dgw ledger verify` never queues behind a writer.
        revision = current_revision(engine)
        in_memory = path is None and engine.dialect.name == "sqlite"
        if revision is None and not (create or in_memory):
            raise InputError(f"not a gateway store (its tables are missing); {_CREATE_HINT}",
                             where=where)
        if migrate and revision != head_revision():
            upgrade(engine)
        _require_head(engine, where)
    except OperationalError as e:
        engine.dispose()
        damaged = store_error(e)
        if isinstance(damaged, StoreDamaged):
            raise StoreDamaged(damaged.message, where=where) from e
        reason = _first_line(e.orig)
        if "does not exist" in reason and 'database "' in reason:
            raise InputError(f"no such database ({reason.rsplit(':', 1)[-1].strip()}): the server's "
                             f"administrator creates it; {_CREATE_HINT}", where=where) from e
        raise InputError(f"cannot open the database: {reason}", where=where) from e
    except DBAPIError as e:
        engine.dispose()
        failure = store_error(e) or StoreError(f"the database failed: {_first_line(e.orig)}")
        raise type(failure)(failure.message, where=where) from e
    except BaseException:
        engine.dispose()
        raise
    return Store(url=normal, engine=engine)


def display_url(url: str) -> str:
    """The URL as messages show it: a SQLite path, or the URL without its password."""
    path = sqlite_path(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def _require_head(engine: Engine, where: str) -> None:
    # Every append and every verification reads this row; without it the log has no
    # origin, size or frontier, so the store cannot be used (or repaired by hand).
    with engine.execution_options(**{_READ_OPTION: True}).connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM ledger_head WHERE id = 1")).scalar()
    if not found:
        raise StoreDamaged("the store is damaged: the ledger's head row is missing "
                           "(restore the store from a backup)", where=where)


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__


def _driver_errors(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (SQLAlchemy's ``orig``) and what it was raised from."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        orig = getattr(e, "orig", None)
        todo.extend([orig if isinstance(orig, BaseException) else None, e.__cause__,
                     e.__context__])


def store_error(exc: BaseException) -> StoreError | None:
    """The one-line gateway error for a database driver's exception, or None.

    Used once at each edge (the CLI's exit, the API's problem documents): a
    damaged store (SQLite: a malformed page, not a database; PostgreSQL: a
    ``XX`` data or index corruption error) is :class:`StoreDamaged`; any other
    driver failure is :class:`StoreError`. Wrappers (SQLAlchemy, pandas) are
    looked through.
    """
    psycopg = sys.modules.get("psycopg")  # not loaded: no PostgreSQL error can occur
    for e in _driver_errors(exc):
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            text_ = _first_line(e)
            damaged = (code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)) or (
                code is None and ("malformed" in text_ or "not a database" in text_))
            if damaged:
                return StoreDamaged(f"the store is damaged: {text_} (SQLite); restore it from a "
                                    "backup (`dgw ledger verify` names what it finds)")
            return StoreError(f"the database failed: {text_} (SQLite)")
        if psycopg is not None and isinstance(e, psycopg.Error):
            state = getattr(e, "sqlstate", None) or ""
            if state.startswith("XX"):
                return StoreDamaged(f"the store is damaged: {_first_line(e)} (PostgreSQL "
                                    f"{state}); restore it from a backup")
            return StoreError(f"the database failed: {_first_line(e)} (PostgreSQL {state})")
    return None
