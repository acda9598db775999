"""`dgw accounting`: every disclosure about one taxpayer (26 U.S.C. 6103(p)(3)(A))."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ..services.accounting import for_tin
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table


def accounting(
    tin: Annotated[str, typer.Option("--tin", help="The taxpayer's TIN.")],
    ws: WorkspaceOpt,
    viewer: Annotated[str | None, typer.Option("--viewer", help="Who asks (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List every disclosure about a taxpayer: when, batch, requester, statute, what, agreement."""
    with open_context(ws, db) as ctx:
        rows = for_tin(ctx, tin, viewer=viewer or getpass.getuser())
    if json_:
        emit_json(rows)
        return
    out.print(table(f"Disclosures about TIN ***-**-{tin[-4:]} ({len(rows)})",
                    ["when", "batch", "request", "requester", "statute", "what", "agreement"],
                    [(r["disclosed_at"][:19], r["batch_id"], r["request_id"], r["requester_id"],
                      r["statute"], r["code"], r["agreement_hash"][:12]) for r in rows]))
