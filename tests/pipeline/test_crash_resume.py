"""kill -9 at every crash point of `dgw process`, then a re-run: the batch finishes
with no duplicate answer, no duplicate leaf, and the ledger verifies.

The kill is real: the subprocess sends itself SIGKILL at a named point
(disclosure_gateway.faults), so each point is hit deterministically.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disclosure_gateway.faults import CRASH_POINTS
from disclosure_gateway.store.engine import open_store
from disclosure_gateway.store.models import Answer, Batch, LedgerLeaf, Request

DGW = [sys.executable, "-m", "disclosure_gateway.cli.main"]
BATCH = Path("inbox") / "demo-batch"
PG_POINTS = ("gate:in-transaction", "match:committed", "respond:in-transaction",
             "publish:files-written")


def _dgw(*args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DGW_CRASH_AT"}
    if crash_at:
        env["DGW_CRASH_AT"] = crash_at
    return subprocess.run([*DGW, *args], env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def _cases() -> list[object]:
    cases: list[object] = [pytest.param(p, "sqlite", id=f"sqlite-{p}") for p in CRASH_POINTS]
    cases += [pytest.param(p, "postgresql", id=f"postgresql-{p}", marks=pytest.mark.postgres)
              for p in PG_POINTS]
    return cases


@pytest.mark.parametrize(("point", "backend"), _cases())
def test_kill_9_then_rerun_finishes_once(point: str, backend: str, prepared_ws: Path,
                                         request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{prepared_ws / 'store.sqlite'}" if backend == "sqlite"
           else str(request.getfixturevalue("pg_url")))
    ws, batch = str(prepared_ws), str(prepared_ws / BATCH)

    killed = _dgw("process", batch, "-w", ws, "--db", url, "--create-db", "--json",
                  crash_at=point)
    assert killed.returncode == -9, killed.stderr[-2000:]

    done = _dgw("process", batch, "-w", ws, "--db", url, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    assert outcome["records"] > 0

    with open_store(url) as store, store.reader() as s:
        (batch_row,) = s.scalars(select(Batch)).all()
        records = s.scalar(select(func.count()).select_from(Request))
        refused = s.scalar(select(func.count()).select_from(Request)
                           .where(Request.status == "refused"))
        # one response version, one answer per record in it
        assert batch_row.response_version == 1
        answers = s.scalar(select(func.count()).select_from(Answer))
        assert answers == records == batch_row.record_count
        kinds = Counter(s.scalars(select(LedgerLeaf.event_type)).all())
    assert kinds["batch_received"] == 1
    assert kinds["signature_checked"] == 1
    assert kinds["record_refused"] == refused
    assert kinds["match_decided"] == records - refused
    assert kinds["answer_issued"] == records
    assert kinds["response_issued"] == 1

    verify = _dgw("ledger", "verify", "-w", ws, "--db", url, "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout)["ok"] is True

    custodian = prepared_ws / "keys" / "custodian.pub"
    response = Path(outcome["response_dir"])
    checked = _dgw("response", "verify", str(response), "--custodian-key", str(custodian), "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["record_count"] == records


def test_a_completed_batch_rerun_changes_nothing(prepared_ws: Path) -> None:
    ws, batch = str(prepared_ws), str(prepared_ws / BATCH)
    first = _dgw("process", batch, "-w", ws, "--json")
    assert first.returncode == 0, first.stderr[-2000:]
    url = f"sqlite:///{prepared_ws / 'store.sqlite'}"
    with open_store(url) as store, store.reader() as s:
        before = s.scalar(select(func.count()).select_from(LedgerLeaf))
    again = _dgw("process", batch, "-w", ws, "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["by_answer"] == json.loads(first.stdout)["by_answer"]
    with open_store(url) as store, store.reader() as s:
        assert s.scalar(select(func.count()).select_from(LedgerLeaf)) == before
