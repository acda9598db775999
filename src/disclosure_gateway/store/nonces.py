"""Nonces of signed API requests: a nonce seen twice under one key is a replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ._sql import insert_one_if_absent, table_of
from .models import ApiNonce


def remember_nonce(s: Session, *, key_id: str, nonce: str, seen_at: datetime,
                   expires_at: datetime) -> bool:
    """True the first time (key_id, nonce) is seen; False on a replay."""
    return insert_one_if_absent(s, table_of(ApiNonce), {
        "key_id": key_id, "nonce": nonce, "seen_at": seen_at, "expires_at": expires_at})


def purge_expired_nonces(s: Session, *, now: datetime) -> int:
    """Forget nonces whose request timestamps could no longer be accepted anyway."""
    result = s.execute(delete(ApiNonce).where(ApiNonce.expires_at < now))
    return int(result.rowcount)  # type: ignore[attr-defined]
