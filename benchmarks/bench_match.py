"""Benchmark of the linkage: speed, memory and accuracy, ours beside plain Splink.

For each master size (default 1M, 5M and 10M taxpayers) with a proportional
batch (0.128 requests per taxpayer: 1.28M at 10M), in the same run:

- **gateway**: master index build (once; not part of answering), model training,
  the legal gate (timed on its own: plain Splink has none), then match + decide
  over the accepted requests (block = normalise + candidate keys, predict =
  Splink scoring of the candidate pairs, decide = the pure rule and the address
  check), and the single-request lane's latency on a sample;
- **plain Splink** configured exactly as in the linkage notes
  (``disclosure_gateway.match.splink_reference``): one row per taxpayer (the
  last known address), its blocking, comparisons and training; each request
  linked to its best candidate at p >= 0.99; and the same links confirmed only
  where house number, street and ZIP equal the request's ("+ address check").

Two worlds of our generator (``--world default`` and ``--world harsh``, the
``harsh`` preset of ``dgw synth``: birth dates wrong in every way, TIN slips,
moves to addresses the master never held, missing fields, bigger households)
and the public FEBRL1-3 sets (``--phase febrl``; FEBRL4 is never loaded).

Figures: train/block/predict/total seconds, comparisons, peak RSS, and the
side-by-side accuracy table (``disclosure_gateway.side_by_side``): wrong links,
wrongful confirmations, precision, recall, F1, confirmation recall, review
share, identification recall per error kind. Accuracy counts the requests
without legal defects (truth.defects empty). The gate is the gate of this
branch except that a missing or unparseable birth date is not a refusal (the
gate's birth-date change is made elsewhere; the matcher must work without a
birth date). Each phase runs in a fresh subprocess so its peak RSS
(``getrusage``) is its own.

    python benchmarks/bench_match.py --sizes 1000000            # one size
    python benchmarks/bench_match.py                            # 1M, 5M, 10M
    python benchmarks/bench_match.py --sizes 1000000 --skip-plain --work /tmp/bm
    python benchmarks/bench_match.py --size 10000000 --phase plain   # one phase, one size
    python benchmarks/bench_match.py --report        # the tables from the stored results
    python benchmarks/bench_match.py --sizes 1000000 --world harsh --skip-single
    python benchmarks/bench_match.py --febrl          # FEBRL1-3, gateway beside plain Splink

Data and indexes are cached in ``--work`` between runs. Prints figures; it is
not a test.
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
from typing import Any

SIZES = (1_000_000, 5_000_000, 10_000_000)
REQUESTS_PER_TAXPAYER = 0.128
BATCH_DATE = date(2026, 3, 2)
SEED = 7
COLD = 5  # the single lane's first requests on a fresh matcher, reported apart
#: gate codes that are notes, not refusals, once a birth date is evidence only
BIRTH_DATE_NOTES = ("DOB_MALFORMED", "DOB_IMPLAUSIBLE")


def _peak_gib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def _dir(args: argparse.Namespace) -> Path:
    world = "" if args.world == "default" else f"-{args.world}"
    d = Path(args.work) / f"n{args.size}{world}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _knobs(args: argparse.Namespace) -> tuple[Any, Any]:
    from disclosure_gateway.synth import BatchKnobs, PopulationKnobs, build_knobs

    return (build_knobs(PopulationKnobs, preset=args.world),
            build_knobs(BatchKnobs, preset=args.world))


def _requests(size: int) -> int:
    return round(size * REQUESTS_PER_TAXPAYER)


# --- phases (each in its own process) ------------------------------------------------------


def phase_data(args: argparse.Namespace) -> dict[str, Any]:
    from disclosure_gateway.synth import write_population
    from disclosure_gateway.synth.batch import generate_batch

    d = _dir(args)
    pop_knobs, batch_knobs = _knobs(args)
    t0 = time.perf_counter()
    if not (d / "master.parquet").exists():
        write_population(d / "master.parquet", args.size, seed=SEED, knobs=pop_knobs)
    if not (d / "truth.parquet").exists():
        records, truth = generate_batch(d / "master.parquet", _requests(args.size), seed=SEED + 1,
                                        knobs=batch_knobs, batch_date=BATCH_DATE)
        records.to_parquet(d / "records.parquet", index=False)
        truth.to_parquet(d / "truth.parquet", index=False)
    return {"phase": "data", "seconds": round(time.perf_counter() - t0, 1),
            "peak_gib": _peak_gib()}


def phase_index(args: argparse.Namespace) -> dict[str, Any]:
    from disclosure_gateway.match.master_index import build_master_index

    d = _dir(args)
    info = build_master_index(d / "master.parquet", d / "ws" / "master")
    return {"phase": "index", "seconds": round(info.seconds, 1), "peak_gib": _peak_gib(),
            "rows": info.rows, "persons": info.persons, "keys": info.keys}


def phase_train(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    from disclosure_gateway.match.training import train_model
    from disclosure_gateway.workspace import Workspace

    d = _dir(args)
    t0 = time.perf_counter()
    stored = train_model(Workspace(d / "ws"), pd.read_parquet(d / "records.parquet"))
    return {"phase": "train", "seconds": round(time.perf_counter() - t0, 1),
            "peak_gib": _peak_gib(), "model": stored.path.name}


def _truth_scores(outcomes: Any, truth: Any) -> dict[str, Any]:
    from disclosure_gateway.evaluation import score

    card = score(outcomes, truth)
    c = card.overall
    absent = card.by_kind.get("absent")
    return {"precision": c.precision, "recall": c.recall, "wrongful_matches": c.wrongful_matches,
            "wrongful_matches_absent": absent.wrongful_matches if absent else 0,
            "wrongful_confirmations": c.wrongful_confirmations, "review_share": c.review_share,
            "valid_requests": c.requests, "matchable": c.matchable,
            "confirmation_recall": c.confirmation_recall}


def phase_gate(args: argparse.Namespace) -> dict[str, Any]:
    """The legal gate alone; the accepted requests go to ``accepted.parquet``."""
    from disclosure_gateway.gate import check_records
    from disclosure_gateway.intake.records import read_records
    from disclosure_gateway.synth import reference_agreement

    d = _dir(args)
    records = read_records(d / "records.parquet")
    t0 = time.perf_counter()
    gate = check_records(records, reference_agreement(), request_date=BATCH_DATE)
    seconds = time.perf_counter() - t0
    # A missing or unparseable birth date is a note, not a refusal (see the docstring).
    keep = [j for j, c in enumerate(gate.codes) if c not in BIRTH_DATE_NOTES]
    accepted = ~gate.flags[:, keep].any(axis=1)
    records[accepted].reset_index(drop=True).to_parquet(d / "accepted.parquet", index=False)
    return {"phase": "gate", "seconds": round(seconds, 1), "requests": len(records),
            "accepted": int(accepted.sum()), "peak_gib": _peak_gib()}


def phase_match(args: argparse.Namespace) -> dict[str, Any]:
    """Match + decide the requests the gate accepted (linkage alone, like plain Splink's
    phase); requests the gate refused are scored as refused."""
    import pandas as pd

    from disclosure_gateway.match.model_store import load_model
    from disclosure_gateway.match.service import Matcher
    from disclosure_gateway.synth import reference_agreement

    d = _dir(args)
    marks: dict[str, float] = {}
    t_start = time.perf_counter()
    accepted = pd.read_parquet(d / "accepted.parquet")
    matcher = Matcher(d / "ws" / "master", load_model(d / "ws" / "models"),
                      reference_agreement().matching)

    def progress(step: str) -> None:
        marks[step] = time.perf_counter()

    res = matcher.match_frame(accepted, progress=progress)
    t_end = time.perf_counter()
    comparisons = int(res["candidates"].sum())
    matcher.close()
    out = {
        "phase": "match", "accepted": len(accepted),
        "block_s": round(marks["score"] - t_start, 1),
        "predict_s": round(marks["decide"] - marks["score"], 1),
        "decide_s": round(t_end - marks["decide"], 1),
        "total_s": round(t_end - t_start, 1),
        "comparisons": comparisons, "peak_gib": _peak_gib(),
    }
    ids = pd.read_parquet(d / "records.parquet", columns=["request_id"])["request_id"]
    refused = pd.DataFrame({"request_id": ids[~ids.isin(accepted["request_id"])],
                            "tin": None, "outcome": "rejected", "address_result": "unknown"})
    outcomes = pd.concat([res[["request_id", "tin", "outcome", "address_result", "reasons"]],
                          refused])
    outcomes.to_parquet(d / "outcomes-gateway.parquet", index=False)
    out |= _truth_scores(outcomes, pd.read_parquet(d / "truth.parquet"))
    return out


def phase_single(args: argparse.Namespace) -> dict[str, Any]:
    """The single-request lane as the service runs it: a fresh matcher warmed by one
    made-up request, then the first ``COLD`` real requests (index pages not yet
    read) apart, then ``--single`` others."""
    import statistics

    import pandas as pd

    from disclosure_gateway.match.model_store import load_model
    from disclosure_gateway.match.service import WARM_UP_REQUEST, Matcher
    from disclosure_gateway.synth import reference_agreement

    d = _dir(args)
    records = pd.read_parquet(d / "records.parquet").sample(args.single + COLD,
                                                            random_state=SEED)
    t_open = time.perf_counter()
    matcher = Matcher(d / "ws" / "master", load_model(d / "ws" / "models"),
                      reference_agreement().matching, threads=1)
    open_ms = (time.perf_counter() - t_open) * 1000
    # What the service does at start-up (ServiceSettings.warm_lane): one made-up request.
    t_warm = time.perf_counter()
    matcher.match_record(WARM_UP_REQUEST)
    warm_up_ms = (time.perf_counter() - t_warm) * 1000
    recs = records.astype(object).where(records.notna(), None).to_dict("records")
    times, candidates = [], []
    for r in recs:
        t0 = time.perf_counter()
        row = matcher.match_record(r)
        times.append((time.perf_counter() - t0) * 1000)
        candidates.append(int(row["candidates"]))
    cold, warm = times[:COLD], sorted(times[COLD:])
    slowest = max(range(COLD, len(times)), key=times.__getitem__)
    return {"phase": "single", "n": len(warm), "open_ms": round(open_ms, 1),
            "warm_up_ms": round(warm_up_ms, 1),
            "cold_ms": [round(t, 1) for t in cold],
            "median_ms": round(statistics.median(warm), 1),
            "p95_ms": round(warm[int(0.95 * (len(warm) - 1))], 1),
            "p99_ms": round(warm[int(0.99 * (len(warm) - 1))], 1),
            "max_ms": round(warm[-1], 1), "max_candidates": max(candidates),
            "slowest_candidates": candidates[slowest], "peak_gib": _peak_gib()}


def phase_blocking(args: argparse.Namespace) -> dict[str, Any]:
    """Each candidate rule's yield: pairs generated, true pairs found, found by it alone."""
    import pandas as pd

    from disclosure_gateway.match.candidates import batch_pairs, create_request_model_table
    from disclosure_gateway.match.master_index import open_master
    from disclosure_gateway.match.settings import KEY_RULES
    from disclosure_gateway.normalise.records import normalise_table

    d = _dir(args)
    con, _ = open_master(d / "ws" / "master")
    con.execute(f"CREATE TEMP TABLE src AS SELECT * FROM read_parquet('{d / 'records.parquet'}')")
    normalise_table(con, "src", "norm", uid="request_id", temp=True)
    create_request_model_table(con, "norm", "req")
    pairs = batch_pairs(con, "req", "pairs")
    truth = pd.read_parquet(d / "truth.parquet")
    truth = truth[(truth.defects.apply(len) == 0) & truth.true_tin.notna()]
    con.register("truth", truth[["request_id", "true_tin"]].dropna())
    rules = {}
    for rule in KEY_RULES:
        n, true, alone = con.execute(f"""
            SELECT count(*), count(*) FILTER (WHERE t.true_tin = p.mid),
                   count(*) FILTER (WHERE t.true_tin = p.mid AND p.match_key = '{rule.name}')
            FROM pairs p LEFT JOIN truth t ON t.request_id = p.rid
            WHERE list_contains(string_split(p.match_key, ','), '{rule.name}')
        """).fetchall()[0]
        rules[rule.name] = {"pairs": n, "true_pairs": true, "only_this_rule": alone}
    true_total = int(con.execute("SELECT count(*) FROM truth").fetchall()[0][0])
    found = int(con.execute("SELECT count(*) FROM truth t JOIN pairs p ON p.rid = t.request_id "
                            "AND p.mid = t.true_tin").fetchall()[0][0])
    return {"phase": "blocking", "pairs": pairs, "per_request": round(pairs / _requests(args.size), 2),
            "true_pairs": true_total, "missed": true_total - found, "rules": rules}


