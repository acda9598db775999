"""`dgw users`: staff accounts of the API and the console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import InputError
from ..services import users as user_service
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table, workspace

app = typer.Typer(help="Staff accounts (roles: " + ", ".join(user_service.ROLES) + ").",
                  no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on standard input", where="--password-stdin")
        return password
    if not sys.stdin.isatty():
        raise InputError("no terminal to prompt for a password; use --password-stdin", where="password")
    password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return password


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name (a-z, 0-9, '.', '_', '-').")],
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(user_service.ROLES) + ".")],
    ws: WorkspaceOpt,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from one line of stdin.")] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a staff account; the password is prompted for (or read with --password-stdin)."""
    root = workspace(ws).root
    if role not in user_service.ROLES:
        raise InputError(f"role must be one of {', '.join(user_service.ROLES)}", where="--role")
    password = _password(password_stdin)
    ctx = open_context(root, db)
    user = user_service.add_user(ctx, name, role, password)
    if json_:
        emit_json(user)
    else:
        out.print(f"added [bold]{user['name']}[/] ({user['role']})")


@app.command("list")
def list_(ws: WorkspaceOpt, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """List staff accounts (never their password hashes)."""
    ctx = open_context(workspace(ws).root, db)
    users = user_service.list_users(ctx)
    if json_:
        emit_json(users)
    else:
        out.print(table("Staff", ["name", "role", "disabled", "created"],
                        [[u["name"], u["role"], u["disabled"], u["created_at"]] for u in users]))
