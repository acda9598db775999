"""Staff accounts: roles, argon2 password hashing, enabling, demo logins.

The store keeps only the argon2id hash (store/users.py); this module is the one
place that hashes and checks passwords, so the CLI (`dgw users ...`), the API and
the console share one rule for names, roles and password strength. Names are folded
to one spelling (duties.fold_name) when an account is made and whenever one is looked
up, and one identity holds one account (duties, rule 1); a requester's identity is
never an account (rule 2).

A changed password or role, or a disabled account, ends every session of the
account in the same transaction: whatever the person held (a browser cookie, a
`dgw login` token) stops working at once.

:func:`authenticate` only checks a password; interfaces log people in through
``services.logins.login``, which adds the throttle.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..duties import (
    ROLES,
    Account,
    check_not_requester,
    fold_name,
    identity_key,
    name_problems,
    requester_identities,
)
from ..errors import Forbidden, InputError
from ..store import sessions as session_store
from ..store import throttle as throttle_store
from ..store import users as user_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .context import Context

__all__ = ["MIN_PASSWORD_CHARS", "ROLES", "add_user", "authenticate", "ensure_demo_users", "get_user",
           "hash_password", "list_users", "login_account_key", "set_disabled", "set_password", "set_role",
           "staff_account"]

MIN_PASSWORD_CHARS = 12

# argon2id with the library's RFC 9106 "low memory" defaults: ~50 ms per check.
_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name costs the same
# time as a wrong password and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash the store keeps."""
    return _hasher.hash(password)


def _problems(name: str, role: str | None, password: str | None) -> list[str]:
    problems = list(name_problems(name))
    if role is not None and role not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    return problems


def _raise(problems: list[str], raw: str) -> None:
    if problems:
        raise InputError("; ".join(problems), where=f"user {raw!r}")


def _public(user: Any) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "disabled": bool(user.disabled),
            "created_at": user.created_at}


def _end_sessions(s: Session, user: Any) -> int:
    return session_store.delete_user_sessions(s, user_id=int(user.id))


def login_account_key(ctx: Context, name: str) -> str:
    """What an account's failed logins are counted under: a keyed hash of its identity key
    (any name, account or not: the throttle must not tell which names exist)."""
    return ctx.keyed("login_account", identity_key(name))


def _clear_lock(ctx: Context, s: Session, name: str) -> None:
    throttle_store.clear_count(s, scope="account", key=login_account_key(ctx, name))


def add_user(ctx: Context, name: str, role: str, password: str) -> dict[str, Any]:
    """Create a staff account; InputError (bad name/role/password), Forbidden (a requester's
    identity) or Conflict (the name, or another spelling of it, is taken)."""
    folded = fold_name(name)
    _raise(_problems(folded, role, password), name)
    check_not_requester(folded, requester_identities(ctx.agreement()))
    with ctx.store.transaction() as s:
        user = user_store.create_user(s, name=folded, role=role, password_hash=hash_password(password),
                                      created_at=datetime.now(UTC), identity_key=identity_key(folded))
        return _public(user)


def set_password(ctx: Context, name: str, password: str) -> dict[str, Any]:
    """Replace a user's password (NotFound if there is no such user); ends their sessions and
    clears a lock-out of the account."""
    folded = fold_name(name)
    _raise(_problems(folded, None, password), name)
    with ctx.store.transaction() as s:
        user = user_store.update_user(s, name=folded, password_hash=hash_password(password))
        _end_sessions(s, user)
        _clear_lock(ctx, s, folded)
        return _public(user)


def set_role(ctx: Context, name: str, role: str) -> dict[str, Any]:
    """Give a user another role; ends their sessions (they log in again under the new role)."""
    folded = fold_name(name)
    _raise(_problems(folded, role, None), name)
    with ctx.store.transaction() as s:
        user = user_store.require_user(s, name=folded)
        if user.role != role:
            user_store.update_user(s, name=folded, role=role)
            _end_sessions(s, user)
        return _public(user)


def set_disabled(ctx: Context, name: str, disabled: bool) -> dict[str, Any]:
    """Disable (ending every session) or enable (clearing a lock-out) an account."""
    folded = fold_name(name)
    with ctx.store.transaction() as s:
        user = user_store.update_user(s, name=folded, disabled=disabled)
        if disabled:
            _end_sessions(s, user)
        else:
            _clear_lock(ctx, s, folded)
        return _public(user)


def staff_account(s: Session, name: str) -> Account:
    """The account acting under ``name`` as the duties rules see it, re-read in the caller's
    transaction; Forbidden when there is none (a free-text name is nobody)."""
    user = user_store.get_user(s, name=fold_name(name))
    if user is None:
        raise Forbidden(f"{name!r} is not a staff account: decisions and releases are made by "
                        "logged-in accounts only")
    return Account(name=user.name, role=user.role, disabled=bool(user.disabled))


def list_users(ctx: Context) -> list[dict[str, Any]]:
    with ctx.store.reader() as s:
        return [_public(u) for u in user_store.list_users(s)]


def get_user(ctx: Context, name: str) -> dict[str, Any] | None:
    """The account as the interfaces see it (never the hash), or None."""
    with ctx.store.reader() as s:
        user = user_store.get_user(s, name=fold_name(name))
        return _public(user) if user is not None else None


def authenticate(ctx: Context, name: str, password: str) -> dict[str, Any] | None:
    """The account when the password is right and the account is enabled; else None.

    Never says which of the two was wrong. Not throttled: see services.logins.login.
    """
    folded = fold_name(name)
    with ctx.store.reader() as s:
        user = user_store.get_user(s, name=folded)
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
            user_store.update_user(s, name=folded, password_hash=hash_password(password))
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
