"""Replay one match decision from what was logged about it, and say whether it is the same.

Every decision's ``match_decided`` leaf records what produced it: the agreement's
terms hash, the model file's hash, the master index snapshot's hash, the linkage
settings' hash and the thresholds. ``replay`` takes those from the leaf (the
ledger is the verifiable record; the decision row is checked against it), looks
for the *same* artefacts among what is installed — the model version with that
hash, the master index with that snapshot, the agreement with those terms, the
code's linkage settings — and reruns the single-request path (``Matcher.
match_record``, as the interactive lane does) on the stored request.

Verdicts:

- ``same``: same outcome, same candidate (by keyed TIN hash), same address
  result, and a match probability within ``PROBABILITY_TOLERANCE``;
- ``different``: the rerun disagrees (the differences are listed);
- ``impossible``: an artefact that produced the decision is not installed any
  more, or the request's data was purged by retention. Nothing is rerun against
  a substitute: an answer from other artefacts would be a false replay;
- ``altered``: the decision row in the store disagrees with its ledger leaf, or
  no leaf records the decision. The store was changed behind the ledger's back.

A human review decision is final: it is reported beside the model's replay and
is never overturned by it, whatever the rerun says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from ..agreement import Matching
from ..contracts import REQUEST_COLUMNS
from ..errors import Conflict, InputError
from ..ledger.events import EventType, decode_event
from ..store import requests as store_requests
from ..store import review as store_review
from ..store._sql import dialect_name
from ..store.decisions import get_decision
from ..store.models import Decision, LedgerLeaf
from .context import Context

#: two match probabilities closer than this are the same "within rounding"
PROBABILITY_TOLERANCE = 1e-6

#: the facts a decision row and its leaf must agree on (row column -> leaf payload key)
_ROW_VS_LEAF = {"outcome": "outcome", "match_probability": "match_probability",
                "match_weight": "match_weight", "margin": "margin",
                "address_result": "address_result", "tin_key": "tin_key",
                "agreement_hash": "agreement_hash", "model_hash": "model_hash",
                "master_snapshot_hash": "master_snapshot_hash", "thresholds": "thresholds"}


def _same_number(a: Any, b: Any, tol: float = 1e-12) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def compare(recorded: Mapping[str, Any], rerun: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The differences that make a rerun a different decision (pure; [] means the same).

    Outcome, candidate (keyed TIN hash) and address result must be equal; the
    match probability equal within PROBABILITY_TOLERANCE.
    """
    diffs = []
    for key in ("outcome", "tin_key", "address_result"):
        if recorded.get(key) != rerun.get(key):
            diffs.append({"field": key, "recorded": recorded.get(key), "rerun": rerun.get(key)})
    p0, p1 = recorded.get("match_probability"), rerun.get("match_probability")
    if not _same_number(p0, p1, PROBABILITY_TOLERANCE):
        diffs.append({"field": "match_probability", "recorded": p0, "rerun": p1})
    return diffs


def _find_leaf(s: Session, ctx: Context, dec: Decision) -> tuple[int, dict[str, Any]] | None:
    """The match_decided leaf of this decision, found by its keyed request hash."""
    key = ctx.request_key(dec.batch_id, dec.request_id)
    # Leaf data is UTF-8 JSON stored as bytes; search it as text in the database
    # (the keyed hash is 64 hex digits: no LIKE wildcard in it, and unique).
    text: Any = (func.convert_from(LedgerLeaf.payload, "UTF8") if dialect_name(s) == "postgresql"
                 else cast(LedgerLeaf.payload, Text))
    base = (select(LedgerLeaf.idx, LedgerLeaf.payload)
            .where(LedgerLeaf.event_type == EventType.MATCH_DECIDED.value,
                   text.like(f'%"request":"{key}"%'))
            .order_by(LedgerLeaf.idx).limit(1))
    # The leaf is written with the decision's own time: look there first (indexed
    # by type, few rows), then anywhere, in case the clock stamp was not shared.
    row = s.execute(base.where(LedgerLeaf.time == dec.decided_at)).first() or s.execute(base).first()
    if row is None:
        return None
    event = decode_event(bytes(row.payload), index=int(row.idx))
    return int(row.idx), dict(event.payload)


