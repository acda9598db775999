"""The console's Jinja2 environment (autoescaped, templates from the package)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ..api.deps import session_csrf
from ..api.roles import Can

env = Environment(
    loader=PackageLoader("disclosure_gateway.console", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    if isinstance(value, str) and "T" in value:
        return value.replace("T", " ")[:19]
    return "" if value is None else str(value)


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


env.filters["when"] = _when
env.filters["num"] = _num
env.globals["Can"] = Can


def render(request: Request, template: str, http_status: int = 200, **values: Any) -> HTMLResponse:
    """Render a page with what every page needs: who is logged in, the CSRF token, the flash."""
    me = values.pop("me", None)
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    csrf = session_csrf(request) if "session" in request.scope else ""
    html = env.get_template(template).render(request=request, me=me, csrf=csrf, flash=flash, **values)
    return HTMLResponse(html, status_code=http_status)


def flash(request: Request, text: str, *, kind: str = "ok") -> None:
    request.session["flash"] = {"kind": kind, "text": text}
