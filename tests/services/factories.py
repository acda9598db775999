"""Hand-made store rows for the service tests: say only what the test is about."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from disclosure_gateway.store import batches, requests
from disclosure_gateway.store.accounting import record_disclosure
from disclosure_gateway.store.answers import insert_answers


def add_batch(s: Session, batch_id: str, *, requester: str, received: datetime,
              versions: int = 1) -> None:
    batches.insert_batch(
        s, batch_id=batch_id, agreement_id="irs-ice-2025", agreement_hash="a" * 64,
        requester_id=requester, requester_key_id="0123456789abcdef",
        manifest_created=received - timedelta(hours=1), received_at=received,
        records_sha256=hashlib.sha256(batch_id.encode()).hexdigest(), record_count=0)
    for _ in range(versions):
        batches.next_response_version(s, batch_id=batch_id)


def add_requests(s: Session, batch_id: str, rows: list[dict[str, Any]]) -> None:
    """rows: {request_id, statute, reasons?} -> refused when it has reasons."""
    requests.insert_requests(s, batch_id=batch_id, rows=[
        {"request_id": r["request_id"], "seq": i, "statute": r["statute"],
         "status": "refused" if r.get("reasons") else "answered",
         "reason_codes": list(r.get("reasons", [])), "first_name": "Ana", "last_name": "Ruiz"}
        for i, r in enumerate(rows)])


def add_answers(s: Session, batch_id: str, version: int, codes: dict[str, str],
                at: datetime) -> None:
    insert_answers(s, rows=[{"batch_id": batch_id, "request_id": rid, "response_version": version,
                             "code": code, "issued_at": at} for rid, code in codes.items()])


def disclose(s: Session, batch_id: str, request_id: str, *, tin_key: str, requester: str,
             statute: str, at: datetime, code: str = "CONFIRMED") -> None:
    record_disclosure(s, tin_key=tin_key, batch_id=batch_id, request_id=request_id,
                      requester_id=requester, code=code, agreement_hash="a" * 64,
                      disclosed_at=at, statute=statute, disclosed={"answer": code})
