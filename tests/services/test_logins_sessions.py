"""Accounts, throttled logins and sessions on each backend (SQLite and PostgreSQL):
one identity per account under the unique index, parallel wrong guesses all counted,
lock-outs in the ledger, sessions that end, and the 0003 migration's identity keys."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from disclosure_gateway.errors import AuthenticationFailed, Conflict, Forbidden, TooManyAttempts
from disclosure_gateway.services import logins, sessions
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import Context
from disclosure_gateway.store.engine import downgrade, upgrade
from disclosure_gateway.store.models import LedgerLeaf, User

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a-long-enough-password"


def _lockouts(ctx: Context) -> list[dict[str, object]]:
    with ctx.store.reader() as s:
        return [json.loads(bytes(p))["payload"] for p in s.scalars(
            select(LedgerLeaf.payload).where(LedgerLeaf.event_type == "login_locked"))]


def test_one_identity_is_one_account_on_the_unique_index(bare: Context) -> None:
    made = user_service.add_user(bare, "  Rita ", "reviewer", PASSWORD)
    assert made["name"] == "rita"
    for spelling in ("RITA", "ri-ta", "Ri_Ta"):
        with pytest.raises(Conflict, match="already exists"):
            user_service.add_user(bare, spelling, "auditor", PASSWORD)
    with pytest.raises(Forbidden, match="a requester can never be staff"):
        user_service.add_user(bare, "ICE Director", "reviewer", PASSWORD)
    assert [u["name"] for u in user_service.list_users(bare)] == ["rita"]
    assert logins.login(bare, "RITA", PASSWORD, client="198.51.100.1", now=T0)["name"] == "rita"


def test_parallel_wrong_guesses_are_all_counted_and_lock_once(bare: Context) -> None:
    user_service.add_user(bare, "otto", "disclosure_officer", PASSWORD)

    def guess(i: int) -> str:
        try:
            logins.login(bare, "otto", f"guess-{i}", client=f"198.51.100.{i}", now=T0)
        except (AuthenticationFailed, TooManyAttempts) as e:
            return type(e).__name__
        return "in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(guess, range(8)))
    assert outcomes == ["AuthenticationFailed"] * 6 + ["TooManyAttempts"] * 2
    with pytest.raises(TooManyAttempts) as refused:
        logins.login(bare, "otto", PASSWORD, client="198.51.100.99", now=T0 + timedelta(seconds=1))
    assert refused.value.retry_after == 1
    assert logins.login(bare, "otto", PASSWORD, client="198.51.100.99",
                        now=T0 + timedelta(seconds=2))["name"] == "otto"
    (event,) = _lockouts(bare)
    assert event["account"] == "otto" and event["scope"] == "account" and event["failures"] == 6


def test_an_admin_lifts_a_lock_out(bare: Context) -> None:
    user_service.add_user(bare, "remy", "reviewer", PASSWORD)
    for i in range(6):
        with pytest.raises(AuthenticationFailed):
            logins.login(bare, "remy", "wrong", client=f"198.51.100.{i}", now=T0)
    with pytest.raises(TooManyAttempts):
        logins.login(bare, "remy", PASSWORD, client="198.51.100.50", now=T0)
    user_service.set_disabled(bare, "remy", False)  # `dgw users enable remy`
    assert logins.login(bare, "remy", PASSWORD, client="198.51.100.50", now=T0)["name"] == "remy"


def test_sessions_end_at_their_time_at_logout_and_when_the_account_changes(bare: Context) -> None:
    user_service.add_user(bare, "aude", "auditor", PASSWORD)
    token, live = sessions.start(bare, "aude", kind="cli", now=T0, absolute_s=900, idle_s=600)
    assert live.account == "aude" and live.ends_at == T0 + timedelta(minutes=10)
    assert sessions.resolve(bare, token, kind="cli", now=T0 + timedelta(minutes=9)) is not None
    # used at 9 minutes: idle again from then, but never past the absolute end at 15
    assert sessions.resolve(bare, token, kind="cli", now=T0 + timedelta(minutes=14)) is not None
    assert sessions.resolve(bare, token, kind="cli", now=T0 + timedelta(minutes=15)) is None
    token, _ = sessions.start(bare, "aude", kind="web", now=T0, absolute_s=900, idle_s=600)
    sessions.end(bare, token)
    assert sessions.resolve(bare, token, kind="web", now=T0) is None
    token, _ = sessions.start(bare, "aude", kind="web", now=T0, absolute_s=900, idle_s=600)
    user_service.set_role(bare, "aude", "admin")
    assert sessions.resolve(bare, token, kind="web", now=T0) is None


def test_the_migration_gives_existing_accounts_their_identity_and_disables_a_twin(bare: Context) -> None:
    engine = bare.store.engine
    downgrade(engine, "0002")
    with engine.begin() as conn:
        for name in ("ice.ops", "ice-ops", "otto"):
            conn.execute(insert(User.__table__).values(  # type: ignore[arg-type]
                name=name, role="reviewer", password_hash="x", disabled=False, created_at=T0))
    upgrade(engine)
    with bare.store.reader() as s:
        rows = {u.name: (u.identity_key, u.disabled) for u in s.scalars(select(User))}
    assert rows == {"ice.ops": ("iceops", False), "ice-ops": (None, True), "otto": ("otto", False)}
