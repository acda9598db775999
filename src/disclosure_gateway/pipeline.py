"""`dgw process`: one batch through intake, gate, match, decide and respond.

Each stage commits in ONE database transaction together with its ledger leaves,
so a crash (even ``kill -9``) leaves every stage either done or not started.
Re-running the same batch resumes at the first stage not done: nothing is
decided twice, no answer or leaf is written twice.

Stages and the batch status each one leaves:

1. intake + gate -> ``gated``   (batch checks, then per-record legal sufficiency;
   a refused batch leaves one ``batch_refused`` leaf and nothing else)
2. match + decide -> ``matched`` (eligible records only; refused ones never reach
   the master file)
3. respond -> ``responded`` (answers, accounting, signed response files), or
   ``closed`` when nothing waits for review.

Before stages 2 and 3 the agreement is read again: a suspension stops the batch
before any answer leaves, and a recipient not in good standing gets no answer.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .agreement import Agreement
from .contracts import REQUEST_COLUMNS
from .errors import BatchRefused, InputError
from .faults import crash_point
from .gate.history import HistoryEntries
from .gate.rules import GateResult, check_records
from .intake.batch_checks import AcceptedBatch, check_batch
from .intake.manifest import Manifest, read_manifest
from .ledger.events import EventType
from .ledger.log import NewEvent
from .respond import DISCLOSING, Answer, answer_for
from .services.context import Context, utcnow
from .store import batches as store_batches
from .store import requests as store_requests
from .store.accounting import record_disclosures
from .store.answers import insert_answers
from .store.decisions import insert_decisions, iter_decisions
from .store.history import StoreHistory, record_history
from .store.models import Batch
from .store.review import find_review_item, open_review_item

#: progress hook: (stage, done, total)
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class BatchOutcome:
    """What `dgw process` reports for one batch."""

    batch_id: str
    status: str
    records: int = 0
    refused_records: int = 0
    by_answer: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    probing_records: int = 0
    review_open: int = 0
    stopped_reason: str | None = None
    response_dir: str | None = None
    checkpoint: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- stage 1: intake and gate ------------------------------------------------------


def _refuse_batch(ctx: Context, manifest: Manifest | None, e: BatchRefused, now: datetime) -> None:
    payload: dict[str, Any] = {"code": e.code, "message": e.message}
    if manifest is not None:
        payload |= {"batch_id": manifest.batch_id, "requester_key_id": manifest.requester_key_id,
                    "records_sha256": manifest.records_sha256}
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.BATCH_REFUSED, payload, time=now)


def _request_rows(df: pd.DataFrame, gate: GateResult, entries: HistoryEntries,
                  reasons_of: list[tuple[str, tuple[str, ...]]]) -> Iterator[dict[str, Any]]:
    accepted = gate.accepted.tolist()
    # column lists, not per-record dicts from the frame (to_dict boxed every value)
    columns = [df[c].tolist() for c in REQUEST_COLUMNS]
    if len(reasons_of) != len(df):
        raise ValueError("gate result and records differ in length")
    for i, values in enumerate(zip(*columns, strict=True)):
        rid, reasons = reasons_of[i]
        row = {c: (v if v != "" else None) for c, v in zip(REQUEST_COLUMNS, values, strict=True)}
        row["request_id"] = rid
        row["seq"] = i
        row["status"] = "eligible" if accepted[i] else "refused"
        row["reason_codes"] = list(reasons)
        row["subject_key"] = entries.identity[i]
        row["fingerprint"] = entries.fingerprint[i]
        yield row


def intake_and_gate(ctx: Context, batch_dir: Path, *, now: datetime,
                    progress: Progress = _quiet) -> tuple[AcceptedBatch, GateResult]:
    agreement = ctx.agreement()
    manifest: Manifest | None = None
    try:
        try:
            manifest = read_manifest(batch_dir)
        except InputError as e:
            raise BatchRefused("BATCH_MANIFEST_INVALID", e.message, where=e.where) from e
        with ctx.store.reader() as s:
            def seen_id(batch_id: str) -> bool:
                return store_batches.get_batch(s, batch_id=batch_id) is not None

            def seen_digest(digest: str) -> bool:
                return store_batches.find_batch_by_digest(s, records_sha256=digest) is not None

            accepted = check_batch(batch_dir, agreement, now=now, seen_batch_id=seen_id,
                                   seen_digest=seen_digest)
    except BatchRefused as e:
        _refuse_batch(ctx, manifest, e, now)
        raise
    m = accepted.manifest
    gate = gate_and_store(
        ctx, accepted.records, batch_id=m.batch_id, requester_id=accepted.requester.id,
        requester_key_id=m.requester_key_id, created=m.created, batch_date=accepted.batch_date,
        records_sha256=m.records_sha256, manifest=m.model_dump(mode="json"), now=now,
        progress=progress)
    return accepted, gate


def gate_and_store(ctx: Context, records: pd.DataFrame, *, batch_id: str, requester_id: str,
                   requester_key_id: str, created: datetime, batch_date: date,
                   records_sha256: str, manifest: dict[str, Any] | None, now: datetime,
                   progress: Progress = _quiet, workers: int = 2) -> GateResult:
    """Gate the records and store the batch, its requests and their leaves (one transaction)."""
    agreement = ctx.agreement()
    progress("gate", 0, len(records))
    with ctx.store.reader() as s:
        gate = check_records(records, agreement, request_date=batch_date,
                             history=StoreHistory(s), hash_key=ctx.secret, workers=workers)
    progress("gate", len(records), len(records))
    with ctx.store.transaction() as s:
        store_batches.insert_batch(
            s, batch_id=batch_id, agreement_id=agreement.id, agreement_hash=agreement.terms_hash,
            requester_key_id=requester_key_id, requester_id=requester_id,
            manifest_created=created, received_at=now, records_sha256=records_sha256,
            record_count=len(records), status="gated", manifest=manifest)
        store_batches.set_batch_status(s, batch_id=batch_id, status="gated", at=now)
        common = {"batch_id": batch_id, "agreement_hash": agreement.terms_hash}
        ctx.ledger.append_many(s, [
            NewEvent(EventType.BATCH_RECEIVED, {**common, "requester_id": requester_id,
                                                "requester_key_id": requester_key_id,
                                                "records_sha256": records_sha256,
                                                "record_count": len(records)}),
            NewEvent(EventType.SIGNATURE_CHECKED, {**common, "key_id": requester_key_id,
                                                   "requester_id": requester_id,
                                                   "result": "valid"}),
        ], time=now)
        entries = gate.history_entries()  # keyed digests: computed once, used twice
        reasons_of = list(gate.iter_reasons())
        # stored as matching may use them (an unusable birth date emptied), with the
        # refusing codes of a refused request or the notes of an eligible one
        store_requests.insert_requests(s, batch_id=batch_id, rows=_request_rows(
            gate.for_matching(records), gate, entries, list(gate.recorded_codes())))
        refused = [
            NewEvent(EventType.RECORD_REFUSED, {
                **common, "request": ctx.request_key(batch_id, rid),
                "reason_codes": list(reasons), **({"detail": d} if (d := gate.detail(i)) else {})})
            for i, (rid, reasons) in enumerate(reasons_of) if reasons
        ]
        ctx.ledger.append_many(s, refused, time=now)
        record_history(s, batch_id=batch_id, on=batch_date, entries=entries)
        crash_point("gate:in-transaction")
    crash_point("gate:committed")
    return gate


# --- stage 2: match and decide -------------------------------------------------------


def _eligible_frame(ctx: Context, batch_id: str) -> pd.DataFrame:
    names = list(REQUEST_COLUMNS)
    data: dict[str, list[Any]] = {c: [] for c in names}
    appenders = [(c, data[c].append) for c in names]
    with ctx.store.reader() as s:
        for r in store_requests.iter_requests(s, batch_id=batch_id, statuses=["eligible"],
                                              columns=REQUEST_COLUMNS):
            for c, add in appenders:
                add(r[c] or "")
    if not data[names[0]]:
        return pd.DataFrame([], columns=names)  # object columns, as from no rows
    return pd.DataFrame(data, columns=names)


def _thresholds(agreement: Agreement) -> dict[str, Any]:
    m = agreement.matching
    return {"auto_threshold": m.auto_threshold, "review_threshold": m.review_threshold,
            "min_weight_margin": m.min_weight_margin, "reviewers_required": m.reviewers_required}


#: matches a frame of eligible requests: (workspace, frame) -> one decided row per request
Matcher = Callable[[Any, pd.DataFrame], pd.DataFrame]


def match_and_decide(ctx: Context, batch: Batch, *, now: datetime,
                     progress: Progress = _quiet, matcher: Matcher | None = None) -> None:
    if matcher is None:
        from .match.service import match_requests  # Splink is heavy: import only when matching

        matcher = match_requests
    agreement = ctx.agreement()
    frame = _eligible_frame(ctx, batch.batch_id)
    total = len(frame)
    progress("match", 0, total)
    results = matcher(ctx.ws, frame) if total else pd.DataFrame(columns=["request_id"])
    progress("match", total, total)
    thresholds = _thresholds(agreement)
    terms_hash = agreement.terms_hash  # hashing the terms costs ~0.5 ms: once, not per record
    decisions: list[dict[str, Any]] = []
    events: list[NewEvent] = []
    reviews: list[str] = []
    n = len(results)
    # one list per column rather than a dict per row (to_dict boxed every value)
    columns = {c: results[c].tolist() for c in results.columns}
    for i in range(n):
        r = {c: values[i] for c, values in columns.items()}
        tin = r.get("tin") if isinstance(r.get("tin"), str) and r.get("tin") else None
        tin_key = ctx.tin_key(tin) if tin else None
        prob = _num(r.get("match_probability"))
        weight = _num(r.get("match_weight"))
        margin = _num(r.get("margin_to_second"))
        evidence = r.get("evidence")
        decisions.append({
            "batch_id": batch.batch_id, "request_id": r["request_id"], "candidate_tin": tin,
            "tin_key": tin_key, "match_probability": prob, "match_weight": weight,
            "margin": margin, "outcome": r["outcome"], "address_result": r["address_result"],
            "evidence": _json_obj(evidence) | {"reasons": r.get("reasons") or "",
                                                "candidates": int(r.get("candidates") or 0)},
            "agreement_hash": terms_hash, "model_hash": r.get("model_hash"),
            "master_snapshot_hash": r.get("master_snapshot_hash"), "thresholds": thresholds,
            "decided_at": now,
        })
        events.append(NewEvent(EventType.MATCH_DECIDED, {
            "batch_id": batch.batch_id, "request": ctx.request_key(batch.batch_id, r["request_id"]),
            "outcome": r["outcome"], "reasons": r.get("reasons") or "",
            "match_probability": prob, "match_weight": weight, "margin": margin,
            "address_result": r["address_result"], "tin_key": tin_key,
            "agreement_hash": terms_hash, "model_hash": r.get("model_hash"),
            "master_snapshot_hash": r.get("master_snapshot_hash"),
            "settings_hash": r.get("settings_hash"), "thresholds": thresholds,
        }))
        if r["outcome"] == "review":
            reviews.append(str(r["request_id"]))
    with ctx.store.transaction() as s:
        insert_decisions(s, rows=decisions)
        ctx.ledger.append_many(s, events, time=now)
        for rid in reviews:
            open_review_item(s, batch_id=batch.batch_id, request_id=rid,
                             reason="match needs a human", created_at=now,
                             required_decisions=agreement.matching.reviewers_required)
        store_batches.set_batch_status(s, batch_id=batch.batch_id, status="matched", at=now)
        crash_point("match:in-transaction")
    crash_point("match:committed")


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _json_obj(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if isinstance(v, str) and v:
        loaded = json.loads(v)
        return loaded if isinstance(loaded, dict) else {"value": loaded}
    return {}


# --- stage 3: respond ------------------------------------------------------------------

_RAW_ADDRESS = ("address_line1", "address_line2", "city", "state", "zip")


def last_known_addresses(ctx: Context, tins: list[str]) -> dict[str, dict[str, str]]:
    """The last known address held for each TIN, from the master index (as held)."""
    if not tins:
        return {}
    from .match.master_index import open_master

    con, _meta = open_master(ctx.ws.master_dir)
    try:
        con.register("_want", pd.DataFrame({"uid": tins}))
        cols = ", ".join(f"raw_{c}" for c in _RAW_ADDRESS)
        rows = con.execute(
            f"SELECT p.uid, {cols} FROM m.persons p JOIN _want w USING (uid)").fetchall()
    finally:
        con.close()
    return {str(r[0]): {c: (r[i + 1] or "") for i, c in enumerate(_RAW_ADDRESS)} for r in rows}


#: what answering needs of a decision (not the evidence documents)
_DECISION_COLUMNS = ("request_id", "outcome", "candidate_tin", "address_result", "tin_key")
#: what answering needs of a request
_ANSWER_REQUEST_COLUMNS = ("request_id", "status", "reason_codes", "statute")


def _final_outcomes(ctx: Context, batch_id: str) -> dict[str, dict[str, Any]]:
    """Per eligible request: its decision, with a closed review's outcome replacing 'review'."""
    out: dict[str, dict[str, Any]] = {}
    with ctx.store.reader() as s:
        for d in iter_decisions(s, batch_id=batch_id, columns=_DECISION_COLUMNS):
            row = dict(d)
            if row["outcome"] == "review":
                item = find_review_item(s, batch_id=batch_id, request_id=row["request_id"])
                if item is not None and item.status == "closed" and item.final_outcome:
                    row["outcome"] = item.final_outcome
            out[row["request_id"]] = row
    return out


