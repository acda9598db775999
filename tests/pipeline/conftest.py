"""A prepared demo workspace (master index and model, batch not yet processed),
built once per run; each test works on its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure_gateway.demo import DEMO_MARKER, prepare_demo

TAXPAYERS = 20_000
REQUESTS = 2_000


@pytest.fixture(scope="session")
def prepared_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prepared") / "ws"
    prepare_demo(root, taxpayers=TAXPAYERS, requests=REQUESTS, seed=7)
    return root


@pytest.fixture
def prepared_ws(prepared_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(prepared_template, target)
    assert (target / DEMO_MARKER).exists()
    return target
