"""`dgw ledger`: verify the store and its log, print proofs, make and export checkpoints.

Proofs are JSON documents (see docs/ledger.md) that ``dgw ledger verify-proof``
or :func:`disclosure_gateway.ledger.proofs.verify_proof` check without the store.
``dgw ledger verify`` exits with one code per kind of problem: 8 the log, 10 a
damaged database, 11 a store behind its exported checkpoints, 12 response files
the store does not match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import AgreementError, InputError
from ..files import atomic_write
from ..keys import load_public, public_from_b64
from ..ledger.log import Ledger
from ..ledger.proofs import verify_proof
from ..services.ledger import audit, export_to
from ..store.engine import Store, open_store
from ..workspace import Workspace
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, progress, table

app = typer.Typer(help="Verify the transparency log; print and check proofs; checkpoints.",
                  no_args_is_help=True)

KeyOpt = Annotated[
    Path | None,
    typer.Option("--custodian-key", help="Custodian public key file (base64) to trust. "
                 "Default: the workspace's custodian key."),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the proof to this file.")]


def _open(ws_path: Path, db: str | None) -> Store:
    """The workspace's store (never a new empty one: a missing store is refused)."""
    return open_store(Workspace(ws_path).db_url(db))


def _trusted_key(ws_path: Path, key_file: Path | None) -> Ed25519PublicKey | None:
    if key_file is not None:
        return load_public(key_file)
    ws = Workspace(ws_path)
    pub = ws.keys_dir / "custodian.pub"
    if pub.exists():
        return load_public(pub)
    if (ws.keys_dir / "custodian.key").exists():
        return ws.custodian_key().public
    if ws.agreement_path.exists():
        try:
            agr = ws.agreement()
        except AgreementError:
            return None
        if agr.custodian.public_key:
            return public_from_b64(agr.custodian.public_key)
    return None


def _emit_proof(doc: dict[str, Any], out_file: Path | None, summary: str, json_: bool) -> None:
    text = json.dumps(doc, indent=2) + "\n"
    if out_file is None:
        typer.echo(text, nl=False)
        return
    atomic_write(out_file, text)
    if json_:
        emit_json({"written": str(out_file), "kind": doc["kind"]})
    else:
        out.print(f"{summary} -> {out_file}")