def compute_answers(
    ctx: Context, batch: Batch, agreement: Agreement
) -> list[tuple[Any, Answer, dict[str, Any] | None]]:
    """(request row, answer, decision) for every request of the batch, in file order."""
    decisions = _final_outcomes(ctx, batch.batch_id)
    mode = agreement.disclosure.mode
    wanted: list[str] = []
    if mode == "last_known_address":
        wanted = [d["candidate_tin"] for d in decisions.values()
                  if d["outcome"] == "match" and d.get("candidate_tin")]
    addresses = last_known_addresses(ctx, wanted)
    out = []
    # answer_for depends on its arguments only: without an address, few distinct answers
    memo: dict[tuple[Any, ...], Answer] = {}
    with ctx.store.reader() as s:
        for req in store_requests.iter_requests(s, batch_id=batch.batch_id,
                                                columns=_ANSWER_REQUEST_COLUMNS):
            d = decisions.get(req.request_id)
            if req.status == "refused":
                key: tuple[Any, ...] = ("refused", *req.reason_codes)
                ans = memo.get(key)
                if ans is None:
                    ans = memo[key] = answer_for(mode=mode,
                                                 refused_reasons=list(req.reason_codes))
            elif d is None:
                # An eligible record without a decision must not be answered as anything
                # but "not confirmed"; it can only happen if matching was skipped.
                ans = answer_for(mode=mode, outcome="no_match")
            else:
                address = addresses.get(d.get("candidate_tin") or "")
                if address is None:
                    key = ("decided", d["outcome"], d.get("address_result"))
                    ans = memo.get(key)
                    if ans is None:
                        ans = memo[key] = answer_for(mode=mode, outcome=d["outcome"],
                                                     address_result=d.get("address_result"),
                                                     last_known_address=None)
                else:
                    ans = answer_for(mode=mode, outcome=d["outcome"],
                                     address_result=d.get("address_result"),
                                     last_known_address=address)
            out.append((req, ans, d))
    return out


