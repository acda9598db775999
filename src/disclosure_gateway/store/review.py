"""Clerical review: items held for a human, and reviewers' decisions on them.

An item may need several decisions by different reviewers (``required_decisions``);
one reviewer decides an item at most once, and nobody decides a closed item.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ._sql import insert_one_if_absent, table_of
from .models import ReviewDecision, ReviewItem


def open_review_item(s: Session, *, batch_id: str, request_id: str, reason: str,
                     created_at: datetime, required_decisions: int = 1) -> ReviewItem:
    """The review item of a request, created if absent (idempotent on the request)."""
    insert_one_if_absent(s, table_of(ReviewItem), {
        "batch_id": batch_id, "request_id": request_id, "reason": reason, "status": "open",
        "required_decisions": required_decisions, "final_outcome": None,
        "created_at": created_at, "closed_at": None,
    })
    item = find_review_item(s, batch_id=batch_id, request_id=request_id)
    assert item is not None  # just inserted or already there
    return item


def get_review_item(s: Session, *, item_id: int) -> ReviewItem | None:
    return s.get(ReviewItem, item_id)


def require_review_item(s: Session, *, item_id: int) -> ReviewItem:
    item = s.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}")
    return item


def find_review_item(s: Session, *, batch_id: str, request_id: str) -> ReviewItem | None:
    return s.scalars(select(ReviewItem).where(ReviewItem.batch_id == batch_id,
                                              ReviewItem.request_id == request_id)).first()


def list_review_items(s: Session, *, status: str | None = "open", batch_id: str | None = None,
                      limit: int = 100, offset: int = 0) -> list[ReviewItem]:
    """Oldest first, so the queue is worked in arrival order."""
    q = select(ReviewItem).order_by(ReviewItem.created_at, ReviewItem.id)
    if status is not None:
        q = q.where(ReviewItem.status == status)
    if batch_id is not None:
        q = q.where(ReviewItem.batch_id == batch_id)
    return list(s.scalars(q.limit(limit).offset(offset)))


def count_open_items(s: Session, *, batch_id: str | None = None) -> int:
    q = select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "open")
    if batch_id is not None:
        q = q.where(ReviewItem.batch_id == batch_id)
    return int(s.scalar(q) or 0)


def add_review_decision(s: Session, *, item_id: int, reviewer: str, decision: str,
                        decided_at: datetime, note: str | None = None,
                        tin_key: str | None = None,
                        leaf_index: int | None = None) -> ReviewDecision:
    """Record one reviewer's decision. Conflict if the item is closed or they decided already."""
    item = require_review_item(s, item_id=item_id)
    if item.status != "open":
        raise Conflict(f"review item {item_id} is closed")
    row = ReviewDecision(item_id=item_id, reviewer=reviewer, decision=decision, note=note,
                         tin_key=tin_key, decided_at=decided_at, leaf_index=leaf_index)
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError as e:
        raise Conflict(f"{reviewer} has already decided review item {item_id}") from e
    return row


def review_decisions(s: Session, *, item_id: int) -> list[ReviewDecision]:
    return list(s.scalars(select(ReviewDecision).where(ReviewDecision.item_id == item_id)
                          .order_by(ReviewDecision.decided_at, ReviewDecision.id)))


def close_review_item(s: Session, *, item_id: int, final_outcome: str,
                      closed_at: datetime) -> ReviewItem:
    """Close an item with its final outcome; closing again with the same outcome is a no-op."""
    item = require_review_item(s, item_id=item_id)
    if item.status == "closed":
        if item.final_outcome != final_outcome:
            raise Conflict(f"review item {item_id} is already closed as {item.final_outcome}")
        return item
    item.status = "closed"
    item.final_outcome = final_outcome
    item.closed_at = closed_at
    s.flush()
    return item


def deciders_of_batch(s: Session, *, batch_id: str) -> dict[str, list[int]]:
    """Every reviewer who decided an item of the batch, with the items they decided."""
    rows = s.execute(select(ReviewDecision.reviewer, ReviewDecision.item_id)
                     .join(ReviewItem, ReviewItem.id == ReviewDecision.item_id)
                     .where(ReviewItem.batch_id == batch_id)
                     .order_by(ReviewDecision.item_id)).all()
    found: dict[str, list[int]] = {}
    for reviewer, item_id in rows:
        found.setdefault(str(reviewer), []).append(int(item_id))
    return found
