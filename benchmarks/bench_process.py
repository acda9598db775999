"""End to end: `dgw process` on a large batch against a large master (issue 5's figure).

Prepares (once, cached under --dir) a master file, a signed batch, the master
index and a trained model, then times each pipeline stage of `dgw process` in a
fresh subprocess and prints seconds and peak RSS. Defaults: 10,000,000 taxpayers
and 1,280,000 requests; use --taxpayers/--requests for smaller runs.

    .venv/bin/python benchmarks/bench_process.py --taxpayers 1000000 --requests 128000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(args: argparse.Namespace) -> None:
    """Runs in a subprocess so that its peak RSS is its own."""
    from disclosure_gateway.pipeline import process_batch
    from disclosure_gateway.services.context import open_context

    stages: dict[str, float] = {}
    last = {"stage": "", "t": time.perf_counter()}
    began = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if done == 0:
            last["stage"], last["t"] = stage, time.perf_counter()
        elif done == total:
            stages[stage] = round(time.perf_counter() - last["t"], 1)

    with open_context(Path(args.ws)) as ctx:
        outcome = process_batch(ctx, Path(args.ws) / "inbox" / "demo-batch", progress=progress)
    total = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"seconds": round(total, 1), "stages": stages, "peak_gib": round(peak, 2),
                      "by_answer": outcome.by_answer, "records": outcome.records}))


def prepare(ws: Path, taxpayers: int, requests: int) -> dict[str, float]:
    from disclosure_gateway.demo import prepare_demo

    if (ws / "models").exists() and any((ws / "models").iterdir()):
        return {}
    result = prepare_demo(ws, taxpayers=taxpayers, requests=requests, seed=11,
                          say=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
    return result.timings


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--taxpayers", type=int, default=10_000_000)
    p.add_argument("--requests", type=int, default=1_280_000)
    p.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "dgw-bench-process")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ws", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    ws = args.dir / f"ws-{args.taxpayers}-{args.requests}"
    print(f"preparing {ws} ({args.taxpayers:,} taxpayers, {args.requests:,} requests)", flush=True)
    timings = prepare(ws, args.taxpayers, args.requests)
    for k, v in timings.items():
        print(f"  prepare {k:<18} {v:>8.1f} s", flush=True)
    out = subprocess.run([sys.executable, __file__, "--child", "--ws", str(ws)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(out.stderr[-4000:], file=sys.stderr)
        sys.exit(out.returncode)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"dgw process: {r['records']:,} requests x {args.taxpayers:,} taxpayers: "
          f"{r['seconds']:.1f} s, peak RSS {r['peak_gib']:.2f} GiB")
    for stage, secs in r["stages"].items():
        print(f"  stage {stage:<10} {secs:>8.1f} s")
    print(f"  answers {r['by_answer']}")


if __name__ == "__main__":
    main()
