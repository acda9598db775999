"""The interactive lane: one signed request record, answered at once.

Same rules as a batch (legal gate, matching, decision, disclosure mode); the
service runs the single-record path. The body is parsed only after the
signature is verified, so an unauthenticated caller learns nothing from
validation messages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ...errors import InputError
from ...services import batches as batch_service
from ..deps import Ctx, SignedRequester
from ..problems import problem_responses
from ..schemas import Answer, RequestRecord

router = APIRouter(tags=["interactive"])


@router.post(
    "/requests",
    response_model=Answer,
    summary="Ask about one record and get its answer at once",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": RequestRecord.model_json_schema()}}}},
    responses=problem_responses(400, 401, 409, 413, 422),
)
async def answer_one(request: Request, who: SignedRequester, ctx: Ctx) -> dict[str, Any]:
    body = await request.body()
    try:
        record = RequestRecord.model_validate_json(body)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
                             for err in e.errors())
        raise InputError(problems, where="request record") from e
    return await run_in_threadpool(
        lambda: batch_service.answer_one(ctx, record.model_dump(), requester_id=who.requester_id,
                                         requester_key_id=who.key_id))
