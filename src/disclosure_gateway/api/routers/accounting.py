"""The accounting of disclosures for one taxpayer (26 U.S.C. 6103(p)(3)(A)).

A POST with the TIN in the body, never in the URL, so the TIN does not land in
access logs or browser history; the look-up itself is a ledger event.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from ...services import accounting as accounting_service
from ..deps import Ctx, Staff, need
from ..problems import problem_responses
from ..roles import Can
from ..schemas import TinLookup

router = APIRouter(prefix="/staff/accounting", tags=["accounting"])


@router.post("/lookup", summary="Every disclosure about one taxpayer (logged; CSRF token required)",
             responses=problem_responses(401, 403, 422))
def lookup(body: TinLookup, ctx: Ctx,
           who: Annotated[Staff, need(Can.LOOKUP_ACCOUNTING)]) -> list[dict[str, Any]]:
    return accounting_service.for_tin(ctx, body.tin, viewer=who.name)
