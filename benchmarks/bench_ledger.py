"""Benchmark of the transparency log: appends per second and full verification time.

Issue 5's targets: at least 20,000 appended events per second on SQLite, and
``dgw ledger verify`` over 5,000,000 leaves in at most 2 minutes. Appends are
measured the way the pipeline logs (``append_many`` of 10,000 decision events
per transaction, each with realistic keyed hashes and floats, committed) on
SQLite and PostgreSQL; the figure is the ledger's own work, with the caller's
payload building reported beside it. Verification streams a store filled with
that many leaves and checkpoints. Each phase runs in a fresh subprocess so its
peak RSS is its own; the load average is printed because the machine may be
shared, and CPU-time rates show what an idle machine would do.

    python benchmarks/bench_ledger.py                       # the full targets
    python benchmarks/bench_ledger.py --appends 50000 --verify-leaves 200000
    python benchmarks/bench_ledger.py --no-postgres         # SQLite only

PostgreSQL: ``--pg-url`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
a scratch database is created and dropped). Prints figures; exits non-zero on a
missed target only with ``--strict``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FULL_APPENDS = 200_000
FULL_VERIFY = 5_000_000
TARGET_APPENDS_PER_S = 20_000
TARGET_VERIFY_S = 120.0
PER_TX = 10_000
CHECKPOINT_EVERY = 500_000


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _events(start: int, n: int) -> list[Any]:
    from disclosure_gateway.ledger.events import EventType, keyed_hash
    from disclosure_gateway.ledger.log import NewEvent

    secret = b"benchmark-secret-0123456789abcdef"
    out = []
    for i in range(start, start + n):
        out.append(NewEvent(EventType.MATCH_DECIDED, {
            "batch_id": "B20250601-0123456789ab",
            "request": keyed_hash(secret, "request", f"R{i:07d}"),
            "outcome": ("match", "review", "no_match")[i % 3],
            "match_probability": 0.5 + (i % 4999) / 10_000 + 1e-7,
            "match_weight": 3.25 + (i % 97) / 8, "margin": 1.5 + (i % 13) / 4,
            "address_result": "same", "tin_key": keyed_hash(secret, "tin", str(i)),
            "agreement_hash": "a" * 64, "model_hash": "b" * 64,
            "master_snapshot_hash": "c" * 64,
            "thresholds": {"match": 0.995, "review": 0.7, "margin": 4.5},
        }))
    return out


def _append(store: Any, total: int, *, checkpoint_key: Any = None) -> dict[str, float]:
    """Append ``total`` events, PER_TX per transaction.

    Returns wall and CPU seconds of the ledger's work (``append_many`` and the
    commit) and, separately, of building the payloads (the caller's work: two
    keyed hashes and a dict per event).
    """
    from disclosure_gateway.ledger.log import Ledger

    led = Ledger(store)
    wall = cpu = build_wall = 0.0
    done = 0
    while done < total:
        n = min(PER_TX, total - done)
        t = time.perf_counter()
        batch = _events(done, n)
        build_wall += time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        with store.transaction() as s:
            led.append_many(s, batch)
        wall += time.perf_counter() - t
        cpu += time.process_time() - c
        done += n
        if checkpoint_key is not None and done % CHECKPOINT_EVERY == 0:
            led.checkpoint(checkpoint_key)
    return {"wall": wall, "cpu": cpu, "build_wall": build_wall}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def run_phase(args: argparse.Namespace) -> dict[str, Any]:
    from disclosure_gateway.keys import new_keypair
    from disclosure_gateway.ledger.log import Ledger
    from disclosure_gateway.store.engine import open_store

    store = open_store(args.url, create=True)
    try:
        if args.phase in ("append", "fill"):
            key = new_keypair("custodian") if args.phase == "fill" else None
            load = _load()
            times = _append(store, args.n, checkpoint_key=key)
            if key is not None:
                Ledger(store).checkpoint(key)
                Path(args.keyfile).write_text(key.public_b64)
            return {"phase": f"{args.phase}-{store.backend}", "events": args.n,
                    "seconds": round(times["wall"], 2),
                    "per_second": round(args.n / times["wall"]),
                    "per_cpu_second": round(args.n / times["cpu"]),
                    "with_payload_building_per_second": round(
                        args.n / (times["wall"] + times["build_wall"])),
                    "load_avg": load, "peak_gib": round(_peak_gib(), 2)}
        from disclosure_gateway.keys import public_from_b64

        trusted = public_from_b64(Path(args.keyfile).read_text())
        load = _load()
        began, cpu = time.perf_counter(), time.process_time()
        report = Ledger(store).verify(trusted_keys=[trusted])
        seconds = time.perf_counter() - began
        return {"phase": f"verify-{store.backend}", "leaves": report.tree_size,
                "checkpoints": report.checkpoints, "seconds": round(seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "leaves_per_second": round(report.tree_size / seconds),
                "load_avg": load, "peak_gib": round(_peak_gib(), 2)}
    finally:
        store.close()


def _subprocess(phase: str, url: str, n: int, keyfile: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--url", url, "--n", str(n),
           "--keyfile", keyfile]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


class _PgScratch:
    def __init__(self, admin_url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.admin = admin_url.replace("postgresql+psycopg://", "postgresql://")
        self.name = f"dgw_bench_{uuid.uuid4().hex[:8]}"
        base = self.admin.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

    def __enter__(self) -> str:
        with self.psycopg.connect(self.admin, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc: object) -> None:
        with self.psycopg.connect(self.admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--appends", type=int, default=FULL_APPENDS)
    p.add_argument("--verify-leaves", type=int, default=FULL_VERIFY)
    p.add_argument("--pg-verify-leaves", type=int, default=1_000_000,
                   help="leaves for the PostgreSQL verify figure (0: skip)")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--strict", action="store_true")
    # internal: one phase in this process
    p.add_argument("--phase", choices=["append", "fill", "verify"])
    p.add_argument("--url")
    p.add_argument("--n", type=int)
    p.add_argument("--keyfile")
    args = p.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args)))
        return

    print(f"bench_ledger {datetime.now(UTC):%Y-%m-%d %H:%M}Z  "
          f"appends={args.appends:,} verify_leaves={args.verify_leaves:,}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="dgw-bench-") as tmp:
        key = str(Path(tmp) / "custodian.pub")
        results["append-sqlite"] = _subprocess("append", f"sqlite:///{tmp}/append.sqlite",
                                               args.appends, key)
        if not args.no_postgres:
            with _PgScratch(args.pg_url) as url:
                results["append-postgresql"] = _subprocess("append", url, args.appends, key)
        results["fill-sqlite"] = _subprocess("fill", f"sqlite:///{tmp}/verify.sqlite",
                                             args.verify_leaves, key)
        results["verify-sqlite"] = _subprocess("verify", f"sqlite:///{tmp}/verify.sqlite",
                                               0, key)
        if not args.no_postgres and args.pg_verify_leaves:
            with _PgScratch(args.pg_url) as url:
                _subprocess("fill", url, args.pg_verify_leaves, key)
                results["verify-postgresql"] = _subprocess("verify", url, 0, key)

    rate = results["append-sqlite"]["per_second"]
    verify_s = results["verify-sqlite"]["seconds"]
    ok_rate = rate >= TARGET_APPENDS_PER_S
    ok_verify = verify_s <= TARGET_VERIFY_S * args.verify_leaves / FULL_VERIFY
    a = results["append-sqlite"]
    print(f"\nappends on SQLite: {rate:,}/s (target >= {TARGET_APPENDS_PER_S:,}/s) "
          f"{'OK' if ok_rate else 'MISSED'}; {a['per_cpu_second']:,} per CPU second; "
          f"{a['with_payload_building_per_second']:,}/s counting the caller's payload building; "
          f"load {a['load_avg']}")
    if "append-postgresql" in results:
        p = results["append-postgresql"]
        print(f"appends on PostgreSQL: {p['per_second']:,}/s; {p['per_cpu_second']:,} per "
              f"client CPU second; load {p['load_avg']}")
    print(f"verify {results['verify-sqlite']['leaves']:,} leaves on SQLite: {verify_s:.1f}s, "
          f"peak RSS {results['verify-sqlite']['peak_gib']} GiB "
          f"(target <= {TARGET_VERIFY_S:.0f}s for 5M) {'OK' if ok_verify else 'MISSED'}; "
          f"{results['verify-sqlite']['cpu_seconds']:.1f} CPU s; "
          f"load {results['verify-sqlite']['load_avg']}")
    if "verify-postgresql" in results:
        r = results["verify-postgresql"]
        print(f"verify {r['leaves']:,} leaves on PostgreSQL: {r['seconds']:.1f}s, "
              f"peak RSS {r['peak_gib']} GiB, {r['cpu_seconds']:.1f} client CPU s, "
              f"load {r['load_avg']}")
    if args.strict and not (ok_rate and ok_verify):
        sys.exit(1)


if __name__ == "__main__":
    main()
