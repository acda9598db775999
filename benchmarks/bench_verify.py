"""What `dgw ledger verify` costs, step by step, on an existing workspace.

Times, in one process and ``--rounds`` times over (the first round reads the
store from disk, later ones mostly from the page cache): the log's own pass (all
``verify`` did before it checked the database and the response files), SQLite's
``integrity_check`` and ``quick_check`` (or PostgreSQL's amcheck), reading and
verifying the signed response files, and the whole audit with and without
``--quick``. Wall and CPU seconds each, the load average before and after (the
machine may be shared), and the peak RSS.

    python benchmarks/bench_verify.py WORKSPACE [--db URL] [--rounds 2]

Only reads: run it on a copy if the workspace matters (opening a store also
tightens its file modes to 0600).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

from disclosure_gateway.keys import load_public
from disclosure_gateway.ledger.log import Ledger
from disclosure_gateway.response_files import responses_on_disk
from disclosure_gateway.services.ledger import audit
from disclosure_gateway.store.engine import open_store
from disclosure_gateway.store.integrity import check_integrity
from disclosure_gateway.workspace import Workspace


def timed(name: str, fn: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    print(f"{name:<36} wall {time.perf_counter() - wall:7.2f} s  "
          f"cpu {time.process_time() - cpu:7.2f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--db", default=None, help="database URL (default: the workspace's)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    ws = Workspace(args.workspace)
    key = load_public(ws.keys_dir / "custodian.pub")
    print("load average before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with open_store(ws.db_url(args.db)) as st:
        print(f"store: {st.backend}, {Ledger(st).head().size:,} leaves")
        for r in range(1, args.rounds + 1):
            print(f"-- round {r}")
            timed("the log alone (verify before)", lambda: Ledger(st).verify(trusted_keys=[key]))
            timed("integrity check", lambda: check_integrity(st))
            timed("integrity check, --quick", lambda: check_integrity(st, quick=True))
            timed("response files (signed, hashed)", lambda: responses_on_disk(ws.responses_dir,
                                                                                 key))
            timed("the whole audit", lambda: audit(ws, st, trusted_keys=[key]))
            timed("the whole audit, --quick", lambda: audit(ws, st, trusted_keys=[key],
                                                            quick=True))
    print("load average after:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
