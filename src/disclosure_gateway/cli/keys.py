"""`dgw keys`: Ed25519 key pairs for requesters and the custodian."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..keys import new_keypair, write_keypair
from .common import JsonOpt, emit_json, out

app = typer.Typer(help="Make Ed25519 key pairs.", no_args_is_help=True)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="Key name; files NAME.key and NAME.pub.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the pair into.")],
    json_: JsonOpt = False,
) -> None:
    """Make a key pair: NAME.key (PEM, mode 0600) and NAME.pub (base64)."""
    pair = new_keypair(name)
    priv, pub = write_keypair(pair, out_dir)
    info = {
        "name": name,
        "key_id": pair.key_id,
        "private_key": str(priv),
        "public_key_file": str(pub),
        "public_key": pair.public_b64,
    }
    if json_:
        emit_json(info)
    else:
        out.print(f"key id [bold]{pair.key_id}[/]  private {priv} (0600)  public {pub}")
