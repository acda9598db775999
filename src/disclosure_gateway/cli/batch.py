"""`dgw batch`: prepare, sign and inspect request batches."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from ..agreement import load_agreement
from ..errors import InputError
from ..files import atomic_dir
from ..intake.manifest import build_manifest, sign_batch, write_manifest
from ..keys import load_private
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table

app = typer.Typer(help="Prepare, sign and inspect request batches.", no_args_is_help=True)


@app.command("new")
def new(
    records: Annotated[Path, typer.Argument(help="Records file (.csv, .parquet or .jsonl).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Batch directory to create.")],
    agreement: Annotated[Path, typer.Option("--agreement", help="Agreement TOML the batch is under.")],
    key_id: Annotated[str, typer.Option("--key-id", help="Requester key id (set by `batch sign`).")] = "0"
    * 16,
    json_: JsonOpt = False,
) -> None:
    """Write a manifest around a records file (unsigned; sign with `dgw batch sign`).

    The batch directory is built under a temporary name beside --out and renamed
    when complete: a failure leaves nothing behind.
    """
    if not records.is_file():
        raise InputError("records file not found", where=str(records))
    agr = load_agreement(agreement)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError("output directory exists and is not empty", where=str(out_dir))
    with atomic_dir(out_dir) as building:
        target = building / records.name
        try:
            shutil.copyfile(records, target)
        except OSError as e:
            raise InputError(f"cannot copy the records file: {e.strerror}",
                             where=str(records)) from e
        manifest = build_manifest(target, agreement=agr, requester_key_id=key_id)
        write_manifest(building, manifest)
    if json_:
        emit_json(manifest.model_dump(mode="json"))
    else:
        out.print(f"batch [bold]{manifest.batch_id}[/]: {manifest.record_count} records in {out_dir}")


@app.command("sign")
def sign(
    batch_dir: Annotated[Path, typer.Argument(help="Batch directory with manifest.json.")],
    key: Annotated[Path, typer.Option("--key", help="Requester's private key (PEM).")],
    json_: JsonOpt = False,
) -> None:
    """Recompute the manifest's count and digest from the records file and sign it."""
    pair = load_private(key)
    manifest = sign_batch(batch_dir, pair)
    if json_:
        emit_json(manifest.model_dump(mode="json"))
    else:
        out.print(
            f"signed batch [bold]{manifest.batch_id}[/] with key {pair.key_id} "
            f"({manifest.record_count} records)"
        )


@app.command("list")
def list_(ws: WorkspaceOpt, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """List batches, newest first, with their answer counts."""
    from ..services.batches import list_batches
    from ..services.context import open_context

    with open_context(ws, db) as ctx:
        rows = list_batches(ctx)
    if json_:
        emit_json(rows)
        return
    out.print(table(f"Batches ({len(rows)})",
                    ["batch", "requester", "status", "received", "records", "answers"],
                    [(r["batch_id"], r["requester_id"], r["status"], r["received_at"][:19],
                      f"{r['record_count']:,}",
                      ", ".join(f"{k} {v:,}" for k, v in r["answers"].items())) for r in rows]))


@app.command("records")
def records(
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    ws: WorkspaceOpt,
    db: DbOpt = None,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV (spreadsheet-safe).")] = False,
    json_: JsonOpt = False,
) -> None:
    """Each record's request id, status, reason codes and answer."""
    import sys

    from ..csvsafe import write_csv
    from ..services.batches import batch_records
    from ..services.context import open_context

    with open_context(ws, db) as ctx:
        rows = batch_records(ctx, batch_id)
    if json_:
        emit_json(rows)
    elif csv_:
        write_csv(sys.stdout, ["request_id", "status", "reason_codes", "answer"],
                  [{**r, "reason_codes": ";".join(r["reason_codes"])} for r in rows])
    else:
        out.print(table(f"Records of {batch_id} ({len(rows):,})",
                        ["request", "status", "reason codes", "answer"],
                        [(r["request_id"], r["status"], " ".join(r["reason_codes"]), r["answer"])
                         for r in rows]))
