"""`dgw report`: the annual aggregate report and a batch report with pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..services.context import open_context
from ..services.reports import annual_report, write_batch_html
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table

app = typer.Typer(help="Oversight reports: annual aggregate counts; one batch in pictures.",
                  no_args_is_help=True)


def _n(v: int) -> str:
    return f"{v:,}"


@app.command("annual")
def annual(
    year: Annotated[int, typer.Option("--year", help="Calendar year (UTC).")],
    ws: WorkspaceOpt,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Counts for one year by requester, statute, answer code and reason code (no person named)."""
    with open_context(ws, db) as ctx:
        rep = annual_report(ctx, year=year)
    if json_:
        emit_json(rep)
        return
    t = rep["totals"]
    out.print(f"[bold]Annual report {year}[/] (requests by batch receipt, disclosures by date "
              f"made, {rep['period']['start'][:10]} to {rep['period']['end'][:10]} exclusive)")
    out.print(table("Totals", ["batches", "requests", "refused by gate", "disclosures",
                               "distinct taxpayers", "retractions", "disposals certified"],
                    [(_n(t["batches"]), _n(t["requests"]), _n(t["refused_by_gate"]),
                      _n(t["disclosures"]), _n(t["taxpayers"]), _n(t["retractions"]),
                      _n(t["disposals_certified"]))]))
    out.print(table("By requester", ["requester", "batches", "requests", "refused", "disclosures",
                                     "taxpayers"],
                    [(r["requester_id"] or "–", _n(r["batches"]), _n(r["requests"]),
                      _n(r["refused"]), _n(r["disclosures"]), _n(r["taxpayers"]))
                     for r in rep["by_requester"]]))
    out.print(table("By statute", ["statute", "requests", "refused", "disclosures", "taxpayers"],
                    [(r["statute"] or "–", _n(r["requests"]), _n(r["refused"]),
                      _n(r["disclosures"]), _n(r["taxpayers"])) for r in rep["by_statute"]]))
    out.print(table("By answer code (latest response of each batch)", ["answer", "requests"],
                    [(k, _n(v)) for k, v in rep["by_answer"].items()]))
    out.print(table("By reason code (refused requests; one may carry several)",
                    ["reason code", "requests"], [(k, _n(v)) for k, v in rep["by_reason"].items()]))


@app.command("batch")
def batch(
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    ws: WorkspaceOpt,
    html: Annotated[Path | None, typer.Option(
        "--html", help="HTML file to write (a directory: BATCH_ID.html in it). "
        "Default: the workspace's reports/ directory.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Write one batch's report as a self-contained HTML page with charts."""
    with open_context(ws, db) as ctx:
        rep = write_batch_html(ctx, batch_id, html if html is not None else ctx.ws.reports_dir)
    if json_:
        emit_json(rep)
        return
    answers = ", ".join(f"{k} {v:,}" for k, v in rep["answers"].items()) or "no answers yet"
    out.print(f"batch [bold]{batch_id}[/]: {rep['record_count']:,} records; {answers}")
    out.print(f"report: {rep['html']}")
