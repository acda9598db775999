"""Logging staff in: the password check behind a throttle, and lock-outs in the ledger.

The one way in for every interface (API, console, `dgw login`, the CLI's password
prompt). The rules are in ``logins.py`` (pure); here they meet the store:

1. In one transaction, the account's and the client's failure counts are read with
   their rows locked. A lock still running refuses the login (TooManyAttempts with
   the seconds left) before the password is looked at. Otherwise the attempt is
   counted as a failure *before* the password is checked, so a burst of parallel
   guesses cannot all slip in under the free allowance while the first is verified.
2. The password is checked (argon2, ~50 ms) outside any transaction.
3. Right: both counts are reset. Wrong: the counts stand, and a count that has just
   locked its account or address is logged as a ``login_locked`` ledger event.

The ledger names the account (staff account names are not personal data of
taxpayers); the client address appears only as the keyed hash the throttle counts it
under. A typed name that is no account is never logged (it may be anything, even
someone's password).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..duties import check_not_requester, fold_name, requester_identities
from ..errors import AuthenticationFailed, TooManyAttempts
from ..ledger.events import EventType, format_time
from ..logins import ACCOUNT_POLICY, CLIENT_POLICY, Count, after_failure, client_bucket, current, retry_after
from ..store import throttle as throttle_store
from ..store import users as user_store
from . import users as user_service
from .context import Context, utcnow

WRONG = "wrong name or password"
_FORGET = timedelta(seconds=max(ACCOUNT_POLICY.forget_after_s, CLIENT_POLICY.forget_after_s))


def client_key(ctx: Context, client: str | None) -> str:
    return ctx.keyed("login_client", client_bucket(client))


def login(ctx: Context, name: str, password: str, *, client: str | None,
          now: datetime | None = None) -> dict[str, Any]:
    """The account, when the password is right, the account enabled and no lock runs.

    Raises TooManyAttempts (429, ``retry_after``), AuthenticationFailed (401, never
    saying whether the name or the password was wrong) or Forbidden (the account has
    a requester's identity: duties, rule 2).
    """
    now = now or utcnow()
    folded = fold_name(name)
    keys = {"account": user_service.login_account_key(ctx, folded), "client": client_key(ctx, client)}
    policies = {"account": ACCOUNT_POLICY, "client": CLIENT_POLICY}
    counted: dict[str, Count] = {}
    with ctx.store.transaction() as s:
        before = {scope: current(throttle_store.count_for_update(s, scope=scope, key=keys[scope], now=now),
                                 now, policies[scope]) for scope in ("account", "client")}
        waits = {scope: retry_after(c, now) for scope, c in before.items()}
        locked = {scope: w for scope, w in waits.items() if w}
        if not locked:
            for scope, count in before.items():
                counted[scope] = after_failure(count, now, policies[scope])
                throttle_store.put_count(s, scope=scope, key=keys[scope], count=counted[scope])
    if locked:
        scope, wait = max(locked.items(), key=lambda kv: kv[1])
        what = "this account" if scope == "account" else "this address"
        raise TooManyAttempts(f"too many failed logins for {what}; try again in {wait} s",
                              retry_after=wait)

    account = user_service.authenticate(ctx, folded, password)
    if account is None:
        _log_lockouts(ctx, folded, keys, counted, now)
        raise AuthenticationFailed(WRONG)
    with ctx.store.transaction() as s:
        for scope in ("account", "client"):
            throttle_store.clear_count(s, scope=scope, key=keys[scope])
        throttle_store.delete_stale(s, before=now - _FORGET)  # keeps the table to the last day's
    check_not_requester(account["name"], requester_identities(ctx.agreement()))
    return account


def _log_lockouts(ctx: Context, folded: str, keys: dict[str, str], counted: dict[str, Count],
                  now: datetime) -> None:
    fresh = {scope: c for scope, c in counted.items() if c.locked_until is not None}
    if not fresh:
        return
    with ctx.store.transaction() as s:
        exists = user_store.get_user(s, name=folded) is not None
        for scope, count in fresh.items():
            if scope == "account" and not exists:
                # A name that is no account locks the same (no telling which names exist),
                # but is not logged: typed names are unbounded, the log is not a bin for them.
                # Spraying many names still shows, as the address's own lock-outs.
                continue
            assert count.locked_until is not None
            ctx.ledger.append(s, EventType.LOGIN_LOCKED, {
                "scope": scope,
                "account": folded if exists else None,
                "account_key": keys["account"],
                "client_key": keys["client"],
                "failures": count.failures,
                "locked_until": format_time(count.locked_until),
                "lock_s": round((count.locked_until - now).total_seconds()),
            }, time=now)
