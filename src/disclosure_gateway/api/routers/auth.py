"""Staff login for API clients: a server-side session, its cookie and CSRF token.

The console has its own login form (console/pages.py) over the same sessions; both
log in through services.logins.login, which throttles failures per account and per
client address (429 with Retry-After) and logs lock-outs in the ledger.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ...services import logins
from ..deps import Ctx, Settings, Staff, client_of, csrf, end_session, now_of, staff, start_session
from ..problems import problem_responses
from ..roles import Can, allowed
from ..schemas import Login, Me

router = APIRouter(prefix="/auth", tags=["auth"])


def me_of(who: Staff) -> Me:
    return Me(name=who.name, role=who.role, csrf_token=who.csrf,
              may=[c.value for c in Can if allowed(who.role, c)])


@router.post("/login", response_model=Me, summary="Log in; sets the session cookie",
             responses=problem_responses(401, 403, 422, 429))
async def login(body: Login, request: Request, ctx: Ctx, settings: Settings) -> Me:
    account = await run_in_threadpool(
        lambda: logins.login(ctx, body.name, body.password, client=client_of(request),
                             now=now_of(request)))
    return me_of(await start_session(request, ctx, settings, account))


@router.get("/me", response_model=Me, summary="Who is logged in, and the session's CSRF token",
            responses=problem_responses(401))
def me(who: Annotated[Staff, Depends(staff)]) -> Me:
    return me_of(who)


@router.post("/logout", status_code=204, summary="Log out: the session ends for every copy of its "
             "cookie (CSRF token required)", responses=problem_responses(401, 403))
async def logout(request: Request, ctx: Ctx, who: Annotated[Staff, Depends(csrf)]) -> None:
    await end_session(request, ctx)
