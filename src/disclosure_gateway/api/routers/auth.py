"""Staff login for API clients: a session cookie and its CSRF token.

The console has its own login form (console/pages.py) over the same session;
both call services.users.authenticate.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ...services import users as user_service
from ..deps import Ctx, Staff, csrf, end_session, staff, start_session
from ..problems import NotAuthenticated, problem_responses
from ..roles import Can, allowed
from ..schemas import Login, Me

router = APIRouter(prefix="/auth", tags=["auth"])


def me_of(who: Staff) -> Me:
    return Me(name=who.name, role=who.role, csrf_token=who.csrf,
              may=[c.value for c in Can if allowed(who.role, c)])


@router.post("/login", response_model=Me, summary="Log in; sets the session cookie",
             responses=problem_responses(401, 422))
async def login(body: Login, request: Request, ctx: Ctx) -> Me:
    account = await run_in_threadpool(user_service.authenticate, ctx, body.name, body.password)
    if account is None:
        raise NotAuthenticated("wrong name or password")
    return me_of(start_session(request, account))


@router.get("/me", response_model=Me, summary="Who is logged in, and the session's CSRF token",
            responses=problem_responses(401))
def me(who: Annotated[Staff, Depends(staff)]) -> Me:
    return me_of(who)


@router.post("/logout", status_code=204, summary="Log out (CSRF token required)",
             responses=problem_responses(401, 403))
def logout(request: Request, who: Annotated[Staff, Depends(csrf)]) -> None:
    end_session(request)
