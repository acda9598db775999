"""Clerical review: list, show (request and candidate side by side), decide.

The two-person rule lives in ``decide.review_status`` (pure) and who may decide in
``duties`` (pure); here both are applied to the stored decisions and accounts.
A reviewer's decision never changes the model's decision row: the final outcome
is the review item's, and a rerun never overturns it (the pipeline reads closed
items' outcomes first).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from ..decide import Outcome, ReviewDecision, review_status
from ..duties import check_decider, check_second_decision, identity_key, requester_identities
from ..errors import Conflict, InputError, NotFound
from ..ledger.events import EventType
from ..store import requests as store_requests
from ..store import review as store_review
from ..store.decisions import get_decision
from .context import Context, utcnow
from .users import staff_account

_REQUEST_FIELDS = ("first_name", "middle_name", "last_name", "dob", "tin", "address_line1",
                   "address_line2", "city", "state", "zip")


def _item_json(item: Any) -> dict[str, Any]:
    return {"id": item.id, "batch_id": item.batch_id, "request_id": item.request_id,
            "reason": item.reason, "status": item.status,
            "required_decisions": item.required_decisions, "final_outcome": item.final_outcome,
            "created_at": item.created_at.isoformat(),
            "closed_at": item.closed_at.isoformat() if item.closed_at else None}


def list_items(ctx: Context, *, status: str | None = "open", limit: int = 200) -> list[dict[str, Any]]:
    with ctx.store.reader() as s:
        return [_item_json(i) for i in store_review.list_review_items(s, status=status, limit=limit)]


_MASTERS: dict[str, tuple[float, Any, str]] = {}
_MASTERS_LOCK = threading.Lock()


def _master(ctx: Context) -> tuple[Any, str]:
    """The master index connection and its as-filed (``raw_``) columns, opened once per
    index file (opening costs ~40 ms a page otherwise); a rebuilt index replaces it."""
    from ..match.master_index import index_path, open_master

    path = index_path(ctx.ws.master_dir)
    key, mtime = str(path.resolve()), path.stat().st_mtime if path.exists() else 0.0
    with _MASTERS_LOCK:
        cached = _MASTERS.get(key)
        if cached is None or cached[0] != mtime:
            if cached is not None:
                cached[1].close()
            con, _ = open_master(ctx.ws.master_dir)
            names = [d[0] for d in con.execute("SELECT * FROM m.persons LIMIT 0").description]
            cols = ", ".join(f'"{n}"' for n in names if n.startswith("raw_"))
            cached = _MASTERS[key] = (mtime, con, cols)
        return cached[1], cached[2]


def _candidate(ctx: Context, tin: str | None) -> dict[str, Any] | None:
    if not tin:
        return None
    con, raw_cols = _master(ctx)
    # A cursor per call: DuckDB connections are not shared between threads, their cursors are.
    cur = con.cursor()
    try:
        # Find the row, then read only the as-filed columns by rowid: filtering while
        # reading every column (lists included) costs several times more.
        found = cur.execute("SELECT rowid FROM m.persons WHERE uid = ?", [tin]).fetchone()
        if found is None:
            return None
        cur.execute(f"SELECT {raw_cols} FROM m.persons WHERE rowid = ?", [found[0]])
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        cur.close()
    if not rows:
        return None
    raw = {c.removeprefix("raw_"): v for c, v in zip(cols, rows[0], strict=True)
           if c.startswith("raw_")}
    raw["tin"] = tin
    return raw


def show_item(ctx: Context, item_id: int, *, viewer: str) -> dict[str, Any]:
    """The evidence a reviewer needs; the view itself is logged (who saw what)."""
    with ctx.store.reader() as s:
        item = store_review.require_review_item(s, item_id=item_id)
        req = store_requests.require_request(s, batch_id=item.batch_id, request_id=item.request_id)
        dec = get_decision(s, batch_id=item.batch_id, request_id=item.request_id)
        decisions = store_review.review_decisions(s, item_id=item_id)
    request = {f: getattr(req, f) for f in _REQUEST_FIELDS}
    candidate = _candidate(ctx, dec.candidate_tin if dec else None)
    evidence = dict(dec.evidence) if dec else {}
    with ctx.store.transaction() as s:
        ctx.ledger.append(s, EventType.STAFF_VIEWED_RECORD, {
            "viewer": viewer, "what": "review_item", "item_id": item_id,
            "batch_id": item.batch_id, "request": ctx.request_key(item.batch_id, item.request_id),
            "tin_key": dec.tin_key if dec else None})
    return {
        **_item_json(item),
        "request": request,
        "candidate": candidate,
        "match_probability": dec.match_probability if dec else None,
        "match_weight": dec.match_weight if dec else None,
        "margin": dec.margin if dec else None,
        "address_result": dec.address_result if dec else None,
        "comparisons": evidence.get("comparisons", {}),
        "model_reasons": evidence.get("reasons", ""),
        "decisions": [{"reviewer": d.reviewer, "decision": d.decision, "note": d.note,
                       "decided_at": d.decided_at.isoformat()} for d in decisions],
    }


def decide(ctx: Context, item_id: int, *, match: bool, reviewer: str, note: str,
           now: datetime | None = None) -> dict[str, Any]:
    """Record one reviewer's decision; close the item when the rule is met.

    ``reviewer`` is the account the interface authenticated (the API's or console's
    session, the CLI's `dgw login` token or password prompt). It is re-read here, in
    the decision's own transaction: an enabled reviewer account that is no requester,
    never an auditor (duties, rules 2 and 3). One person decides an item once, however
    the name is spelled, and the two-person rule counts people, not spellings (rule 1).
    """
    if not note.strip():
        raise InputError("a note is required: say why", where="--note")
    now = now or utcnow()
    verdict = Outcome.MATCH if match else Outcome.NO_MATCH
    agreement = ctx.agreement()
    requesters = requester_identities(agreement)
    with ctx.store.transaction() as s:
        account = staff_account(s, reviewer)
        check_decider(account, requesters)
        item = store_review.get_review_item(s, item_id=item_id)
        if item is None:
            raise NotFound(f"no review item {item_id}")
        if item.status != "open":
            raise Conflict(f"review item {item_id} is already closed as {item.final_outcome}")
        check_second_decision(account.name, [d.reviewer for d in
                                             store_review.review_decisions(s, item_id=item_id)], item_id)
        dec = get_decision(s, batch_id=item.batch_id, request_id=item.request_id)
        leaf = ctx.ledger.append(s, EventType.REVIEW_DECIDED, {
            "item_id": item_id, "batch_id": item.batch_id,
            "request": ctx.request_key(item.batch_id, item.request_id),
            "reviewer": account.name, "decision": verdict.value,
            "tin_key": dec.tin_key if dec else None, "agreement_hash": agreement.terms_hash},
            time=now)
        store_review.add_review_decision(s, item_id=item_id, reviewer=account.name,
                                         decision=verdict.value, decided_at=now, note=note,
                                         tin_key=dec.tin_key if dec else None, leaf_index=leaf)
        stored = store_review.review_decisions(s, item_id=item_id)
        spelled = {identity_key(d.reviewer): d.reviewer for d in reversed(stored)}
        status = review_status(
            [ReviewDecision(identity_key(d.reviewer), Outcome(d.decision)) for d in stored],
            int(item.required_decisions))
        if status.resolved and status.outcome is not None:
            store_review.close_review_item(s, item_id=item_id, final_outcome=status.outcome.value,
                                           closed_at=now)
    return {"item_id": item_id, "state": status.state.value,
            "outcome": status.outcome.value if status.outcome else None,
            "reviewers": [spelled.get(r, r) for r in status.reviewers], "needed": status.needed}
