"""Oversight reports: the annual aggregate report and the per-batch report with pictures.

``annual_report`` is the 26 U.S.C. 6103(p)(3)(C) style report: per requester
and per statute, how many requests were received, how many disclosures were
made and about how many distinct taxpayers; plus answer codes and gate reason
codes. Requests count in the year their batch was *received*; disclosures in
the year they were *made* (a batch received on 31 December and answered on
2 January counts its requests in one year and its disclosures in the next).
Only aggregates: no request or taxpayer is named, so the report can go to
overseers as it is.

``batch_report`` gathers one batch's numbers (answers, gate reason codes, the
model's outcomes and reasons, the match-probability distribution against the
thresholds that governed it, review, retractions) and ``write_batch_html``
renders them as one self-contained HTML file (``reports/html.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..decide import DECISION_REASONS
from ..errors import InputError
from ..files import atomic_write, private_dir
from ..gate.reasons import REASONS
from ..store import reporting
from ..store.decisions import iter_decisions
from ..store.retractions import list_disposals, list_retractions
from ..store.review import list_review_items
from .batches import batch_detail
from .context import Context, utcnow

#: bins of the batch report's match-probability histogram (0.05 wide)
PROBABILITY_BINS = 20


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January of ``year``, 1 January of the next) in UTC."""
    if not 1970 <= year <= 9998:
        raise InputError(f"year {year} is out of range", where="--year")
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _row(key: str, value: Any) -> dict[str, Any]:
    return {key: value, "requests": 0, "refused": 0, "disclosures": 0, "taxpayers": 0}


