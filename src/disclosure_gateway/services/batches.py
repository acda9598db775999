"""Batches: submit, status, detail, records, response files, and the interactive lane."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..errors import NotFound
from ..pipeline import process_batch, reissue_response, response_dir
from ..response_files import RESPONSE_CSV, RESPONSE_MANIFEST, RESPONSE_SIG
from ..store import batches as store_batches
from ..store import requests as store_requests
from ..store.answers import count_answers_by_code, iter_answers
from ..store.decisions import iter_decisions
from ..store.models import Batch
from ..store.review import count_open_items
from .context import Context
from .interactive import answer_one

__all__ = ["answer_one", "batch_detail", "batch_records", "batch_status", "list_batches",
           "reissue", "response_files", "response_manifest", "submit_batch"]


def reissue(ctx: Context, batch_id: str) -> dict[str, Any]:
    """A new response version carrying the outcomes of reviews closed since the last one."""
    return reissue_response(ctx, batch_id).to_json()


def submit_batch(ctx: Context, batch_dir: Path) -> dict[str, Any]:
    """Process a submitted batch; raises BatchRefused when it is refused."""
    return process_batch(ctx, batch_dir).to_json()


def _visible(batch: Batch | None, batch_id: str, requester_id: str | None) -> Batch:
    # A requester asking for another requester's batch learns nothing, not even
    # that it exists: the same NotFound as for an unknown id.
    if batch is None or (requester_id is not None and batch.requester_id != requester_id):
        raise NotFound(f"no batch {batch_id}")
    return batch


def _summary(s: Any, b: Batch) -> dict[str, Any]:
    counts = (count_answers_by_code(s, batch_id=b.batch_id, response_version=int(b.response_version))
              if b.response_version else {})
    return {
        "batch_id": b.batch_id, "requester_id": b.requester_id, "status": b.status,
        "received_at": b.received_at.isoformat(), "record_count": int(b.record_count),
        "response_version": int(b.response_version), "answers": dict(sorted(counts.items())),
    }


def list_batches(ctx: Context, *, requester_id: str | None = None,
                 limit: int = 100) -> list[dict[str, Any]]:
    with ctx.store.reader() as s:
        rows = store_batches.list_batches(s, limit=limit)
        return [_summary(s, b) for b in rows
                if requester_id is None or b.requester_id == requester_id]


def batch_status(ctx: Context, batch_id: str, *, requester_id: str | None = None) -> dict[str, Any]:
    with ctx.store.reader() as s:
        b = _visible(store_batches.get_batch(s, batch_id=batch_id), batch_id, requester_id)
        out = _summary(s, b)
        out["review_open"] = count_open_items(s, batch_id=batch_id)
        return out


def batch_detail(ctx: Context, batch_id: str) -> dict[str, Any]:
    """Counts for pictures: answers, gate reason codes, match-probability histogram."""
    with ctx.store.reader() as s:
        b = _visible(store_batches.get_batch(s, batch_id=batch_id), batch_id, None)
        out = _summary(s, b)
        reasons: dict[str, int] = {}
        for r in store_requests.iter_requests(s, batch_id=batch_id, statuses=["refused"]):
            for c in r.reason_codes or []:
                reasons[c] = reasons.get(c, 0) + 1
        bins = [0] * 10
        outcomes: dict[str, int] = {}
        for d in iter_decisions(s, batch_id=batch_id):
            outcomes[d["outcome"]] = outcomes.get(d["outcome"], 0) + 1
            p = d["match_probability"]
            if p is not None and not math.isnan(p):
                bins[min(int(p * 10), 9)] += 1
        out |= {
            "reason_codes": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
            "match_outcomes": outcomes,
            "probability_histogram": [
                {"from": i / 10, "to": (i + 1) / 10, "count": n} for i, n in enumerate(bins)],
            "review_open": count_open_items(s, batch_id=batch_id),
            "agreement_hash": b.agreement_hash,
            "manifest": b.manifest,
        }
        return out


def batch_records(ctx: Context, batch_id: str, *, requester_id: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Per record: request id, gate status, reason codes and the latest answer."""
    with ctx.store.reader() as s:
        b = _visible(store_batches.get_batch(s, batch_id=batch_id), batch_id, requester_id)
        answers = ({a["request_id"]: a["code"] for a in
                    iter_answers(s, batch_id=batch_id, response_version=int(b.response_version))}
                   if b.response_version else {})
        out = []
        for r in store_requests.iter_requests(s, batch_id=batch_id):
            out.append({"request_id": r.request_id, "status": r.status,
                        "reason_codes": list(r.reason_codes or []),
                        "answer": answers.get(r.request_id)})
            if limit is not None and len(out) >= limit:
                break
        return out


def response_files(ctx: Context, batch_id: str, *,
                   requester_id: str | None = None) -> dict[str, Path]:
    with ctx.store.reader() as s:
        b = _visible(store_batches.get_batch(s, batch_id=batch_id), batch_id, requester_id)
    d = response_dir(ctx, b.batch_id)
    files = {name: d / name for name in (RESPONSE_CSV, RESPONSE_MANIFEST, RESPONSE_SIG)}
    if not all(p.exists() for p in files.values()):
        raise NotFound(f"batch {batch_id} has no response yet")
    return files


def response_manifest(ctx: Context, batch_id: str, *,
                      requester_id: str | None = None) -> dict[str, Any]:
    files = response_files(ctx, batch_id, requester_id=requester_id)
    data: dict[str, Any] = json.loads(files[RESPONSE_MANIFEST].read_text(encoding="utf-8"))
    return data
