"""`dgw retention`: purge request personal data past the agreement's retention period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from ..errors import InputError
from ..services.context import open_context
from ..services.retention import run_retention
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table

app = typer.Typer(help="Retention: purge request personal data past the agreement's period.",
                  no_args_is_help=True)

NowOpt = Annotated[str | None, typer.Option(
    "--now", help="Act as of this ISO 8601 instant (a date or a time without zone is UTC). "
    "Default: now.")]


def parse_instant(text: str | None, *, where: str) -> datetime | None:
    """An ISO 8601 date or date-time; one without a zone is taken as UTC."""
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as e:
        raise InputError(f"not an ISO 8601 date or time: {text!r}", where=where) from e
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@app.command("run")
def run(
    ws: WorkspaceOpt,
    now: NowOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what is due; purge nothing.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Purge personal request data of batches older than retention.request_data_days."""
    with open_context(ws, db) as ctx:
        result = run_retention(ctx, now=parse_instant(now, where="--now"), dry_run=dry_run)
    if json_:
        emit_json(result)
        return
    out.print(f"retention {result['request_data_days']} days: {len(result['due'])} batch(es) "
              f"received before {result['cutoff'][:19]} still hold request data")
    held = {h["batch_id"] for h in result["held"]}
    if dry_run:
        for b in result["due"]:
            if b not in held:
                out.print(f"  would purge {b}")
    elif result["purged"]:
        out.print(table("Purged (keyed hashes, answers, accounting and ledger kept)",
                        ["batch", "requests", "decisions", "ledger leaf"],
                        [(p["batch_id"], f"{p['requests']:,}", f"{p['decisions']:,}",
                          p["leaf_index"]) for p in result["purged"]]))
    else:
        out.print("nothing to purge")
    for h in result["held"]:
        out.print(f"[yellow]held[/] {h['batch_id']}: {h['open_review_items']} open review "
                  f"item(s); {h['why']}")
