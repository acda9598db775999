"""Benchmark of the synthetic generator: rows per second and peak memory.

Issue 2's targets on a 2-core, 24 GiB machine: 10 million taxpayers in at most
5 minutes and 8 GiB peak resident memory; a 1.28-million-request batch (drawn
from that master file) in at most 2 minutes. Each phase runs in a fresh
subprocess so its peak RSS (``getrusage``) is its own.

    python benchmarks/bench_synth.py                       # the full targets
    python benchmarks/bench_synth.py --taxpayers 200000 --requests 20000

Prints figures; it is not a test and does not fail on a missed target unless
``--strict`` is given.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

FULL_TAXPAYERS = 10_000_000
FULL_REQUESTS = 1_280_000
TARGETS = {"population": (300.0, 8.0), "batch": (120.0, None)}  # seconds, GiB


def _peak_gib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def run_phase(phase: str, args: argparse.Namespace) -> dict[str, float | int | str]:
    from disclosure_gateway.synth import write_batch, write_population

    work = Path(args.workdir)
    master = work / "master.parquet"
    began = time.perf_counter()
    if phase == "population":
        summary = write_population(master, args.taxpayers, seed=args.seed)
        seconds = time.perf_counter() - began
        return {
            "phase": phase,
            "items": args.taxpayers,
            "unit": "taxpayers",
            "rows": summary.rows,
            "seconds": round(seconds, 2),
            "per_second": round(args.taxpayers / seconds),
            "peak_gib": round(_peak_gib(), 2),
            "bytes": master.stat().st_size,
        }
    batch = write_batch(
        work / "batch", master, args.requests, seed=args.seed, batch_date=date(2026, 3, 2), fmt=args.format
    )
    seconds = time.perf_counter() - began
    return {
        "phase": phase,
        "items": args.requests,
        "unit": "requests",
        "rows": batch.records,
        "seconds": round(seconds, 2),
        "per_second": round(args.requests / seconds),
        "peak_gib": round(_peak_gib(), 2),
        "bytes": (work / "batch" / batch.records_file).stat().st_size,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--taxpayers", type=int, default=FULL_TAXPAYERS)
    p.add_argument("--requests", type=int, default=FULL_REQUESTS)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", default="csv", choices=["csv", "parquet", "jsonl"])
    p.add_argument("--workdir", help="directory for the files (default: a temporary one, removed)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a full-size target is missed")
    p.add_argument("--phase", choices=["population", "batch"], help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.phase:
        print(json.dumps(run_phase(args.phase, args)))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        args.workdir = args.workdir or tmp
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        results = []
        for phase in ("population", "batch"):
            cmd = [sys.executable, __file__, "--phase", phase, "--workdir", args.workdir]
            cmd += ["--taxpayers", str(args.taxpayers), "--requests", str(args.requests)]
            cmd += ["--seed", str(args.seed), "--format", args.format]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    full = args.taxpayers >= FULL_TAXPAYERS and args.requests >= FULL_REQUESTS
    missed = False
    print(f"{'phase':<11}{'items':>12}  {'rows':>12}{'seconds':>10}{'items/s':>12}{'peak RSS':>11}  target")
    for r in results:
        max_s, max_gib = TARGETS[str(r["phase"])]
        ok = float(r["seconds"]) <= max_s and (max_gib is None or float(r["peak_gib"]) <= max_gib)
        target = f"<= {max_s:.0f} s" + (f", <= {max_gib:.0f} GiB" if max_gib else "")
        verdict = ("met" if ok else "MISSED") if full else "n/a (not full size)"
        missed |= full and not ok
        print(
            f"{r['phase']:<11}{r['items']:>12,}  {r['rows']:>12,}{r['seconds']:>10.1f}"
            f"{r['per_second']:>12,}{r['peak_gib']:>8.2f} GiB  {target}: {verdict}"
        )
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