def _plain_chunks(args: argparse.Namespace) -> int:
    """Request slices for plain Splink's predict: one up to 5M taxpayers, else enough
    that no slice blocks more than about 50 million pairs."""
    if args.plain_chunks:
        return int(args.plain_chunks)
    return 1 if args.size <= 5_000_000 else max(1, round(args.size / 1_250_000))


def phase_plain(args: argparse.Namespace) -> dict[str, Any]:
    """Plain Splink, configured exactly as in the linkage notes, on the same data."""
    import pandas as pd

    from disclosure_gateway.side_by_side import plain_outcomes, run_plain

    d = _dir(args)
    t0 = time.perf_counter()
    links, seconds, comparisons = run_plain(
        f"read_parquet('{d / 'master.parquet'}')", f"read_parquet('{d / 'records.parquet'}')",
        master_uid="regexp_replace(CAST(tin AS VARCHAR), '[^0-9]', '', 'g')",
        request_uid="request_id", newest_per="tin", u_pairs=args.plain_u_pairs,
        chunks=_plain_chunks(args))
    total = time.perf_counter() - t0
    links.to_parquet(d / "links-plain.parquet", index=False)
    plain, checked = plain_outcomes(links)
    truth = pd.read_parquet(d / "truth.parquet")
    out = {"phase": "plain", "prep_s": seconds["prepare"], "train_s": seconds["train"],
           "block_s": None, "predict_s": seconds["predict"], "decide_s": seconds["best"],
           "answer_s": round(total - seconds["train"], 1), "total_s": round(total, 1),
           "comparisons": comparisons, "peak_gib": _peak_gib()}
    out |= _truth_scores(plain, truth)
    out["checked"] = _truth_scores(checked, truth)
    return out


