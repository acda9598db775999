"""The interactive lane: one signed request, answered at once.

It takes the same path as a batch (gate, match, decide, answer, ledger,
accounting) as a batch of one, so reports and the accounting see it like any
other; only the matching uses the single-request candidate index
(``match_one``), which keeps the master index open between calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..canonical import canonical_hash
from ..contracts import REQUEST_COLUMNS
from ..errors import Conflict, InputError
from ..pipeline import _reload, _stop_reason, match_and_decide, respond
from ..pipeline import gate_and_store as _gate_and_store
from ..store.answers import get_answer
from .context import Context, utcnow


def _one_frame(record: Mapping[str, Any]) -> pd.DataFrame:
    unknown = sorted(set(record) - set(REQUEST_COLUMNS))
    if unknown:
        raise InputError(f"unknown fields: {', '.join(unknown)}", where="request")
    row = {c: ("" if record.get(c) is None else str(record.get(c))) for c in REQUEST_COLUMNS}
    if not row["request_id"].strip():
        raise InputError("request_id is required", where="request")
    return pd.DataFrame([row], columns=list(REQUEST_COLUMNS)).astype("string[pyarrow]")


def answer_one(ctx: Context, record: Mapping[str, Any], *, requester_id: str,
               requester_key_id: str = "0" * 16) -> dict[str, Any]:
    """Gate, match and answer one request; returns {request_id, answer, reason_codes, batch_id}."""
    agreement = ctx.agreement()
    stop = _stop_reason(agreement, answering=True)
    if stop:
        raise Conflict(f"no answer may leave: {stop}")
    frame = _one_frame(record)
    now = utcnow()
    batch_id = f"I{now:%Y%m%d}-{uuid.uuid4().hex[:16]}"
    _gate_and_store(ctx, frame, batch_id=batch_id, requester_id=requester_id,
                    requester_key_id=requester_key_id, created=now, batch_date=now.date(),
                    records_sha256=canonical_hash({"batch_id": batch_id, **dict(record)}),
                    manifest=None, now=now, workers=1)

    def one(ws: Any, df: pd.DataFrame) -> pd.DataFrame:
        from ..match.service import match_one

        rows = [match_one(ws, r) for r in df.to_dict(orient="records")]
        return pd.DataFrame(rows)

    batch = _reload(ctx, batch_id)
    match_and_decide(ctx, batch, now=now, matcher=one)
    respond(ctx, _reload(ctx, batch_id), now=now)
    rid = str(frame.iloc[0]["request_id"])
    with ctx.store.reader() as s:
        ans = get_answer(s, batch_id=batch_id, request_id=rid)
    assert ans is not None
    return {"request_id": rid, "batch_id": batch_id, "answer": ans.code,
            "reason_codes": list(ans.reason_codes or []), **(ans.disclosed or {})}
