"""Staff accounts of the API, the console and the CLI. Passwords arrive already
hashed (argon2); names arrive folded (duties.fold_name), with their identity key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from .models import User


def create_user(s: Session, *, name: str, role: str, password_hash: str,
                created_at: datetime, identity_key: str | None = None) -> User:
    """A new account; Conflict when the name or (any spelling of) the identity is taken."""
    if identity_key is not None:
        same = s.scalars(select(User).where(or_(User.identity_key == identity_key,
                                                User.name == name))).first()
        if same is not None:
            raise Conflict(f"a user named {same.name!r} already exists, and {name!r} is the same "
                           "identity (names differing only by case, spacing or punctuation are one "
                           "person)" if same.name != name else f"a user named {name!r} already exists")
    user = User(name=name, role=role, password_hash=password_hash, created_at=created_at,
                disabled=False, identity_key=identity_key)
    try:
        with s.begin_nested():
            s.add(user)
    except IntegrityError as e:
        # two makers at once (or a caller without an identity key): the unique indexes decide
        raise Conflict(f"a user named {name!r} already exists") from e
    return user


def get_user(s: Session, *, name: str) -> User | None:
    return s.scalars(select(User).where(User.name == name)).first()


def require_user(s: Session, *, name: str) -> User:
    user = get_user(s, name=name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def list_users(s: Session) -> list[User]:
    return list(s.scalars(select(User).order_by(User.name)))


def update_user(s: Session, *, name: str, role: str | None = None,
                password_hash: str | None = None, disabled: bool | None = None) -> User:
    user = require_user(s, name=name)
    if role is not None:
        user.role = role
    if password_hash is not None:
        user.password_hash = password_hash
    if disabled is not None:
        user.disabled = disabled
    s.flush()
    return user