def phase_febrl(args: argparse.Namespace) -> dict[str, Any]:
    """FEBRL1-3: the gateway as `dgw match` links two files, plain Splink beside it."""
    from disclosure_gateway.public_data import FEBRL_SETS
    from disclosure_gateway.side_by_side import febrl_comparison

    out: dict[str, Any] = {"phase": "febrl"}
    for name in FEBRL_SETS:
        c = febrl_comparison(name)
        out[name] = c.as_dict()
    out["peak_gib"] = _peak_gib()
    return out


PHASES = {"data": phase_data, "index": phase_index, "train": phase_train, "gate": phase_gate,
          "match": phase_match,
          "single": phase_single, "blocking": phase_blocking, "plain": phase_plain,
          "febrl": phase_febrl}


# --- driver ---------------------------------------------------------------------------------


def _run(phase: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--size", str(size), "--work", args.work,
           "--single", str(args.single), "--plain-u-pairs", str(args.plain_u_pairs),
           "--plain-chunks", str(args.plain_chunks), "--world", args.world]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"phase": phase, "error": proc.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4f}" if v < 1 else f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "dgw-bench-match"))
    p.add_argument("--skip-plain", action="store_true")
    p.add_argument("--single", type=int, default=1000, help="single-lane sample size")
    p.add_argument("--plain-u-pairs", type=float, default=1e8)
    p.add_argument("--plain-chunks", type=int, default=0,
                   help="request slices for plain Splink's predict (0: by master size)")
    p.add_argument("--report", action="store_true",
                   help="print the tables from the phases' last stored results; run nothing")
    p.add_argument("--phase", choices=sorted(PHASES))
    p.add_argument("--size", type=int)
    p.add_argument("--world", choices=("default", "harsh"), default="default",
                   help="the generator's preset (harsh: more of every error kind)")
    p.add_argument("--skip-single", action="store_true")
    p.add_argument("--skip-blocking", action="store_true")
    p.add_argument("--febrl", action="store_true", help="run FEBRL1-3 (no generated sizes)")
    args = p.parse_args()
    if args.phase:
        result = PHASES[args.phase](args)
        # Kept beside the data, so --report can print a table from earlier runs.
        result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        where = Path(args.work) / "febrl" if args.phase == "febrl" else _dir(args)
        where.mkdir(parents=True, exist_ok=True)
        (where / f"result-{args.phase}.json").write_text(json.dumps(result))
        print(json.dumps(result))
        return
    if args.febrl:
        _febrl(args)
        return
    suffix = "" if args.world == "default" else f"-{args.world}"
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for size in args.sizes:
        phases = ["data", "index", "train", "gate", "match"]
        phases += [] if args.skip_single else ["single"]
        phases += [] if args.skip_blocking else ["blocking"]
        phases += [] if args.skip_plain else ["plain"]
        results[size] = {}
        for ph in phases:
            stored = Path(args.work) / f"n{size}{suffix}" / f"result-{ph}.json"
            if args.report:
                if stored.exists():
                    results[size][ph] = json.loads(stored.read_text())
                continue
            r = _run(ph, size, args)
            results[size][ph] = r
            print(f"[{size:,}] {json.dumps(r)}", flush=True)
    cols = ["train s", "block s", "predict s", "answer s", "total s", "comparisons", "peak GiB",
            "precision", "recall", "wrong matches", "wrong confirmations", "review share"]
    print("\n| master × requests | system | " + " | ".join(cols) + " |")
    print("|" + "---|" * (len(cols) + 2))
    for size, rs in results.items():
        label = f"{size / 1e6:g}M × {_requests(size) / 1e3:,.0f}k"
        m, t = rs.get("match", {}), rs.get("train", {})
        total = (t.get("seconds") or 0) + (m.get("total_s") or 0)
        ours = [t.get("seconds"), m.get("block_s"), m.get("predict_s"), m.get("total_s"), total,
                m.get("comparisons"), max(m.get("peak_gib", 0), t.get("peak_gib", 0)),
                m.get("precision"), m.get("recall"), m.get("wrongful_matches"),
                m.get("wrongful_confirmations"), m.get("review_share")]
        print(f"| {label} | gateway | "
              + " | ".join(_fmt(v) for v in ours) + " |")
        if "plain" in rs:
            pl = rs["plain"]
            plain = [pl.get("train_s"), pl.get("block_s"), pl.get("predict_s"),
                     pl.get("answer_s"), pl.get("total_s"), pl.get("comparisons"),
                     pl.get("peak_gib"), pl.get("precision"), pl.get("recall"),
                     pl.get("wrongful_matches"),
                     pl.get("wrongful_confirmations"), pl.get("review_share")]
            print(f"| {label} | plain Splink | "
                  + " | ".join(_fmt(v) for v in plain) + " |")
    print("\nanswer s: linkage per batch — the gateway's normalise + candidates + score + decide "
          "(block s is normalise + candidates), plain Splink's data preparation + block + "
          "predict + decide; total s adds training. peak GiB: the gateway's larger of training "
          "and matching, plain Splink's whole run. The gateway's legal gate (which plain Splink "
          "does not do) is timed on its own below; its refusals count in the accuracy.")
    for size, rs in results.items():
        b = rs.get("blocking", {})
        if "rules" in b:
            print(f"\ncandidate rules at {size:,}: {b['pairs']:,} pairs ({b['per_request']} per "
                  f"request), {b['true_pairs']:,} true pairs, {b['missed']:,} missed")
            for name, r in b["rules"].items():
                print(f"  {name:10s} pairs {r['pairs']:>12,}  true {r['true_pairs']:>10,}  "
                      f"only this rule {r['only_this_rule']:>8,}")
    for size, rs in results.items():
        s, ix = rs.get("single", {}), rs.get("index", {})
        print(f"\n{size:,} taxpayers: master index {ix.get('seconds')} s "
              f"({ix.get('peak_gib')} GiB); gate {rs.get('gate', {}).get('seconds')} s "
              f"({rs.get('gate', {}).get('peak_gib')} GiB); "
              f"single request (warm) median {s.get('median_ms')} ms, p95 {s.get('p95_ms')} ms, "
              f"p99 {s.get('p99_ms')} ms, max {s.get('max_ms')} ms ({s.get('n')} requests; the "
              f"slowest had {s.get('slowest_candidates')} candidates); first {COLD} on a fresh "
              f"matcher {s.get('cold_ms')} ms")


    for size in results:
        _accuracy(Path(args.work) / f"n{size}{suffix}",
                  f"{args.world} world, {size / 1e6:g}M × {_requests(size) / 1e3:,.0f}k")


