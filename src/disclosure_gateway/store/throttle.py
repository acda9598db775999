"""Failed-login counts per account or client address (keys are keyed hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..logins import Count
from ._sql import insert_one_if_absent, table_of
from .models import LoginFailure


def count_for_update(s: Session, *, scope: str, key: str, now: datetime) -> Count:
    """The count, its row locked until the transaction ends (made first if absent, so two
    logins at once cannot both read "no failures yet" on PostgreSQL)."""
    insert_one_if_absent(s, table_of(LoginFailure), {"scope": scope, "key": key, "failures": 0,
                                                     "last_failure_at": now, "locked_until": None})
    row = s.execute(select(LoginFailure).where(LoginFailure.scope == scope, LoginFailure.key == key)
                    .with_for_update().execution_options(populate_existing=True)).scalar_one()
    if int(row.failures) == 0:
        return Count()
    return Count(failures=int(row.failures), last_failure_at=row.last_failure_at,
                 locked_until=row.locked_until)


def put_count(s: Session, *, scope: str, key: str, count: Count) -> None:
    row = s.get(LoginFailure, (scope, key))
    if count.failures == 0 or count.last_failure_at is None:
        if row is not None:
            s.delete(row)
        s.flush()
        return
    if row is None:
        row = LoginFailure(scope=scope, key=key, failures=0, last_failure_at=count.last_failure_at)
        s.add(row)
    row.failures = count.failures
    row.last_failure_at = count.last_failure_at
    row.locked_until = count.locked_until
    s.flush()


def clear_count(s: Session, *, scope: str, key: str) -> None:
    s.execute(delete(LoginFailure).where(LoginFailure.scope == scope, LoginFailure.key == key))


def delete_stale(s: Session, *, before: datetime) -> int:
    """Forget counts with no failure since ``before`` (and so no lock left either)."""
    result = s.execute(delete(LoginFailure).where(LoginFailure.last_failure_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
