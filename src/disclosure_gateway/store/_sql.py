"""Small SQL helpers the repository modules share: insert-if-absent, chunked executemany."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..errors import InputError

#: what repository functions and the ledger accept: an ORM session or a Core connection
Executor = Session | Connection

CHUNK = 10_000


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class (typed as Table, which it always is here)."""
    return cast(Table, model.__table__)


def dialect_name(db: Executor) -> str:
    bind = db.get_bind() if isinstance(db, Session) else db
    return bind.dialect.name


def insert_ignore(db: Executor, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the backend in use.

    Any unique constraint counts as a conflict, so a resumed run re-inserting
    rows keyed on natural keys changes nothing.
    """
    if dialect_name(db) == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def insert_one_if_absent(db: Executor, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert one row unless its key exists; True when a row was written."""
    # INSERT rowcounts are dropped with the cursor unless asked for (SQLAlchemy 2.0.28+)
    stmt = insert_ignore(db, table).values(dict(values)).execution_options(preserve_rowcount=True)
    result = db.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def chunks(rows: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def insert_many_if_absent(db: Executor, table: Table, rows: Iterable[Mapping[str, Any]],
                          *, defaults: Mapping[str, Any] | None = None,
                          chunk_size: int = CHUNK) -> int:
    """Executemany insert-if-absent in chunks; returns how many rows were submitted."""
    stmt = insert_ignore(db, table)
    sent = 0
    base = dict(defaults or {})
    for chunk in chunks(rows, chunk_size):
        params = [{**base, **r} for r in chunk] if base else [dict(r) for r in chunk]
        db.execute(stmt, params)
        sent += len(params)
    return sent


def check_keys(row: Mapping[str, Any], allowed: Sequence[str] | frozenset[str], *,
               what: str) -> None:
    unknown = set(row) - set(allowed)
    if unknown:
        raise InputError(f"unknown {what} field(s): {', '.join(sorted(unknown))}")
