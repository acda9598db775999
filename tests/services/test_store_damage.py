"""A real store file damaged after `dgw process`: a truncated WAL, random bytes over the
`decisions` pages, a clobbered header, a deleted ledger head. Every command ends in one
line (never a traceback) and `dgw ledger verify` names the damage with its own exit code.

The store is the services' demo (a processed batch); commands run through the CLI's
own entry point, in process (the real exit code and stderr, without a new interpreter
per command).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from disclosure_gateway.errors import ResponsesDisagree, RollbackDetected, StoreDamaged
from disclosure_gateway.keys import load_private
from disclosure_gateway.synth import write_batch
from disclosure_gateway.workspace import Workspace

#: the ``dgw`` fixture of tests/conftest.py
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def ws(demo_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(demo_root, root)
    return root


def _batch_id(ws: Path) -> str:
    (batch,) = [d.name for d in (ws / "responses").iterdir()]
    return batch


def _one_line_error(code: int, err: str, want: int) -> str:
    assert "Traceback" not in err
    assert code == want, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def _pages_of(db: Path, table: str) -> tuple[int, list[int]]:
    with sqlite3.connect(db) as c:
        size = c.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    assert pages, f"no pages of {table}"
    return size, pages


def _overwrite(db: Path, offsets: list[tuple[int, int]], seed: int) -> None:
    rnd = random.Random(seed)
    with db.open("r+b") as f:
        for at, n in offsets:
            f.seek(at)
            f.write(rnd.randbytes(n))


STORE_COMMANDS: list[tuple[str, ...]] = [
    ("batch", "list"), ("review", "list"), ("ledger", "show"), ("ledger", "prove", "--leaf", "0"),
    ("disclosure", "outstanding"), ("users", "list"), ("report", "annual", "--year", "2025"),
    ("accounting", "--tin", "123456789"),
]


def test_a_truncated_wal_is_a_rollback_and_the_response_on_disk_a_lost_batch(
        ws: Path, dgw: Run) -> None:
    # A second batch, processed while another connection holds a read snapshot (as the
    # service would): every page the batch writes stays in the WAL, not yet checkpointed.
    batch_dir = ws / "inbox" / "second"
    write_batch(batch_dir, ws / "data" / "master.parquet", 40, seed=31,
                agreement=Workspace(ws).agreement(),
                sign_with=load_private(ws / "keys" / "dhs-secretary.key"))
    db = ws / "store.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN'); c.execute('SELECT count(*) FROM ledger_leaves').fetchone()\n"
         "print('holding', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        code, out, err = dgw("process", str(batch_dir), "-w", str(ws), "--json")
        assert code == 0, err
        second = json.loads(out)["batch_id"]
    finally:
        holder.kill()  # a crash: no connection closes cleanly, nothing is checkpointed
        holder.wait()
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0
    wal.write_bytes(b"")  # the WAL is lost: the batch's commits with it
    db.with_name(db.name + "-shm").unlink(missing_ok=True)
    assert (ws / "responses" / second / "response-manifest.json").exists()

    # The witness file outside the store holds the batch's checkpoint: a rollback.
    code, _, err = dgw("ledger", "verify", "-w", str(ws))
    line = _one_line_error(code, err, RollbackDetected.exit_code)
    assert "rolled back or lost its last commits" in line

    # Without it, the signed response the store does not know names the lost batch.
    (ws / "witness" / "checkpoints.json").unlink()
    code, _, err = dgw("ledger", "verify", "-w", str(ws))
    line = _one_line_error(code, err, ResponsesDisagree.exit_code)
    assert f"batch {second}: its signed response (version 1" in line
    assert "the store lost the batch" in line


def test_random_bytes_over_the_decisions_pages(ws: Path, dgw: Run) -> None:
    db = ws / "store.sqlite"
    size, pages = _pages_of(db, "decisions")
    _overwrite(db, [((p - 1) * size, size) for p in pages], seed=2025)

    code, _, err = dgw("ledger", "verify", "-w", str(ws))
    line = _one_line_error(code, err, StoreDamaged.exit_code)
    assert re.search(r"the store is damaged: SQLite.s (integrity|quick)_check found", line)
    assert "decisions" in line
    code, _, err = dgw("ledger", "verify", "-w", str(ws), "--quick")
    assert "quick_check found" in _one_line_error(code, err, StoreDamaged.exit_code)

    # Whatever reads the decisions fails in one line; the rest still works.
    batch = _batch_id(ws)
    failed = []
    for args in [*STORE_COMMANDS, ("report", "batch", batch, "--json"),
                 ("batch", "records", batch, "--json")]:
        code, _, err = dgw(*args, "-w", str(ws))
        if code:
            _one_line_error(code, err, StoreDamaged.exit_code)
            failed.append(args[:2])
    assert ("report", "batch") in failed


@pytest.mark.parametrize("damage", ["header", "ledger_head"])
def test_a_store_that_cannot_be_opened_is_one_line_everywhere(ws: Path, dgw: Run,
                                                               damage: str) -> None:
    db = ws / "store.sqlite"
    if damage == "header":
        _overwrite(db, [(0, 100)], seed=7)
        want = "file is not a database"
    else:
        with sqlite3.connect(db) as c:
            c.execute("DELETE FROM ledger_head")
        want = "the ledger's head row is missing"
    batch = _batch_id(ws)
    for args in [*STORE_COMMANDS, ("ledger", "verify"), ("batch", "records", batch),
                 ("process", str(ws / "inbox" / "demo-batch"))]:
        code, _, err = dgw(*args, "-w", str(ws))
        line = _one_line_error(code, err, StoreDamaged.exit_code)
        assert want in line and str(db) in line, args
