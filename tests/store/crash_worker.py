"""A process that answers N requests one transaction at a time, to be killed with -9.

Usage: python crash_worker.py DB_URL N KEY_FILE

Each transaction writes an answer if absent and logs it once (keyed append),
exactly the resume pattern of the pipeline; every 10 answers it also signs a
checkpoint inside the same transaction. After each commit it prints the number
of answers done, so the test can kill it at a chosen point.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from disclosure_gateway.keys import load_private
from disclosure_gateway.ledger.events import EventType
from disclosure_gateway.ledger.log import Ledger
from disclosure_gateway.store import answers, batches, requests
from disclosure_gateway.store.engine import open_store

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def main(url: str, n: int, key_file: str) -> None:
    key = load_private(Path(key_file))
    store = open_store(url)
    led = Ledger(store)
    with store.transaction() as s:
        if batches.insert_batch(s, batch_id="B1", agreement_id="A", agreement_hash="a" * 64,
                                requester_key_id="0" * 16, manifest_created=T0,
                                received_at=T0, records_sha256="b" * 64, record_count=n):
            led.append(s, EventType.BATCH_RECEIVED, {"batch_id": "B1"}, key="batch:B1")
        requests.insert_requests(s, batch_id="B1",
                                 rows=[{"request_id": f"R{i}", "seq": i} for i in range(n)])
    print("ready", flush=True)
    with store.reader() as s:
        done = answers.answered_request_ids(s, batch_id="B1", response_version=1)
    for i in range(n):
        rid = f"R{i}"
        if rid in done:
            continue
        with store.transaction() as s:
            idx = led.append(s, EventType.ANSWER_ISSUED,
                             {"batch_id": "B1", "request_id": rid, "code": "NOT_CONFIRMED"},
                             key=f"answer:B1:{rid}:1")
            answers.insert_answer(s, batch_id="B1", request_id=rid, response_version=1,
                                  code="NOT_CONFIRMED", issued_at=T0, leaf_index=idx)
            if i % 10 == 9:
                led.checkpoint(key, db=s)
        print(i + 1, flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
