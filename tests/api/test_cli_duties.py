"""Separation of duties from the CLI (issue 12: `dgw review decide 7 --match --reviewer alice`
then `--reviewer bob` closed item 7; an auditor and the officer closed item 9; the officer
who decided then released; a requester's id was a reviewer; `Ice-Director` was a second
person): a decision or a release is made by a logged-in staff account only."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from disclosure_gateway.cli.main import app as cli
from disclosure_gateway.errors import GatewayError
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services.context import open_context, utcnow
from disclosure_gateway.store import review as review_store

from . import factories

STAFF = factories.STAFF


def token_path(ws: Path) -> Path:
    # imported here, so this file also runs (and fails) on code without `dgw login`
    from disclosure_gateway.cli.login import token_path as path

    return path(ws)


@pytest.fixture(scope="module")
def items(ws: Path) -> list[dict[str, Any]]:
    with open_context(ws) as ctx:
        found = review_service.list_items(ctx, status="open")
    assert len(found) >= 3, "the demo workspace should hold a few open review items"
    return found


def dgw(ws: Path, *args: str, password: str | None = None) -> Any:
    result = CliRunner().invoke(cli, [*args, "--workspace", str(ws)],
                                input=None if password is None else password + "\n")
    result.text = result.output + (str(result.exception) if result.exception else "")
    # CliRunner calls the Typer app, not main(): a gateway error arrives as the exception,
    # with the exit code main() would give it
    error = result.exception
    result.code = error.exit_code if isinstance(error, GatewayError) else result.exit_code
    return result


def decide(ws: Path, item: int, *extra: str, password: str | None = None) -> Any:
    return dgw(ws, "review", "decide", str(item), "--match", "--note", "same person", *extra,
               password=password)


def decisions(ws: Path, item: int) -> list[str]:
    with open_context(ws) as ctx, ctx.store.reader() as s:
        return [d.reviewer for d in review_store.review_decisions(s, item_id=item)]


def test_free_text_names_close_nothing(ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]["id"]
    for name in ("alice", "bob", "ice-director"):
        r = decide(ws, item, "--reviewer", name, "--password-stdin", password="any-password-at-all")
        assert r.code == 13 and "wrong name or password" in r.text
    no_login = decide(ws, item)
    assert no_login.code == 13 and "not logged in: run `dgw login NAME` first" in no_login.text
    assert decisions(ws, item) == []


def test_an_auditor_and_an_officer_close_nothing(ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]["id"]
    auditor = decide(ws, item, "--as", STAFF["auditor"].name, "--password-stdin",
                     password=STAFF["auditor"].password)
    assert auditor.code == 6 and "an auditor never decides a review item" in auditor.text
    officer = decide(ws, item, "--as", STAFF["disclosure_officer"].name, "--password-stdin",
                     password=STAFF["disclosure_officer"].password)
    assert officer.code == 6 and "may not decide a review item" in officer.text
    assert decisions(ws, item) == []


def test_two_logged_in_reviewers_close_an_item_and_one_person_counts_once(
        ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]["id"]
    rita, remy = STAFF["reviewer"], STAFF["reviewer2"]
    r = dgw(ws, "login", f"  {rita.name.upper()}", "--password-stdin", password=rita.password)
    assert r.code == 0 and f"logged in as {rita.name} (reviewer)" in r.output
    path = token_path(ws)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert rita.password not in path.read_text()
    first = decide(ws, item, "--json")
    assert first.code == 0, first.text
    assert json.loads(first.output)["needed"] == 1
    again = decide(ws, item, "--as", rita.name.capitalize(), "--password-stdin", password=rita.password)
    assert again.code == 7 and f"{rita.name} has already decided review item {item}" in again.text
    second = decide(ws, item, "--as", remy.name, "--password-stdin", password=remy.password)
    assert second.code == 0 and f"item {item}: resolved as match" in second.output
    assert decisions(ws, item) == [rita.name, remy.name]


def test_one_identity_is_one_account(ws: Path) -> None:
    for spelling in ("RITA", " Rita ", "ri.ta"):
        r = dgw(ws, "users", "add", spelling, "--role", "auditor", "--password-stdin",
                password="a-long-enough-password")
        assert r.code == 7 and "already exists" in r.text
    for requester in ("ice-director", "Ice_Director", "DHS Secretary"):
        r = dgw(ws, "users", "add", requester, "--role", "reviewer", "--password-stdin",
                password="a-long-enough-password")
        assert r.code == 6 and "a requester can never be staff" in r.text


def test_who_decided_does_not_release_and_another_officer_does(ws: Path, items: list[dict[str, Any]]) -> None:
    item = items[0]  # decided by rita and remy in the test before; closed
    rita = STAFF["reviewer"]
    assert dgw(ws, "users", "set-role", rita.name, "disclosure_officer").code == 0
    try:
        r = dgw(ws, "response", "reissue", item["batch_id"], "--as", rita.name, "--password-stdin",
                password=rita.password)
        assert r.code == 6
        assert f"{rita.name} decided review item(s) {item['id']} of batch {item['batch_id']}" in r.text
        otto = STAFF["disclosure_officer"]
        assert dgw(ws, "login", otto.name, "--password-stdin", password=otto.password).code == 0
        ok = dgw(ws, "response", "reissue", item["batch_id"], "--json")
        assert ok.code == 0, ok.text
    finally:
        dgw(ws, "users", "set-role", rita.name, "reviewer")
    reviewer = dgw(ws, "response", "reissue", item["batch_id"], "--as", STAFF["reviewer2"].name,
                   "--password-stdin", password=STAFF["reviewer2"].password)
    assert reviewer.code == 6 and "your role (reviewer) may not issue" in reviewer.text


def test_the_login_ends_at_logout_at_its_time_and_when_the_account_changes(
        ws: Path, items: list[dict[str, Any]]) -> None:
    remy = STAFF["reviewer2"]
    item = items[1]["id"]

    def log_in() -> str:
        assert dgw(ws, "login", remy.name, "--minutes", "5", "--password-stdin",
                   password=remy.password).code == 0
        return str(json.loads(token_path(ws).read_text())["token"])

    from disclosure_gateway.services import sessions

    token = log_in()
    with open_context(ws) as ctx:
        assert sessions.resolve(ctx, token, kind="cli", now=utcnow() + timedelta(minutes=4)) is not None
        assert sessions.resolve(ctx, token, kind="cli", now=utcnow() + timedelta(minutes=6)) is None
        assert sessions.resolve(ctx, log_in(), kind="web", now=utcnow()) is None  # not a cookie
    assert dgw(ws, "logout").output.strip() == "logged out"
    assert decide(ws, item).code == 13
    for change in (["users", "disable", remy.name],
                   ["users", "reset-password", remy.name, "--password-stdin"],
                   ["users", "set-role", remy.name, "auditor"]):
        log_in()
        assert dgw(ws, *change, password=remy.password).code == 0
        ended = decide(ws, item)
        assert ended.code == 13 and "your `dgw login` has ended" in ended.text
        dgw(ws, "users", "enable", remy.name)
        dgw(ws, "users", "set-role", remy.name, "reviewer")
    assert decisions(ws, item) == []


def test_a_token_file_others_can_read_is_refused(ws: Path) -> None:
    rita = STAFF["reviewer"]
    assert dgw(ws, "login", rita.name, "--password-stdin", password=rita.password).code == 0
    token_path(ws).chmod(0o644)
    r = dgw(ws, "review", "decide", "1", "--no-match", "--note", "n")
    assert r.code == 13 and "was readable by others and has been removed" in r.text
    assert not token_path(ws).exists()
