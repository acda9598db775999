"""Aggregate queries for oversight reports: counts only, never a person.

The annual report (26 U.S.C. 6103(p)(3)(C) style) counts requests by the time
their batch was received and disclosures by the time they were made, each over
a half-open period ``[start, end)``. Every function here returns plain counts
keyed by the grouping values; nothing returns a row about one request or one
taxpayer, so a report built on them cannot leak one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ._sql import table_of
from .models import Answer, Batch, Disclosure, Disposal, Request, Retraction

_B = table_of(Batch)
_R = table_of(Request)
_A = table_of(Answer)
_D = table_of(Disclosure)


def _received_in(start: datetime, end: datetime) -> Any:
    return (_B.c.received_at >= start) & (_B.c.received_at < end)


def batches_by_requester(s: Session, *, start: datetime, end: datetime) -> dict[str | None, int]:
    """Batches received in the period, per requester."""
    rows = s.execute(select(_B.c.requester_id, func.count()).where(_received_in(start, end))
                     .group_by(_B.c.requester_id))
    return {r: int(n) for r, n in rows}


def requests_by_requester_statute_status(
        s: Session, *, start: datetime, end: datetime) -> list[tuple[str | None, str | None, str, int]]:
    """(requester, statute, request status, count) for requests of batches received in the period.

    ``statute`` is kept through retention purges, so old years still count by it.
    """
    q = (select(_B.c.requester_id, _R.c.statute, _R.c.status, func.count())
         .select_from(_R.join(_B, _B.c.batch_id == _R.c.batch_id))
         .where(_received_in(start, end))
         .group_by(_B.c.requester_id, _R.c.statute, _R.c.status))
    return [(req, statute, status, int(n)) for req, statute, status, n in s.execute(q)]


def final_answers_by_code(s: Session, *, start: datetime, end: datetime) -> dict[str, int]:
    """Answer codes of the latest response version of each batch received in the period.

    Earlier versions were superseded (e.g. PENDING_REVIEW before a review closed),
    so only the batch's current version counts: one answer per request.
    """
    q = (select(_A.c.code, func.count())
         .select_from(_A.join(_B, (_B.c.batch_id == _A.c.batch_id)
                              & (_B.c.response_version == _A.c.response_version)))
         .where(_received_in(start, end))
         .group_by(_A.c.code))
    return {code: int(n) for code, n in s.execute(q)}


def iter_refusal_reasons(s: Session, *, start: datetime, end: datetime) -> Iterator[list[str]]:
    """The reason-code list of every request refused by the gate in the period (streamed)."""
    q = (select(_R.c.reason_codes)
         .select_from(_R.join(_B, _B.c.batch_id == _R.c.batch_id))
         .where(_received_in(start, end), _R.c.status == "refused")
         .execution_options(yield_per=10_000))
    for (codes,) in s.execute(q):
        yield list(codes or [])


def disclosure_counts(s: Session, *, start: datetime, end: datetime,
                      by: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """Disclosures made in the period: ``(*group values, disclosures, distinct taxpayers)``.

    Distinct taxpayers are counted by keyed TIN hash; a taxpayer disclosed to two
    requesters counts once per requester and once in the total (with ``by=()``).
    """
    cols = [_D.c[c] for c in by]
    q = (select(*cols, func.count(), func.count(distinct(_D.c.tin_key)))
         .where(_D.c.disclosed_at >= start, _D.c.disclosed_at < end))
    if cols:
        q = q.group_by(*cols)
    return [tuple(r) for r in s.execute(q)]


def count_retractions(s: Session, *, start: datetime, end: datetime) -> int:
    return int(s.scalar(select(func.count()).select_from(Retraction).where(
        Retraction.retracted_at >= start, Retraction.retracted_at < end)) or 0)


def count_disposals(s: Session, *, start: datetime, end: datetime) -> int:
    return int(s.scalar(select(func.count()).select_from(Disposal).where(
        Disposal.recorded_at >= start, Disposal.recorded_at < end)) or 0)
