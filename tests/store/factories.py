"""Small factories for store rows, so tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from disclosure_gateway.store import batches, requests

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def digest(n: int) -> str:
    return f"{n:064x}"


def add_batch(s: Session, batch_id: str = "B1", *, n: int = 1, received_at: datetime = T0,
              **extra: Any) -> str:
    batches.insert_batch(
        s, batch_id=batch_id, agreement_id="irs-ice-2025", agreement_hash="a" * 64,
        requester_id="ice-ero", requester_key_id="0123456789abcdef",
        manifest_created=received_at - timedelta(hours=1), received_at=received_at,
        records_sha256=digest(hash(batch_id) & 0xFFFFFFFF), record_count=n, **extra)
    return batch_id


def request_row(i: int, **extra: Any) -> dict[str, Any]:
    return {"request_id": f"R{i:07d}", "seq": i, "first_name": "Ana", "last_name": "Ruiz",
            "dob": "1980-01-02", "tin": "900000001", "address_line1": f"{i} Main St",
            "city": "Austin", "state": "TX", "zip": "78701", "statute": "8 U.S.C. 1231",
            "taxable_periods": "2023", "subject_key": digest(i), "fingerprint": digest(10**6 + i),
            **extra}


def add_requests(s: Session, batch_id: str = "B1", n: int = 3, **extra: Any) -> list[str]:
    requests.insert_requests(s, batch_id=batch_id, rows=[request_row(i, **extra)
                                                         for i in range(n)])
    return [f"R{i:07d}" for i in range(n)]
