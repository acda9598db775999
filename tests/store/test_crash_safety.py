"""kill -9 at several points of a writing process, then a rerun: no duplicate answer,
no duplicate leaf, and the ledger verifies. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from disclosure_gateway.keys import new_keypair, write_keypair
from disclosure_gateway.ledger.log import Ledger
from disclosure_gateway.store.engine import Store

WORKER = Path(__file__).with_name("crash_worker.py")
N = 60


def _run(db_url: str, key: Path, kill_after: int | None) -> int:
    """Run the worker; SIGKILL it once it has printed ``kill_after`` commits."""
    proc = subprocess.Popen([sys.executable, str(WORKER), db_url, str(N), str(key)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if kill_after is None:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        return proc.returncode
    for line in proc.stdout:
        done = 0 if line.strip() == "ready" else int(line)
        if done >= kill_after:
            # the worker is already inside its next transaction (or about to be)
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    return proc.returncode


@pytest.mark.parametrize("kill_points", [(0,), (7, 29), (1, 10, 41)])
def test_killed_and_rerun_finishes_without_duplicates(db_url: str, store: Store,
                                                      tmp_path: Path,
                                                      kill_points: tuple[int, ...]) -> None:
    _, _ = write_keypair(new_keypair("custodian"), tmp_path)
    key = tmp_path / "custodian.key"
    for point in kill_points:
        assert _run(db_url, key, point) == -signal.SIGKILL
    _run(db_url, key, None)
    with store.engine.connect() as c:
        answers = c.execute(text("SELECT count(*), count(DISTINCT request_id) FROM answers")).one()
        leaves = c.execute(text(
            "SELECT count(*), count(DISTINCT event_key) FROM ledger_leaves "
            "WHERE event_type = 'answer_issued'")).one()
        linked = c.execute(text(
            "SELECT count(*) FROM answers a JOIN ledger_leaves l ON l.idx = a.leaf_index "
            "WHERE l.event_key = 'answer:B1:' || a.request_id || :v"), {"v": ":1"}).scalar_one()
        batch_events = c.execute(text(
            "SELECT count(*) FROM ledger_leaves WHERE event_type = 'batch_received'")).scalar_one()
        checkpoints = c.execute(text("SELECT count(*) FROM checkpoints")).scalar_one()
    assert tuple(answers) == (N, N)
    assert tuple(leaves) == (N, N)
    assert linked == N
    assert batch_events == 1
    assert checkpoints == N // 10
    report = Ledger(store).verify()
    assert report.tree_size == 1 + N + N // 10
