"""Factories for the API and console tests: a demo workspace built once per run
through the real pipeline, copied per test module; staff users; signed batches.

The console tests import these too (``from api.factories import ...``), so the
small synthetic workspace is built once for both directories.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from disclosure_gateway.api.client_signing import RequesterAuth
from disclosure_gateway.contracts import MANIFEST_FILE, SIGNATURE_FILE
from disclosure_gateway.keys import KeyPair, load_private
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import Context, open_context

#: small enough to build in seconds, large enough to hold a review item or two
TAXPAYERS = 20_000  # big enough that the seeded batch always holds review items
REQUESTS = 2_000
SEED = 2025

_template: Path | None = None


def demo_template(base: Path) -> Path:
    """The demo workspace, built once per test run (memoised across conftests)."""
    global _template
    if _template is None:
        from disclosure_gateway.demo import run_demo

        root = base / "demo-template"
        run_demo(root, taxpayers=TAXPAYERS, requests=REQUESTS, seed=SEED)
        _template = root
    return _template


def copy_workspace(template: Path, target: Path) -> Path:
    """A private copy for tests that change state (review decisions, suspension)."""
    shutil.copytree(template, target)
    return target


def staffed_workspace(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of the demo workspace, with the staff accounts of ``STAFF``."""
    template = demo_template(tmp_path_factory.getbasetemp())
    root = copy_workspace(template, tmp_path_factory.mktemp(name) / "ws")
    add_staff(root)
    return root


def requester_key(ws: Path, requester_id: str) -> KeyPair:
    return load_private(ws / "keys" / f"{requester_id}.key")


@dataclass(frozen=True)
class Login:
    name: str
    role: str
    password: str


STAFF = {
    "admin": Login("ada", "admin", "admin-password-1"),
    "disclosure_officer": Login("otto", "disclosure_officer", "officer-password-1"),
    "reviewer": Login("rita", "reviewer", "reviewer-password-1"),
    "reviewer2": Login("remy", "reviewer", "reviewer-password-2"),
    "auditor": Login("aude", "auditor", "auditor-password-1"),
}


def add_staff(ws: Path) -> dict[str, Login]:
    with open_context(ws) as ctx:
        for login in STAFF.values():
            user_service.add_user(ctx, login.name, login.role, login.password)
    return STAFF


def context(ws: Path) -> Context:
    return open_context(ws)


def batch_parts(batch_dir: Path) -> dict[str, tuple[str, bytes, str]]:
    """The multipart parts of a batch upload: manifest, signature, records."""
    manifest = json.loads((batch_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    records = batch_dir / manifest["records_file"]
    return {
        "manifest": (MANIFEST_FILE, (batch_dir / MANIFEST_FILE).read_bytes(), "application/json"),
        "signature": (SIGNATURE_FILE, (batch_dir / SIGNATURE_FILE).read_bytes(), "text/plain"),
        "records": (records.name, records.read_bytes(), "text/csv"),
    }


def signed(pair: KeyPair) -> httpx.Auth:
    return RequesterAuth(pair)
