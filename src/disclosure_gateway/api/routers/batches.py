"""Batches: requesters submit signed batches, poll them and fetch their signed
responses; staff list batches and see their counts.

A requester only ever sees its own batches: the service raises NotFound for
another requester's batch, so the answer is the same as for a batch that does
not exist (nothing is learnt by guessing ids).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ...contracts import MANIFEST_FILE, SIGNATURE_FILE
from ...errors import Forbidden, InputError, NotFound
from ...services import batches as batch_service
from ...services import release as release_service
from ..deps import Ctx, Settings, SignedRequester, need
from ..problems import problem_responses
from ..roles import Can
from ..schemas import BatchDetail, BatchStatus, BatchSummary

router = APIRouter(tags=["batches"])
staff_router = APIRouter(prefix="/staff", tags=["batches"])

RESPONSE_FILES = {
    "response.csv": "text/csv",
    "response-manifest.json": "application/json",
    "response-manifest.sig": "text/plain",
}
_RECORDS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
BatchId = Annotated[str, PathParam(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]

_UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["manifest", "signature", "records"],
                    "properties": {
                        "manifest": {"type": "string", "format": "binary",
                                     "description": "manifest.json of the batch"},
                        "signature": {"type": "string", "format": "binary",
                                      "description": "manifest.sig: base64 Ed25519 signature"},
                        "records": {"type": "string", "format": "binary",
                                    "description": "the records file the manifest names"},
                    },
                }
            }
        },
    }
}


# --- requesters -------------------------------------------------------------------
@router.post(
    "/batches",
    status_code=201,
    response_model=BatchStatus,
    summary="Submit a signed batch",
    openapi_extra=_UPLOAD_SCHEMA,
    responses=problem_responses(400, 401, 403, 413, 422),
)
async def submit(request: Request, who: SignedRequester, ctx: Ctx, settings: Settings) -> dict[str, Any]:
    """Upload a batch (manifest, its signature, the records file) as multipart/form-data.

    The batch goes through intake, the legal gate, matching and the answers
    before this returns; a refused batch is a 422 problem with its refusal ``code``.
    """
    form = await request.form(max_files=3, max_fields=3)
    incoming = settings.workspace / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    batch_dir = Path(tempfile.mkdtemp(prefix=f"{who.requester_id}-{uuid.uuid4().hex[:8]}-", dir=incoming))
    try:
        await _save_upload(form.get("manifest"), batch_dir / MANIFEST_FILE, "manifest")
        await _save_upload(form.get("signature"), batch_dir / SIGNATURE_FILE, "signature")
        records = form.get("records")
        name = records.filename if isinstance(records, UploadFile) else None
        if not name or not _RECORDS_NAME.match(name) or name in (MANIFEST_FILE, SIGNATURE_FILE):
            raise InputError("the records part needs a plain file name (letters, digits, '.', '_', '-')",
                             where="records")
        await _save_upload(records, batch_dir / name, "records")
        _same_signer(batch_dir / MANIFEST_FILE, who.key_id)
        outcome = await run_in_threadpool(batch_service.submit_batch, ctx, batch_dir)
        # Answer with what a poll would show: the outcome itself names server paths.
        return await run_in_threadpool(lambda: batch_service.batch_status(
            ctx, str(outcome["batch_id"]), requester_id=who.requester_id))
    finally:
        await form.close()
        shutil.rmtree(batch_dir, ignore_errors=True)


def _same_signer(manifest_path: Path, key_id: str) -> None:
    """The HTTP signer must be the batch's signer: nobody files another requester's batch.

    Only this binding is checked here; intake verifies the manifest in full.
    """
    try:
        manifest = json.loads(manifest_path.read_bytes())
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError("manifest is not JSON", where=MANIFEST_FILE) from e
    claimed = manifest.get("requester_key_id") if isinstance(manifest, dict) else None
    if claimed != key_id:
        raise Forbidden(f"the manifest names requester key {claimed!r} but this request is signed with "
                        f"{key_id!r}: submit your own batches with your own key")


async def _save_upload(part: object, target: Path, field: str) -> None:
    if not isinstance(part, UploadFile):
        raise InputError(f"missing file part {field!r} (send manifest, signature, records as multipart)",
                         where=field)
    with target.open("wb") as f:
        while chunk := await part.read(1 << 20):
            f.write(chunk)


@router.get("/batches", response_model=list[BatchSummary], summary="List your batches",
            responses=problem_responses(401))
def list_own(who: SignedRequester, ctx: Ctx) -> list[dict[str, Any]]:
    return batch_service.list_batches(ctx, requester_id=who.requester_id)


@router.get("/batches/{batch_id}", response_model=BatchStatus, summary="Poll one of your batches",
            responses=problem_responses(401, 404))
def status(batch_id: BatchId, who: SignedRequester, ctx: Ctx) -> dict[str, Any]:
    return batch_service.batch_status(ctx, batch_id, requester_id=who.requester_id)


@router.get(
    "/batches/{batch_id}/response/{file_name}",
    summary="Download a file of your batch's signed response",
    response_class=FileResponse,
    responses={200: {"content": {t: {} for t in RESPONSE_FILES.values()},
                     "description": "the file"}, **problem_responses(401, 404)},
)
def response_file(batch_id: BatchId, file_name: str, who: SignedRequester, ctx: Ctx) -> FileResponse:
    """``file_name`` is one of response.csv, response-manifest.json, response-manifest.sig."""
    if file_name not in RESPONSE_FILES:
        raise NotFound(f"no response file {file_name!r}; the files are {', '.join(RESPONSE_FILES)}")
    files = batch_service.response_files(ctx, batch_id, requester_id=who.requester_id)
    path = files.get(file_name)
    if path is None or not Path(path).is_file():
        raise NotFound(f"batch {batch_id} has no {file_name} yet")
    return FileResponse(path, media_type=RESPONSE_FILES[file_name], filename=file_name)


# --- staff ------------------------------------------------------------------------
@staff_router.get("/batches", response_model=list[BatchSummary], summary="All batches with their counts",
                  responses=problem_responses(401, 403))
def list_all(ctx: Ctx, who: Annotated[Any, need(Can.VIEW_BATCHES)]) -> list[dict[str, Any]]:
    return batch_service.list_batches(ctx)


@staff_router.get("/batches/{batch_id}", response_model=BatchDetail, summary="One batch in detail",
                  responses=problem_responses(401, 403, 404))
def detail(batch_id: BatchId, ctx: Ctx, who: Annotated[Any, need(Can.VIEW_BATCHES)]) -> dict[str, Any]:
    return batch_service.batch_detail(ctx, batch_id)


@staff_router.post("/batches/{batch_id}/response", response_model=BatchStatus,
                   summary="Issue a new signed response once reviews have closed (CSRF token required)",
                   responses=problem_responses(401, 403, 404, 409))
def reissue(batch_id: BatchId, ctx: Ctx, who: Annotated[Any, need(Can.REISSUE_RESPONSE)]) -> dict[str, Any]:
    """Closed review items change their records' answers in a new response version
    (the CLI's `dgw response reissue`); refused while the agreement is suspended."""
    batch_service.batch_status(ctx, batch_id)  # NotFound before anything is written
    release_service.check_release(ctx, batch_id, who.name)  # who decided does not release
    batch_service.reissue(ctx, batch_id)
    return batch_service.batch_status(ctx, batch_id)
