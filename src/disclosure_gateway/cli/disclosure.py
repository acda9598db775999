"""`dgw disclosure`: retract wrong answers, record certificates of disposal, list what is open."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ..services import disclosures as svc
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, err, out, table
from .retention import NowOpt, parse_instant

app = typer.Typer(help="Retraction of wrong answers and the recipient's certificates of disposal.",
                  no_args_is_help=True)

BatchOpt = Annotated[str, typer.Option("--batch", help="Batch id.")]
RecordOpt = Annotated[str | None, typer.Option(
    "--record", help="One request id; without it, the whole batch.")]


@app.command("retract")
def retract(
    batch: BatchOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the answer was wrong (logged; no TIN).")],
    ws: WorkspaceOpt,
    record: RecordOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Who retracts (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Record that an answer (or a batch) was wrong; write the recipient's notice; list taxpayers."""
    with open_context(ws, db) as ctx:
        r = svc.retract(ctx, batch_id=batch, request_id=record, reason=reason,
                        by=by or getpass.getuser())
    if json_:
        emit_json(r)
        return
    scope = f"request {record}" if record else "the whole batch"
    out.print(f"retraction [bold]{r['retraction_id']}[/] of {scope} in {batch} recorded "
              f"(ledger leaf {r['leaf_index']}); answers: "
              + ", ".join(f"{k} {v:,}" for k, v in r["answers"].items()))
    out.print(f"notice for the recipient: {r['notice']}")
    if r["taxpayers"]:
        # The custodian's eyes only: TINs are printed here and nowhere else.
        err.print("[yellow]Affected taxpayers, for the custodian's notification process only; "
                  "do not forward.[/]")
        out.print(table(f"Taxpayers about whom something was disclosed ({len(r['taxpayers']):,})",
                        ["TIN", "request", "answer", "disclosed"],
                        [(t["tin"] or f"(unresolved; key {t['tin_key'][:16]}…)", t["request_id"],
                          t["code"], t["disclosed_at"][:19]) for t in r["taxpayers"]]))
    else:
        out.print("no taxpayer was disclosed by the retracted answer(s): nobody to notify")


@app.command("disposed")
def disposed(
    batch: BatchOpt,
    by: Annotated[str, typer.Option("--by", help="Who certifies the disposal (recipient's officer).")],
    where: Annotated[str, typer.Option("--where", help="Where the copies were held and destroyed.")],
    ws: WorkspaceOpt,
    record: RecordOpt = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="When the recipient certified it (ISO 8601; default: now).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Anything else the certificate says.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Record the recipient's certificate that the answers were destroyed."""
    with open_context(ws, db) as ctx:
        r = svc.certify_disposal(ctx, batch_id=batch, request_id=record, by=by, where=where,
                                 certified_at=parse_instant(on, where="--on"), note=note)
    if json_:
        emit_json(r)
        return
    scope = f"request {record}" if record else "the whole batch"
    out.print(f"certificate [bold]{r['disposal_id']}[/] for {scope} in {batch} recorded "
              f"(ledger leaf {r['leaf_index']})")
    if r["retractions_closed"]:
        out.print("closes retraction(s) " + ", ".join(str(i) for i in r["retractions_closed"]))


@app.command("outstanding")
def outstanding(
    ws: WorkspaceOpt,
    now: NowOpt = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Retractions not yet certified disposed; answers kept past the recipient's retention."""
    with open_context(ws, db) as ctx:
        r = svc.outstanding(ctx, now=parse_instant(now, where="--now"))
    if json_:
        emit_json(r)
        return
    out.print(table(f"Retractions awaiting a certificate of disposal ({len(r['retractions'])})",
                    ["retraction", "batch", "covers", "retracted", "days open", "reason"],
                    [(x["retraction_id"], x["batch_id"], x["request_id"] or "whole batch",
                      x["retracted_at"][:19], x["days_open"], x["reason"])
                     for x in r["retractions"]]))
    out.print(table(f"Batches past the recipient's {r['recipient_days']}-day retention without a "
                    f"certificate of destruction ({len(r['past_retention'])})",
                    ["batch", "requester", "disclosures", "first disclosed", "due", "days overdue"],
                    [(x["batch_id"], x["requester_id"], f"{x['disclosures']:,}",
                      x["first_disclosed_at"][:10], x["due_at"][:10], x["days_overdue"])
                     for x in r["past_retention"]]))
