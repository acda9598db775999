"""Staff accounts: roles, argon2 password hashing, authentication, demo logins.

The store keeps only the argon2id hash (store/users.py); this module is the one
place that hashes and checks passwords, so the CLI (`dgw users add`), the API
and the console share one rule for names, roles and password strength.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import InputError
from ..store import users as user_store

if TYPE_CHECKING:
    from .context import Context

#: the staff roles; what each may do is decided at the interfaces (api/roles.py)
ROLES: tuple[str, ...] = ("admin", "disclosure_officer", "reviewer", "auditor")
MIN_PASSWORD_CHARS = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# argon2id with the library's RFC 9106 "low memory" defaults: ~50 ms per check.
_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name costs the same
# time as a wrong password and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _check(name: str, role: str, password: str) -> None:
    problems = []
    if not _NAME.match(name):
        problems.append("name must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter "
                        "or digit")
    if role not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    if problems:
        raise InputError("; ".join(problems), where=f"user {name!r}")


def _public(user: Any) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "disabled": bool(user.disabled),
            "created_at": user.created_at}


def add_user(ctx: Context, name: str, role: str, password: str) -> dict[str, Any]:
    """Create a staff account; raises InputError (bad name/role/password) or Conflict (name taken)."""
    _check(name, role, password)
    with ctx.store.transaction() as s:
        user = user_store.create_user(s, name=name, role=role, password_hash=_hasher.hash(password),
                                      created_at=datetime.now(UTC))
        return _public(user)


def set_password(ctx: Context, name: str, password: str) -> dict[str, Any]:
    """Replace a user's password (NotFound if there is no such user)."""
    with ctx.store.transaction() as s:
        current = user_store.require_user(s, name=name)
        _check(name, current.role, password)
        user = user_store.update_user(s, name=name, password_hash=_hasher.hash(password))
        return _public(user)


def list_users(ctx: Context) -> list[dict[str, Any]]:
    with ctx.store.reader() as s:
        return [_public(u) for u in user_store.list_users(s)]


def get_user(ctx: Context, name: str) -> dict[str, Any] | None:
    """The account as the interfaces see it (never the hash), or None."""
    with ctx.store.reader() as s:
        user = user_store.get_user(s, name=name)
        return _public(user) if user is not None else None


def authenticate(ctx: Context, name: str, password: str) -> dict[str, Any] | None:
    """The account when the password is right and the account is enabled; else None.

    Never says which of the two was wrong.
    """
    with ctx.store.reader() as s:
        user = user_store.get_user(s, name=name)
        stored = user.password_hash if user is not None else _DUMMY_HASH
        account = _public(user) if user is not None else None
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None or account["disabled"]:
        return None
    if _hasher.check_needs_rehash(stored):
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        with ctx.store.transaction() as s:
            user_store.update_user(s, name=name, password_hash=_hasher.hash(password))
    return account


def ensure_demo_users(ctx: Context, *, prefix: str = "demo-") -> list[dict[str, str]]:
    """One login per role for the demo: ``[{name, role, password}]``.

    Fresh random passwords every call (existing demo accounts get theirs
    replaced), because a password printed once cannot be recovered later.
    Two reviewers, since the agreement's two-person rule needs two people.
    """
    wanted = [(f"{prefix}{role.replace('_', '-')}", role) for role in ROLES]
    wanted.append((f"{prefix}reviewer-2", "reviewer"))
    logins = []
    for name, role in wanted:
        password = secrets.token_urlsafe(12)
        if get_user(ctx, name) is None:
            add_user(ctx, name, role, password)
        else:
            set_password(ctx, name, password)
        logins.append({"name": name, "role": role, "password": password})
    return logins