def _model_with_hash(models_dir: Path, wanted: str) -> tuple[Any, str | None]:
    """(StoredModel, None) for the installed version with that hash, else (None, why not)."""
    from ..match.model_store import read_model_file

    unloadable = []
    for path in sorted(models_dir.glob("model-v*.json")):
        try:
            model = read_model_file(path)
        except InputError as e:
            unloadable.append(f"{path.name}: {e.message}")
            continue
        if model.model_hash == wanted:
            return model, None
    why = f"no installed model has hash {wanted}"
    if unloadable:
        why += f" (not loadable: {'; '.join(unloadable)})"
    return None, why


def _review(s: Session, batch_id: str, request_id: str) -> dict[str, Any] | None:
    item = store_review.find_review_item(s, batch_id=batch_id, request_id=request_id)
    if item is None:
        return None
    decisions = store_review.review_decisions(s, item_id=item.id)
    return {"item_id": item.id, "status": item.status, "final_outcome": item.final_outcome,
            "reviewers": [{"reviewer": d.reviewer, "decision": d.decision,
                           "decided_at": d.decided_at.isoformat()} for d in decisions]}


def _artefact_problems(ctx: Context, recorded: Mapping[str, Any]) -> tuple[list[str], Any]:
    """What is missing to rerun with the very artefacts that decided; and the model if found."""
    from ..match import settings as S
    from ..match.master_index import open_master

    problems = []
    installed = ctx.agreement().terms_hash
    if recorded.get("agreement_hash") != installed:
        problems.append(f"the agreement in force (terms {installed[:12]}) is not the one that "
                        f"governed the decision ({str(recorded.get('agreement_hash'))[:12]})")
    settings = recorded.get("settings_hash")
    if settings is not None and settings != S.settings_hash():
        problems.append(f"the code's linkage settings ({S.settings_hash()[:12]}) are not the ones "
                        f"the decision was made with ({str(settings)[:12]})")
    model = None
    if not recorded.get("model_hash"):
        problems.append("the decision records no model hash")
    else:
        model, why = _model_with_hash(ctx.ws.models_dir, str(recorded["model_hash"]))
        if why:
            problems.append(why)
    try:
        con, meta = open_master(ctx.ws.master_dir)
        con.close()
        snapshot = str(meta.get("snapshot_hash"))
        if snapshot != recorded.get("master_snapshot_hash"):
            problems.append(f"the installed master index (snapshot {snapshot[:12]}) is not the one "
                            f"the decision was made against "
                            f"({str(recorded.get('master_snapshot_hash'))[:12]})")
    except InputError as e:
        problems.append(f"no usable master index: {e.message}")
    try:
        Matching.model_validate(recorded.get("thresholds") or {})
    except ValueError as e:
        problems.append(f"the recorded thresholds are unusable: {e}")
    return problems, model


def _rerun(ctx: Context, model: Any, thresholds: Mapping[str, Any],
           record: Mapping[str, Any]) -> dict[str, Any]:
    from ..match.service import Matcher

    matcher = Matcher(ctx.ws.master_dir, model, Matching.model_validate(dict(thresholds)))
    try:
        row = matcher.match_record(record)
    finally:
        matcher.close()
    tin = row.get("tin") if isinstance(row.get("tin"), str) and row.get("tin") else None
    return {"outcome": row["outcome"], "match_probability": row["match_probability"],
            "match_weight": row["match_weight"], "margin": row["margin_to_second"],
            "address_result": row["address_result"], "tin_key": ctx.tin_key(tin) if tin else None,
            "reasons": row.get("reasons") or "", "model_hash": row["model_hash"],
            "master_snapshot_hash": row["master_snapshot_hash"],
            "settings_hash": row["settings_hash"], "agreement_hash": ctx.agreement().terms_hash}


