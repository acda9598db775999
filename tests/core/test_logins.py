"""logins.py: the throttle's numbers as derived in its docstring, addresses, session lifetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disclosure_gateway.logins import (
    ACCOUNT_POLICY,
    CLIENT_POLICY,
    Count,
    after_failure,
    client_bucket,
    current,
    guesses_within,
    lock_seconds,
    retry_after,
    session_end,
    touch_due,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = 24 * 3600.0


def test_five_mistakes_are_free_then_each_failure_doubles_the_lock_up_to_fifteen_minutes() -> None:
    assert [lock_seconds(n, ACCOUNT_POLICY) for n in range(1, 12)] == [
        0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64]
    assert lock_seconds(15, ACCOUNT_POLICY) == 900 and lock_seconds(10_000, ACCOUNT_POLICY) == 900
    assert lock_seconds(20, CLIENT_POLICY) == 0 and lock_seconds(21, CLIENT_POLICY) == 2


def test_a_guesser_gets_about_a_hundred_tries_a_day_per_account() -> None:
    # the derivation in the module docstring: 5 free, 9 while the lock doubles, then 1 per 15 min
    assert guesses_within(DAY, ACCOUNT_POLICY) == 5 + 9 + 95
    assert guesses_within(365 * DAY, ACCOUNT_POLICY) < 36_000
    # the attack (400 tries at 9 a second, 45 s) gets 10 tries through, not 400
    assert guesses_within(45, ACCOUNT_POLICY) == 10


def test_a_count_locks_reports_its_wait_and_is_forgotten_after_a_quiet_day() -> None:
    count = Count()
    for i in range(5):
        count = after_failure(count, T0 + timedelta(seconds=i), ACCOUNT_POLICY)
        assert count.locked_until is None
    count = after_failure(count, T0 + timedelta(seconds=5), ACCOUNT_POLICY)
    assert count.failures == 6 and count.locked_until == T0 + timedelta(seconds=7)
    assert retry_after(count, T0 + timedelta(seconds=5)) == 2
    assert retry_after(count, T0 + timedelta(seconds=6, milliseconds=500)) == 1
    assert retry_after(count, T0 + timedelta(seconds=7)) is None
    assert current(count, T0 + timedelta(hours=23), ACCOUNT_POLICY) == count
    assert current(count, T0 + timedelta(days=1, seconds=5), ACCOUNT_POLICY) == Count()


@pytest.mark.parametrize(("host", "bucket"), [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("testclient", "testclient"),
    (None, "unknown"),
])
def test_addresses_are_counted_by_host_and_ipv6_by_its_slash_64(host: str | None, bucket: str) -> None:
    assert client_bucket(host) == bucket


def test_a_session_ends_at_its_absolute_end_or_after_the_idle_time() -> None:
    absolute = T0 + timedelta(hours=8)
    assert session_end(absolute, T0, 1800) == T0 + timedelta(minutes=30)
    assert session_end(absolute, T0 + timedelta(hours=7, minutes=50), 1800) == absolute


def test_last_used_is_written_at_most_once_a_minute() -> None:
    assert not touch_due(T0, T0 + timedelta(seconds=59), 1800)
    assert touch_due(T0, T0 + timedelta(seconds=60), 1800)
    assert touch_due(T0, T0 + timedelta(seconds=6), 60)  # short idle times are kept closely