def respond(ctx: Context, batch: Batch, *, now: datetime, reissue: bool = False,
            progress: Progress = _quiet) -> int:
    """Write this batch's answers (a new response version) in one transaction."""
    agreement = ctx.agreement()
    answers = compute_answers(ctx, batch, agreement)
    progress("answer", 0, len(answers))
    with ctx.store.reader() as s:
        already_disclosed = _disclosed_ids(s, batch.batch_id)
    with ctx.store.transaction() as s:
        version = store_batches.next_response_version(s, batch_id=batch.batch_id)
        answer_rows: list[dict[str, Any]] = []
        disclosures: list[dict[str, Any]] = []
        events: list[NewEvent] = []
        terms_hash = agreement.terms_hash
        for req, ans, d in answers:
            answer_rows.append({
                "batch_id": batch.batch_id, "request_id": req.request_id,
                "response_version": version, "code": ans.code.value,
                "reason_codes": list(ans.reason_codes),
                "disclosed": dict(ans.disclosed) or None, "issued_at": now})
            tin_key = d.get("tin_key") if d else None
            events.append(NewEvent(EventType.ANSWER_ISSUED, {
                "batch_id": batch.batch_id,
                "request": ctx.request_key(batch.batch_id, req.request_id),
                "code": ans.code.value, "reason_codes": list(ans.reason_codes),
                "response_version": version,
                "tin_key": tin_key if ans.code in DISCLOSING else None}))
            if ans.code in DISCLOSING and tin_key and req.request_id not in already_disclosed:
                disclosures.append({
                    "tin_key": tin_key, "batch_id": batch.batch_id,
                    "request_id": req.request_id, "requester_id": batch.requester_id or "",
                    "statute": req.statute, "code": ans.code.value,
                    "disclosed": {"answer": ans.code.value, **dict(ans.disclosed)},
                    "agreement_hash": terms_hash, "disclosed_at": now,
                    "response_version": version})
        insert_answers(s, rows=answer_rows)
        record_disclosures(s, rows=disclosures)
        ctx.ledger.append_many(s, events, time=now)
        pending = sum(1 for _r, a, _d in answers if a.code.value == "PENDING_REVIEW")
        status = "responded" if pending else "closed"
        store_batches.set_batch_status(s, batch_id=batch.batch_id, status=status, at=now)
        crash_point("respond:in-transaction")
    crash_point("respond:committed")
    progress("answer", len(answers), len(answers))
    return version


