"""Benchmark: the legal-sufficiency gate on a 1.28-million-record batch.

Generates (once, cached under ``artifacts/bench``) a synthetic master file and
request batch with ``dgw synth``'s Python API, then times reading the records
file and running the gate, and prints seconds, records per second and peak
memory (the main process and the address-parsing workers). Targets on the
project's 2-core machine: at most 3 minutes and 4 GiB.

When the batch has a ``truth.parquet`` it also prints, per planted defect
kind, how many defective requests the gate caught (refused with one of the
codes ``contracts.DEFECT_REASONS`` names for that kind) and missed — missed
must be 0 — and how many valid requests it wrongly refused, by code. It
prints the notes (non-refusing codes such as an unusable birth date) and the
officers over the caseload cap with the investigations counted for them.

``--entries`` also times what the pipeline pays on top: the keyed digests the
request history records for the batch (identities, fingerprints, probing
groups, officers' claims).

    .venv/bin/python benchmarks/bench_gate.py                  # 1.28M, cached
    .venv/bin/python benchmarks/bench_gate.py --requests 50000 # quick look
    .venv/bin/python benchmarks/bench_gate.py --batch DIR      # an existing batch
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

import numpy as np
import psutil
import pyarrow.parquet as pq

from disclosure_gateway.agreement import load_agreement
from disclosure_gateway.contracts import DEFECT_KINDS, DEFECT_REASONS, MANIFEST_FILE, TRUTH_FILE
from disclosure_gateway.gate import check_records
from disclosure_gateway.intake.manifest import read_manifest
from disclosure_gateway.intake.records import read_records

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "agreements" / "irs-ice-2025.toml"
BATCH_DATE = date(2025, 10, 1)
SEED = 20250807  # the day the addresses went out


class PeakMemory:
    """Peak resident memory of this process and of all its descendants together.

    Sampled every 50 ms: the address-parsing workers are children of the
    forkserver, not of this process, so getrusage would not see them.
    """

    def __init__(self) -> None:
        self.main = 0
        self.tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.05):
            try:
                main = me.memory_info().rss
                kids = sum(c.memory_info().rss for c in me.children(recursive=True))
            except psutil.Error:
                continue
            self.main = max(self.main, main)
            self.tree = max(self.tree, main + kids)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _generate(requests: int, out: Path) -> Path:
    from disclosure_gateway.synth.io import write_batch, write_population
    from disclosure_gateway.synth.knobs import BatchKnobs

    absent = BatchKnobs().absent_share
    taxpayers = math.ceil(requests * (1 - absent) * 1.25) + 1000
    master = out / f"master-{taxpayers}.parquet"
    if not master.exists():
        t0 = time.perf_counter()
        write_population(master, taxpayers, seed=SEED)
        print(f"generated master file: {taxpayers:,} taxpayers in {time.perf_counter() - t0:.0f} s")
    batch = out / f"batch-{requests}"
    if not (batch / MANIFEST_FILE).exists():
        t0 = time.perf_counter()
        write_batch(batch, master, requests, seed=SEED, batch_date=BATCH_DATE, fmt="csv",
                    created=datetime.combine(BATCH_DATE, clock(9), tzinfo=UTC))
        print(f"generated batch: {requests:,} requests in {time.perf_counter() - t0:.0f} s")
    return batch


def _defect_report(result_flags: np.ndarray, codes: tuple[str, ...], batch: Path,
                   request_ids: list[str]) -> dict[str, object]:
    truth = pq.read_table(batch / TRUTH_FILE, columns=["request_id", "defects"]).to_pandas()
    position = {rid: i for i, rid in enumerate(request_ids)}
    rows = np.array([position[r] for r in truth["request_id"]], dtype=np.int64)
    defects = truth["defects"].map(lambda v: tuple(v) if v is not None else ())
    col = {c: j for j, c in enumerate(codes)}
    refused = result_flags.any(axis=1)
    per_kind: dict[str, dict[str, int]] = {}
    for kind in DEFECT_KINDS:
        has = defects.map(lambda d, k=kind: k in d).to_numpy()
        idx = rows[has]
        wanted = [col[c] for c in DEFECT_REASONS[kind]]
        caught = result_flags[np.ix_(idx, wanted)].any(axis=1) if len(idx) else np.zeros(0, bool)
        per_kind[kind] = {"planted": len(idx), "caught": int(caught.sum()),
                          "missed": int((~caught).sum())}
    valid = rows[(defects.map(len) == 0).to_numpy()]
    wrongly = valid[refused[valid]]
    by_code = {codes[j]: int(n) for j, n in enumerate(result_flags[wrongly].sum(axis=0)) if n}
    return {"defects": per_kind, "valid": len(valid), "valid_refused": len(wrongly),
            "valid_refused_by_code": by_code, "valid_refused_examples": wrongly[:20].tolist()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=1_280_000)
    ap.add_argument("--batch", type=Path, help="an existing batch directory")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench")
    ap.add_argument("--request-date", type=date.fromisoformat,
                    help="date the requests are judged on (default: the manifest's creation date)")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--entries", action="store_true",
                    help="also time the request-history digests the pipeline records")
    args = ap.parse_args(argv)

    batch = args.batch or _generate(args.requests, args.out)
    manifest = read_manifest(batch)
    agreement = load_agreement(AGREEMENT)
    request_date = args.request_date or (manifest.created.date() if args.batch else BATCH_DATE)

    with PeakMemory() as peak:
        t0 = time.perf_counter()
        df = read_records(batch / manifest.records_file, manifest.records_format)
        t_read = time.perf_counter() - t0
        t1 = time.perf_counter()
        c1 = time.process_time()
        result = check_records(df, agreement, request_date=request_date, workers=args.workers,
                               hash_key=b"bench-ledger-secret")
        t_gate = time.perf_counter() - t1
        c_gate = time.process_time() - c1
        t_entries = None
        if args.entries:
            t2 = time.perf_counter()
            result.history_entries()
            t_entries = time.perf_counter() - t2
    total = t_read + t_gate
    summary = result.summary()
    figures: dict[str, object] = {
        "records": len(df),
        "read_seconds": round(t_read, 1),
        "gate_seconds": round(t_gate, 1),
        "gate_cpu_seconds_main_process": round(c_gate, 1),
        "total_seconds": round(total, 1),
        "records_per_second": round(len(df) / total),
        "request_date": request_date.isoformat(),
        "peak_rss_mib_main": round(peak.main / 2**20),
        "peak_rss_mib_all_processes": round(peak.tree / 2**20),
        "accepted": summary.accepted,
        "refused": summary.refused,
        "by_code": summary.by_code,
        "probing_records": summary.probing_records,
        "probing_groups": summary.probing_groups,
        "by_note": summary.by_note,
        "officers_over_cap": [
            {"officer": o.officer, "claimed": o.claimed, "records": o.records}
            for o in summary.officers_over_cap],
    }
    if t_entries is not None:
        figures["history_entries_seconds"] = round(t_entries, 1)
    if (batch / TRUTH_FILE).exists():
        figures |= _defect_report(result.flags, result.codes, batch, result.request_ids)
        examples = figures.pop("valid_refused_examples")
        assert isinstance(examples, list)
        figures["valid_refused_sample"] = [
            {**df.iloc[i][["first_name", "last_name", "address_line1", "address_line2", "city",
                           "state", "zip", "dob"]].to_dict(), "codes": result.reasons(i)}
            for i in examples[:5]
        ]
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
        return 0
    print(f"records            {figures['records']:,} (judged on {request_date})")
    print(f"read               {t_read:.1f} s")
    print(f"gate               {t_gate:.1f} s  (CPU {c_gate:.1f} s in this process; with --workers 1,"
          " all of it: steadier than wall time on a busy machine)")
    print(f"total              {total:.1f} s   ({figures['records_per_second']:,} records/s)")
    print(f"peak RSS           main {figures['peak_rss_mib_main']:,} MiB, "
          f"all processes {figures['peak_rss_mib_all_processes']:,} MiB")
    print(f"accepted/refused   {summary.accepted:,} / {summary.refused:,}")
    if t_entries is not None:
        print(f"history digests    {t_entries:.1f} s")
    print(f"probing            {summary.probing_records:,} records, groups {summary.probing_groups}")
    print(f"notes              {summary.by_note}")
    cap = agreement.eligibility.max_open_investigations_per_officer
    for o in summary.officers_over_cap[:5]:
        print(f"officer over cap   {o.officer!r}: {o.claimed:,} investigations counted "
              f"({o.records:,} records here; cap {cap})")
    if "defects" in figures:
        per_kind = figures["defects"]
        assert isinstance(per_kind, dict)
        print(f"{'defect kind':30} {'planted':>8} {'caught':>8} {'missed':>7}")
        for kind, n in per_kind.items():
            print(f"{kind:30} {n['planted']:8,} {n['caught']:8,} {n['missed']:7,}")
        print(f"valid requests wrongly refused: {figures['valid_refused']:,} of "
              f"{figures['valid']:,}  {figures['valid_refused_by_code']}")
        for ex in figures["valid_refused_sample"]:  # type: ignore[attr-defined]
            print("   ", ex)
    return 0


if __name__ == "__main__":
    sys.exit(main())
