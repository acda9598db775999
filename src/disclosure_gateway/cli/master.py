"""`dgw master`: build the normalised, indexed master file of a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..match.master_index import build_master_index, index_path, open_master
from .common import JsonOpt, WorkspaceOpt, emit_json, out, progress, table, workspace

app = typer.Typer(help="The taxpayer master index (normalised, in DuckDB).", no_args_is_help=True)


@app.command("load")
def load(
    source: Annotated[Path, typer.Argument(help="Master file (.parquet or .csv): one row per "
                                                "address held; newest address_as_of = last known.")],
    ws_path: WorkspaceOpt,
    json_: JsonOpt = False,
) -> None:
    """Normalise and index a master file; replaces the workspace's index atomically."""
    ws = workspace(ws_path)
    with progress(not json_) as bar:
        task = bar.add_task("master", total=6)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"master: {step}")

        info = build_master_index(source, ws.master_dir, progress=report)
    if json_:
        emit_json(info.as_dict())
        return
    out.print(f"{info.persons:,} taxpayers ({info.rows:,} address rows, {info.keys:,} candidate "
              f"keys) indexed in [bold]{info.path}[/] in {info.seconds:.1f} s")
    out.print(f"snapshot {info.snapshot_hash}")


@app.command("show")
def show(ws_path: WorkspaceOpt, json_: JsonOpt = False) -> None:
    """The index's counts, source digest and snapshot hash."""
    ws = workspace(ws_path)
    con, meta = open_master(ws.master_dir)
    con.close()
    meta["path"] = str(index_path(ws.master_dir))
    if json_:
        emit_json(meta)
        return
    out.print(table("Master index", ["field", "value"], sorted(meta.items())))
