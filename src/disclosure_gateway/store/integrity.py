"""The database's own integrity check, as ``dgw ledger verify`` runs it first.

SQLite: ``PRAGMA integrity_check`` reads every page of the file and checks the
b-trees (page structure, cell and freelist bookkeeping, every index entry
against its row, NOT NULL and CHECK constraints); ``quick_check`` skips the
index-against-row comparison, which is most of the cost (measured in
docs/ledger.md). SQLite keeps no page checksums, so bytes changed *inside* a
value that no index covers stay well-formed and are not found by either check;
what the ledger logged is checked against its signed checkpoints instead.

PostgreSQL: the ``amcheck`` extension, installed on first use when the
connecting role may (it needs a superuser): ``bt_index_check`` on every b-tree
index of the gateway's schema (with ``heapallindexed``, every row must be in its
indexes; not with ``quick``) and ``verify_heapam`` on every table (the heap
pages and tuples). Without amcheck nothing below SQL is checked, and the report
says so. Verification raises :class:`StoreDamaged` naming the first problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from ..errors import StoreDamaged
from .engine import Store, display_url, store_error

_SHOWN = 3  # problems named in the one-line error
_TREE = re.compile(r"\b(?:Tree|Page|tree page) (\d+)\b")


@dataclass(frozen=True)
class IntegrityReport:
    """What was checked; ``complete`` is False when the database offered no check."""

    check: str
    complete: bool


def check_integrity(store: Store, *, quick: bool = False) -> IntegrityReport:
    """Run the database's integrity check; return what was checked, or raise StoreDamaged."""
    try:
        if store.backend == "sqlite":
            return _sqlite(store, quick=quick)
        return _postgresql(store, quick=quick)
    except DBAPIError as e:
        # a page so broken that the check itself cannot read it
        failure = store_error(e)
        if failure is None:
            raise
        raise type(failure)(failure.message, where=display_url(store.url)) from e


def _sqlite(store: Store, *, quick: bool) -> IntegrityReport:
    pragma = "quick_check" if quick else "integrity_check"
    with store.reader() as session:  # a read transaction: never waits for a writer
        conn = session.connection()
        try:
            rows = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}({_SHOWN * 4})")]
        except DBAPIError as e:
            if quick or not isinstance(store_error(e), StoreDamaged):
                raise
            # integrity_check stops at a page it cannot read while comparing an index
            # with its rows; quick_check walks the pages alone and names the bad ones
            pragma = "quick_check"
            rows = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}({_SHOWN * 4})")]
            if rows == ["ok"]:
                raise
        if rows != ["ok"]:
            problems = _name_trees(conn, [line for r in rows for line in r.splitlines()
                                          if line.strip() and not line.startswith("***")])
            raise StoreDamaged(
                f"the store is damaged: SQLite's {pragma} found "
                f"{'; '.join(problems[:_SHOWN])}"
                f"{' (and more)' if len(problems) > _SHOWN else ''}; restore it from a backup",
                where=display_url(store.url))
    return IntegrityReport(check=f"SQLite {pragma}", complete=True)


def _name_trees(conn: Connection, problems: list[str]) -> list[str]:
    """'Tree 7 page 9: ...' or 'Page 7: ...' with the table or index whose root page is
    7, when the schema is still readable (damage elsewhere leaves page 1 intact)."""
    try:
        roots = {int(page): name for name, page in conn.exec_driver_sql(
            "SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0")}
    except DBAPIError:
        return problems
    named = []
    for p in problems:
        m = _TREE.search(p)
        name = roots.get(int(m.group(1))) if m else None
        named.append(f"{name}: {p}" if name else p)
    return named


def _postgresql(store: Store, *, quick: bool) -> IntegrityReport:
    schema_of_amcheck = _amcheck_schema(store)
    if schema_of_amcheck is None:
        return IntegrityReport(
            check="PostgreSQL: the amcheck extension is not installed and this role may not "
                  "install it, so no page or index was checked (only the ledger's content)",
            complete=False)
    fn = f'"{schema_of_amcheck}"'
    where = display_url(store.url)
    with store.reader() as session:
        conn = session.connection()
        indexes = [r[0] for r in conn.execute(text(
            "SELECT c.oid::regclass::text FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace "
            "AND i.indisvalid AND i.indisready ORDER BY 1"))]
        tables = [r[0] for r in conn.execute(text(
            "SELECT oid::regclass::text FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = current_schema()::regnamespace ORDER BY 1"))]
        for table in tables:
            bad = conn.execute(text(
                f"SELECT blkno, msg FROM {fn}.verify_heapam(CAST(:t AS regclass), "
                "on_error_stop => true) LIMIT :n"), {"t": table, "n": _SHOWN}).all()
            if bad:
                found = "; ".join(f"block {b}: {m}" for b, m in bad)
                raise StoreDamaged(f"the store is damaged: table {table}: {found}; "
                                   "restore it from a backup", where=where)
        for index in indexes:
            try:
                conn.execute(text(f"SELECT {fn}.bt_index_check(CAST(:i AS regclass), :all)"),
                             {"i": index, "all": not quick})
            except DBAPIError as e:
                raise StoreDamaged(f"the store is damaged: index {index}: "
                                   f"{str(e.orig).strip().splitlines()[0]}; restore it from a "
                                   "backup", where=where) from e
    rows = "" if quick else ", every row in its indexes"
    return IntegrityReport(
        check=f"PostgreSQL amcheck: {len(tables)} tables' pages (verify_heapam), "
              f"{len(indexes)} b-tree indexes (bt_index_check{rows})", complete=True)


def _amcheck_schema(store: Store) -> str | None:
    """The schema of the amcheck extension, installing it if it is missing and allowed."""
    find = text("SELECT n.nspname FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'")
    with store.reader() as session:
        found = session.execute(find).scalar()
    if found is not None:
        return str(found)
    try:
        with store.engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            return str(conn.execute(find).scalar())
    except DBAPIError:
        return None  # not available on the server, or not a superuser: said in the report
