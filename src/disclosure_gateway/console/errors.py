"""The console's one error page: every error the console meets is shown here.

Not being logged in is not an error page but a trip to the login form, which
brings the user back to the page they asked for.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..api.problems import TITLES, NotAuthenticated
from .templating import render


def render_error(request: Request, *, status: int, kind: str, detail: str) -> Response:
    if kind == NotAuthenticated.kind:
        target = request.url.path if request.method == "GET" else "/console/"
        return RedirectResponse(f"/console/login?next={quote(target)}", status_code=303)
    return render(request, "error.html", http_status=status, status_code=status, kind=kind,
                  title=TITLES.get(kind, TITLES["gateway-error"]), detail=detail,
                  me=getattr(request.state, "staff", None))
