"""Retention: purge request personal data once the agreement's period has passed.

``run_retention`` finds the batches received more than
``agreement.retention.request_data_days`` ago that still hold personal data and,
batch by batch, in one transaction each with its ``retention_purged`` ledger
leaf, sets every personal request column and the decisions' candidate TINs to
NULL (``store/retention.py``). What accountability needs stays: keyed hashes
(subject, record fingerprint, TIN), statuses, reason codes, statutes, answers,
decisions' scores, the accounting of disclosures and the ledger, which is only
appended to, so ``dgw ledger verify`` still passes.

A batch with an open review item is held back and reported: a reviewer cannot
decide without the request in front of them, and an item left undecidable
would keep its answer pending for ever. Closing the review releases it to the
next run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..ledger.events import EventType
from ..store.models import PERSONAL_REQUEST_FIELDS
from ..store.retention import batches_received_before, purge_batch
from ..store.review import count_open_items
from .context import Context, utcnow


def run_retention(ctx: Context, *, now: datetime | None = None,
                  dry_run: bool = False) -> dict[str, Any]:
    """Purge every batch past the retention period; returns what was (or would be) purged."""
    now = now or utcnow()
    agreement = ctx.agreement()
    days = agreement.retention.request_data_days
    cutoff = now - timedelta(days=days)
    with ctx.store.reader() as s:
        due = batches_received_before(s, cutoff=cutoff)
        held = {b: n for b in due if (n := count_open_items(s, batch_id=b))}
    purged: list[dict[str, Any]] = []
    for batch_id in due:
        if batch_id in held or dry_run:
            continue
        # One batch per transaction: a crash leaves each batch purged and logged, or neither.
        with ctx.store.transaction() as s:
            result = purge_batch(s, batch_id=batch_id, at=now)
            leaf = ctx.ledger.append(s, EventType.RETENTION_PURGED, {
                "batch_id": batch_id, "requests": result.requests,
                "decisions": result.decisions, "fields": list(PERSONAL_REQUEST_FIELDS),
                "cutoff": cutoff.isoformat(), "request_data_days": days,
                "agreement_hash": agreement.terms_hash}, time=now)
        purged.append({"batch_id": batch_id, "requests": result.requests,
                       "decisions": result.decisions, "leaf_index": leaf})
    return {
        "as_of": now.isoformat(), "request_data_days": days, "cutoff": cutoff.isoformat(),
        "dry_run": dry_run,
        "due": due,
        "purged": purged,
        "held": [{"batch_id": b, "open_review_items": n,
                  "why": "open review items need the request data; close them first"}
                 for b, n in held.items()],
    }
