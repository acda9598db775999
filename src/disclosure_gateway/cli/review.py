"""`dgw review`: the clerical review queue."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ..services import review as svc
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table
from .login import AsOpt, PasswordStdinOpt, acting_account

app = typer.Typer(help="Clerical review: list, show the evidence, decide.", no_args_is_help=True)


@app.command("list")
def list_(
    ws: WorkspaceOpt,
    all_: Annotated[bool, typer.Option("--all", help="Closed items too.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List review items (open ones unless --all)."""
    with open_context(ws, db) as ctx:
        items = svc.list_items(ctx, status=None if all_ else "open")
    if json_:
        emit_json(items)
        return
    out.print(table(f"Review items ({len(items)})",
                    ["item", "batch", "request", "status", "needs", "outcome", "created"],
                    [(i["id"], i["batch_id"], i["request_id"], i["status"],
                      i["required_decisions"], i["final_outcome"], i["created_at"][:19])
                     for i in items]))


@app.command("show")
def show(
    item: Annotated[int, typer.Argument(help="Review item id.")],
    ws: WorkspaceOpt,
    viewer: Annotated[str | None, typer.Option("--viewer", help="Who looks (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Request and candidate side by side, with each comparison's match weight."""
    with open_context(ws, db) as ctx:
        d = svc.show_item(ctx, item, viewer=viewer or getpass.getuser())
    if json_:
        emit_json(d)
        return
    cand = d["candidate"] or {}
    fields = ["first_name", "middle_name", "last_name", "dob", "tin", "address_line1",
              "address_line2", "city", "state", "zip"]
    out.print(table(f"Review item {d['id']} (batch {d['batch_id']}, request {d['request_id']})",
                    ["field", "request", "candidate (last known)"],
                    [(f, d["request"].get(f), cand.get(f)) for f in fields]))
    out.print(table("Evidence", ["comparison", "level", "match weight"],
                    [(k, v.get("level"), v.get("weight")) for k, v in d["comparisons"].items()]))
    out.print(f"match probability {d['match_probability']}, weight {d['match_weight']}, "
              f"margin {d['margin']}, address {d['address_result']}; model: {d['model_reasons']}")
    out.print(f"decisions so far: {len(d['decisions'])} of {d['required_decisions']} needed "
              + "; ".join(f"{x['reviewer']}: {x['decision']}" for x in d["decisions"]))


@app.command("decide")
def decide(
    item: Annotated[int, typer.Argument(help="Review item id.")],
    ws: WorkspaceOpt,
    match: Annotated[bool, typer.Option("--match/--no-match", help="Same person, or not.")],
    note: Annotated[str, typer.Option("--note", help="Why.")],
    as_: AsOpt = None,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Record your decision as a reviewer account (`dgw login`, or --as NAME and its password).

    With two reviewers required the item closes when two people agree.
    """
    with open_context(ws, db) as ctx:
        reviewer = acting_account(ctx, as_, password_stdin)
        r = svc.decide(ctx, item, match=match, reviewer=reviewer, note=note)
    if json_:
        emit_json(r)
    else:
        out.print(f"item {item}: {r['state']}" + (f" as {r['outcome']}" if r["outcome"] else "")
                  + (f"; {r['needed']} more reviewer(s) needed" if r["needed"] else ""))
