"""`dgw response`: verify a signed response; reissue one after reviews close."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..keys import load_public
from ..response_files import verify_response
from ..services import batches as batch_service
from ..services import release as release_service
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out
from .login import AsOpt, PasswordStdinOpt, acting_account

app = typer.Typer(help="Verify and reissue signed responses.", no_args_is_help=True)


@app.command("verify")
def verify(
    response_dir: Annotated[Path, typer.Argument(help="Directory with response.csv and its manifest.")],
    custodian_key: Annotated[Path, typer.Option("--custodian-key", help="Custodian public key file.")],
    json_: JsonOpt = False,
) -> None:
    """Check the custodian's signature, the file digest and the record count."""
    manifest = verify_response(response_dir, load_public(custodian_key))
    if json_:
        emit_json({"valid": True, **manifest})
    else:
        out.print(f"[green]valid[/]: batch {manifest['batch_id']} version "
                  f"{manifest['response_version']}, {manifest['record_count']:,} records, "
                  f"signed by {manifest['custodian_key_id']}")


@app.command("reissue")
def reissue(
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    ws: WorkspaceOpt,
    as_: AsOpt = None,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Issue a new response version with the outcomes of closed reviews.

    As a disclosure officer or admin (`dgw login`, or --as NAME and its password) who
    decided none of the batch's review items.
    """
    with open_context(ws, db) as ctx:
        release_service.check_release(ctx, batch_id, acting_account(ctx, as_, password_stdin))
        outcome = batch_service.reissue(ctx, batch_id)
    if json_:
        emit_json(outcome)
    else:
        out.print(f"batch {outcome['batch_id']}: response version issued; answers "
                  + ", ".join(f"{k} {v:,}" for k, v in outcome["by_answer"].items()))
