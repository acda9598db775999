"""The accounting of disclosures (26 U.S.C. 6103(p)(3)(A)).

One row per disclosure: which taxpayer (by keyed TIN hash only), when, in which
batch and request, to which requester, under which statute and agreement
version, and what was disclosed. Rows are kept through retention purges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ._sql import CHUNK, check_keys, insert_many_if_absent, insert_one_if_absent, table_of
from .models import Disclosure

_T = table_of(Disclosure)
DISCLOSURE_FIELDS: frozenset[str] = frozenset(c.name for c in _T.c if c.name != "id")
#: columns count_disclosures may group by
GROUPABLE: frozenset[str] = frozenset({"requester_id", "statute", "code", "agreement_hash",
                                       "batch_id"})


def _row(values: Mapping[str, Any]) -> dict[str, Any]:
    check_keys(values, DISCLOSURE_FIELDS, what="disclosure")
    row: dict[str, Any] = {"statute": None, "disclosed": {}, "response_version": 1,
                           "leaf_index": None, **values}
    for req in ("tin_key", "batch_id", "request_id", "requester_id", "code", "agreement_hash",
                "disclosed_at"):
        if row.get(req) is None:
            raise InputError(f"a disclosure needs {req}")
    return row


def record_disclosure(s: Session, *, tin_key: str, batch_id: str, request_id: str,
                      requester_id: str, code: str, agreement_hash: str,
                      disclosed_at: datetime, statute: str | None = None,
                      disclosed: Mapping[str, Any] | None = None, response_version: int = 1,
                      leaf_index: int | None = None) -> bool:
    """Account for one disclosure unless already accounted for; True if written."""
    return insert_one_if_absent(s, _T, _row({
        "tin_key": tin_key, "batch_id": batch_id, "request_id": request_id,
        "requester_id": requester_id, "code": code, "agreement_hash": agreement_hash,
        "disclosed_at": disclosed_at, "statute": statute, "disclosed": dict(disclosed or {}),
        "response_version": response_version, "leaf_index": leaf_index}))


def record_disclosures(s: Session, *, rows: Iterable[Mapping[str, Any]],
                       chunk_size: int = CHUNK) -> int:
    """Bulk insert-if-absent; returns rows sent."""
    return insert_many_if_absent(s, _T, (_row(r) for r in rows), chunk_size=chunk_size)


def disclosures_for(s: Session, *, tin_key: str) -> list[Disclosure]:
    """Every disclosure about one taxpayer, oldest first."""
    return list(s.scalars(select(Disclosure).where(Disclosure.tin_key == tin_key)
                          .order_by(Disclosure.disclosed_at, Disclosure.id)))


def disclosures_in_batch(s: Session, *, batch_id: str,
                         request_id: str | None = None) -> list[Disclosure]:
    q = select(Disclosure).where(Disclosure.batch_id == batch_id)
    if request_id is not None:
        q = q.where(Disclosure.request_id == request_id)
    return list(s.scalars(q.order_by(Disclosure.id)))


def disclosed_request_ids(s: Session, *, batch_id: str) -> set[str]:
    """Requests of the batch with a disclosure accounted for (ids only, no ORM objects)."""
    return {str(r) for r in s.scalars(select(_T.c.request_id).where(_T.c.batch_id == batch_id))}


def count_disclosures(s: Session, *, start: datetime, end: datetime,
                      by: str) -> dict[str | None, int]:
    """Disclosures with start <= disclosed_at < end, counted per value of column ``by``."""
    if by not in GROUPABLE:
        raise InputError(f"cannot group disclosures by {by!r}; use one of {sorted(GROUPABLE)}")
    col = _T.c[by]
    rows = s.execute(select(col, func.count())
                     .where(_T.c.disclosed_at >= start, _T.c.disclosed_at < end)
                     .group_by(col))
    return {key: int(n) for key, n in rows}