def _disclosed_ids(s: Any, batch_id: str) -> set[str]:
    from .store.accounting import disclosed_request_ids

    return disclosed_request_ids(s, batch_id=batch_id)


def response_dir(ctx: Context, batch_id: str) -> Path:
    return ctx.ws.responses_dir / batch_id


def publish_response(ctx: Context, batch_id: str, *, now: datetime) -> dict[str, Any]:
    """Write the signed response files of the latest version, then log and checkpoint.

    Deterministic from the stored answers, so a crash between the files and the
    ledger leaf is mended by writing the same files again.
    """
    from .response_files import write_response
    from .store.answers import iter_answers

    agreement = ctx.agreement()
    mode = agreement.disclosure.mode
    batch = _reload(ctx, batch_id)
    version = int(batch.response_version)
    with ctx.store.reader() as s:
        answers = list(iter_answers(s, batch_id=batch_id, response_version=version))
    issued = max((a["issued_at"] for a in answers), default=now)
    rows = [{"request_id": a["request_id"], "answer": a["code"],
             "reason_codes": ";".join(a["reason_codes"] or []), **(a["disclosed"] or {})}
            for a in answers]
    out = response_dir(ctx, batch_id)
    manifest = write_response(out, batch_id=batch_id, agreement_id=agreement.id,
                              agreement_hash=batch.agreement_hash, mode=mode, version=version,
                              issued=issued, rows=rows, key=ctx.custodian_key())
    crash_point("publish:files-written")
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.RESPONSE_ISSUED, {
            "batch_id": batch_id, "response_version": version,
            "response_sha256": manifest["response_sha256"], "counts": manifest["counts"],
            "agreement_hash": batch.agreement_hash},
            key=f"response:{batch_id}:{version}", time=now)
        cp = ctx.ledger.checkpoint(ctx.custodian_key(), db=s, time=now)
    return {"dir": str(out), "manifest": manifest, "checkpoint": cp.to_json()}


