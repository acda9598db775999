"""Clerical review: the queue, one item side by side, and a reviewer's decision.

Opening an item is a ledger event (the service logs it). The decision is the
session's account's, never a name in the body; the service applies the two-person
rule and separation of duties (duties.py): a second decision by the same person,
however spelled, an auditor, a disabled account or a requester's identity are refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from ...services import review as review_service
from ..deps import Ctx, Staff, need
from ..problems import problem_responses
from ..roles import Can
from ..schemas import Decision

router = APIRouter(prefix="/staff/review", tags=["review"])


@router.get("/items", summary="The review queue", responses=problem_responses(401, 403))
def list_items(
    ctx: Ctx,
    who: Annotated[Staff, need(Can.LIST_REVIEW)],
    status: Annotated[Literal["open", "closed"], Query()] = "open",
) -> list[dict[str, Any]]:
    return review_service.list_items(ctx, status=status)


@router.get("/items/{item_id}", summary="One item: request and candidate side by side (logged)",
            responses=problem_responses(401, 403, 404))
def show_item(item_id: int, ctx: Ctx, who: Annotated[Staff, need(Can.OPEN_REVIEW)]) -> dict[str, Any]:
    return review_service.show_item(ctx, item_id, viewer=who.name)


@router.post("/items/{item_id}/decisions", summary="Decide an item (CSRF token required)",
             responses=problem_responses(401, 403, 404, 409, 422))
def decide(item_id: int, body: Decision, ctx: Ctx,
           who: Annotated[Staff, need(Can.DECIDE_REVIEW)]) -> dict[str, Any]:
    return review_service.decide(ctx, item_id, match=body.match, reviewer=who.name, note=body.note)
