"""Retraction of wrong answers, the recipient's certificates of disposal, and what is outstanding.

When an answer turns out to be wrong (a bad match found later, a court order,
an agreement found not to cover the request), the custodian cannot unsend it.
What it can do, and what this module records:

1. **Retract** one answer or a whole batch (``retract``): a ``retraction`` ledger
   leaf and row; a signed notice for the recipient asking them to destroy the
   answers and certify it; and, for the custodian's own notification process,
   the taxpayers about whom something was disclosed, by TIN. The TINs go back to
   the caller only (the custodian's terminal): the ledger gets counts and a
   digest of their keyed hashes, never a TIN.
2. **Certify disposal** (``certify_disposal``): the recipient's certificate that
   the answers were destroyed, who did it and where; a ``disposal_certified``
   leaf. A certificate covers retractions recorded before it (store rule).
3. **Outstanding** (``outstanding``): retractions no certificate covers yet, and
   batches whose disclosures are older than the agreement's
   ``retention.recipient_days`` with no whole-batch certificate of destruction.

Answers and the accounting of disclosures are never changed: a disclosure that
happened stays accounted for; the retraction is recorded next to it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..canonical import canonical_bytes
from ..errors import Conflict, InputError
from ..ledger.events import EventType
from ..store import batches as store_batches
from ..store import requests as store_requests
from ..store.accounting import disclosures_in_batch
from ..store.answers import get_answer, iter_answers
from ..store.decisions import get_decision
from ..store.models import Retraction
from ..store.retractions import (
    batches_without_disposal,
    outstanding_retractions,
    record_disposal,
    record_retraction,
)
from .context import Context, utcnow

#: where retraction notices are written, under the workspace
NOTICES_DIR = "notices"
NOTICE_FORMAT = "dgw-retraction-notice/1"

# Free text (reasons, places) goes into the ledger that auditors receive. The
# payload guard refuses a value that *is* a TIN; this refuses one inside a sentence.
_TIN_IN_TEXT = re.compile(r"(?<!\d)\d{3}-?\d{2}-?\d{4}(?!\d)")


def _text(value: str, *, where: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(f"{what} is required", where=where)
    if _TIN_IN_TEXT.search(value):
        raise InputError(f"{what} may not contain a TIN: it is written to the ledger", where=where)
    return value


def notices_dir(ctx: Context) -> Path:
    return ctx.ws.root / NOTICES_DIR


# --- retract -------------------------------------------------------------------------------


def _covering(open_: list[Retraction], request_id: str | None) -> Retraction | None:
    """An outstanding retraction that already covers this scope (a repeat adds nothing)."""
    for r in open_:
        if r.request_id is None or r.request_id == request_id:
            return r
    return None


def _tins_from_master(ctx: Context, wanted: set[str]) -> dict[str, str]:
    """Keyed hash -> TIN, by hashing the master file's TINs until every wanted one is found.

    Only needed when retention already purged the decisions' candidate TINs; the
    keyed hash is one-way, so the only way back is forward from the master file.
    """
    from ..match.master_index import open_master

    found: dict[str, str] = {}
    con, _meta = open_master(ctx.ws.master_dir)
    try:
        cur = con.execute("SELECT uid FROM m.persons")
        while len(found) < len(wanted):
            rows = cur.fetchmany(50_000)
            if not rows:
                break
            for (uid,) in rows:
                key = ctx.tin_key(str(uid))
                if key in wanted:
                    found[key] = str(uid)
    finally:
        con.close()
    return found


def _affected_taxpayers(ctx: Context, s: Any, batch_id: str,
                        request_id: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for d in disclosures_in_batch(s, batch_id=batch_id, request_id=request_id):
        dec = get_decision(s, batch_id=batch_id, request_id=d.request_id)
        tin = dec.candidate_tin if dec is not None and dec.tin_key == d.tin_key else None
        rows.append({"tin": tin, "tin_key": d.tin_key, "request_id": d.request_id,
                     "code": d.code, "disclosed_at": d.disclosed_at.isoformat()})
    missing = {str(r["tin_key"]) for r in rows if r["tin"] is None}
    if missing:
        resolved = _tins_from_master(ctx, missing)
        for r in rows:
            r["tin"] = r["tin"] or resolved.get(str(r["tin_key"]))
    return rows


def _write_notice(ctx: Context, notice: dict[str, Any]) -> Path:
    """The signed notice (JSON + detached Ed25519 signature) and a letter to read."""
    key = ctx.custodian_key()
    notice = {**notice, "custodian_key_id": key.key_id}
    d = notices_dir(ctx) / str(notice["batch_id"])
    d.mkdir(parents=True, exist_ok=True)
    stem = f"retraction-{int(notice['retraction_id']):06d}"
    sig = base64.b64encode(key.sign(canonical_bytes(notice))).decode("ascii")
    covers = (f"your request {notice['request_ids'][0]}" if notice["scope"] == "record"
              else f"every answer of batch {notice['batch_id']}")
    letter = "\n".join([
        f"Retraction notice {stem} of batch {notice['batch_id']}",
        "",
        f"To: {notice['requester_id']}",
        f"From: the custodian, under agreement {notice['agreement_id']}",
        f"Date: {notice['retracted_at']}",
        "",
        f"The answer given to {covers} ({notice['answers_total']} answer(s)) was wrong and is",
        "retracted. Reason:",
        f"    {notice['reason']}",
        "",
        "Please destroy every copy of the retracted answers and of anything derived",
        "from them, and return a certificate of disposal naming who destroyed them,",
        "when, and where the copies were held. The custodian records it with:",
        f"    {notice['certify_with']}",
        "",
        f"The signed form of this notice is {stem}.json (signature {stem}.sig, custodian",
        f"key {notice['custodian_key_id']}).",
        "",
    ])
    paths = {d / f"{stem}.json": json.dumps(notice, indent=2) + "\n", d / f"{stem}.sig": sig + "\n",
             d / f"{stem}.txt": letter}
    for path, text in paths.items():
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return d / f"{stem}.json"


def retract(ctx: Context, *, batch_id: str, reason: str, by: str,
            request_id: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Record that one answer (or every answer of a batch) was wrong; see the module docstring.

    Returns the retraction, the notice's path and ``taxpayers`` (TIN, keyed hash,
    request, what was disclosed, when) for the custodian's notification process.
    """
    reason = _text(reason, where="--reason", what="a reason")
    by = _text(by, where="--by", what="who retracts")
    now = now or utcnow()
    with ctx.store.reader() as s:
        batch = store_batches.require_batch(s, batch_id=batch_id)
        version = int(batch.response_version)
        if version == 0:
            raise Conflict(f"batch {batch_id} has no answer yet: nothing to retract")
        if request_id is not None:
            store_requests.require_request(s, batch_id=batch_id, request_id=request_id)
            answer = get_answer(s, batch_id=batch_id, request_id=request_id)
            if answer is None:
                raise Conflict(f"request {request_id} of batch {batch_id} was not answered")
            answers = Counter({answer.code: 1})
        else:
            answers = Counter(a["code"] for a in iter_answers(s, batch_id=batch_id,
                                                             response_version=version))
        already = _covering([r for r in outstanding_retractions(s) if r.batch_id == batch_id],
                            request_id)
        if already is not None:
            raise Conflict(f"already retracted by retraction {already.id} "
                           f"({'the whole batch' if already.request_id is None else already.request_id}),"
                           " which awaits the recipient's certificate of disposal")
        taxpayers = _affected_taxpayers(ctx, s, batch_id, request_id)
        agreement_id, agreement_hash = batch.agreement_id, batch.agreement_hash
        requester_id = batch.requester_id
    scope = "batch" if request_id is None else "record"
    digest = hashlib.sha256("\n".join(sorted(t["tin_key"] for t in taxpayers)).encode()).hexdigest()
    certify = f"dgw disclosure disposed --batch {batch_id}" + (
        f" --record {request_id}" if request_id else "") + " --by NAME --where TEXT"
    with ctx.store.transaction() as s:
        leaf = ctx.ledger.append(s, EventType.RETRACTION, {
            "batch_id": batch_id, "scope": scope,
            "request": ctx.request_key(batch_id, request_id) if request_id else None,
            "reason": reason, "by": by, "answers": dict(sorted(answers.items())),
            "disclosures": len(taxpayers), "affected_tin_keys_sha256": digest,
            "agreement_hash": agreement_hash}, time=now)
        row = record_retraction(s, batch_id=batch_id, request_id=request_id, reason=reason,
                                retracted_by=by, retracted_at=now, leaf_index=leaf)
        # Written inside the transaction: if the notice cannot be written, the
        # retraction is rolled back rather than recorded without its notice.
        notice = _write_notice(ctx, {
            "format": NOTICE_FORMAT, "retraction_id": row.id, "batch_id": batch_id,
            "scope": scope, "request_ids": [request_id] if request_id else None,
            "answers": dict(sorted(answers.items())), "answers_total": sum(answers.values()),
            "reason": reason, "retracted_by": by, "retracted_at": now.isoformat(),
            "requester_id": requester_id, "agreement_id": agreement_id,
            "agreement_hash": agreement_hash, "ledger_leaf": leaf, "certify_with": certify})
        retraction_id = row.id
    return {"retraction_id": retraction_id, "batch_id": batch_id, "request_id": request_id,
            "scope": scope, "reason": reason, "by": by, "at": now.isoformat(), "leaf_index": leaf,
            "answers": dict(sorted(answers.items())), "notice": str(notice),
            "taxpayers": taxpayers}


