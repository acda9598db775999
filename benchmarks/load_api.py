"""Load on the service: 50 concurrent clients on loopback for 60 s, mixing
requester status polls (signed with RFC 9421) and reviewers' review-page loads.

    .venv/bin/python benchmarks/load_api.py [--workspace W] [--clients 50] [--seconds 60]
                                            [--think-ms 1000] [--poll-share 0.5] [--workers 1]

Without --workspace it builds a small demo workspace in a temporary directory
(through the real pipeline) and removes it afterwards. It starts `dgw serve` on a
free loopback port in a separate process (so the clients do not share the
server's interpreter), waits until the service answers, runs the clients, stops
the server and prints throughput, p50, p99 and errors per kind and overall.
The first --warmup-s seconds (default 5) of load are not timed (errors count).

Each client waits a random think time (uniform in 0.5-1.5 x --think-ms, default
one second) between requests, as pollers and people reading a page do: 50 such
clients offer about 50 requests a second. --think-ms 0 makes it a closed loop at
full speed, which measures capacity rather than latency under a given load.
Every review-page load is a staff view, so it also appends a ledger event: the
load includes those writes. Target (issue 6): p99 < 200 ms and no error.
Bounded: loopback only, at most --max-requests requests, --seconds of load.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from disclosure_gateway.api.client_signing import signed_headers
from disclosure_gateway.keys import KeyPair, load_private
from disclosure_gateway.services import batches as batch_service
from disclosure_gateway.services import review as review_service
from disclosure_gateway.services import users as user_service
from disclosure_gateway.services.context import open_context

HOST = "127.0.0.1"
LOAD_USER = "load-reviewer"
LOAD_PASSWORD = "load-test-password-1"  # noqa: S105 - a throwaway account of the load run


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"poll": [], "review": []})
    errors: dict[str, int] = field(default_factory=lambda: {"poll": 0, "review": 0})
    samples: list[str] = field(default_factory=list)

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {text}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(ws: Path) -> tuple[str, int, KeyPair]:
    """A batch to poll (with its requester's key), a review item to load, a reviewer account."""
    with open_context(ws) as ctx:
        batches = [b for b in batch_service.list_batches(ctx) if b["requester_id"]]
        if not batches:
            raise SystemExit("the workspace has no batch to poll; run `dgw demo` first")
        batch = batches[0]
        items = (review_service.list_items(ctx, status="open")
                 or review_service.list_items(ctx, status="closed"))
        if not items:
            raise SystemExit("the workspace has no review item to load")
        if user_service.get_user(ctx, LOAD_USER) is None:
            user_service.add_user(ctx, LOAD_USER, "reviewer", LOAD_PASSWORD)
    key = load_private(ws / "keys" / f"{batch['requester_id']}.key")
    return str(batch["batch_id"]), int(items[0]["id"]), key


def start_server(ws: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "disclosure_gateway.cli.main", "serve", "--workspace", str(ws),
           "--host", HOST, "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=base, timeout=2) as c:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise SystemExit(f"the server exited: {err[-2000:]}")
            try:
                if c.get("/openapi.json").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # readiness poll of a separate process; bounded by the deadline
    raise SystemExit("the server did not become ready")


async def client_loop(n: int, client: httpx.AsyncClient, base: str, batch_id: str, item_id: int,
                      key: KeyPair, cookie: str, args: argparse.Namespace, measure_from: float,
                      stop_at: float, budget: list[int], results: Results) -> None:
    rng = random.Random(args.seed + n)
    poll_path = f"/api/v1/batches/{batch_id}"
    review_path = f"/console/review/{item_id}"
    # Clients arrive spread over one think time, not all in the same millisecond.
    await asyncio.sleep(args.think_ms / 1000 * rng.random())
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        kind = "poll" if rng.random() < args.poll_share else "review"
        t0 = time.perf_counter()
        try:
            if kind == "poll":
                r = await client.get(poll_path, headers=signed_headers(key, "GET", base + poll_path))
                ok = r.status_code == 200 and r.json().get("batch_id") == batch_id
            else:
                r = await client.get(review_path, cookies={"dgw_session": cookie})
                ok = r.status_code == 200 and "Request and candidate" in r.text
            elapsed = time.perf_counter() - t0
            if time.monotonic() < measure_from:
                pass  # warm-up: connections, caches and the server's thread pool are still filling
            elif ok:
                results.latencies[kind].append(elapsed)
            else:
                results.error(kind, f"{r.status_code} {r.text[:200]}")
        except httpx.HTTPError as e:
            results.error(kind, repr(e))  # counted in the warm-up too: an error is an error
        if args.think_ms > 0:
            await asyncio.sleep(args.think_ms / 1000 * rng.uniform(0.5, 1.5))


async def run_load(base: str, batch_id: str, item_id: int, key: KeyPair,
                   args: argparse.Namespace) -> tuple[Results, float]:
    limits = httpx.Limits(max_connections=args.clients + 10, max_keepalive_connections=args.clients + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        login = await client.post("/api/v1/auth/login", json={"name": LOAD_USER, "password": LOAD_PASSWORD})
        login.raise_for_status()
        cookie = login.cookies.get("dgw_session") or client.cookies.get("dgw_session")
        if not cookie:
            raise SystemExit("login set no session cookie")
        client.cookies.clear()  # each request sends the cookie explicitly
        results = Results()
        budget = [args.max_requests]
        measure_from = time.monotonic() + args.warmup_s
        stop_at = measure_from + args.seconds
        await asyncio.gather(*(client_loop(i, client, base, batch_id, item_id, key, cookie, args,
                                           measure_from, stop_at, budget, results)
                               for i in range(args.clients)))
        return results, time.monotonic() - measure_from


def report(results: Results, wall: float, args: argparse.Namespace) -> bool:
    all_lat = results.latencies["poll"] + results.latencies["review"]
    total = len(all_lat) + sum(results.errors.values())
    print(f"clients {args.clients}, {wall:.1f} s measured after {args.warmup_s:g} s warm-up, "
          f"think time {args.think_ms} ms "
          f"(x0.5-1.5), poll share {args.poll_share:.0%}, server workers {args.workers}")
    for kind in ("poll", "review"):
        lat = results.latencies[kind]
        print(f"  {kind:6s} ok {len(lat):7d}  errors {results.errors[kind]:4d}  "
              f"p50 {_pct(lat, .5) * 1000:7.1f} ms  p99 {_pct(lat, .99) * 1000:7.1f} ms  "
              f"max {max(lat, default=float('nan')) * 1000:7.1f} ms")
    p50, p99 = _pct(all_lat, .5) * 1000, _pct(all_lat, .99) * 1000
    errors = sum(results.errors.values())
    print(f"  all    requests {total}  throughput {total / wall:.1f} req/s  "
          f"p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
          f"mean {statistics.fmean(all_lat) * 1000 if all_lat else 0:.1f} ms  "
          f"errors {errors}")
    for s in results.samples:
        print(f"  error sample: {s}")
    ok = errors == 0 and p99 < 200
    print("target (p99 < 200 ms, no error):", "met" if ok else "NOT met")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", type=Path, help="existing workspace (default: build a small demo)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think-ms", type=float, default=1000)
    ap.add_argument("--poll-share", type=float, default=0.5)
    ap.add_argument("--warmup-s", type=float, default=5, help="seconds of load before measuring")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--max-requests", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--taxpayers", type=int, default=20_000,
                    help="size of the demo built without --workspace")
    ap.add_argument("--requests", type=int, default=2_000, help="batch size of that demo")
    args = ap.parse_args()

    tmp: Path | None = None
    ws = args.workspace
    if ws is None:
        from disclosure_gateway.demo import run_demo

        tmp = Path(tempfile.mkdtemp(prefix="dgw-load-"))
        ws = tmp / "ws"
        print(f"building a demo workspace ({args.taxpayers:,} taxpayers, {args.requests:,} requests) in {ws}")
        run_demo(ws, taxpayers=args.taxpayers, requests=args.requests, seed=2025)
    proc: subprocess.Popen[bytes] | None = None
    try:
        batch_id, item_id, key = prepare(ws)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        proc = start_server(ws, port, args.workers)
        wait_ready(base, proc)
        print(f"server {base}; polling batch {batch_id} as {key.name}, loading review item {item_id}")
        results, wall = asyncio.run(run_load(base, batch_id, item_id, key, args))
        return 0 if report(results, wall, args) else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