# --- the whole batch -------------------------------------------------------------------


def _stop_reason(agreement: Agreement, *, answering: bool) -> str | None:
    if agreement.status.suspended:
        return f"agreement suspended: {agreement.status.suspended_reason}"
    if answering and not agreement.status.recipient_in_good_standing:
        return "recipient not in good standing (open safeguard findings without a dated plan)"
    return None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off while a batch goes through its stages.

    The stages hold millions of small acyclic objects (rows, payloads, answers);
    each full collection rescanned all of them, ~15% of a large batch's time.
    Nothing per record forms a cycle, so pausing frees nothing later than
    reference counting does; collection resumes as it was afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def process_batch(ctx: Context, batch_dir: Path, *, now: datetime | None = None,
                  progress: Progress = _quiet) -> BatchOutcome:
    """Run (or resume) one batch to its response. Raises BatchRefused on refusal."""
    with _gc_paused():
        return _process_batch(ctx, batch_dir, now=now, progress=progress)


def _process_batch(ctx: Context, batch_dir: Path, *, now: datetime | None,
                   progress: Progress) -> BatchOutcome:
    now = now or utcnow()
    try:
        manifest = read_manifest(batch_dir)
    except InputError:
        manifest = None
    existing: Batch | None = None
    if manifest is not None:
        with ctx.store.reader() as s:
            found = store_batches.get_batch(s, batch_id=manifest.batch_id)
            if found is not None and found.records_sha256 == manifest.records_sha256:
                s.expunge(found)
                existing = found
    if existing is None:
        accepted, _gate = intake_and_gate(ctx, batch_dir, now=now, progress=progress)
        batch_id = accepted.manifest.batch_id
    else:
        batch_id = existing.batch_id
    return _advance(ctx, batch_id, now=now, progress=progress)


def advance(ctx: Context, batch_id: str, *, now: datetime | None = None,
            progress: Progress = _quiet) -> BatchOutcome:
    """Take a stored batch through whatever stages it has not finished."""
    with _gc_paused():
        return _advance(ctx, batch_id, now=now, progress=progress)


