"""`dgw demo`: make a demo workspace and run the whole pipeline on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..demo import run_demo
from .common import JsonOpt, emit_json, err, out, progress, table
from .process import print_outcome, progress_hook


def demo(
    ws: Annotated[Path, typer.Option("--workspace", "-w", help="Demo workspace directory.")] = Path(
        "demo-workspace"),
    taxpayers: Annotated[int, typer.Option(help="Taxpayers in the synthetic master file.")] = 200_000,
    requests: Annotated[int, typer.Option(help="Requests in the signed batch.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 2025,
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the API and console on it.")] = False,
    host: Annotated[str, typer.Option(help="Address to serve on (with --serve).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (with --serve).")] = 8000,
    json_: JsonOpt = False,
) -> None:
    """Create a demo workspace (keys, agreement, master, signed batch) and run the pipeline."""
    with progress(enabled=not json_) as bar:
        result = run_demo(ws, taxpayers=taxpayers, requests=requests, seed=seed,
                          say=(lambda m: None) if json_ else (lambda m: err.print(f"[dim]…[/] {m}")),
                          progress=progress_hook(bar))
    if json_:
        emit_json(result.to_json())
        if serve:
            _serve(ws, host, port)
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
    if serve:
        _serve(ws, host, port)


def _serve(ws: Path, host: str, port: int) -> None:
    from ..api.server import run_server
    from ..services.context import open_context
    from ..services.users import ensure_demo_users

    with open_context(ws) as ctx:
        logins = ensure_demo_users(ctx)
    out.print(table("Demo logins (printed once)", ["role", "name", "password"],
                    [(x["role"], x["name"], x["password"]) for x in logins]))
    out.print(f"console: http://{host}:{port}/  (Ctrl-C stops)")
    run_server(ws, host, port)

