"""`dgw login` / `dgw logout`, and who is acting in a CLI command that needs a person.

A review decision or a release from the CLI is made by a staff account, never by a
name typed on the command line: either the account logged in with `dgw login NAME`
(a short-lived session token in the workspace, readable by this OS user only), or
``--as NAME`` with the password prompted for (or read with ``--password-stdin``).
Both log in through the same throttled service as the API and the console.

The token file is ``logins/<os user>.json`` in the workspace (directory 0700, file
0600); it holds the account name and the opaque token, and the session it names is
a row in the store, so `dgw logout`, a timeout, a password or role change or a
disabled account end it whatever happens to the file.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import stat
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import AuthenticationFailed, InputError
from ..services import logins, sessions
from ..services.context import Context, open_context, utcnow
from .common import DbOpt, JsonOpt, WorkspaceOpt, emit_json, out, workspace

LOGINS_DIR = "logins"
DEFAULT_MINUTES = 15
MAX_MINUTES = 60

AsOpt = Annotated[str | None, typer.Option(
    "--as", "--reviewer", help="Act as this staff account, asking for its password (default: the "
    "account of `dgw login`).")]
PasswordStdinOpt = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from one line of stdin.")]


def read_password(from_stdin: bool, *, confirm: bool = False) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on standard input", where="--password-stdin")
        return password
    if not sys.stdin.isatty():
        raise InputError("no terminal to prompt for a password; use --password-stdin", where="password")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def cli_client() -> str:
    """What the login throttle counts a CLI user under, in place of a network address."""
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def token_path(root: Path) -> Path:
    return root / LOGINS_DIR / f"{getpass.getuser()}.json"


def _write_token(path: Path, saved: dict[str, Any]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(saved, f)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _read_token(path: Path) -> dict[str, Any] | None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_IMODE(mode) & 0o077:
        # Fail closed: a token others could read is not this user's alone any more.
        path.unlink(missing_ok=True)
        raise AuthenticationFailed(f"{path.name} was readable by others and has been removed; "
                                   "run `dgw login NAME` again", where="dgw login")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) and isinstance(saved.get("token"), str) else None


def acting_account(ctx: Context, as_: str | None, password_stdin: bool) -> str:
    """The staff account this command acts as: ``--as`` with its password, else `dgw login`'s."""
    if as_ is not None:
        password = read_password(password_stdin)
        return str(logins.login(ctx, as_, password, client=cli_client())["name"])
    path = token_path(ctx.ws.root)
    saved = _read_token(path)
    if saved is None:
        raise AuthenticationFailed("not logged in: run `dgw login NAME` first, or give --as NAME "
                                   "(the password is asked for)")
    live = sessions.resolve(ctx, saved["token"], kind="cli", now=utcnow())
    if live is None:
        path.unlink(missing_ok=True)
        raise AuthenticationFailed("your `dgw login` has ended (timed out, logged out, or the account "
                                   "changed): run `dgw login NAME` again")
    return live.account


def login(
    name: Annotated[str, typer.Argument(help="Staff account name.")],
    ws: WorkspaceOpt,
    minutes: Annotated[int, typer.Option("--minutes", min=1, max=MAX_MINUTES,
                                         help="How long the login lasts.")] = DEFAULT_MINUTES,
    password_stdin: PasswordStdinOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Log in as a staff account for a few minutes (for review decisions and releases).

    The token is kept in the workspace, readable by this OS user only; the session it
    names ends at `dgw logout`, after --minutes, or when the account changes.
    """
    root = workspace(ws).root
    password = read_password(password_stdin)
    with open_context(root, db) as ctx:
        path = token_path(root)
        try:
            previous = _read_token(path)
        except AuthenticationFailed:
            previous = None
        account = logins.login(ctx, name, password, client=cli_client())
        token, live = sessions.start(ctx, account["name"], kind="cli", now=utcnow(),
                                     absolute_s=minutes * 60, idle_s=minutes * 60,
                                     replacing=previous["token"] if previous else None)
    _write_token(path, {"account": live.account, "token": token, "ends_at": live.absolute_end.isoformat()})
    result = {"account": live.account, "role": live.role, "ends_at": live.absolute_end.isoformat()}
    if json_:
        emit_json(result)
    else:
        out.print(f"logged in as [bold]{live.account}[/] ({live.role}) until "
                  f"{live.absolute_end:%Y-%m-%d %H:%M:%S} UTC")


def logout(ws: WorkspaceOpt, db: DbOpt = None) -> None:
    """End the `dgw login` session of this OS user in this workspace."""
    root = workspace(ws).root
    path = token_path(root)
    try:
        saved = _read_token(path)
    except AuthenticationFailed:
        saved = None
    if saved is not None:
        with open_context(root, db) as ctx:
            sessions.end(ctx, saved["token"])
    path.unlink(missing_ok=True)
    out.print("logged out" if saved is not None else "not logged in")
