"""Batches: insert-if-absent on intake, replay detection by records digest, stage status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, InputError, NotFound
from ._sql import insert_one_if_absent, table_of
from .models import BATCH_STAGE_COLUMN, BATCH_STATUSES, Batch


def get_batch(s: Session, *, batch_id: str) -> Batch | None:
    return s.get(Batch, batch_id)


def require_batch(s: Session, *, batch_id: str) -> Batch:
    batch = s.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id!r} in the store")
    return batch


def find_batch_by_digest(s: Session, *, records_sha256: str) -> Batch | None:
    return s.scalars(select(Batch).where(Batch.records_sha256 == records_sha256)).first()


def insert_batch(
    s: Session,
    *,
    batch_id: str,
    agreement_id: str,
    agreement_hash: str,
    requester_key_id: str,
    manifest_created: datetime,
    received_at: datetime,
    records_sha256: str,
    record_count: int,
    requester_id: str | None = None,
    status: str = "received",
    refusal_code: str | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> bool:
    """Record a batch; True if new, False if this very batch is already stored (a resume).

    Raises Conflict when the batch id is taken by a different records file, or
    the records file was already received under another batch id (a replay).
    Only authentic batches belong here: the records digest is unique, so storing
    a forged one would block the genuine file.
    """
    if status not in BATCH_STATUSES:
        raise InputError(f"unknown batch status {status!r}")
    for _ in range(2):
        existing = s.get(Batch, batch_id)
        if existing is not None:
            if existing.records_sha256 != records_sha256:
                raise Conflict(f"batch id {batch_id!r} is already used by another records file")
            return False
        other = find_batch_by_digest(s, records_sha256=records_sha256)
        if other is not None:
            raise Conflict(f"this records file was already received as batch {other.batch_id!r}")
        values: dict[str, Any] = {
            "batch_id": batch_id, "agreement_id": agreement_id, "agreement_hash": agreement_hash,
            "requester_id": requester_id, "requester_key_id": requester_key_id,
            "manifest_created": manifest_created, "received_at": received_at,
            "records_sha256": records_sha256, "record_count": record_count, "status": status,
            "refusal_code": refusal_code, "manifest": dict(manifest) if manifest else None,
            "response_version": 0,
        }
        if status in BATCH_STAGE_COLUMN:
            values[BATCH_STAGE_COLUMN[status]] = received_at
        if insert_one_if_absent(s, table_of(Batch), values):
            return True
        # a concurrent writer won the race: look again and answer as above
    raise Conflict(f"batch {batch_id!r} could not be recorded")


def set_batch_status(s: Session, *, batch_id: str, status: str, at: datetime) -> None:
    """Move a batch to ``status`` and stamp that stage's time (first time only)."""
    if status not in BATCH_STATUSES:
        raise InputError(f"unknown batch status {status!r}")
    batch = require_batch(s, batch_id=batch_id)
    batch.status = status
    column = BATCH_STAGE_COLUMN.get(status)
    if column and getattr(batch, column) is None:
        setattr(batch, column, at)
    s.flush()


def next_response_version(s: Session, *, batch_id: str) -> int:
    """Increment and return the batch's response version (1 for the first response)."""
    require_batch(s, batch_id=batch_id)
    s.execute(update(Batch).where(Batch.batch_id == batch_id)
              .values(response_version=Batch.response_version + 1))
    version = s.scalar(select(Batch.response_version).where(Batch.batch_id == batch_id))
    s.expire_all()
    return int(version or 0)


def list_batches(s: Session, *, status: str | None = None, limit: int = 100,
                 offset: int = 0) -> list[Batch]:
    """Newest first."""
    q = select(Batch).order_by(Batch.received_at.desc(), Batch.batch_id)
    if status is not None:
        q = q.where(Batch.status == status)
    return list(s.scalars(q.limit(limit).offset(offset)))
