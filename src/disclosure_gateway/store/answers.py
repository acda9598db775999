"""Answers issued per request and response version; written once, never rewritten.

The key (batch_id, request_id, response_version) is the idempotency key: a
resumed ``dgw process`` that re-inserts an answer writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ._sql import (
    CHUNK,
    Record,
    check_keys,
    insert_many_if_absent,
    insert_one_if_absent,
    iter_records,
    table_of,
)
from .models import Answer, Request

_T = table_of(Answer)
_R = table_of(Request)
ANSWER_FIELDS: frozenset[str] = frozenset(c.name for c in _T.c)


def _row(values: Mapping[str, Any]) -> dict[str, Any]:
    check_keys(values, ANSWER_FIELDS, what="answer")
    row: dict[str, Any] = {"reason_codes": [], "disclosed": None, "leaf_index": None, **values}
    for req in ("batch_id", "request_id", "response_version", "code", "issued_at"):
        if row.get(req) is None:
            raise InputError(f"an answer needs {req}")
    row["reason_codes"] = list(row["reason_codes"] or [])
    return row


def insert_answer(s: Session, *, batch_id: str, request_id: str, response_version: int,
                  code: str, issued_at: datetime, reason_codes: Sequence[str] = (),
                  disclosed: Mapping[str, Any] | None = None,
                  leaf_index: int | None = None) -> bool:
    """Write the answer unless this version already has one; True if written."""
    return insert_one_if_absent(s, _T, _row({
        "batch_id": batch_id, "request_id": request_id, "response_version": response_version,
        "code": code, "issued_at": issued_at, "reason_codes": list(reason_codes),
        "disclosed": dict(disclosed) if disclosed is not None else None,
        "leaf_index": leaf_index}))


def insert_answers(s: Session, *, rows: Iterable[Mapping[str, Any]],
                   chunk_size: int = CHUNK) -> int:
    """Bulk insert-if-absent; returns rows sent."""
    return insert_many_if_absent(s, _T, (_row(r) for r in rows), chunk_size=chunk_size)


def get_answer(s: Session, *, batch_id: str, request_id: str,
               response_version: int | None = None) -> Answer | None:
    """The answer of that version, or the latest one when no version is given."""
    q = select(Answer).where(Answer.batch_id == batch_id, Answer.request_id == request_id)
    if response_version is not None:
        q = q.where(Answer.response_version == response_version)
    return s.scalars(q.order_by(Answer.response_version.desc()).limit(1)).first()


def answered_request_ids(s: Session, *, batch_id: str, response_version: int) -> set[str]:
    """Requests already answered in this version (what a resume skips)."""
    return set(s.scalars(select(_T.c.request_id).where(
        _T.c.batch_id == batch_id, _T.c.response_version == response_version)))


def iter_answers(s: Session, *, batch_id: str, response_version: int,
                 chunk_size: int = CHUNK) -> Iterator[Record]:
    """Stream one response version's answers in the order of the requests file.

    Each Record has the answer's columns plus the request's ``seq``.
    """
    yield from iter_records(
        s, columns=[*_T.c, _R.c.seq],
        from_sql="answers JOIN requests ON requests.batch_id = answers.batch_id "
                 "AND requests.request_id = answers.request_id",
        where=[("answers.batch_id = {mark}", [batch_id]),
               ("answers.response_version = {mark}", [response_version])],
        key=_R.c.seq, chunk_size=chunk_size)


def count_answers_by_code(s: Session, *, batch_id: str, response_version: int) -> dict[str, int]:
    rows = s.execute(select(_T.c.code, func.count())
                     .where(_T.c.batch_id == batch_id, _T.c.response_version == response_version)
                     .group_by(_T.c.code))
    return {code: int(n) for code, n in rows}
