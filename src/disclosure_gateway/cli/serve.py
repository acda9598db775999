"""`dgw serve`: the API and the console over one workspace (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..api.server import is_loopback, run_server
from .common import DbOpt, WorkspaceOpt, err, workspace


def serve(
    ws: WorkspaceOpt,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOpt = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64,
                                         help="Worker processes (each with its own connections).")] = 1,
) -> None:
    """Serve the requester API (/api/v1), the staff API and the web console (/console/)."""
    root = workspace(ws).root
    if not is_loopback(host):
        err.print("[yellow]note[/]: not a loopback address, so session cookies are marked Secure; "
                  "put the service behind HTTPS.", highlight=False)
    err.print(f"console: http://{host}:{port}/console/   API schema: http://{host}:{port}/openapi.json",
              highlight=False)
    run_server(root, host, port, db_url=db, workers=workers)