def _message(verdict: str, problems: list[str], diffs: list[dict[str, Any]],
             review: Mapping[str, Any] | None) -> str:
    text = {
        "same": "the rerun gives the same decision",
        "different": "the rerun gives a DIFFERENT decision: "
                     + ", ".join(f"{d['field']} {d['recorded']!r} -> {d['rerun']!r}" for d in diffs),
        "impossible": "replay is impossible with the current artefacts: " + "; ".join(problems),
        "altered": "the stored decision does not agree with the ledger: " + "; ".join(problems),
    }[verdict]
    if review is not None and review["status"] == "closed":
        text += (f". A human review decided {review['final_outcome']!r}: that decision is final "
                 "and a rerun never overturns it")
    elif review is not None:
        text += ". The request is still held for human review"
    return text


def replay(ctx: Context, batch_id: str, request_id: str, *, viewer: str) -> dict[str, Any]:
    """Re-derive one decision and compare; see the module docstring. The replay is logged."""
    with ctx.store.reader() as s:
        req = store_requests.require_request(s, batch_id=batch_id, request_id=request_id)
        dec = get_decision(s, batch_id=batch_id, request_id=request_id)
        if dec is None:
            if req.status == "refused":
                raise Conflict(f"request {request_id} was refused by the gate "
                               f"({', '.join(req.reason_codes or [])}); it never reached "
                               "matching, so there is no match decision to replay")
            raise Conflict(f"request {request_id} has no match decision yet (status {req.status})")
        found = _find_leaf(s, ctx, dec)
        review = _review(s, batch_id, request_id)
        record = {c: (getattr(req, c) or "") for c in REQUEST_COLUMNS}
        purged_at = req.purged_at
        row = {c: getattr(dec, c) for c in _ROW_VS_LEAF}

    problems: list[str] = []
    leaf_index = None
    if found is None:
        verdict = "altered"
        problems.append("no match_decided leaf in the ledger records this decision")
        recorded: dict[str, Any] = dict(row)
    else:
        leaf_index, recorded = found
        for col, key in _ROW_VS_LEAF.items():
            a, b = row[col], recorded.get(key)
            same = (_same_number(a, b) if isinstance(a, float) or isinstance(b, float)
                    else a == b)
            if not same:
                problems.append(f"decision row {col} is {a!r}, its leaf {leaf_index} says {b!r}")
        verdict = "altered" if problems else ""

    rerun = None
    diffs: list[dict[str, Any]] = []
    if not verdict:
        problems, model = _artefact_problems(ctx, recorded)
        if purged_at is not None:
            problems.append(f"the request's data was purged by retention on {purged_at.date()}")
        if problems:
            verdict = "impossible"
        else:
            rerun = _rerun(ctx, model, recorded["thresholds"], record)
            diffs = compare(recorded, rerun)
            verdict = "different" if diffs else "same"

    model_outcome = recorded.get("outcome")
    final = (review["final_outcome"] if review is not None and review["status"] == "closed"
             else model_outcome)
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.STAFF_VIEWED_RECORD, {
            "viewer": viewer, "what": "replay", "batch_id": batch_id,
            "request": ctx.request_key(batch_id, request_id), "verdict": verdict,
            "decision_leaf": leaf_index})
    return {
        "batch_id": batch_id, "request_id": request_id, "verdict": verdict,
        "message": _message(verdict, problems, diffs, review),
        "leaf_index": leaf_index,
        "recorded": {k: recorded.get(k) for k in (*_ROW_VS_LEAF.values(), "settings_hash",
                                                    "reasons")},
        "rerun": rerun, "differences": diffs, "problems": problems,
        "review": review, "model_outcome": model_outcome, "final_outcome": final,
        "probability_tolerance": PROBABILITY_TOLERANCE,
    }
