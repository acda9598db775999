"""`dgw process`: run (or resume) one signed batch through the whole pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from ..pipeline import BatchOutcome, process_batch
from ..provisioning import prepare_store
from ..services.context import open_context
from ..services.ledger import export_checkpoints
from .common import (
    CreateDbOpt,
    DbOpt,
    JsonOpt,
    WorkspaceOpt,
    emit_json,
    out,
    progress,
    table,
    workspace,
)


def progress_hook(bar: Progress) -> Any:
    tasks: dict[str, Any] = {}

    def hook(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    return hook


def print_outcome(o: BatchOutcome) -> None:
    out.print(f"batch [bold]{o.batch_id}[/]: {o.status}, {o.records:,} records, "
              f"{o.refused_records:,} refused by the gate, {o.probing_records:,} as probing, "
              f"{o.review_open:,} waiting for review")
    if o.stopped_reason:
        out.print(f"[red]stopped before any answer left[/]: {o.stopped_reason}")
    if o.by_answer:
        total = sum(o.by_answer.values())
        out.print(table("Answers", ["answer", "records", "share"],
                        [(k, f"{v:,}", f"{v / total:.1%}") for k, v in o.by_answer.items()]))
    if o.by_reason:
        out.print(table("Reason codes (gate)", ["code", "records"],
                        [(k, f"{v:,}") for k, v in list(o.by_reason.items())[:20]]))
    if o.response_dir:
        out.print(f"signed response: {o.response_dir}")
    if o.checkpoint:
        out.print(f"ledger checkpoint: size {o.checkpoint['tree_size']:,}, "
                  f"root {o.checkpoint['root_hash']}")


def process(
    batch_dir: Annotated[Path, typer.Argument(help="Batch directory (manifest, records, signature).")],
    ws: WorkspaceOpt,
    db: DbOpt = None,
    create_db: CreateDbOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Process (or resume) a signed batch: intake, gate, match, decide, respond."""
    if create_db:
        prepare_store(workspace(ws), db, create=True)
    with open_context(ws, db) as ctx, progress(enabled=not json_) as bar:
        outcome = process_batch(ctx, batch_dir, progress=progress_hook(bar))
        export_checkpoints(ctx)  # the batch's checkpoint, kept outside the store too
    if json_:
        emit_json(outcome.to_json())
    else:
        print_outcome(outcome)
