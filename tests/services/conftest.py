"""Fixtures for the service tests: one real demo workspace per run, copied per test.

The demo (synthetic master file, trained model, one processed batch) is built
once per session through the same function as `dgw demo`; each test that
changes it gets its own copy, so tests stay independent and fast. Seeded: the
same data every run. ``bare`` is a workspace with the reference agreement and an
empty store on SQLite and on PostgreSQL (``db_url`` of tests/conftest.py), for
tests that write hand-made rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from disclosure_gateway.demo import run_demo
from disclosure_gateway.provisioning import install_reference_for_demo
from disclosure_gateway.services.context import Context, open_context
from disclosure_gateway.services.users import add_user
from disclosure_gateway.store import batches as store_batches
from disclosure_gateway.workspace import Workspace

#: small, but large enough (seed 2027) for confirmed answers, refusals and review items
#: (the evidence rule sends about one request in a thousand to a person: seed 2025's
#: batch no longer holds a review item)
DEMO_TAXPAYERS = 5_000
DEMO_REQUESTS = 500
#: the reviewer accounts of the demo copies
REVIEWERS = ("rev-1", "rev-2")


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("services-demo") / "ws"
    run_demo(root, taxpayers=DEMO_TAXPAYERS, requests=DEMO_REQUESTS, seed=2027)
    with open_context(root) as ctx:  # review decisions are made by reviewer accounts only
        for name in REVIEWERS:
            add_user(ctx, name, "reviewer", f"{name}-password-1")
    return root


@pytest.fixture
def demo(demo_root: Path, tmp_path: Path) -> Iterator[Context]:
    """A private copy of the demo workspace, opened."""
    root = tmp_path / "ws"
    shutil.copytree(demo_root, root)
    with open_context(root) as ctx:
        yield ctx


@pytest.fixture
def batch_id(demo: Context) -> str:
    with demo.store.reader() as s:
        (b,) = store_batches.list_batches(s)
        return b.batch_id


@pytest.fixture
def bare(tmp_path: Path, db_url: str) -> Iterator[Context]:
    """Reference agreement, keys, no master index or model; an empty store on each backend."""
    ws = Workspace(tmp_path / "bare")
    ws.create()
    install_reference_for_demo(ws, db_url)
    with open_context(ws.root, db_url) as ctx:
        yield ctx
