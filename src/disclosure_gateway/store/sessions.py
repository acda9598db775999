"""Staff sessions: one row per live session, found by the SHA-256 of its token.

A session that ends is deleted (logout, password or role change, disabled account,
timeout): a missing row is the only "no session" there is, so nothing a client
holds outlives it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import StaffSession, User


def insert_session(s: Session, *, token_hash: str, user_id: int, kind: str, csrf: str,
                   created_at: datetime, absolute_end: datetime, idle_s: int,
                   ends_at: datetime) -> None:
    s.add(StaffSession(token_hash=token_hash, user_id=user_id, kind=kind, csrf=csrf, data={},
                       created_at=created_at, last_used_at=created_at, absolute_end=absolute_end,
                       idle_s=idle_s, ends_at=ends_at))
    s.flush()


def session_with_user(s: Session, *, token_hash: str) -> tuple[StaffSession, User] | None:
    row = s.execute(select(StaffSession, User).join(User, User.id == StaffSession.user_id)
                    .where(StaffSession.token_hash == token_hash)).first()
    return (row[0], row[1]) if row is not None else None


def touch_session(s: Session, *, token_hash: str, used_at: datetime, ends_at: datetime) -> None:
    s.execute(update(StaffSession).where(StaffSession.token_hash == token_hash)
              .values(last_used_at=used_at, ends_at=ends_at))


def save_data(s: Session, *, token_hash: str, data: dict[str, Any]) -> None:
    s.execute(update(StaffSession).where(StaffSession.token_hash == token_hash).values(data=data))


def _deleted(s: Session, *where: Any) -> int:
    result = s.execute(delete(StaffSession).where(*where))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_session(s: Session, *, token_hash: str) -> int:
    return _deleted(s, StaffSession.token_hash == token_hash)


def delete_user_sessions(s: Session, *, user_id: int) -> int:
    return _deleted(s, StaffSession.user_id == user_id)


def delete_ended(s: Session, *, now: datetime) -> int:
    return _deleted(s, StaffSession.ends_at <= now)