def _advance(ctx: Context, batch_id: str, *, now: datetime | None,
             progress: Progress) -> BatchOutcome:
    now = now or utcnow()
    batch = _reload(ctx, batch_id)
    if batch.status == "gated":
        stop = _stop_reason(ctx.agreement(), answering=False)
        if stop:
            return _stopped(ctx, batch_id, stop)
        match_and_decide(ctx, batch, now=now, progress=progress)
        batch = _reload(ctx, batch_id)
    if batch.status == "matched":
        stop = _stop_reason(ctx.agreement(), answering=True)
        if stop:
            return _stopped(ctx, batch_id, stop)
        respond(ctx, batch, now=now, progress=progress)
        batch = _reload(ctx, batch_id)
    published = None
    if batch.status in ("responded", "closed"):
        published = _publish_if_needed(ctx, batch, now=now)
    return summarise(ctx, batch_id, published=published)


def _publish_if_needed(ctx: Context, batch: Batch, *, now: datetime) -> dict[str, Any] | None:
    from .response_files import RESPONSE_MANIFEST

    manifest_path = response_dir(ctx, batch.batch_id) / RESPONSE_MANIFEST
    if manifest_path.exists():
        current = json.loads(manifest_path.read_text(encoding="utf-8"))
        if current.get("response_version") == batch.response_version and _response_logged(
                ctx, batch.batch_id, int(batch.response_version)):
            return None
    return publish_response(ctx, batch.batch_id, now=now)


def _response_logged(ctx: Context, batch_id: str, version: int) -> bool:
    from sqlalchemy import select

    from .store.models import LedgerLeaf

    with ctx.store.reader() as s:
        key = f"response:{batch_id}:{version}"
        return s.scalar(select(LedgerLeaf.idx).where(LedgerLeaf.event_key == key)) is not None


def _reload(ctx: Context, batch_id: str) -> Batch:
    """A detached snapshot of the batch row (readers roll back, which would expire it)."""
    with ctx.store.reader() as s:
        batch = store_batches.require_batch(s, batch_id=batch_id)
        s.expunge(batch)
        return batch


def _stopped(ctx: Context, batch_id: str, reason: str) -> BatchOutcome:
    out = summarise(ctx, batch_id)
    out.status = f"stopped ({out.status})"
    out.stopped_reason = reason
    return out


def summarise(ctx: Context, batch_id: str, *,
              published: Mapping[str, Any] | None = None) -> BatchOutcome:
    from .store.answers import count_answers_by_code
    from .store.review import count_open_items

    with ctx.store.reader() as s:
        batch = store_batches.require_batch(s, batch_id=batch_id)
        by_status = store_requests.count_by_status(s, batch_id=batch_id)
        by_answer = (count_answers_by_code(s, batch_id=batch_id,
                                           response_version=int(batch.response_version))
                     if batch.response_version else {})
        by_reason: dict[str, int] = {}
        probing = 0
        # counted in SQL per distinct list of codes, in order of first appearance in the
        # file, so that the counts and the order of equal counts are those of a scan
        for codes, n in store_requests.count_reason_lists(s, batch_id=batch_id,
                                                          status="refused"):
            for c in codes:
                by_reason[c] = by_reason.get(c, 0) + n
            if "PROBING_SUSPECTED" in codes:
                probing += n
        review_open = count_open_items(s, batch_id=batch_id)
    out = BatchOutcome(
        batch_id=batch_id, status=batch.status, records=int(batch.record_count),
        refused_records=by_status.get("refused", 0), by_answer=dict(sorted(by_answer.items())),
        by_reason=dict(sorted(by_reason.items(), key=lambda kv: -kv[1])),
        probing_records=probing, review_open=review_open,
        response_dir=str(response_dir(ctx, batch_id)) if batch.response_version else None,
    )
    if published:
        out.checkpoint = dict(published["checkpoint"])
    return out


def reissue_response(ctx: Context, batch_id: str, *, now: datetime | None = None) -> BatchOutcome:
    """A new response version once reviews have closed (refused while suspended)."""
    from .errors import Conflict

    now = now or utcnow()
    batch = _reload(ctx, batch_id)
    if batch.status not in ("responded", "closed"):
        raise Conflict(f"batch {batch_id} has no response yet (status {batch.status})")
    stop = _stop_reason(ctx.agreement(), answering=True)
    if stop:
        raise Conflict(f"no answer may leave: {stop}")
    respond(ctx, batch, now=now)
    published = publish_response(ctx, batch_id, now=now)
    return summarise(ctx, batch_id, published=published)
