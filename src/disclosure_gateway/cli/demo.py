"""`dgw demo`: make a demo workspace and run the whole pipeline on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..demo import run_demo
from .common import JsonOpt, emit_json, err, out, progress
from .process import print_outcome, progress_hook


def demo(
    ws: Annotated[Path, typer.Option("--workspace", "-w", help="Demo workspace directory.")] = Path(
        "demo-workspace"),
    taxpayers: Annotated[int, typer.Option(help="Taxpayers in the synthetic master file.")] = 200_000,
    requests: Annotated[int, typer.Option(help="Requests in the signed batch.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 2025,
    json_: JsonOpt = False,
) -> None:
    """Create a demo workspace (keys, agreement, master, signed batch) and run the pipeline."""
    with progress(enabled=not json_) as bar:
        result = run_demo(ws, taxpayers=taxpayers, requests=requests, seed=seed,
                          say=(lambda m: None) if json_ else (lambda m: err.print(f"[dim]…[/] {m}")),
                          progress=progress_hook(bar))
    if json_:
        emit_json(result.to_json())
        return
    out.print(f"[bold]demo workspace[/] {result.workspace}")
    out.print(f"master file {result.master_file} ({result.taxpayers:,} taxpayers); "
              f"batch {result.batch_dir} ({result.requests:,} requests)")
    if result.outcome:
        print_outcome(result.outcome)
    if result.report:
        out.print(f"batch report (HTML with charts): {result.report}")
    out.print(f"next: dgw batch list -w {result.workspace}; dgw review list -w {result.workspace}; "
              f"dgw ledger verify -w {result.workspace}; dgw serve -w {result.workspace}")
    out.print("timings (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items()))
