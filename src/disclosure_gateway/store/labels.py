"""Closed review items as labels: each reviewed decision with its final outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from .models import Decision, ReviewItem


@dataclass(frozen=True)
class ReviewLabel:
    batch_id: str
    request_id: str
    #: what the reviewers decided: ``match`` or ``no_match``
    label: str
    #: the decision's evidence document (levels and weights of the best candidate)
    evidence: dict[str, Any]
    match_weight: float | None
    model_hash: str | None


def review_labels(s: Session) -> list[ReviewLabel]:
    """Every closed review item with a final outcome, joined to its decision."""
    q = (select(ReviewItem.batch_id, ReviewItem.request_id, ReviewItem.final_outcome,
                Decision.evidence, Decision.match_weight, Decision.model_hash)
         .join(Decision, and_(Decision.batch_id == ReviewItem.batch_id,
                              Decision.request_id == ReviewItem.request_id))
         .where(ReviewItem.status == "closed",
                ReviewItem.final_outcome.in_(("match", "no_match")))
         .order_by(ReviewItem.id))
    return [ReviewLabel(b, r, str(o), dict(e or {}), w, h) for b, r, o, e, w, h in s.execute(q)]
