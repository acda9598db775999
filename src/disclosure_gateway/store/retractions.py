"""Retractions of wrong answers and the recipient's certificates of disposal.

A retraction names a batch and, optionally, one request (NULL: the whole
batch). A disposal certificate likewise covers one request or a whole batch.
A retraction is outstanding until a certificate recorded after it covers it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from .batches import require_batch
from .models import Batch, Disclosure, Disposal, Retraction


def record_retraction(s: Session, *, batch_id: str, reason: str, retracted_by: str,
                      retracted_at: datetime, request_id: str | None = None,
                      leaf_index: int | None = None) -> Retraction:
    require_batch(s, batch_id=batch_id)
    row = Retraction(batch_id=batch_id, request_id=request_id, reason=reason,
                     retracted_by=retracted_by, retracted_at=retracted_at,
                     leaf_index=leaf_index)
    s.add(row)
    s.flush()
    return row


def list_retractions(s: Session, *, batch_id: str | None = None) -> list[Retraction]:
    q = select(Retraction).order_by(Retraction.retracted_at, Retraction.id)
    if batch_id is not None:
        q = q.where(Retraction.batch_id == batch_id)
    return list(s.scalars(q))


def record_disposal(s: Session, *, batch_id: str, certified_by: str, location: str,
                    certified_at: datetime, recorded_at: datetime,
                    request_id: str | None = None, note: str | None = None,
                    leaf_index: int | None = None) -> Disposal:
    require_batch(s, batch_id=batch_id)
    row = Disposal(batch_id=batch_id, request_id=request_id, certified_by=certified_by,
                   location=location, note=note, certified_at=certified_at,
                   recorded_at=recorded_at, leaf_index=leaf_index)
    s.add(row)
    s.flush()
    return row


def list_disposals(s: Session, *, batch_id: str | None = None) -> list[Disposal]:
    q = select(Disposal).order_by(Disposal.recorded_at, Disposal.id)
    if batch_id is not None:
        q = q.where(Disposal.batch_id == batch_id)
    return list(s.scalars(q))




def outstanding_retractions(s: Session) -> list[Retraction]:
    """Retractions that no later certificate of disposal covers."""
    covered = exists().where(
        Disposal.batch_id == Retraction.batch_id,
        Disposal.recorded_at >= Retraction.retracted_at,
        or_(Disposal.request_id.is_(None),
            and_(Retraction.request_id.is_not(None), Disposal.request_id == Retraction.request_id)),
    )
    return list(s.scalars(select(Retraction).where(~covered)
                          .order_by(Retraction.retracted_at, Retraction.id)))


def batches_without_disposal(s: Session, *, disclosed_before: datetime) -> list[Batch]:
    """Batches with a disclosure older than ``disclosed_before`` and no whole-batch certificate.

    With ``disclosed_before`` = now - the agreement's retention period, these
    are the answers the recipient should have destroyed but has not certified.
    """
    old = exists().where(Disclosure.batch_id == Batch.batch_id,
                         Disclosure.disclosed_at < disclosed_before)
    certified = exists().where(Disposal.batch_id == Batch.batch_id, Disposal.request_id.is_(None))
    return list(s.scalars(select(Batch).where(old, ~certified).order_by(Batch.received_at)))
