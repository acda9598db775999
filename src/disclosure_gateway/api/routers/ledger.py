"""The transparency ledger: latest checkpoint, full verification, inclusion proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from ...services import ledger as ledger_service
from ..deps import Ctx, Staff, need
from ..problems import problem_responses
from ..roles import Can

router = APIRouter(prefix="/staff/ledger", tags=["ledger"])


@router.get("/checkpoint", summary="The latest signed checkpoint (null before the first)",
            responses=problem_responses(401, 403))
def latest_checkpoint(ctx: Ctx, who: Annotated[Staff, need(Can.VIEW_LEDGER)]) -> dict[str, Any] | None:
    return ledger_service.latest_checkpoint(ctx)


@router.post("/checkpoint", summary="Sign a new checkpoint over the log as it is (CSRF token required)",
             responses=problem_responses(401, 403))
def new_checkpoint(ctx: Ctx, who: Annotated[Staff, need(Can.CHECKPOINT_LEDGER)]) -> dict[str, Any]:
    return ledger_service.checkpoint(ctx)


@router.get("/verification", summary="Verify the whole log against its checkpoints",
            responses=problem_responses(401, 403, 409))
def verify(ctx: Ctx, who: Annotated[Staff, need(Can.VIEW_LEDGER)]) -> dict[str, Any]:
    return ledger_service.verify(ctx)


@router.get("/proofs/{leaf}", summary="Inclusion proof of one leaf against the latest checkpoint",
            responses=problem_responses(401, 403, 404))
def prove(leaf: Annotated[int, PathParam(ge=0, le=2**62)], ctx: Ctx,
          who: Annotated[Staff, need(Can.VIEW_LEDGER)]) -> dict[str, Any]:
    return ledger_service.prove(ctx, leaf)
