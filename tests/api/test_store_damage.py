"""The service over a damaged store answers with one problem document, and its start
removes what interrupted uploads left in ``incoming/`` (records with plaintext TINs),
keeping an upload that another process is still receiving."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.api import ServiceSettings, create_app
from disclosure_gateway.errors import StoreDamaged
from disclosure_gateway.provisioning import install_reference_for_demo
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """The reference agreement, keys, a store with one staff account; no data."""
    w = Workspace(tmp_path / "ws")
    install_reference_for_demo(w)
    with open_context(w.root) as ctx:
        user_service.add_user(ctx, "ada", "admin", "admin-password-1")
    return w


def _settings(ws: Workspace) -> ServiceSettings:
    return ServiceSettings.build(workspace=ws.root, warm_lane=False)


def test_a_damaged_table_is_a_problem_document_not_a_500(ws: Workspace) -> None:
    with sqlite3.connect(ws.sqlite_path) as c:
        size = c.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = 'users'")]
    with ws.sqlite_path.open("r+b") as f:
        for p in pages:
            f.seek((p - 1) * size)
            f.write(b"\x5a" * size)
    app = create_app(_settings(ws))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            r = client.post("/api/v1/auth/login", json={"name": "ada",
                                                         "password": "admin-password-1"})
            assert r.status_code == StoreDamaged.status == 503
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["type"] == "/problems/store-damaged"
            assert body["title"] == "The store is damaged"
            assert body["detail"].startswith("the store is damaged: ")
            assert "\n" not in body["detail"]
    finally:
        app.state.ctx.close()


def test_the_service_start_removes_interrupted_uploads(ws: Workspace) -> None:
    incoming = ws.incoming_dir
    # What the upload route leaves when the process dies mid-upload: a directory with
    # the records (as today's route makes it, and as Workspace.upload_dir does).
    left = incoming / "dhs-secretary-0123abcd-x1y2z3"
    left.mkdir(parents=True)
    (left / "records.csv").write_text("request_id,tin\nR1,123456789\n")
    (incoming / "stray.part").write_text("123-45-6789")
    crashed = subprocess.run(
        [sys.executable, "-c", "import os, sys\nfrom pathlib import Path\n"
         "from disclosure_gateway.workspace import Workspace\n"
         "with Workspace(Path(sys.argv[1])).upload_dir('dhs-secretary-') as d:\n"
         "    (d / 'records.csv').write_text('R2,987654321')\n"
         "    os.kill(os.getpid(), 9)", str(ws.root)], check=False)
    assert crashed.returncode == -9
    live = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\n"
         "from disclosure_gateway.workspace import Workspace\n"
         "with Workspace(Path(sys.argv[1])).upload_dir('ice-director-') as d:\n"
         "    print(d, flush=True); sys.stdin.read()", str(ws.root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert live.stdout is not None
        receiving = Path(live.stdout.readline().strip())
        assert len(list(incoming.iterdir())) == 4
        app = create_app(_settings(ws))
        app.state.ctx.close()
        assert list(incoming.iterdir()) == [receiving]  # only the upload in progress is left
    finally:
        assert live.stdin is not None
        live.stdin.close()
        live.wait(timeout=60)
    assert list(incoming.iterdir()) == []  # and it cleans up after itself
    assert ws.remove_interrupted_uploads() == 0
