"""Small SQL helpers the repository modules share: insert-if-absent, chunked executemany."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, cast

from sqlalchemy import JSON, Column, Connection, Insert, Table
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
                          *, chunk_size: int = CHUNK) -> int:
    """Insert-if-absent of many rows; returns how many rows were submitted.

    Bulk paths (1.28M requests, then decisions and answers) go straight to the
    DBAPI's executemany with tuples: each column's own bind conversion is looked
    up once, JSON is serialised here, and ``ON CONFLICT DO NOTHING`` (the same
    words on SQLite and PostgreSQL) makes a resumed insert change nothing. Every
    row must carry the same keys as the first (the repositories build full rows);
    Python-side column defaults are not applied.
    """
    sent = 0
    for chunk in chunks(rows, chunk_size):
        names = list(chunk[0])
        sent += insert_tuples(db, table, names, [tuple([r[n] for n in names]) for r in chunk],
                              chunk_size=chunk_size)
    return sent


def insert_tuples(db: Executor, table: Table, names: Sequence[str],
                  rows: Iterable[Sequence[Any]], *, chunk_size: int = CHUNK,
                  if_absent: bool = True) -> int:
    """Like :func:`insert_many_if_absent`, for rows given as value tuples in ``names``
    order (no per-row dict); without ``if_absent``, a plain INSERT. Returns rows sent."""
    conn = db.connection() if isinstance(db, Session) else db
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    convert: list[Callable[[Any], Any] | None] = []
    marks: list[str] = []
    for col in (table.c[n] for n in names):
        if isinstance(col.type, JSON):
            # SQL NULL for None; PostgreSQL needs the text cast to json
            convert.append(_json_param)
            marks.append(mark if mark == "?" else f"{mark}::json")
        else:
            convert.append(col.type.dialect_impl(dialect).bind_processor(dialect))
            marks.append(mark)
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join(marks)})" + (" ON CONFLICT DO NOTHING" if if_absent else ""))
    base = [(i, f) for i, f in enumerate(convert) if f is not None]
    sent = 0
    for chunk in chunks(rows, chunk_size):
        todo = [(i, _same_as_last(f)) for i, f in base]
        if todo:
            params = []
            for r in chunk:
                row = list(r)
                for i, f in todo:
                    row[i] = f(row[i])
                params.append(tuple(row))
        else:
            params = [tuple(r) for r in chunk]
        conn.exec_driver_sql(sql, params)
        sent += len(params)
    return sent


_UNSET = object()


def _same_as_last(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` that converts the very object it was just given only once: the
    batch's one ``now`` or date in every row, one ``thresholds`` dict per decision.
    Made afresh per chunk, whose rows are whole before any is converted."""
    last: list[Any] = [_UNSET, None]  # the object (kept alive: its id stays its own), result

    def bind(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        out = convert(value)
        last[0], last[1] = value, out
        return out

    return bind


def _json_param(value: Any) -> str | None:
    if value is None:
        return None
    if not value and isinstance(value, list):  # most reason_codes
        return "[]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Record(dict[str, Any]):
    """One streamed row: mapping access (``r["status"]``, ``dict(r)``) and attribute
    access (``r.status``), so callers need not care which they were given."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e


def iter_records(db: Executor, *, columns: Sequence[Column[Any]], from_sql: str,
                 where: Sequence[tuple[str, Sequence[Any]]], key: Column[Any],
                 chunk_size: int = CHUNK) -> Iterator[Record]:
    """Keyset-paged rows of a fixed query, converted by each column's own type.

    ``from_sql`` is the FROM clause; ``where`` holds ``(sql with {mark}s, values)``
    conditions; pages follow ``key`` (which must be unique within the query and
    among ``columns``). Bypasses Core result processing, which cost more than the
    query itself for a million rows.
    """
    conn = db.connection() if isinstance(db, Session) else db
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    names = [c.name for c in columns]
    key_sql = f"{quote(key.table.name)}.{quote(key.name)}"
    key_pos = next(i for i, c in enumerate(columns) if c is key)
    select_list = ", ".join(f"{quote(c.table.name)}.{quote(c.name)}"
                            for c in columns)
    conds = " AND ".join([w.format(mark=mark) for w, _ in where] + [f"{key_sql} > {mark}"])
    sql = (f"SELECT {select_list} FROM {from_sql} WHERE {conds} "
           f"ORDER BY {key_sql} LIMIT {int(chunk_size)}")
    params = [v for _, values in where for v in values]
    last: Any = None
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        while True:
            # the first page starts below every key: -inf for numbers, '' for text
            start = last if last is not None else (-1 << 62 if _is_int(key) else "")
            cursor.execute(sql, (*params, start))
            rows = cursor.fetchall()
            if not rows:
                return
            if last is None:
                # each column's conversion for the driver's type code, as Core does it
                types = [d[1] for d in cursor.description]
                procs = [(i, p) for i, (c, t) in enumerate(zip(columns, types, strict=True))
                         if (p := c.type.dialect_impl(dialect).result_processor(dialect, t))
                         is not None]
            for raw in rows:
                row = list(raw)
                for i, proc in procs:
                    row[i] = proc(row[i])
                yield Record(zip(names, row, strict=True))
            last = rows[-1][key_pos]
    finally:
        cursor.close()


def _is_int(col: Column[Any]) -> bool:
    try:
        return col.type.python_type is int
    except NotImplementedError:
        return False


def check_keys(row: Mapping[str, Any], allowed: Sequence[str] | frozenset[str], *,
               what: str) -> None:
    known = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
    if known.issuperset(row):  # the common case, without building sets per row
        return
    unknown = set(row) - known
    if unknown:
        raise InputError(f"unknown {what} field(s): {', '.join(sorted(unknown))}")
