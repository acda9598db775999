"""The agreement's operational state: suspension and resumption, recorded in the ledger."""

from __future__ import annotations

from typing import Any

from ..agreement import Status
from ..errors import InputError
from ..ledger.events import EventType
from .context import Context, utcnow


def set_suspension(ctx: Context, *, suspended: bool, reason: str, actor: str) -> dict[str, Any]:
    if not reason.strip():
        raise InputError("a reason is required", where="--reason")
    if not actor.strip():
        raise InputError("who acts is required", where="--by")
    agreement = ctx.agreement()
    status = Status(**{**agreement.status.model_dump(), "suspended": suspended,
                       "suspended_reason": reason if suspended else ""})
    now = utcnow()
    # Ledger first, in its transaction; the file is written inside it so that a
    # failure to write the file rolls the event back (never an unrecorded suspension).
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.AGREEMENT_SUSPENDED if suspended
                          else EventType.AGREEMENT_RESUMED,
                          {"agreement_id": agreement.id, "agreement_hash": agreement.terms_hash,
                           "by": actor, "reason": reason}, time=now)
        ctx.ws.save_agreement(agreement.with_status(status))
    return {"agreement": agreement.id, "suspended": suspended, "reason": reason, "by": actor,
            "at": now.isoformat()}