# --- disposal ------------------------------------------------------------------------------


def certify_disposal(ctx: Context, *, batch_id: str, by: str, where: str,
                     request_id: str | None = None, certified_at: datetime | None = None,
                     note: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Record the recipient's certificate that answers of the batch (or one) were destroyed."""
    by = _text(by, where="--by", what="who certifies")
    where = _text(where, where="--where", what="where the answers were held")
    note = _text(note, where="--note", what="a note") if note and note.strip() else None
    now = now or utcnow()
    certified_at = certified_at or now
    if certified_at.tzinfo is None:
        raise InputError("the certificate's time needs a time zone", where="--on")
    if certified_at > now:
        raise InputError("a certificate cannot be dated in the future", where="--on")
    with ctx.store.reader() as s:
        batch = store_batches.require_batch(s, batch_id=batch_id)
        if int(batch.response_version) == 0:
            raise Conflict(f"batch {batch_id} has no answer yet: nothing to dispose of")
        if request_id is not None:
            store_requests.require_request(s, batch_id=batch_id, request_id=request_id)
        before = {r.id for r in outstanding_retractions(s)}
    with ctx.store.transaction() as s:
        leaf = ctx.ledger.append(s, EventType.DISPOSAL_CERTIFIED, {
            "batch_id": batch_id,
            "request": ctx.request_key(batch_id, request_id) if request_id else None,
            "scope": "batch" if request_id is None else "record",
            "by": by, "where": where, "certified_at": certified_at.isoformat()}, time=now)
        row = record_disposal(s, batch_id=batch_id, request_id=request_id, certified_by=by,
                              location=where, note=note, certified_at=certified_at,
                              recorded_at=now, leaf_index=leaf)
        after = {r.id for r in outstanding_retractions(s)}
        disposal_id = row.id
    return {"disposal_id": disposal_id, "batch_id": batch_id, "request_id": request_id,
            "by": by, "where": where, "certified_at": certified_at.isoformat(),
            "recorded_at": now.isoformat(), "leaf_index": leaf,
            "retractions_closed": sorted(before - after)}


# --- outstanding ---------------------------------------------------------------------------


def outstanding(ctx: Context, *, now: datetime | None = None) -> dict[str, Any]:
    """Retractions not certified disposed, and answers kept past the recipient's retention."""
    now = now or utcnow()
    days = ctx.agreement().retention.recipient_days
    cutoff = now - timedelta(days=days)
    with ctx.store.reader() as s:
        retractions = [{"retraction_id": r.id, "batch_id": r.batch_id, "request_id": r.request_id,
                        "scope": "batch" if r.request_id is None else "record",
                        "reason": r.reason, "by": r.retracted_by,
                        "retracted_at": r.retracted_at.isoformat(),
                        "days_open": (now - r.retracted_at).days}
                       for r in outstanding_retractions(s)]
        past = []
        for b in batches_without_disposal(s, disclosed_before=cutoff):
            old = [d.disclosed_at for d in disclosures_in_batch(s, batch_id=b.batch_id)
                   if d.disclosed_at < cutoff]
            first = min(old)
            past.append({"batch_id": b.batch_id, "requester_id": b.requester_id,
                         "disclosures": len(old), "first_disclosed_at": first.isoformat(),
                         "due_at": (first + timedelta(days=days)).isoformat(),
                         "days_overdue": (now - first).days - days})
    return {"as_of": now.isoformat(), "recipient_days": days, "retractions": retractions,
            "past_retention": past}
