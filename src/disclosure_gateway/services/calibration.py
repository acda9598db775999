"""Review decisions teach the model: closed review items are labelled pairs.

Each closed review item says, for one request and its best candidate, whether
reviewers found them the same person. Its decision kept the comparison level of
every comparison (the evidence document), so the labels give, per comparison,
how often a true match shows each level — the model's ``m``. ``recalibrate``
blends that count into the model's m (``PRIOR_PAIRS`` pseudo-pairs of the
current m, then the labels: a handful of labels nudges, many decide; u, from
random pairs, is not what labels measure and stays), the way Splink estimates m
from pairwise labels.

``calibration`` returns, for the console and ``dgw model show``, what the labels
did: the levels whose weight moved, and the reviewed cases themselves re-scored
under the recalibrated model — which labelled matches would now be decided
without a person (a reviewer should not see the same kind of easy case twice),
and, the guard, any labelled no-match the new weights would link: a
recalibration that would link one of those is refused.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..decide import NOT_CONFIRMABLE, Thresholds, required_bits
from ..errors import Conflict
from ..match import settings as S
from ..match.model_store import StoredModel, load_model, save_model
from ..store.labels import ReviewLabel, review_labels
from .context import Context

#: the current model's m counts as this many labelled matches
PRIOR_PAIRS = 50.0
#: held reasons that are evidence, which new weights can clear; any other (a tie, a
#: TIN slip, JR against SR) stays a person's question whatever the weights
_EVIDENCE_HOLDS = frozenset({"BELOW_AUTO_THRESHOLD", "HOUSEHOLD_DOUBT", "NAMESAKE_DOUBT"})


@dataclass(frozen=True)
class LevelShift:
    comparison: str
    level: str
    m_before: float
    m_after: float
    weight_before: float
    weight_after: float
    labelled_matches: int


@dataclass(frozen=True)
class Rescored:
    request_id: str
    batch_id: str
    label: str
    weight_before: float
    weight_after: float
    automatic_after: bool


@dataclass(frozen=True)
class Calibration:
    labels: int
    matches: int
    no_matches: int
    shifts: list[LevelShift] = field(default_factory=list)
    rescored: list[Rescored] = field(default_factory=list)

    @property
    def now_automatic(self) -> int:
        return sum(1 for r in self.rescored if r.label == "match" and r.automatic_after)

    @property
    def wrongly_automatic(self) -> int:
        return sum(1 for r in self.rescored if r.label == "no_match" and r.automatic_after)

    def as_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "matches": self.matches, "no_matches": self.no_matches,
                "now_automatic": self.now_automatic, "wrongly_automatic": self.wrongly_automatic,
                "shifts": [asdict(s) for s in self.shifts],
                "rescored": [asdict(r) for r in self.rescored]}


def _levels(label: ReviewLabel) -> dict[str, str]:
    comps = label.evidence.get("comparisons") or {}
    return {name: str(v.get("level")) for name, v in comps.items() if isinstance(v, dict)}


def _weight(lv: dict[str, Any]) -> float:
    return math.log2(float(lv["m_probability"]) / float(lv["u_probability"]))


def recalibrate(model: dict[str, Any], labels: Sequence[ReviewLabel],
                prior_pairs: float = PRIOR_PAIRS) -> dict[str, Any]:
    """``model`` with every comparison's m blended with the labelled matches' levels."""
    out = copy.deepcopy(model)
    matches = [_levels(x) for x in labels if x.label == "match"]
    for comp in out["comparisons"]:
        name = comp["output_column_name"]
        seen = Counter(lv[name] for lv in matches if name in lv)
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        known = {lv["label_for_charts"] for lv in levels}
        n = sum(c for lab, c in seen.items() if lab in known)
        if not n:
            continue
        for lv in levels:
            m = float(lv["m_probability"])
            lv["m_probability"] = (prior_pairs * m + seen.get(lv["label_for_charts"], 0)) / (
                prior_pairs + n)
    return out


def calibration(before: dict[str, Any], after: dict[str, Any], labels: Sequence[ReviewLabel],
                thresholds: Thresholds) -> Calibration:
    """What the labels moved, and the reviewed cases re-scored under ``after``."""
    w_before = {(c["output_column_name"], lv["label_for_charts"]): (lv, _weight(lv))
                for c in before["comparisons"] for lv in c["comparison_levels"]
                if not lv.get("is_null_level")}
    matches = [_levels(x) for x in labels if x.label == "match"]
    shifts = []
    delta: dict[tuple[str, str], float] = {}
    for c in after["comparisons"]:
        for lv in c["comparison_levels"]:
            key = (c["output_column_name"], lv["label_for_charts"])
            if lv.get("is_null_level") or key not in w_before:
                continue
            old, wb = w_before[key]
            wa = _weight(lv)
            delta[key] = wa - wb
            if abs(wa - wb) >= 0.01:
                shifts.append(LevelShift(key[0], key[1], float(old["m_probability"]),
                                         float(lv["m_probability"]), wb, wa,
                                         sum(1 for m in matches if m.get(key[0]) == key[1])))
    need = required_bits(thresholds)
    auto = math.log2(thresholds.auto_threshold / (1 - thresholds.auto_threshold)) \
        if thresholds.auto_threshold < 1 else math.inf
    rescored = []
    for x in labels:
        lv = _levels(x)
        ev = x.evidence
        reasons = {r for r in str(ev.get("reasons") or "").split(",") if r} - {NOT_CONFIRMABLE}
        w0 = float(x.match_weight if x.match_weight is not None else -math.inf)
        moved = sum(delta.get((n, level), 0.0) for n, level in lv.items())
        person = sum(delta.get((n, lv.get(n, "")), 0.0) for n in S.PERSON_COMPARISONS)
        beyond = sum(delta.get((n, lv.get(n, "")), 0.0) for n in ("dob", "tin", *S.PLACE_COMPARISONS))
        hh = float(ev.get("household_bits", -math.inf)) + person
        ns = float(ev.get("namesake_bits", -math.inf)) + beyond
        clearable = bool(reasons) and reasons <= _EVIDENCE_HOLDS
        automatic = clearable and w0 + moved >= auto and hh >= need and ns >= need
        rescored.append(Rescored(x.request_id, x.batch_id, x.label, w0, w0 + moved, automatic))
    n_match = sum(1 for x in labels if x.label == "match")
    return Calibration(len(labels), n_match, len(labels) - n_match, shifts, rescored)


def review_calibration(ctx: Context, *, version: int | None = None) -> Calibration:
    """The labels so far and what they would do to the model in use (for the console
    and ``dgw model show``); nothing is saved."""
    stored = load_model(ctx.ws.models_dir, version)
    with ctx.store.reader() as s:
        labels = review_labels(s)
    after = recalibrate(stored.model, labels)
    return calibration(stored.model, after, labels, ctx.agreement().matching)


def recalibrate_model(ctx: Context) -> tuple[StoredModel, Calibration]:
    """Save the model recalibrated on the review labels as the next version; refused
    when the new weights would link any request reviewers decided is no match."""
    stored = load_model(ctx.ws.models_dir)
    with ctx.store.reader() as s:
        labels = review_labels(s)
    if not labels:
        raise Conflict("no closed review items yet: nothing to learn from")
    after = recalibrate(stored.model, labels)
    report = calibration(stored.model, after, labels, ctx.agreement().matching)
    if report.wrongly_automatic:
        raise Conflict(f"recalibration refused: it would link {report.wrongly_automatic} "
                       "request(s) reviewers decided are no match")
    training = dict(stored.metadata.get("training", {}))
    training["recalibrated_from"] = {"model_hash": stored.model_hash, "labels": report.labels,
                                     "matches": report.matches, "no_matches": report.no_matches,
                                     "prior_pairs": PRIOR_PAIRS}
    saved = save_model(ctx.ws.models_dir, after, engine=str(stored.metadata.get("engine", "")),
                       training=training)
    return saved, report
