"""What every command shares: the workspace option, --json output, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..workspace import Workspace, default_workspace

out = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace directory (default: $DGW_WORKSPACE, else ./demo-workspace).",
        default_factory=default_workspace,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: the workspace's SQLite store). It must "
                 "exist: a mistyped path is refused, not created."),
]
CreateDbOpt = Annotated[
    bool,
    typer.Option("--create-db", help="Create the store (SQLite file, or the gateway's tables "
                 "in a PostgreSQL database) if it does not exist."),
]


def workspace(path: Path) -> Workspace:
    ws = Workspace(path)
    ws.require()
    return ws


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    return t


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A progress bar on stderr; silent when stderr is not a terminal or with --json."""
    p = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled or not err.is_terminal,
        transient=False,
    )
    with p:
        yield p
