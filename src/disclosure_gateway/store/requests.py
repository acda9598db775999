"""Request records of a batch: bulk insert-if-absent, status updates, streaming reads."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, func, select, update
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound
from ._sql import CHUNK, Record, check_keys, chunks, insert_many_if_absent, iter_records, table_of
from .models import KEPT_REQUEST_FIELDS, PERSONAL_REQUEST_FIELDS, REQUEST_STATUSES, Request

#: keys a row given to insert_requests may carry
REQUEST_ROW_FIELDS: frozenset[str] = frozenset(
    ("request_id", "seq", "status", "reason_codes", "subject_key", "fingerprint",
     *PERSONAL_REQUEST_FIELDS, *KEPT_REQUEST_FIELDS))
#: keys update_requests may change
UPDATABLE_FIELDS: frozenset[str] = frozenset(("status", "reason_codes", "subject_key",
                                              "fingerprint"))
_T = table_of(Request)


def _check_status(status: str) -> None:
    if status not in REQUEST_STATUSES:
        raise InputError(f"unknown request status {status!r}")


def insert_requests(s: Session, *, batch_id: str, rows: Iterable[Mapping[str, Any]],
                    chunk_size: int = CHUNK) -> int:
    """Insert request rows unless present (keyed on batch_id, request_id); returns rows sent.

    Each row needs ``request_id`` and ``seq`` (position in the file); ``status``
    defaults to ``received`` and ``reason_codes`` to ``[]``. Re-inserting a
    batch after a crash leaves existing rows untouched.
    """
    def prepared() -> Iterator[dict[str, Any]]:
        for row in rows:
            check_keys(row, REQUEST_ROW_FIELDS, what="request")
            full = dict.fromkeys(REQUEST_ROW_FIELDS)
            full.update(row)
            full["batch_id"] = batch_id
            status = full["status"] or "received"
            _check_status(status)
            full["status"] = status
            if full["reason_codes"] is None:
                full["reason_codes"] = []
            if full["request_id"] is None or full["seq"] is None:
                raise InputError("a request row needs request_id and seq")
            full["purged_at"] = None
            yield full

    return insert_many_if_absent(s, _T, prepared(), chunk_size=chunk_size)


def get_request(s: Session, *, batch_id: str, request_id: str) -> Request | None:
    return s.get(Request, (batch_id, request_id))


def require_request(s: Session, *, batch_id: str, request_id: str) -> Request:
    req = s.get(Request, (batch_id, request_id))
    if req is None:
        raise NotFound(f"no request {request_id!r} in batch {batch_id!r}")
    return req


def iter_requests(s: Session, *, batch_id: str, statuses: Sequence[str] | None = None,
                  columns: Sequence[str] | None = None,
                  chunk_size: int = CHUNK) -> Iterator[Record]:
    """Stream a batch's requests in file order (``seq``), optionally only some statuses.

    Yields Records (``r["status"]`` or ``r.status``) with every column, or only
    ``columns`` (plus ``seq``); pages of ``chunk_size`` rows, so 1.28M requests
    never sit in memory at once.
    """
    names = list(columns) if columns else [c.name for c in _T.c]
    if "seq" not in names:
        names.append("seq")
    where: list[tuple[str, Sequence[Any]]] = [("requests.batch_id = {mark}", [batch_id])]
    if statuses:
        marks = ", ".join(["{mark}"] * len(statuses))
        where.append((f"requests.status IN ({marks})", list(statuses)))
    yield from iter_records(s, columns=[_T.c[n] for n in names], from_sql="requests",
                            where=where, key=_T.c.seq, chunk_size=chunk_size)


def update_requests(s: Session, *, batch_id: str, updates: Iterable[Mapping[str, Any]],
                    chunk_size: int = CHUNK) -> int:
    """Bulk-update status / reason_codes / subject_key / fingerprint by request_id.

    Rows may change different fields; those with the same set of fields go in one
    executemany. Returns the number of rows given.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    n = 0
    for u in updates:
        check_keys(u, UPDATABLE_FIELDS | {"request_id"}, what="request update")
        if "status" in u:
            _check_status(u["status"])
        fields = tuple(sorted(k for k in u if k != "request_id"))
        if not fields:
            continue
        groups[fields].append({"b_request_id": u["request_id"],
                               **{f"v_{k}": u[k] for k in fields}})
        n += 1
    for fields, params in groups.items():
        stmt = (update(_T)
                .where(and_(_T.c.batch_id == batch_id,
                            _T.c.request_id == bindparam("b_request_id")))
                .values({k: bindparam(f"v_{k}") for k in fields}))
        for chunk in chunks(params, chunk_size):
            s.connection().execute(stmt, chunk)
    if n:
        s.expire_all()
    return n


def set_request_status(s: Session, *, batch_id: str, request_id: str, status: str,
                       reason_codes: Sequence[str] | None = None) -> None:
    _check_status(status)
    req = require_request(s, batch_id=batch_id, request_id=request_id)
    req.status = status
    if reason_codes is not None:
        req.reason_codes = list(reason_codes)
    s.flush()


def count_by_status(s: Session, *, batch_id: str) -> dict[str, int]:
    rows = s.execute(select(_T.c.status, func.count()).where(_T.c.batch_id == batch_id)
                     .group_by(_T.c.status))
    return {status: int(n) for status, n in rows}


def count_reason_lists(s: Session, *, batch_id: str,
                       status: str | None = None) -> list[tuple[list[str], int]]:
    """(reason codes, how many requests carry exactly that list), counted in SQL.

    In order of each list's first request in the file (``seq``), so a caller
    can count per code as a scan in file order would, without reading every row.
    """
    codes = cast(_T.c.reason_codes, Text)
    q = (select(codes, func.count(), func.min(_T.c.seq).label("first"))
         .where(_T.c.batch_id == batch_id))
    if status is not None:
        q = q.where(_T.c.status == status)
    rows = s.execute(q.group_by(codes).order_by("first"))
    return [(list(json.loads(text)) if text else [], int(n)) for text, n, _first in rows]


def count_requests(s: Session, *, batch_id: str) -> int:
    return int(s.scalar(select(func.count()).select_from(_T).where(_T.c.batch_id == batch_id))
               or 0)


def find_refused_before(s: Session, *, fingerprint: str,
                        exclude_batch_id: str | None = None) -> Request | None:
    """An earlier refused request with the same record fingerprint (refused, unchanged)."""
    q = select(Request).where(Request.fingerprint == fingerprint, Request.status == "refused")
    if exclude_batch_id is not None:
        q = q.where(Request.batch_id != exclude_batch_id)
    return s.scalars(q.limit(1)).first()