def annual_report(ctx: Context, *, year: int) -> dict[str, Any]:
    """Aggregate counts for one calendar year (UTC); see the module docstring for the rules."""
    start, end = year_bounds(year)
    with ctx.store.reader() as s:
        batches = reporting.batches_by_requester(s, start=start, end=end)
        requests = reporting.requests_by_requester_statute_status(s, start=start, end=end)
        answers = reporting.final_answers_by_code(s, start=start, end=end)
        reasons: Counter[str] = Counter()
        for codes in reporting.iter_refusal_reasons(s, start=start, end=end):
            reasons.update(codes)
        by_req_disc = reporting.disclosure_counts(s, start=start, end=end, by=("requester_id",))
        by_stat_disc = reporting.disclosure_counts(s, start=start, end=end, by=("statute",))
        by_code_disc = reporting.disclosure_counts(s, start=start, end=end, by=("code",))
        total_disc = reporting.disclosure_counts(s, start=start, end=end)
        retractions = reporting.count_retractions(s, start=start, end=end)
        disposals = reporting.count_disposals(s, start=start, end=end)

    per_requester: dict[str | None, dict[str, Any]] = {}
    per_statute: dict[str | None, dict[str, Any]] = {}
    for requester, statute, status, n in requests:
        r = per_requester.setdefault(requester, _row("requester_id", requester))
        t = per_statute.setdefault(statute, _row("statute", statute))
        for row in (r, t):
            row["requests"] += n
            if status == "refused":
                row["refused"] += n
    for requester, n, taxpayers in by_req_disc:
        r = per_requester.setdefault(requester, _row("requester_id", requester))
        r["disclosures"], r["taxpayers"] = int(n), int(taxpayers)
    for statute, n, taxpayers in by_stat_disc:
        t = per_statute.setdefault(statute, _row("statute", statute))
        t["disclosures"], t["taxpayers"] = int(n), int(taxpayers)
    for requester, row in per_requester.items():
        row["batches"] = batches.get(requester, 0)

    disclosures, taxpayers = (int(total_disc[0][0]), int(total_disc[0][1])) if total_disc else (0, 0)
    n_requests = sum(n for *_k, n in requests)
    return {
        "report": "annual",
        "year": year,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "generated_at": utcnow().isoformat(),
        "totals": {
            "batches": sum(batches.values()),
            "requests": n_requests,
            "refused_by_gate": sum(n for _r, _s, status, n in requests if status == "refused"),
            "disclosures": disclosures,
            "taxpayers": taxpayers,
            "retractions": retractions,
            "disposals_certified": disposals,
        },
        "by_requester": sorted(per_requester.values(), key=lambda r: str(r["requester_id"] or "")),
        "by_statute": sorted(per_statute.values(), key=lambda r: str(r["statute"] or "")),
        "by_answer": dict(sorted(answers.items())),
        "by_disclosure_code": {str(code): int(n) for code, n, _t in sorted(by_code_disc)},
        "by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


# --- one batch ---------------------------------------------------------------------------


def _bin(p: float) -> int:
    return min(int(p * PROBABILITY_BINS), PROBABILITY_BINS - 1)


#: the zones the thresholds cut the probability axis into, in order
ZONES = ("no candidate", "below review threshold", "review zone", "at or above auto threshold")


def _zone(p: float | None, thresholds: dict[str, Any]) -> str:
    if p is None or math.isnan(p):
        return ZONES[0]
    if p < float(thresholds.get("review_threshold", 0.5)):
        return ZONES[1]
    if p < float(thresholds.get("auto_threshold", 0.99)):
        return ZONES[2]
    return ZONES[3]


def batch_report(ctx: Context, batch_id: str) -> dict[str, Any]:
    """Everything the batch report shows, as plain data (also what --json prints)."""
    detail = batch_detail(ctx, batch_id)
    bins = [0] * PROBABILITY_BINS
    decision_reasons: Counter[str] = Counter()
    thresholds: dict[str, Any] = {}
    models: Counter[str] = Counter()
    zones: dict[str, Counter[str]] = {z: Counter() for z in ZONES}
    with ctx.store.reader() as s:
        for d in iter_decisions(s, batch_id=batch_id):
            p = d["match_probability"]
            if p is not None and not math.isnan(p):
                bins[_bin(float(p))] += 1
            # each decision is zoned by the thresholds recorded with it
            zones[_zone(p, dict(d["thresholds"] or {}))][str(d["outcome"])] += 1
            reasons = str((d["evidence"] or {}).get("reasons") or "")
            decision_reasons.update(r for r in reasons.split(",") if r)
            # the thresholds that governed the decisions, not today's agreement
            thresholds = thresholds or dict(d["thresholds"] or {})
            if d["model_hash"]:
                models[str(d["model_hash"])] += 1
        items = list_review_items(s, status=None, batch_id=batch_id, limit=1_000_000)
        retractions = list_retractions(s, batch_id=batch_id)
        disposals = list_disposals(s, batch_id=batch_id)
    if not thresholds:
        m = ctx.agreement().matching
        thresholds = {"auto_threshold": m.auto_threshold, "review_threshold": m.review_threshold,
                      "min_weight_margin": m.min_weight_margin}
    review_final: Counter[str] = Counter(i.final_outcome or "open" for i in items)
    checkpoint = ctx.ledger.latest_checkpoint()
    answers = {str(k): int(v) for k, v in detail["answers"].items()}
    return {
        "report": "batch",
        "batch_id": detail["batch_id"],
        "requester_id": detail["requester_id"],
        "status": detail["status"],
        "received_at": detail["received_at"],
        "record_count": detail["record_count"],
        "response_version": detail["response_version"],
        "agreement_hash": detail["agreement_hash"],
        "generated_at": utcnow().isoformat(),
        "answers": answers,
        "answered": sum(answers.values()),
        "reason_codes": [{"code": c, "records": int(n),
                          "message": REASONS[c].message if c in REASONS else ""}
                         for c, n in detail["reason_codes"].items()],
        "match_outcomes": dict(sorted(detail["match_outcomes"].items())),
        "decision_reasons": [{"code": c, "records": n, "message": DECISION_REASONS.get(c, "")}
                             for c, n in sorted(decision_reasons.items(),
                                                key=lambda kv: (-kv[1], kv[0]))],
        "probability_histogram": [
            {"from": i / PROBABILITY_BINS, "to": (i + 1) / PROBABILITY_BINS, "count": n}
            for i, n in enumerate(bins)],
        "zones": [{"zone": z, "records": sum(c.values()), "outcomes": dict(sorted(c.items()))}
                  for z, c in zones.items()],
        "thresholds": thresholds,
        "model_hashes": dict(models),
        "review": {"items": len(items), "open": detail["review_open"],
                   "final_outcomes": dict(sorted(review_final.items()))},
        "retractions": [{"id": r.id, "request_id": r.request_id, "reason": r.reason,
                         "by": r.retracted_by, "at": r.retracted_at.isoformat()}
                        for r in retractions],
        "disposals": [{"id": d.id, "request_id": d.request_id, "by": d.certified_by,
                       "where": d.location, "certified_at": d.certified_at.isoformat()}
                      for d in disposals],
        "checkpoint": ({"tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash,
                        "time": checkpoint.time} if checkpoint else None),
    }


def write_batch_html(ctx: Context, batch_id: str, out: Path) -> dict[str, Any]:
    """Render the batch report to ``out`` (a file, or a directory to put BATCH_ID.html in)."""
    from ..reports.html import render_batch  # Jinja2 only when a page is drawn

    report = batch_report(ctx, batch_id)
    target = out / f"{batch_id}.html" if out.is_dir() else out
    html = render_batch(report)
    # 0600, under a temporary name renamed last: a reader never sees half a report
    atomic_write(private_dir(target.parent) / target.name, html)
    return {**report, "html": str(target)}