def _accuracy(d: Path, label: str) -> None:
    """The side-by-side accuracy table from the stored outcomes of a size."""
    import pandas as pd

    from disclosure_gateway.side_by_side import compare, markdown

    if not (d / "truth.parquet").exists():
        return
    truth = pd.read_parquet(d / "truth.parquet")
    ours = d / "outcomes-gateway.parquet"
    links = d / "links-plain.parquet"
    c = compare(label, truth, pd.read_parquet(ours) if ours.exists() else None,
                pd.read_parquet(links) if links.exists() else None, {})
    print("\n" + markdown(c))


def _febrl(args: argparse.Namespace) -> None:
    from disclosure_gateway.evaluation import Counts, Scorecard
    from disclosure_gateway.side_by_side import Comparison, markdown

    stored = Path(args.work) / "febrl" / "result-febrl.json"
    r = _run("febrl", 0, args) if not args.report else (
        json.loads(stored.read_text()) if stored.exists() else {})
    fields = set(Counts.__dataclass_fields__)

    def counts(c: dict[str, Any]) -> Counts:
        return Counts(**{k: v for k, v in c.items() if k in fields})

    def card(x: dict[str, Any]) -> Scorecard:
        return Scorecard(counts(x["overall"]), {k: counts(v) for k, v in x["by_kind"].items()},
                         x["defective"])

    for name in ("febrl1", "febrl2", "febrl3"):
        if name not in r:
            continue
        doc = r[name]
        c = Comparison(name, {k: card(v) for k, v in doc["systems"].items()}, doc["seconds"],
                       tuple(doc["notes"]))
        print(f"\n{name}: {c.seconds} {'; '.join(c.notes)}\n" + markdown(c))


if __name__ == "__main__":
    main()
