"""RFC 9457 problem details: the API's one shape for every error.

Every error the gateway raises on purpose is a :class:`GatewayError`; this
module turns it, once, into ``application/problem+json``::

    {"type": "/problems/batch-refused", "title": "The batch was refused",
     "status": 422, "detail": "AGREEMENT_SUSPENDED: ...", "instance": "/api/v1/batches",
     "code": "AGREEMENT_SUSPENDED"}

``code`` appears where the error has one (a batch refusal); ``errors`` lists
every field problem of a malformed request. Framework errors (unknown route,
wrong method, body validation) and unexpected exceptions get the same shape;
an unexpected exception never shows its text to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BatchRefused, Forbidden, GatewayError, InputError, SignatureError, TooManyAttempts
from .signatures import ACCEPT_SIGNATURE

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"

TITLES: dict[str, str] = {
    "gateway-error": "The request failed",
    "bad-input": "The input is unusable",
    "bad-agreement": "The agreement is invalid",
    "bad-signature": "The request signature was refused",
    "batch-refused": "The batch was refused",
    "not-found": "Not found",
    "forbidden": "Forbidden",
    "conflict": "Conflict",
    "verification-failed": "Verification failed",
    "store-rolled-back": "The store is behind its exported checkpoints",
    "responses-disagree": "Response files and the ledger disagree",
    "store-error": "The database failed",
    "store-damaged": "The store is damaged",
    "not-authenticated": "Not logged in",
    "csrf-failed": "The form's CSRF token is missing or wrong",
    "payload-too-large": "The request body is too large",
    "too-many-attempts": "Too many failed logins",
    "validation-error": "The request is malformed",
    "http-error": "HTTP error",
    "internal-error": "Internal error",
}


class NotAuthenticated(GatewayError):
    """A staff endpoint was called without a valid session."""

    kind = "not-authenticated"
    status = 401


class CsrfError(Forbidden):
    """A state-changing staff request lacked the session's CSRF token."""

    kind = "csrf-failed"


class PayloadTooLarge(InputError):
    kind = "payload-too-large"
    status = 413


class Problem(BaseModel):
    """The problem-details document (RFC 9457), as the OpenAPI schema shows it."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str | None = None


def problem(request: Request, *, kind: str, status: int, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": TITLES.get(kind, TITLES["gateway-error"]),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {}
    if kind == SignatureError.kind:
        # RFC 9421 section 5.1: tell the client what signature would be accepted.
        headers["Accept-Signature"] = ACCEPT_SIGNATURE
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def from_gateway_error(request: Request, exc: GatewayError) -> JSONResponse:
    code = exc.code if isinstance(exc, BatchRefused) else None
    response = problem(request, kind=exc.kind, status=exc.status, detail=exc.describe(), code=code)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)  # RFC 9110 section 10.2.3
    return response


def from_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "malformed request"
    return problem(request, kind="validation-error", status=422, detail=detail, errors=errors)


def from_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    response = problem(request, kind="http-error", status=exc.status_code, detail=str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def from_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Log the details for the operator; the client only learns that it was our fault.
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, kind="internal-error", status=500,
                   detail="the gateway failed unexpectedly; the operator has the details in the log")


#: the error responses every API route may give, for the OpenAPI schema
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        s: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": _STATUS_TEXT.get(s, "Error")}
        for s in statuses
    }


_STATUS_TEXT = {
    400: "Unusable input",
    401: "Not authenticated (staff: no session; requester: signature refused)",
    403: "Forbidden (role, or CSRF token)",
    404: "Not found (or not yours)",
    409: "Conflict",
    413: "Body too large",
    422: "Malformed request, or the batch was refused",
    429: "Too many failed logins: wait Retry-After seconds",
    503: "The database failed or the store is damaged",
}
