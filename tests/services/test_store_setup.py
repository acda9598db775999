"""Where a store comes from: only workspace set-up (or --create-db) makes one, a mistyped
--db is refused in one line, and everything personal or secret in a workspace is
private (0600 files, 0700 directories) — checked on the files as they are."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from disclosure_gateway.errors import InputError
from disclosure_gateway.provisioning import reference_agreement_path

Run = Callable[..., tuple[int, str, str]]  # the ``dgw`` fixture of tests/conftest.py


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


def test_every_private_file_and_directory_of_the_demo_workspace(demo_root: Path) -> None:
    ws = demo_root
    files = [ws / "store.sqlite", ws / "keys" / "custodian.key", ws / "keys" / "ledger.secret",
             ws / "witness" / "checkpoints.json", *(ws / "responses").glob("*/*"),
             *(ws / "reports").glob("*.html")]
    assert len(files) == 8  # three response files and a report among them
    assert {str(p.relative_to(ws)): oct(_mode(p)) for p in files} == {
        str(p.relative_to(ws)): "0o600" for p in files}
    dirs = [ws / d for d in ("keys", "master", "models", "responses", "reports", "witness",
                             "data", "inbox")] + list((ws / "responses").iterdir())
    assert {str(p.relative_to(ws)): oct(_mode(p)) for p in dirs} == {
        str(p.relative_to(ws)): "0o700" for p in dirs}
    # nothing anywhere in the workspace is writable by others, or readable through a
    # directory others may enter
    for p in ws.rglob("*"):
        assert not p.stat().st_mode & stat.S_IWOTH, p


@pytest.fixture
def ws(demo_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(demo_root, root)
    return root


def test_a_mistyped_db_is_refused_not_created(ws: Path, tmp_path: Path, dgw: Run) -> None:
    typo = tmp_path / "stroe.sqlite"
    for args in (("process", str(ws / "inbox" / "demo-batch")), ("batch", "list"),
                 ("ledger", "verify")):
        code, _, err = dgw(*args, "-w", str(ws), "--db", f"sqlite:///{typo}")
        assert code == InputError.exit_code, err
        assert err.startswith(f"error: {typo}: no store here; check --db") and err.count(
            "\n") == 1
        assert not typo.exists()
    # asked for, it is made (and processing then starts from an empty history)
    code, _, err = dgw("process", str(ws / "inbox" / "demo-batch"), "-w", str(ws), "--db",
                       f"sqlite:///{typo}", "--create-db", "--json")
    assert code == 0, err
    assert _mode(typo) == 0o600


def test_agreement_install_makes_a_new_workspace_and_store_but_not_a_new_db_for_an_old_one(
        tmp_path: Path, dgw: Run) -> None:
    new = tmp_path / "fresh"
    code, _, err = dgw("agreement", "install", str(reference_agreement_path()), "-w", str(new))
    assert code == 0, err
    assert (new / "store.sqlite").exists() and _mode(new / "store.sqlite") == 0o600
    elsewhere = tmp_path / "moved" / "store.sqlite"
    code, _, err = dgw("agreement", "install", str(reference_agreement_path()), "-w", str(new),
                       "--db", f"sqlite:///{elsewhere}")
    assert code == InputError.exit_code and "no store here" in err
    assert not elsewhere.exists()
    code, _, err = dgw("agreement", "install", str(reference_agreement_path()), "-w", str(new),
                       "--db", f"sqlite:///{elsewhere}", "--create-db")
    assert code == 0, err
    assert elsewhere.exists()
