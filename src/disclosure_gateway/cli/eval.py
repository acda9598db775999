"""`dgw eval`: score a batch against its truth file, beside the 2025 baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..evaluation import fmt, run_evaluation, side_by_side
from .common import JsonOpt, WorkspaceOpt, emit_json, err, out, table, workspace


def eval_(
    batch_dir: Annotated[Path, typer.Argument(help="Batch directory with truth.parquet.")],
    ws_path: WorkspaceOpt,
    results: Annotated[Path | None, typer.Option(
        "--results", help="Outcomes to score (CSV/Parquet: request_id, tin, outcome, "
                          "address_result); default: the batch's stored decisions, else a "
                          "fresh gate + match + decide run.")] = None,
    by_kind: Annotated[bool, typer.Option("--by-kind/--no-by-kind",
                                          help="Break down by corruption kind.")] = True,
    json_: JsonOpt = False,
) -> None:
    """Wrongful matches and confirmations, misses, review load, precision/recall/F1."""
    ws = workspace(ws_path)

    def say(msg: str) -> None:
        if not json_:
            err.print(f"[dim]eval: {msg}[/]")

    ev = run_evaluation(ws, batch_dir, results=results, say=say)
    if json_:
        emit_json(ev.as_dict())
        return
    out.print(table(f"Batch {batch_dir} ({ev.source})", ["", "gateway", "2025 baseline"],
                    side_by_side(ev.ours, ev.baseline)))
    if by_kind:
        rows = []
        for kind, c in ev.ours.by_kind.items():
            b = ev.baseline.by_kind.get(kind)
            rows.append((kind, fmt(c.requests), fmt(c.recall), fmt(c.wrongful_matches),
                         fmt(c.wrongful_confirmations), fmt(c.to_review),
                         fmt(b.recall) if b else "—", fmt(b.wrongful_confirmations) if b else "—"))
        out.print(table("By corruption kind (wrong m./c.: wrongful matches/confirmations)",
                        ["kind", "n", "recall", "wrong m.", "wrong c.", "review",
                         "2025 recall", "2025 wrong c."], rows))