@app.command("verify")
def verify(
    ws: WorkspaceOpt,
    db: DbOpt = None,
    key: KeyOpt = None,
    witness: Annotated[list[Path] | None, typer.Option(
        "--witness", help="Also compare with the checkpoints in FILE (an export a witness "
        "kept; repeatable). The workspace's witness/checkpoints.json is always read.")] = None,
    quick: Annotated[bool, typer.Option(
        "--quick", help="SQLite quick_check instead of integrity_check (skips comparing every "
        "index with its rows; PostgreSQL: indexes without their rows).")] = False,
    json_: JsonOpt = False,
) -> None:
    """Check database, log, exported checkpoints, responses; exit 10, 8, 11, 12 by kind.

    In order: the database's integrity check (10: damaged); every leaf recomputed,
    with checkpoints, signatures and consistency (8); the store against the
    checkpoints exported outside it (11: rolled back); every signed response on
    disk against the logged responses (12: e.g. a batch the store lost).
    """
    trusted = _trusted_key(ws, key)
    with _open(ws, db) as store, progress(not json_) as bar:
        task = bar.add_task("verifying leaves", total=None)
        report = audit(
            Workspace(ws), store, trusted_keys=[trusted] if trusted else None,
            witness_files=witness or (), quick=quick,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    if json_:
        emit_json(report.to_json())
        return
    led = report.ledger
    trust = ("signatures checked against the custodian key" if led.keys_trusted else
             "[yellow]no custodian key given: signatures checked against the keys the "
             "checkpoints carry[/]")
    out.print(f"[green]ledger verified[/]: {led.tree_size} leaves, root {led.root_hash}")
    out.print(f"{led.checkpoints} checkpoints (latest at size {led.latest_checkpoint}); "
              f"{led.unwitnessed} leaves after it; {trust}")
    integrity = (report.integrity.check if report.integrity.complete
                 else f"[yellow]{report.integrity.check}[/]")
    out.print(f"database: {integrity}")
    out.print(f"exported checkpoints: {report.exported} (latest at size "
              f"{report.latest_exported}); response files: {report.responses} match the log"
              f"{'' if report.responses_signed else ' ([yellow]signatures not checked[/])'}; "
              f"{report.seconds:.1f}s")


@app.command("prove")
def prove(
    ws: WorkspaceOpt,
    leaf: Annotated[int, typer.Option("--leaf", help="Leaf index to prove.")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size (default: the latest "
                                             "checkpoint containing the leaf).")] = None,
    out_file: OutOpt = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Print an inclusion proof (JSON) that leaf N is in the tree of size S."""
    with _open(ws, db) as store:
        proof = Ledger(store).prove(leaf, size)
    _emit_proof(proof.to_json(), out_file,
                f"inclusion proof of leaf {leaf} in the tree of size {proof.tree_size}", json_)


@app.command("consistency")
def consistency(
    ws: WorkspaceOpt,
    old: Annotated[int, typer.Option("--from", help="Older tree size.")],
    new: Annotated[int | None, typer.Option("--to", help="Newer tree size (default: the "
                                            "latest checkpoint).")] = None,
    out_file: OutOpt = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Print a consistency proof (JSON) that the tree of size A is a prefix of size B."""
    with _open(ws, db) as store:
        proof = Ledger(store).consistency(old, new)
    _emit_proof(proof.to_json(), out_file,
                f"consistency proof from size {proof.old_size} to {proof.new_size}", json_)


@app.command("verify-proof")
def verify_proof_cmd(
    proof_file: Annotated[Path, typer.Argument(help="Proof JSON from `prove` or `consistency`.")],
    key: KeyOpt = None,
    require_signed: Annotated[bool, typer.Option(
        "--require-signed", help="Fail unless every root comes with a signed checkpoint.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Check a proof file offline: no store or workspace needed."""
    try:
        doc = json.loads(proof_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read proof: {e}", where=str(proof_file)) from e
    public = load_public(key) if key else None
    verify_proof(doc, public_key=public, require_signed=require_signed)
    signed = bool(doc.get("checkpoint") or doc.get("new_checkpoint"))
    result = {"ok": True, "kind": doc.get("kind"), "signed": signed,
              "key_checked": public is not None}
    if json_:
        emit_json(result)
    else:
        what = ("signed checkpoint checked against the given key" if signed and public else
                "signed checkpoint intact (no key given)" if signed else "no signed checkpoint")
        out.print(f"[green]proof verifies[/] ({doc.get('kind')}); {what}")


@app.command("checkpoint")
def checkpoint(
    ws: WorkspaceOpt,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Also write every checkpoint (JSON with signed notes) to FILE.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Sign the current tree with the custodian's key (and export checkpoints for a witness).

    Every checkpoint also goes to the workspace's witness/checkpoints.json; an
    --export FILE is added to in the same way (append-only: nothing in it is replaced).
    """
    workspace = Workspace(ws)
    key = workspace.custodian_key()
    with _open(ws, db) as store:
        ledger = Ledger(store)
        cp = ledger.checkpoint(key)
        export_to(ledger, workspace.checkpoint_export)
        count = export_to(ledger, export) if export else None
    if json_:
        emit_json({**cp.to_json(), "note": cp.note(), "exported": count,
                   "export": str(export) if export else None})
        return
    out.print(f"checkpoint: tree size [bold]{cp.tree_size}[/], root {cp.root_hash}, "
              f"key {cp.key_id}, {cp.time}")
    if export:
        out.print(f"{count} new checkpoints added to {export}")


@app.command("show")
def show(
    ws: WorkspaceOpt,
    start: Annotated[int, typer.Option("--from", help="First leaf index.")] = 0,
    limit: Annotated[int, typer.Option("--limit", help="How many leaves.")] = 20,
    type_: Annotated[str | None, typer.Option("--type", help="Only this event type.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List leaves with their events."""
    with _open(ws, db) as store:
        leaves = Ledger(store).leaves(start, limit, type=type_)
    if json_:
        emit_json([leaf.to_json() for leaf in leaves])
        return
    rows = [(lf.index, lf.event.time, lf.event.type,
             json.dumps(lf.event.payload, ensure_ascii=False)[:80], lf.leaf_hash[:16])
            for lf in leaves]
    out.print(table("Ledger", ["index", "time", "type", "payload", "leaf hash"], rows))
