"""services/users.py: argon2 hashes, the rules for names, roles and passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_gateway.errors import Conflict, InputError
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.store.users import get_user


def test_passwords_are_stored_as_argon2id_and_checked(ws: Path) -> None:
    with open_context(ws) as ctx:
        user_service.add_user(ctx, "hash-check", "auditor", "correct horse battery")
        with ctx.store.reader() as s:
            stored = get_user(s, name="hash-check")
            assert stored is not None
            assert stored.password_hash.startswith("$argon2id$")
            assert "correct horse" not in stored.password_hash
        assert user_service.authenticate(ctx, "hash-check", "correct horse battery") == {
            "name": "hash-check", "role": "auditor", "disabled": False,
            "created_at": user_service.get_user(ctx, "hash-check")["created_at"]}  # type: ignore[index]
        assert user_service.authenticate(ctx, "hash-check", "correct horse batterY") is None
        assert user_service.authenticate(ctx, "no-such-user", "correct horse battery") is None


def test_every_problem_with_a_new_user_is_named_at_once(ws: Path) -> None:
    with open_context(ws) as ctx, pytest.raises(InputError) as e:
        user_service.add_user(ctx, "bad/name", "superuser", "short")
    text = e.value.describe()
    assert "name must be" in text and "role must be one of" in text and "at least 12 characters" in text


def test_a_name_is_taken_once(ws: Path) -> None:
    with open_context(ws) as ctx:
        user_service.add_user(ctx, "twice", "reviewer", "first-password-1")
        with pytest.raises(Conflict, match="already exists"):
            user_service.add_user(ctx, "twice", "admin", "second-password-2")


def test_demo_users_cover_every_role_and_two_reviewers(ws: Path) -> None:
    with open_context(ws) as ctx:
        logins = user_service.ensure_demo_users(ctx)
        assert sorted({x["role"] for x in logins}) == sorted(user_service.ROLES)
        assert sum(x["role"] == "reviewer" for x in logins) == 2
        for x in logins:
            assert user_service.authenticate(ctx, x["name"], x["password"]) is not None
        # Run again (a second `dgw demo --serve`): new passwords, the old ones stop working.
        again = {x["name"]: x["password"] for x in user_service.ensure_demo_users(ctx)}
        first = logins[0]
        assert again[first["name"]] != first["password"]
        assert user_service.authenticate(ctx, first["name"], first["password"]) is None
