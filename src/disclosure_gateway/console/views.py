"""Shaping service results for the templates: rows, charts, side-by-side pairs.

No decisions are made here, only presentation: what the service returns is
what the page shows, arranged for reading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from ..duties import identity_key
from .charts import Bar, Bin, bar_chart, diverging_chart, histogram, stacked_bar

#: display order of answer codes (the rest follow alphabetically)
ANSWER_ORDER = ("CONFIRMED", "ADDRESS_PROVIDED", "NOT_CONFIRMED", "PENDING_REVIEW", "REJECTED")
#: fields shown side by side on the review screen, in reading order
PAIR_FIELDS = ("first_name", "middle_name", "last_name", "suffix", "dob", "tin", "address_line1",
               "address_line2", "city", "state", "zip")


def _ordered(counts: Mapping[str, Any]) -> list[Bar]:
    known = [c for c in ANSWER_ORDER if c in counts]
    rest = sorted(c for c in counts if c not in ANSWER_ORDER)
    return [Bar(c, float(counts[c] or 0)) for c in known + rest]


def answer_counts(batch: Mapping[str, Any]) -> dict[str, int]:
    counts = batch.get("answers") or {}
    return {str(k): int(v) for k, v in dict(counts).items()}


def batch_row(batch: Mapping[str, Any]) -> dict[str, Any]:
    counts = answer_counts(batch)
    bid = str(batch.get("batch_id", ""))
    return {
        **batch,
        "counts": counts,
        "total": sum(counts.values()),
        "spark": stacked_bar(_ordered(counts), title=f"Answers of batch {bid}", chart_id=f"s-{_slug(bid)}"),
    }


def batch_charts(detail: Mapping[str, Any], matching: Mapping[str, Any]) -> dict[str, Markup]:
    counts = answer_counts(detail)
    reasons = reason_counts(detail)
    reason_bars = sorted((Bar(str(k), float(v)) for k, v in reasons.items()),
                         key=lambda b: (-b.value, b.label))
    bins = [Bin(float(b["from"]), float(b["to"]), int(b["count"]))
            for b in detail.get("probability_histogram") or []]
    marks = []
    for key, label in (("review_threshold", "review"), ("auto_threshold", "auto")):
        if isinstance(matching.get(key), int | float):
            marks.append((float(matching[key]), label))
    return {
        "answers": bar_chart(_ordered(counts), title="Answers by code", chart_id="answers"),
        "reasons": bar_chart(reason_bars, title="Reason codes of refused requests", chart_id="reasons"),
        "histogram": histogram(bins, title="Match probability of the best candidate", chart_id="hist",
                               marks=marks),
    }


def reason_counts(detail: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in dict(detail.get("reason_codes") or {}).items()}


def review_view(item: Mapping[str, Any], viewer: str) -> dict[str, Any]:
    """The item arranged for the side-by-side screen and the two-person rule."""
    request = dict(item.get("request") or {})
    candidate = dict(item.get("candidate") or {})
    fields = [f for f in PAIR_FIELDS if f in request or f in candidate]
    pairs = [{"field": f, "request": request.get(f), "candidate": candidate.get(f),
              "state": _pair_state(request.get(f), candidate.get(f))} for f in fields]
    decisions = list(item.get("decisions") or [])
    required = int(item.get("required_decisions") or 1)
    # one person, however spelled (duties, rule 1)
    mine = next((d for d in decisions if identity_key(str(d.get("reviewer") or "")) == identity_key(viewer)),
                None)
    status = str(item.get("status") or "open")
    evidence = [{"comparison": name, "level": v.get("level"), "weight": float(v.get("weight") or 0)}
                for name, v in dict(item.get("comparisons") or {}).items() if isinstance(v, Mapping)]
    return {
        "pairs": pairs,
        "evidence": evidence,
        "weights": weight_chart(evidence),
        "decisions": decisions,
        "required": required,
        "remaining": max(required - len({d.get("reviewer") for d in decisions}), 0),
        "mine": mine,
        "can_decide": status == "open" and mine is None,
        "status": status,
    }


def decision_message(result: Mapping[str, Any], decision: str) -> str:
    """What the reviewer is told after deciding, from the service's review status."""
    said = "a match" if decision == "match" else "not a match"
    state = str(result.get("state", ""))
    if state == "resolved":
        return (f"Recorded: {said}. The item is closed as {result.get('outcome')}; "
                "the batch's answer changes with its next response.")
    if state == "disagreement":
        return f"Recorded: {said}. The reviewers disagree, so the item stays open for another decision."
    needed = result.get("needed")
    if isinstance(needed, int) and needed > 0:
        return f"Recorded: {said}. {needed} more reviewer(s) must decide before the item closes."
    return f"Recorded: {said}."


def weight_chart(evidence: list[dict[str, Any]]) -> Markup:
    return diverging_chart([Bar(str(e["comparison"]), float(e["weight"])) for e in evidence],
                           title="Match weight of each comparison (right: for a match, left: against)",
                           chart_id="weights")


def checkpoint_size(cp: Mapping[str, Any] | None) -> int:
    return int((cp or {}).get("tree_size") or 0)


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def mask_tin(tin: str) -> str:
    """Only the last four digits are echoed back on the page."""
    digits = "".join(ch for ch in tin if ch.isdigit())
    return f"***-**-{digits[-4:]}" if len(digits) >= 4 else "***"


def _pair_state(left: Any, right: Any) -> str:
    """same / differs / empty (neither side has a value): a cue for the eye, not a decision."""
    a, b = _norm(left), _norm(right)
    if not a and not b:
        return "empty"
    return "same" if a == b else "differs"


def _norm(v: Any) -> str:
    return " ".join(str(v or "").lower().split())


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)[:64]
