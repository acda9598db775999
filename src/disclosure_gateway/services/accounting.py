"""Accounting of disclosures (26 U.S.C. 6103(p)(3)(A)): per taxpayer, every disclosure."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..ledger.events import EventType
from ..store.accounting import disclosures_for
from .context import Context


def for_tin(ctx: Context, tin: str, *, viewer: str) -> list[dict[str, Any]]:
    """Every disclosure about the taxpayer with this TIN; the look-up is logged."""
    digits = "".join(ch for ch in tin if ch.isdigit())
    if len(digits) != 9:
        raise InputError("a TIN has 9 digits", where="--tin")
    key = ctx.tin_key(digits)
    with ctx.store.reader() as s:
        rows = disclosures_for(s, tin_key=key)
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.STAFF_VIEWED_RECORD, {
            "viewer": viewer, "what": "accounting", "tin_key": key, "results": len(rows)})
    return [{"disclosed_at": d.disclosed_at.isoformat(), "batch_id": d.batch_id,
             "request_id": d.request_id, "requester_id": d.requester_id, "statute": d.statute,
             "code": d.code, "disclosed": d.disclosed, "agreement_hash": d.agreement_hash,
             "response_version": d.response_version} for d in rows]
