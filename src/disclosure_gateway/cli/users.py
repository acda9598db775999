"""`dgw users`: staff accounts of the API, the console and the CLI.

Names are folded to one spelling (``Ice Director`` is ``ice-director``), one
identity holds one account, and no requester of the agreement is ever an account.
Changing a password or a role, or disabling an account, ends its sessions at once.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import InputError
from ..services import users as user_service
from ..services.context import open_context
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, table, workspace
from .login import PasswordStdinOpt, read_password

app = typer.Typer(help="Staff accounts (roles: " + ", ".join(user_service.ROLES) + ").",
                  no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Login name (a-z, 0-9, '.', '_', '-'; case and spaces "
                                             "are folded).")]
RoleOpt = Annotated[str, typer.Option("--role", help="One of: " + ", ".join(user_service.ROLES) + ".")]


def _role(role: str) -> str:
    if role not in user_service.ROLES:
        raise InputError(f"role must be one of {', '.join(user_service.ROLES)}", where="--role")
    return role


def _done(user: dict[str, Any], json_: bool, text: str) -> None:
    if json_:
        emit_json(user)
    else:
        out.print(text)


@app.command("add")
def add(
    name: NameArg,
    role: RoleOpt,
    ws: WorkspaceOpt,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a staff account; the password is prompted for (or read with --password-stdin)."""
    root = workspace(ws).root
    role = _role(role)
    password = read_password(password_stdin, confirm=True)
    with open_context(root, db) as ctx:
        user = user_service.add_user(ctx, name, role, password)
    _done(user, json_, f"added [bold]{user['name']}[/] ({user['role']})")


@app.command("list")
def list_(ws: WorkspaceOpt, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """List staff accounts (never their password hashes)."""
    with open_context(workspace(ws).root, db) as ctx:
        users = user_service.list_users(ctx)
    if json_:
        emit_json(users)
    else:
        out.print(table("Staff", ["name", "role", "disabled", "created"],
                        [[u["name"], u["role"], u["disabled"], u["created_at"]] for u in users]))


@app.command("disable")
def disable(name: NameArg, ws: WorkspaceOpt, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Disable an account: it cannot log in, and every session it holds ends now."""
    with open_context(workspace(ws).root, db) as ctx:
        user = user_service.set_disabled(ctx, name, True)
    _done(user, json_, f"disabled [bold]{user['name']}[/]; its sessions have ended")


@app.command("enable")
def enable(name: NameArg, ws: WorkspaceOpt, db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Enable an account again (and lift a lock-out after failed logins)."""
    with open_context(workspace(ws).root, db) as ctx:
        user = user_service.set_disabled(ctx, name, False)
    _done(user, json_, f"enabled [bold]{user['name']}[/]")


@app.command("set-role")
def set_role(
    name: NameArg,
    role: Annotated[str, typer.Argument(help="One of: " + ", ".join(user_service.ROLES) + ".")],
    ws: WorkspaceOpt,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Give an account another role; its sessions end (it logs in again under the new role)."""
    with open_context(workspace(ws).root, db) as ctx:
        user = user_service.set_role(ctx, name, _role(role))
    _done(user, json_, f"[bold]{user['name']}[/] is now {user['role']}; its sessions have ended")


@app.command("reset-password")
def reset_password(
    name: NameArg,
    ws: WorkspaceOpt,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Set a new password; the account's sessions end and a lock-out is lifted."""
    root = workspace(ws).root
    password = read_password(password_stdin, confirm=True)
    with open_context(root, db) as ctx:
        user = user_service.set_password(ctx, name, password)
    _done(user, json_, f"new password for [bold]{user['name']}[/]; its sessions have ended")
