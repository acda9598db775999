"""The console's pages. Each one calls the service functions (as the CLI and
the API do) and renders a template; every POST is CSRF-checked by the shared
``need`` dependency and answers with a redirect (post/redirect/get), so a
reload never repeats an action.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..api.deps import (
    Ctx,
    Settings,
    Staff,
    agreement_of,
    check_csrf_token,
    client_of,
    end_session,
    need,
    now_of,
    optional_staff,
    session_csrf,
    start_session,
)
from ..api.roles import Can
from ..api.routers.agreement import describe
from ..errors import AuthenticationFailed, Forbidden, GatewayError, TooManyAttempts
from ..services import accounting as accounting_service
from ..services import agreement as agreement_service
from ..services import batches as batch_service
from ..services import ledger as ledger_service
from ..services import logins
from ..services import release as release_service
from ..services import review as review_service
from . import views
from .templating import flash, render

router = APIRouter(include_in_schema=False)

#: records listed on a batch page (the charts cover the whole batch)
RECORD_LIMIT = 100
MaybeStaff = Annotated[Staff | None, Depends(optional_staff)]


def _safe_next(target: str | None) -> str:
    # Only ever back into the console: an open redirect would make the login form a phishing aid.
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


# --- login ------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, me: MaybeStaff, next: str | None = None) -> Response:
    if me is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    ctx: Ctx,
    settings: Settings,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console/",
) -> Response:
    # Login CSRF: the form carries a token derived from this browser's nonce cookie, so
    # another site cannot log a victim into an account of its choosing.
    check_csrf_token(csrf_token, session_csrf(request))
    try:
        account = await run_in_threadpool(
            lambda: logins.login(ctx, name, password, client=client_of(request), now=now_of(request)))
    except (AuthenticationFailed, Forbidden) as e:
        text = "Wrong name or password." if isinstance(e, AuthenticationFailed) else e.describe()
        return render(request, "login.html", http_status=e.status, next=_safe_next(next), error=text,
                      name=name)
    except TooManyAttempts as e:
        page = render(request, "login.html", http_status=429, next=_safe_next(next), name=name,
                      error=f"Too many failed logins: try again in {e.retry_after} seconds.")
        page.headers["Retry-After"] = str(e.retry_after)
        return page
    await start_session(request, ctx, settings, account)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
async def logout(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_AGREEMENT)]) -> Response:
    await end_session(request, ctx)
    return RedirectResponse("/console/login", status_code=303)


# --- batches ----------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_BATCHES)]) -> Response:
    rows = [views.batch_row(b) for b in batch_service.list_batches(ctx)]
    open_items = len(review_service.list_items(ctx, status="open")) if me.can(Can.LIST_REVIEW) else None
    agreement = agreement_of(ctx)
    return render(request, "dashboard.html", me=me, batches=rows, open_items=open_items,
                  agreement=describe(agreement))


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: str, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_BATCHES)],
               answer: Annotated[str | None, Query(max_length=32)] = None,
               q: Annotated[str | None, Query(max_length=128)] = None) -> Response:
    detail = batch_service.batch_detail(ctx, batch_id)
    if answer or q:
        # Filtering reads every record of the batch; the unfiltered page reads only the first ones.
        records = [r for r in batch_service.batch_records(ctx, batch_id)
                   if (not answer or r["answer"] == answer) and (not q or q in r["request_id"])]
        records = records[:RECORD_LIMIT]
    else:
        records = batch_service.batch_records(ctx, batch_id, limit=RECORD_LIMIT)
    agreement = agreement_of(ctx)
    closed = [i for i in review_service.list_items(ctx, status="closed") if i["batch_id"] == batch_id]
    return render(request, "batch.html", me=me, batch=detail, counts=views.answer_counts(detail),
                  closed_reviews=len(closed), suspended=agreement.status.suspended,
                  reasons=views.reason_counts(detail), records=records, record_limit=RECORD_LIMIT,
                  answer=answer or "", q=q or "",
                  charts=views.batch_charts(detail, agreement.matching.model_dump()))


@router.post("/batches/{batch_id}/response")
def batch_reissue(request: Request, batch_id: str, ctx: Ctx,
                  me: Annotated[Staff, need(Can.REISSUE_RESPONSE)]) -> Response:
    batch_service.batch_status(ctx, batch_id)  # NotFound before anything is written
    release_service.check_release(ctx, batch_id, me.name)  # who decided does not release
    batch_service.reissue(ctx, batch_id)
    status = batch_service.batch_status(ctx, batch_id)
    flash(request, f"Issued response version {status['response_version']} of batch {batch_id}.")
    return RedirectResponse(f"/console/batches/{batch_id}", status_code=303)


# --- review -----------------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.LIST_REVIEW)],
                 status: Annotated[str, Query(pattern="^(open|closed)$")] = "open") -> Response:
    items = review_service.list_items(ctx, status=status)
    return render(request, "review_queue.html", me=me, items=items, status=status)


@router.get("/review/{item_id}", response_class=HTMLResponse)
def review_item(request: Request, item_id: int, ctx: Ctx,
                me: Annotated[Staff, need(Can.OPEN_REVIEW)]) -> Response:
    item = review_service.show_item(ctx, item_id, viewer=me.name)
    return render(request, "review_item.html", me=me, item=item, view=views.review_view(item, me.name))


@router.post("/review/{item_id}")
def review_decide(
    request: Request,
    item_id: int,
    ctx: Ctx,
    me: Annotated[Staff, need(Can.DECIDE_REVIEW)],
    decision: Annotated[str, Form(pattern="^(match|no_match)$")],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    result = review_service.decide(ctx, item_id, match=decision == "match", reviewer=me.name, note=note)
    flash(request, views.decision_message(result, decision))
    return RedirectResponse(f"/console/review/{item_id}", status_code=303)


# --- ledger -----------------------------------------------------------------------
@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_LEDGER)],
                leaf: Annotated[int | None, Query(ge=0)] = None) -> Response:
    checkpoint = ledger_service.latest_checkpoint(ctx)
    proof: dict[str, Any] | None = None
    proof_error: str | None = None
    if leaf is not None:
        try:
            proof = ledger_service.prove(ctx, leaf)
        except GatewayError as e:
            proof_error = e.describe()
    verification = request.session.pop("verification", None)
    return render(request, "ledger.html", me=me, checkpoint=checkpoint, leaf=leaf, proof=proof,
                  proof_error=proof_error, verification=verification)


@router.post("/ledger/verify")
def ledger_verify(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_LEDGER)]) -> Response:
    # A failed verification is the finding, not a page error: show it where it was asked for.
    try:
        result = views.jsonable(ledger_service.verify(ctx))
    except GatewayError as e:
        result = {"ok": False, "error": e.describe()}
    request.session["verification"] = result
    return RedirectResponse("/console/ledger#verification", status_code=303)


@router.post("/ledger/checkpoint")
def ledger_checkpoint(request: Request, ctx: Ctx,
                      me: Annotated[Staff, need(Can.CHECKPOINT_LEDGER)]) -> Response:
    cp = ledger_service.checkpoint(ctx)
    flash(request, f"Signed a checkpoint over {views.checkpoint_size(cp)} entries.")
    return RedirectResponse("/console/ledger", status_code=303)


# --- accounting -------------------------------------------------------------------
@router.get("/accounting", response_class=HTMLResponse)
def accounting_form(request: Request, me: Annotated[Staff, need(Can.LOOKUP_ACCOUNTING)]) -> Response:
    return render(request, "accounting.html", me=me, rows=None, tin=None)


@router.post("/accounting", response_class=HTMLResponse)
def accounting_lookup(
    request: Request,
    ctx: Ctx,
    me: Annotated[Staff, need(Can.LOOKUP_ACCOUNTING)],
    tin: Annotated[str, Form(min_length=9, max_length=11, pattern=r"^\d{3}-?\d{2}-?\d{4}$")],
) -> Response:
    # Rendered directly (no redirect): the TIN must not travel in a URL or sit in the session.
    rows = accounting_service.for_tin(ctx, tin, viewer=me.name)
    return render(request, "accounting.html", me=me, rows=rows, tin=views.mask_tin(tin))


# --- agreement --------------------------------------------------------------------
@router.get("/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, ctx: Ctx, me: Annotated[Staff, need(Can.VIEW_AGREEMENT)]) -> Response:
    return render(request, "agreement.html", me=me, agreement=describe(agreement_of(ctx)))


@router.post("/agreement/suspension")
def agreement_suspension(
    request: Request,
    ctx: Ctx,
    me: Annotated[Staff, need(Can.SUSPEND_AGREEMENT)],
    action: Annotated[str, Form(pattern="^(suspend|resume)$")],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
) -> Response:
    agreement_service.set_suspension(ctx, suspended=action == "suspend", reason=reason, actor=me.name)
    flash(request, "The agreement is suspended: no batch or request is answered until it is resumed."
          if action == "suspend" else "The agreement is in force again.")
    return RedirectResponse("/console/agreement", status_code=303)
