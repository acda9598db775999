"""Login throttling and session lifetimes: the pure rules (no clock, no store).

**Throttling.** Failed logins are counted per account (its identity key, whether or
not such an account exists, so the answer never tells which names exist) and per
client address (an IPv6 address by its /64, the block one host usually holds). Each
count allows ``free_failures`` mistakes; every further failure locks the account or
address for ``base_lock_s * 2**k`` seconds (k = 0, 1, 2, ...), at most ``max_lock_s``.
While locked, a login is refused with 429 and ``Retry-After`` *before* the password is
looked at, so a right password during a lock-out gets in no sooner and tells nothing.
Refused attempts are not counted. A success resets both counts; a count not added to
for ``forget_after_s`` is forgotten.

Why exponential and these numbers (see :func:`guesses_within`): a guesser who
retries the moment each lock ends gets, per account, 5 free tries, 9 more while the
lock doubles from 2 s to 512 s (17 minutes in all), then one per 15 minutes: about
110 a day, 40,000 a year. That is the order NIST SP 800-63B sets as the most a
verifier may allow (100 consecutive failures per account), and against even a weak
12-character password from a list of a hundred million it gives the guesser less
than a 1-in-2,500 chance a year. A person who mistypes is never slowed for the first
five tries and waits 2, 4, 8 seconds after that. A fixed window (say 10 per 15
minutes) would allow 960 a day for the same first-hour friction. An address gets 20
free failures, so colleagues behind one NAT do not lock each other out, and each
successful login from it resets its count; it still stops one host from spraying
guesses across every account.

The price of any account lock-out is that a stranger can keep a named account
locked (for at most 15 minutes after their last try); an admin's
``dgw users enable`` or ``reset-password`` clears it.

**Sessions.** A session ends at the first of: its absolute end (set at login), or
``idle_s`` after it was last used. "Last used" is written at most once a minute
(:data:`TOUCH_EVERY_S`), so a page view is not a database write; an idle timeout is
therefore exact to within that minute.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    base_lock_s: float
    max_lock_s: float
    forget_after_s: float


ACCOUNT_POLICY = ThrottlePolicy(free_failures=5, base_lock_s=2.0, max_lock_s=900.0,
                                forget_after_s=24 * 3600.0)
CLIENT_POLICY = ThrottlePolicy(free_failures=20, base_lock_s=2.0, max_lock_s=900.0,
                               forget_after_s=24 * 3600.0)


@dataclass(frozen=True)
class Count:
    """Consecutive failures of one account or address, and the lock they set."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


def lock_seconds(failures: int, policy: ThrottlePolicy) -> float:
    """How long the ``failures``-th consecutive failure locks for (0: not at all)."""
    over = failures - policy.free_failures
    if over <= 0:
        return 0.0
    # 2**k overflows floats long after the cap; stop doubling once past it
    return min(policy.max_lock_s, policy.base_lock_s * 2.0 ** min(over - 1, 64))


def current(count: Count, now: datetime, policy: ThrottlePolicy) -> Count:
    """The count as it stands at ``now``: forgotten when no failure came for a while."""
    if (count.last_failure_at is not None
            and (now - count.last_failure_at).total_seconds() >= policy.forget_after_s):
        return Count()
    return count


def retry_after(count: Count, now: datetime) -> int | None:
    """Whole seconds until the lock ends (at least 1), or None when not locked."""
    if count.locked_until is None or count.locked_until <= now:
        return None
    return max(1, math.ceil((count.locked_until - now).total_seconds()))


def after_failure(count: Count, now: datetime, policy: ThrottlePolicy) -> Count:
    """The count after one more failure at ``now`` (call only when not locked)."""
    failures = current(count, now, policy).failures + 1
    lock = lock_seconds(failures, policy)
    return Count(failures=failures, last_failure_at=now,
                 locked_until=now + timedelta(seconds=lock) if lock else None)


def guesses_within(seconds: float, policy: ThrottlePolicy) -> int:
    """Guesses a guesser gets in ``seconds``, retrying the moment each lock ends.

    The figure the policy is derived from (module docstring); tests hold it there.
    """
    t, n = 0.0, 0
    while t < seconds:
        n += 1
        t += max(lock_seconds(n, policy), 1e-9)
    return n


def client_bucket(host: str | None) -> str:
    """What a client address is counted under: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host  # a test client's or the CLI's own label
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


# --- sessions -----------------------------------------------------------------------
#: "last used" is written at most this often (seconds)
TOUCH_EVERY_S = 60


def session_end(absolute_end: datetime, last_used: datetime, idle_s: int) -> datetime:
    """When a session used last at ``last_used`` ends, if not used again."""
    return min(absolute_end, last_used + timedelta(seconds=idle_s))


def touch_due(last_used: datetime, now: datetime, idle_s: int) -> bool:
    """Whether to write "last used" now (at most once a minute; more often for short idles)."""
    return (now - last_used).total_seconds() >= min(TOUCH_EVERY_S, idle_s / 10)
