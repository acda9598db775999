"""Match decisions, one per request, with what is needed to replay them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ._sql import (
    CHUNK,
    Record,
    check_keys,
    insert_many_if_absent,
    insert_one_if_absent,
    iter_records,
    table_of,
)
from .models import OUTCOMES, Decision

_T = table_of(Decision)
DECISION_FIELDS: frozenset[str] = frozenset(c.name for c in _T.c)
_DEFAULTS: dict[str, Any] = {c: None for c in DECISION_FIELDS}


def _row(values: Mapping[str, Any]) -> dict[str, Any]:
    check_keys(values, DECISION_FIELDS, what="decision")
    row = {**_DEFAULTS, **values}
    if row["outcome"] not in OUTCOMES:
        raise InputError(f"unknown decision outcome {row['outcome']!r}")
    for req in ("batch_id", "request_id", "agreement_hash", "decided_at"):
        if row[req] is None:
            raise InputError(f"a decision needs {req}")
    row["evidence"] = row["evidence"] if row["evidence"] is not None else {}
    row["thresholds"] = row["thresholds"] if row["thresholds"] is not None else {}
    return row


def insert_decision(
    s: Session,
    *,
    batch_id: str,
    request_id: str,
    outcome: str,
    agreement_hash: str,
    decided_at: datetime,
    candidate_tin: str | None = None,
    tin_key: str | None = None,
    match_probability: float | None = None,
    match_weight: float | None = None,
    margin: float | None = None,
    address_result: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    model_hash: str | None = None,
    master_snapshot_hash: str | None = None,
    thresholds: Mapping[str, Any] | None = None,
    leaf_index: int | None = None,
) -> bool:
    """Record the decision unless the request already has one; True if written."""
    values = {k: v for k, v in locals().items() if k != "s"}
    return insert_one_if_absent(s, _T, _row(values))


def insert_decisions(s: Session, *, rows: Iterable[Mapping[str, Any]],
                     chunk_size: int = CHUNK) -> int:
    """Bulk insert-if-absent (same fields as insert_decision); returns rows sent."""
    return insert_many_if_absent(s, _T, (_row(r) for r in rows), chunk_size=chunk_size)


def get_decision(s: Session, *, batch_id: str, request_id: str) -> Decision | None:
    return s.get(Decision, (batch_id, request_id))


def decided_request_ids(s: Session, *, batch_id: str) -> set[str]:
    """Requests of the batch that already have a decision (what a resume skips)."""
    return set(s.scalars(select(_T.c.request_id).where(_T.c.batch_id == batch_id)))


def iter_decisions(s: Session, *, batch_id: str, columns: Sequence[str] | None = None,
                   chunk_size: int = CHUNK) -> Iterator[Record]:
    """Stream a batch's decisions as Records, ordered by request_id.

    Every column, or only ``columns`` (plus ``request_id``): leaving out the
    evidence documents spares decoding their JSON.
    """
    names = list(columns) if columns else [c.name for c in _T.c]
    if "request_id" not in names:
        names.append("request_id")
    yield from iter_records(s, columns=[_T.c[n] for n in names], from_sql="decisions",
                            where=[("decisions.batch_id = {mark}", [batch_id])],
                            key=_T.c.request_id, chunk_size=chunk_size)


def set_decision_leaf(s: Session, *, batch_id: str, request_id: str, leaf_index: int) -> None:
    decision = s.get(Decision, (batch_id, request_id))
    if decision is None:
        raise InputError(f"no decision for request {request_id!r} of batch {batch_id!r}")
    decision.leaf_index = leaf_index
    s.flush()
