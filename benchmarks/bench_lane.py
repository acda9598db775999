"""The interactive lane against a prepared workspace: one request at a time through
`services.interactive.answer_one` (what `POST /api/v1/requests` calls), printing
p50/p95/p99. Use a workspace made by bench_process.py (its batch already processed),
e.g. the 10M one:

    .venv/bin/python benchmarks/bench_lane.py --ws /tmp/dgw-bench-process/ws-10000000-1280000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd


def main() -> None:
    from disclosure_gateway.keys import load_private
    from disclosure_gateway.services.context import open_context
    from disclosure_gateway.services.interactive import answer_one
    from disclosure_gateway.synth import write_batch
    from disclosure_gateway.workspace import Workspace

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ws", type=Path, required=True)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--seed", type=int, default=4242)
    args = p.parse_args()
    out = Path(tempfile.mkdtemp(prefix="dgw-lane-")) / "batch"
    write_batch(out, args.ws / "data" / "master.parquet", args.requests, seed=args.seed,
                agreement=Workspace(args.ws).agreement(),
                sign_with=load_private(args.ws / "keys" / "dhs-secretary.key"))
    frame = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    times: list[float] = []
    answers: dict[str, int] = {}
    with open_context(args.ws) as ctx:
        for i, rec in enumerate(frame.to_dict(orient="records")):
            rec["request_id"] = f"LANE-{args.seed}-{i}"
            t = time.perf_counter()
            r = answer_one(ctx, rec, requester_id="dhs-secretary")
            times.append(time.perf_counter() - t)
            answers[r["answer"]] = answers.get(r["answer"], 0) + 1
    warm = times[1:]
    q = statistics.quantiles(warm, n=100)
    print(f"interactive lane, {len(warm)} requests after one warm-up ({times[0] * 1000:.0f} ms):")
    print(f"  p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
          f"max {max(warm) * 1000:.0f} ms")
    print(f"  answers {answers}")


if __name__ == "__main__":
    main()
