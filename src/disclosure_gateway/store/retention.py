"""Retention: purge request personal data, keeping keyed hashes, ledger and accounting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import PERSONAL_REQUEST_FIELDS, Batch, Decision, Request


@dataclass(frozen=True)
class Purged:
    requests: int
    decisions: int


def batches_received_before(s: Session, *, cutoff: datetime) -> list[str]:
    """Ids of batches received before ``cutoff`` that still hold unpurged requests."""
    q = (select(Batch.batch_id).where(Batch.received_at < cutoff)
         .where(select(Request.batch_id).where(Request.batch_id == Batch.batch_id,
                                               Request.purged_at.is_(None)).exists())
         .order_by(Batch.received_at))
    return list(s.scalars(q))


def purge_batch(s: Session, *, batch_id: str, at: datetime) -> Purged:
    """NULL every personal column of the batch's requests and decisions' candidate TINs.

    ``subject_key``, ``fingerprint``, ``tin_key``, statuses, reason codes, answers
    and the accounting of disclosures stay. Purging twice changes nothing more.
    """
    req = s.execute(update(Request)
                    .where(Request.batch_id == batch_id, Request.purged_at.is_(None))
                    .values({**dict.fromkeys(PERSONAL_REQUEST_FIELDS), "purged_at": at}))
    dec = s.execute(update(Decision)
                    .where(Decision.batch_id == batch_id, Decision.candidate_tin.is_not(None))
                    .values(candidate_tin=None))
    s.expire_all()
    return Purged(requests=int(req.rowcount),  # type: ignore[attr-defined]
                  decisions=int(dec.rowcount))  # type: ignore[attr-defined]
