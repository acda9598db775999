"""The agreement in force: its terms for every staff member, and the
suspension switch for admins (a reason is required and goes into the ledger)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from ...agreement import Agreement
from ...services import agreement as agreement_service
from ..deps import Ctx, Staff, agreement_of, need
from ..problems import problem_responses
from ..roles import Can
from ..schemas import AgreementView, Suspension

router = APIRouter(prefix="/staff/agreement", tags=["agreement"])


def describe(agreement: Agreement) -> dict[str, Any]:
    """What staff see of the agreement (shared with the console)."""
    return {
        "id": agreement.id,
        "title": agreement.title,
        "authority": agreement.authority,
        "terms_hash": agreement.terms_hash,
        "custodian": agreement.custodian.model_dump(mode="json"),
        "requesting_agency": agreement.requesting_agency.model_dump(mode="json"),
        "requesters": [{"id": r.id, "title": r.title, "key_id": r.key_id} for r in agreement.requesters],
        "permitted_statutes": list(agreement.permitted_statutes),
        "disclosure_mode": agreement.disclosure.mode,
        "matching": agreement.matching.model_dump(mode="json"),
        "term": agreement.term.model_dump(mode="json"),
        "status": agreement.status.model_dump(mode="json"),
    }


@router.get("", response_model=AgreementView, summary="The agreement in force",
            responses=problem_responses(401, 403))
def show(ctx: Ctx, who: Annotated[Staff, need(Can.VIEW_AGREEMENT)]) -> dict[str, Any]:
    return describe(agreement_of(ctx))


@router.post("/suspension", summary="Suspend or resume the agreement (admin; CSRF token required)",
             responses=problem_responses(401, 403, 409, 422))
def set_suspension(body: Suspension, ctx: Ctx,
                   who: Annotated[Staff, need(Can.SUSPEND_AGREEMENT)]) -> dict[str, Any]:
    return agreement_service.set_suspension(ctx, suspended=body.suspended, reason=body.reason, actor=who.name)
