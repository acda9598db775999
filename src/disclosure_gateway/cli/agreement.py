"""`dgw agreement`: check, show, install, suspend and resume the agreement."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from ..agreement import load_agreement
from .common import CreateDbOpt, DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table, workspace

app = typer.Typer(help="Check, show, install, suspend and resume the agreement.", no_args_is_help=True)


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="Agreement TOML file.")],
    json_: JsonOpt = False,
) -> None:
    """Validate an agreement file and print its terms hash."""
    agr = load_agreement(path)
    if json_:
        emit_json({"id": agr.id, "terms_hash": agr.terms_hash, "valid": True})
    else:
        out.print(f"[green]valid[/] {agr.id}  terms hash {agr.terms_hash}")


@app.command("show")
def show(ws: WorkspaceOpt, json_: JsonOpt = False) -> None:
    """Print the agreement in force in the workspace."""
    agr = workspace(ws).agreement()
    if json_:
        emit_json({**agr.model_dump(mode="json"), "terms_hash": agr.terms_hash})
        return
    out.print(f"[bold]{agr.title}[/] ({agr.id})  terms hash {agr.terms_hash}")
    out.print(
        f"custodian {agr.custodian.agency}; requesting agency {agr.requesting_agency.agency}; "
        f"authority {agr.authority}"
    )
    out.print(f"in force {agr.term.effective} to {agr.term.expires}; mode {agr.disclosure.mode}")
    state = (
        f"[red]SUSPENDED[/]: {agr.status.suspended_reason}" if agr.status.suspended else "[green]active[/]"
    )
    out.print(f"status {state}; recipient in good standing: {agr.status.recipient_in_good_standing}")
    out.print(
        table(
            "Authorised requesters",
            ["id", "title", "key id"],
            [(r.id, r.title, r.key_id) for r in agr.requesters],
        )
    )
    out.print("permitted statutes: " + "; ".join(agr.permitted_statutes))


def _set_suspension(ws: Path, db: str | None, suspended: bool, reason: str,
                    actor: str | None) -> dict[str, object]:
    from ..services.agreement import set_suspension
    from ..services.context import open_context

    with open_context(ws, db) as ctx:
        return set_suspension(ctx, suspended=suspended, reason=reason,
                              actor=actor or getpass.getuser())


@app.command("suspend")
def suspend(
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. the court order).")],
    ws: WorkspaceOpt,
    actor: Annotated[str | None, typer.Option("--by", help="Who suspends (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Suspend the agreement: every batch is refused, in-flight batches stop before answers."""
    info = _set_suspension(ws, db, True, reason, actor)
    emit_json(info) if json_ else out.print(f"[red]suspended[/] by {info['by']}: {reason}")


@app.command("resume")
def resume(
    reason: Annotated[str, typer.Option("--reason", help="Why it may resume.")],
    ws: WorkspaceOpt,
    actor: Annotated[str | None, typer.Option("--by", help="Who resumes (default: login).")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Resume a suspended agreement."""
    info = _set_suspension(ws, db, False, reason, actor)
    emit_json(info) if json_ else out.print(f"[green]resumed[/] by {info['by']}: {reason}")


@app.command("install")
def install(
    path: Annotated[Path, typer.Argument(help="Agreement TOML file to put in force.")],
    ws: Annotated[Path, typer.Option("--workspace", "-w", help="Workspace directory (created if missing).")],
    db: DbOpt = None,
    create_db: CreateDbOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Put an agreement in force in a workspace (makes the custodian key if missing).

    A new workspace gets a new store; an existing one keeps its store, which must
    exist unless --create-db is given (e.g. when it moves to a new database).
    """
    from ..ledger.events import EventType
    from ..provisioning import install_agreement
    from ..services.context import open_context
    from ..workspace import Workspace

    target = Workspace(ws)
    installed = install_agreement(target, load_agreement(path), db_url=db,
                                  create_db=create_db or not target.agreement_path.exists())
    with open_context(ws, db) as ctx, ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.AGREEMENT_LOADED, {
            "agreement_id": installed.id, "agreement_hash": installed.terms_hash,
            "by": getpass.getuser()})
    info = {"agreement": installed.id, "terms_hash": installed.terms_hash, "workspace": str(ws)}
    emit_json(info) if json_ else out.print(
        f"installed {installed.id} (terms hash {installed.terms_hash}) in {ws}")
